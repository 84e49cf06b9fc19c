"""Compose the email: multipart/alternative (plain text + HTML with CSS inlined).

The HTML part is rendered from untrusted article text. The templates escape it,
but a user's own template may not, so the part is also passed through a
sanitiser (nh3, the Ammonia HTML sanitiser) after the CSS is inlined: no
script, no event handler, no ``javascript:`` link reaches a mail client.
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Iterable, Sequence

from ..errors import UsageError

# Tags and attributes a briefing can use; everything else is dropped.
_TAGS = {
    "a", "abbr", "article", "b", "blockquote", "br", "code", "div", "em", "footer", "h1", "h2", "h3",
    "h4", "header", "hr", "i", "li", "ol", "p", "pre", "section", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "time", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "*": {"style", "class", "lang", "dir", "title"},
    "a": {"href"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan", "align", "valign", "width"},
    "th": {"colspan", "rowspan", "align", "valign", "width"},
    "table": {"width", "cellpadding", "cellspacing", "border", "align"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Envelope:
    """Who the SMTP conversation names: the sender and every recipient (Bcc included)."""

    sender: str
    recipients: list[str]


def parse_addresses(values: Iterable[str] | str | None) -> list[Address]:
    """Parse "Name <addr>" strings (several per value allowed, comma-separated) into Addresses."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[Address] = []
    for value in values:
        if not str(value).strip():
            continue
        try:
            header = policy.default.header_factory("To", str(value))
            found = list(header.addresses)
        except (IndexError, ValueError, TypeError):  # the stdlib parser trips on some malformed input
            raise UsageError(f"not an email address: {value!r}") from None
        if not found or header.defects or any("@" not in a.addr_spec or not a.username or not a.domain
                                              for a in found):
            raise UsageError(f"not an email address: {value!r}")
        out.extend(found)
    return out


def inline_css(html: str) -> str:
    """Move the <style> rules into style="" attributes: Gmail and Outlook drop <style> blocks."""
    import css_inline

    # load_remote_stylesheets=False: rendering a mail must never fetch anything.
    return css_inline.inline(html, keep_style_tags=False, keep_link_tags=False, keep_at_rules=False,
                             load_remote_stylesheets=False)


_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.S | re.I)


