"""The composed message: parts, headers, encodings, inlined CSS, sanitised HTML, subject."""

from __future__ import annotations

import email
import email.policy
import unicodedata
from email.header import decode_header, make_header
from html.parser import HTMLParser

import pytest
from smtp_helpers import make_brief

from briefing.deliver import MailSettings, compose_for, compose_message, envelope_of, subject_for
from briefing.deliver.message import wire_bytes
from briefing.errors import UsageError

SENDER = "Zoë Müller <zoe@example.org>"


def settings(**kw) -> MailSettings:
    base = dict(
        sender=SENDER,
        to=["Jürgen Groß <juergen@example.com>"],
        cc=["Ana <ana@example.net>"],
        bcc=["secret@example.org"],
    )
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
    assert (
        subject_for(make_brief(), s) == "[briefing] ZOË MÜLLER WINS THE ÉTOILE PRIZE IN ZÜRICH (Le Temps, 2024-05-02)"
    )
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
    t.write_text(
        "<html><head><style>p{color:red}</style></head><body onload=\"document.title='x'\">"
        "<p>{{ brief.title }}</p><script>document.title='pwned'</script>"
        '<img src=x onerror="document.title=\'pwned\'"><a href="javascript:alert(1)">go</a>'
        '<a href="https://example.org/">ok</a><iframe src="https://evil.example/"></iframe></body></html>',
        encoding="utf-8",
    )
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


# --- CSS in style attributes: the sanitiser vets every declaration ------------------------------
# Each is one way of writing "load javascript:/a remote resource/an expression from CSS".
CSS_ATTACKS = {
    "plain url": 'style="color: red; background: url(javascript:document.title=1)"',
    "entity-encoded scheme": 'style="color: red; background: url(&#106;avascript:document.title=1)"',
    "quoted url": 'style="color: red; background: url(&quot;javascript:document.title=1&quot;)"',
    "upper case": 'style="color: red; BACKGROUND: URL(JaVaScRiPt:document.title=1)"',
    "CSS escape in the scheme": r'style="color: red; background-image: url(j\61vascript:document.title=1)"',
    "CSS escape in the function": r'style="color: red; background: u\72l(javascript:document.title=1)"',
    "all escaped": r'style="color: red; background: \75\72\6c(javascript:document.title=1)"',
    "comment in the function": 'style="color: red; background: u/**/rl(javascript:document.title=1)"',
    "expression()": 'style="color: red; width: expression(document.title=1)"',
    "expression() with a comment": 'style="color: red; width: exp/**/ression(document.title=1)"',
    "full-width expression()": 'style="color: red; width: ｅｘｐｒｅｓｓｉｏｎ(document.title=1)"',
    "image-set()": 'style="color: red; background: image-set(&quot;javascript:x&quot; 1x)"',
    "remote tracker": "style=\"color: red; background: url('https://tracker.example/p.gif')\"",
    "data: url": 'style="color: red; background: url(data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)"',
    "behavior": 'style="color: red; behavior: url(x.htc)"',
    "-moz-binding": 'style="color: red; -moz-binding: url(https://evil.example/x.xml#x)"',
    "@import": "style=\"color: red; @import 'https://evil.example/x.css'\"",
    "overlay": 'style="color: red; position: fixed; top: 0; left: 0; z-index: 9999"',
}
_ACTIVE = (
    "url",
    "expression",
    "javascript",
    "\\",
    "@import",
    "image-set",
    "behavior",
    "binding",
    "position",
    "/*",
    "ｅｘｐ",
)


def styles_of(html: str) -> list[str]:
    return [a["style"] for _, a in elements(html) if a.get("style")]


@pytest.mark.slow
@pytest.mark.parametrize("attack", list(CSS_ATTACKS))
def test_style_attributes_lose_active_css(tmp_path, attack):
    t = tmp_path / "mine.html"
    t.write_text(f"<html><body><p {CSS_ATTACKS[attack]}>{{{{ brief.title }}}}</p></body></html>", encoding="utf-8")
    html = compose_for(make_brief(), settings(), template=str(t)).get_body(("html",)).get_content()
    [style] = [s for s in styles_of(html) if "red" in s]
    assert "color: red" in style or "color:red" in style  # the harmless declaration stays
    for bad in _ACTIVE:
        assert bad not in style.lower(), (attack, style)


