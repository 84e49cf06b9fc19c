"""The composed message: parts, headers, encodings, inlined CSS, sanitised HTML, subject."""
from __future__ import annotations

import email
import email.policy
from html.parser import HTMLParser

import pytest
from smtp_helpers import make_brief

from briefing.deliver import MailSettings, compose_for, compose_message, envelope_of, subject_for
from briefing.deliver.message import wire_bytes
from briefing.errors import UsageError

SENDER = "Zoë Müller <zoe@example.org>"


def settings(**kw) -> MailSettings:
    base = dict(sender=SENDER, to=["Jürgen Groß <juergen@example.com>"], cc=["Ana <ana@example.net>"],
                bcc=["secret@example.org"])
    base.update(kw)
    return MailSettings(**base)


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


class Elements(HTMLParser):
    """Every start tag with its attributes, to check what a browser would see as markup."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str):
    p = Elements()
    p.feed(html)
    return p.tags


def test_multipart_alternative_with_text_and_inlined_html():
    msg = parse(wire_bytes(compose_for(make_brief(), settings())))
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]  # plain first: least preferred
    text, html = (p.get_content() for p in parts)
    assert "Zoë Müller, the Swiss engineer" in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert "<style" not in html  # mail clients strip it; the rules are inline now
    h1 = [a for t, a in elements(html) if t == "h1"][0]
    assert "font-size" in h1["style"]
    assert "Zoë Müller wins the Étoile prize" in html
    for p in parts:
        assert p.get_content_charset() == "utf-8"
        assert p["Content-Transfer-Encoding"] == "quoted-printable"


def test_headers_encoded_and_bcc_only_in_envelope():
    msg = compose_for(make_brief(), settings())
    data = wire_bytes(msg)
    data.decode("ascii")  # 7-bit clean on the wire: non-ASCII only as encoded words / quoted-printable
    assert b"Bcc" not in data and b"secret@example.org" not in data
    assert b"=?utf-8?" in data  # encoded words for the names and subject
    got = parse(data)
    assert got["From"].addresses[0].display_name == "Zoë Müller"
    assert got["From"].addresses[0].addr_spec == "zoe@example.org"
    assert got["To"].addresses[0].display_name == "Jürgen Groß"
    assert got["Cc"].addresses[0].addr_spec == "ana@example.net"
    assert got["Subject"] == "Zoë Müller wins the Étoile prize in Zürich — 2024-05-02"
    assert got["Date"].datetime is not None
    assert got["Message-ID"].endswith("@example.org>")  # the sender's domain, not this host's name
    assert envelope_of(msg).recipients == ["juergen@example.com", "ana@example.net", "secret@example.org"]
    assert envelope_of(msg).sender == "zoe@example.org"


def test_subject_template_and_one_line():
    s = settings(subject="[briefing] {{ title | upper }}\n({{ brief.source.name }}, {{ date }})")
    assert subject_for(make_brief(), s) == "[briefing] ZOË MÜLLER WINS THE ÉTOILE PRIZE IN ZÜRICH (Le Temps, 2024-05-02)"
    digest = {"title": "Morning briefing", "date": "2024-05-03"}
    assert subject_for(digest, MailSettings(), kind="digest") == "Morning briefing — 2024-05-03"


def test_hostile_article_leaves_no_active_markup():
    msg = compose_for(make_brief(hostile=True), settings())
    html = msg.get_body(("html",)).get_content()
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag not in ("script", "img", "iframe", "object")
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for k in ("href", "src"):
            assert not (attrs.get(k) or "").strip().lower().startswith("javascript:"), (tag, attrs)
    assert "document.title=" in html  # the attack is shown as text, escaped, not dropped silently


def test_hostile_user_template_is_sanitised(tmp_path):
    """Our templates escape; a user's template may not. The sanitiser catches what it lets through."""
    t = tmp_path / "mine.html"
    t.write_text("<html><head><style>p{color:red}</style></head><body onload=\"document.title='x'\">"
                 "<p>{{ brief.title }}</p><script>document.title='pwned'</script>"
                 "<img src=x onerror=\"document.title='pwned'\"><a href=\"javascript:alert(1)\">go</a>"
                 "<a href=\"https://example.org/\">ok</a><iframe src=\"https://evil.example/\"></iframe></body></html>",
                 encoding="utf-8")
    msg = compose_for(make_brief(), settings(), template=str(t))
    html = msg.get_body(("html",)).get_content()
    tags = elements(html)
    assert "script" not in [t for t, _ in tags] and "iframe" not in [t for t, _ in tags]
    assert all(not k.startswith("on") for _, a in tags for k in a)
    hrefs = [a.get("href") for t, a in tags if t == "a"]
    assert "https://example.org/" in hrefs and all(h is None or not h.startswith("javascript") for h in hrefs)
    assert any(t == "p" and "color: red" in (a.get("style") or "") for t, a in tags)


@pytest.mark.parametrize("bad", ["not an address", "a@", "@b.org", "x@y.org, nonsense"])
def test_bad_addresses_are_usage_errors(bad):
    with pytest.raises(UsageError):
        compose_message("s", "t", None, SENDER, [bad])


def test_no_recipients_or_sender():
    with pytest.raises(UsageError, match="no recipients"):
        compose_message("s", "t", None, SENDER, [])
    with pytest.raises(UsageError, match="sender"):
        compose_for(make_brief(), MailSettings(to=["a@example.org"]))


def test_long_non_ascii_subject_unfolds_to_the_same_text():
    """CPython folds "... Ukraine — 2024" with a double space; what arrives must read as written."""
    subject = "Biden, Putin speak as Russian leader demands NATO rebuff Ukraine — 2024-05-02 — Zürich édition"
    data = wire_bytes(compose_message(subject, "t", None, SENDER, ["a@example.org"]))
    head = data.split(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78  # still folded
    assert parse(data)["Subject"] == subject