def email_html(html: str, title: str = "") -> str:
    """A rendered HTML document -> a safe, self-contained HTML email body."""
    import nh3

    inlined = inline_css(html)
    m = _BODY.search(inlined)
    # The <body>'s inline style becomes a wrapping <div>, so it goes through the sanitiser too.
    attrs, inner = (m.group(1), m.group(2)) if m else ("", inlined)
    body = nh3.clean(f"<div{attrs}>{inner}</div>", tags=_TAGS, attributes=_ATTRIBUTES,
                     url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer",
                     clean_content_tags={"script", "style", "noscript", "template", "iframe", "object"})
    return ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{_html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def compose_message(subject: str, text: str, html: str | None, sender: str | Address,
                    to: Sequence[str | Address], cc: Sequence[str | Address] = (),
                    bcc: Sequence[str | Address] = (), *, reply_to: str | None = None,
                    date: datetime | None = None, message_id: str | None = None,
                    headers: dict[str, str] | None = None, sanitize: bool = True) -> EmailMessage:
    """Build the message every transport sends.

    ``html`` is a rendered HTML document (``render(obj, "html")``); its CSS is inlined
    and it is sanitised unless ``sanitize=False``. Bcc is kept as a header here so the
    message is complete on its own (an .eml draft, an outbox entry); transports
    strip it from what they transmit and put those addresses in the envelope only.
    """
    from_ = _one(sender, "From")
    to_a, cc_a, bcc_a = (_many(x) for x in (to, cc, bcc))
    if not (to_a or cc_a or bcc_a):
        raise UsageError("no recipients: give --email-to (or cc/bcc)")
    msg = EmailMessage(policy=policy.SMTP)
    _set_subject(msg, " ".join(str(subject).split()))  # one line, whatever a template made
    msg["From"] = from_
    if to_a:
        msg["To"] = to_a
    if cc_a:
        msg["Cc"] = cc_a
    if bcc_a:
        msg["Bcc"] = bcc_a
    if reply_to:
        msg["Reply-To"] = _many([reply_to])
    msg["Date"] = format_datetime(date or datetime.now().astimezone())
    # The sender's domain, not this machine's hostname: Message-IDs must not leak host names.
    msg["Message-ID"] = message_id or make_msgid(domain=from_.domain or None)
    msg["MIME-Version"] = "1.0"
    for k, v in (headers or {}).items():
        msg[k] = v
    # quoted-printable keeps the text readable in raw form and 7-bit safe for any relay.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        part = email_html(html, title=msg["Subject"]) if sanitize else html
        msg.add_alternative(part, subtype="html", charset="utf-8", cte="quoted-printable")
        for sub in msg.iter_parts():  # set_content adds it to each part; it belongs at the top only
            del sub["MIME-Version"]
    return msg


def _set_subject(msg: EmailMessage, subject: str) -> None:
    """Non-ASCII subjects are encoded here, not by the policy's folder: CPython's folder
    puts meaningful spaces between adjacent encoded words, where RFC 2047 says readers drop
    them ("— Zürich édition" arrives as "—Zürichédition"). The legacy Header encoder keeps
    each space inside the encoded text."""
    if subject.isascii():
        msg["Subject"] = subject
        return
    from email.header import Header

    encoded = Header(subject, "utf-8", maxlinelen=76, header_name="Subject").encode(linesep="\r\n")
    msg.set_raw("Subject", encoded)


def envelope_of(msg: EmailMessage, sender: str | None = None) -> Envelope:
    """Envelope from the headers: From (or ``sender``), and To + Cc + Bcc, each address once."""
    frm = sender or _addr_specs(msg.get_all("From", []))[:1]
    if isinstance(frm, list):
        if not frm:
            raise UsageError("the message has no From address")
        frm = frm[0]
    seen: list[str] = []
    for name in ("To", "Cc", "Bcc"):
        for a in _addr_specs(msg.get_all(name, [])):
            if a.lower() not in (s.lower() for s in seen):
                seen.append(a)
    if not seen:
        raise UsageError("the message has no recipients (To, Cc or Bcc)")
    return Envelope(frm, seen)


def wire_bytes(msg: EmailMessage) -> bytes:
    """What goes over the wire: the message without Bcc, CRLF line ends."""
    copy = _copy(msg)
    del copy["Bcc"]
    del copy["Resent-Bcc"]
    return _serialise(copy)


def message_bytes(msg: EmailMessage) -> bytes:
    """The whole message, Bcc kept (for drafts and the outbox)."""
    return _serialise(msg)


def _serialise(msg: EmailMessage) -> bytes:
    """as_bytes, minus a CPython folding bug: when a header folds before an encoded word the
    folder keeps the space at the end of the line *and* starts the next with one, so the
    subject reads "Ukraine  —" once unfolded. The fold's own whitespace is enough."""
    data = msg.as_bytes(policy=policy.SMTP)
    head, sep, body = data.partition(b"\r\n\r\n")
    return re.sub(rb"[ \t]+\r\n([ \t])", rb"\r\n\1", head) + sep + body


def parse_message(data: bytes) -> EmailMessage:
    from email import message_from_bytes

    return message_from_bytes(data, policy=policy.SMTP)


def _copy(msg: EmailMessage) -> EmailMessage:
    return parse_message(_serialise(msg))


def _addr_specs(values) -> list[str]:
    out = []
    for v in values:
        for a in getattr(v, "addresses", None) or policy.default.header_factory("To", str(v)).addresses:
            if a.addr_spec:
                out.append(a.addr_spec)
    return out


def _one(value, what: str) -> Address:
    if isinstance(value, Address):
        return value
    found = parse_addresses([value])
    if len(found) != 1:
        raise UsageError(f"{what}: expected one address, got {value!r}")
    return found[0]


def _many(values) -> list[Address]:
    out: list[Address] = []
    for v in values or ():
        out.extend([v] if isinstance(v, Address) else parse_addresses([v]))
    return out