@pytest.mark.slow
@pytest.mark.parametrize(
    "css",
    [
        "p { color: red; background: url(javascript:document.title=1) }",
        "@import url(javascript:document.title=1); p { color: red; }",
        r"p { color: red; background: u\72l(javascript:document.title=1) }",
        "p { color: red; width: expression(document.title=1) }",
    ],
)
def test_style_blocks_are_vetted_after_css_inline_turns_them_into_attributes(tmp_path, css):
    t = tmp_path / "mine.html"
    t.write_text(
        f"<html><head><style>{css}</style></head><body><p>{{{{ brief.title }}}}</p></body></html>", encoding="utf-8"
    )
    html = compose_for(make_brief(), settings(), template=str(t)).get_body(("html",)).get_content()
    assert "<style" not in html
    for style in styles_of(html):
        for bad in _ACTIVE:
            assert bad not in style.lower(), style
    assert any("red" in s for s in styles_of(html))


def test_our_own_styles_survive_the_vetting():
    html = compose_for(make_brief(), settings()).get_body(("html",)).get_content()
    styles = " ".join(styles_of(html))
    for prop in ("font-size", "font:", "line-height", "color:", "border-bottom", "letter-spacing", "margin"):
        assert prop in styles, prop


# --- hostile header values -------------------------------------------------------------------------
def test_very_long_subject_is_cut_and_every_header_line_is_short():
    title = "Breaking: " + "très long titre " * 2000
    msg = compose_for(make_brief(title=title), settings())
    data = wire_bytes(msg)
    head = data.split(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    subject = parse(data)["Subject"]
    assert subject.startswith("Breaking: très long titre") and len(subject) <= 250 and subject.endswith("…")


def test_very_long_non_ascii_display_names_fold_and_parse_back():
    name = "Zoë «la Reine» Müller-Lüdenscheidt, " * 30
    msg = compose_message(
        "s",
        "t",
        None,
        f'"{name.strip()}" <zoe@example.org>',
        [f'"{name.strip()}" <a@example.org>', "Ana <ana@example.net>"],
    )
    data = wire_bytes(msg)
    data.decode("ascii")
    head = data.split(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    got = parse(data)
    assert [a.addr_spec for a in got["To"].addresses] == ["a@example.org", "ana@example.net"]
    # As RFC 2047 readers (Thunderbird, Gmail...) decode it: the white space between two encoded words
    # is dropped, so a space must be inside the encoded text. (CPython's own structured-header
    # parser keeps it, so it is not the judge here.)
    raw = email.message_from_bytes(data, policy=email.policy.compat32)
    assert str(make_header(decode_header(raw["From"]))) == f"{name.strip()} <zoe@example.org>"
    assert str(make_header(decode_header(raw["To"]))).startswith(f"{name.strip()} <a@example.org>")


@pytest.mark.parametrize(
    "bad",
    [
        "a@example.org\r\nBcc: evil@example.org",
        "a@example.org\nX-Evil: 1",
        '"Zoë\r\nBcc: evil@example.org" <a@example.org>',
        "a@example.org\x00",
        "zoe@😀.example",
        "a@" + "x" * 64 + ".example." + "y" * 250,
    ],
)
def test_addresses_that_cannot_be_sent_are_refused_before_anything_is_queued(bad):
    with pytest.raises(UsageError) as err:
        compose_message("s", "t", None, SENDER, [bad])
    assert "\n" not in str(err.value) and "\r" not in str(err.value)
    with pytest.raises(UsageError):
        compose_message("s", "t", None, bad, ["a@example.org"])


BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(
    "title",
    [
        "lone \ud800 surrogate from a JSON escape",
        "nul \x00 esc \x1b[31m bell \x07 del \x7f",
        "rlo \u202e desserts \u2066 isolate \u2069",
        "zwj emoji 👩\u200d💻 stays",
    ],
)
def test_subject_holds_no_control_bidi_or_unpaired_character(title):
    """An article's title is hostile input: the subject must not smuggle terminal escapes, a NUL,
    right-to-left overrides (text that reads backwards), or crash on a lone surrogate."""
    data = wire_bytes(compose_for(make_brief(title=title), settings()))
    got = parse(data)
    subject = str(got["Subject"])
    assert not [c for c in subject if unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS], subject
    assert subject.split()[0] == title.split()[0]
    if "emoji" in title:
        assert "👩\u200d💻" in subject  # joiners are not controls: emoji sequences stay whole
    text = got.get_body(("plain",)).get_content()
    assert "\ud800" not in text and title.split()[0] in got.get_body(("html",)).get_content()
