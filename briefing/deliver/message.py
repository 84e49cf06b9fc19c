"""Compose the email: multipart/alternative (plain text + HTML with CSS inlined).

The HTML part is rendered from untrusted article text. The templates escape it,
but a user's own template may not, so the part is also passed through a
sanitiser (nh3, the Ammonia HTML sanitiser) after the CSS is inlined: no
script, no event handler, no ``javascript:`` link reaches a mail client. Style
attributes (where css-inline puts every <style> rule) keep only allow-listed
properties whose values hold no function but a colour, no escape, no comment.

Addresses: a domain beyond ASCII is written as its IDNA A-label (IDNA 2008 with
UTS #46 mapping) everywhere, so it needs nothing of the server; a local part beyond
ASCII (``zoë@…``) needs SMTPUTF8 (RFC 6531): such a message is kept with UTF-8
headers (RFC 6532), and ``downgraded`` makes the copy a server without SMTPUTF8 gets.
"""

from __future__ import annotations

import email.parser
import html as _html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import overload

from ..errors import UsageError

# Tags and attributes a briefing can use; everything else is dropped.
_TAGS = {
    "a",
    "abbr",
    "article",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "header",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
_ATTRIBUTES = {
    "*": {"style", "class", "lang", "dir", "title"},
    "a": {"href"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan", "align", "valign", "width"},
    "th": {"colspan", "rowspan", "align", "valign", "width"},
    "table": {"width", "cellpadding", "cellspacing", "border", "align"},
}
# The timeline picture (briefing.render_timeline): shapes and text, nothing that links, loads, animates
# or runs (no a/use/image/foreignObject/animate/set/style/script in SVG), and only plain values.
_SVG_TAGS = {"svg", "g", "line", "circle", "rect", "text"}
_SVG_NUMBERS = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height", "stroke-width", "font-size"}
_SVG_ATTRIBUTES = {
    "svg": {"viewbox", "viewBox", "width", "height", "aria-hidden", "font-family", "fill"},
    "g": {"fill", "stroke"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill", "stroke", "stroke-width"},
    "rect": {"x", "y", "width", "height", "fill", "stroke", "stroke-width"},
    "text": {"x", "y", "font-size", "font-weight", "text-anchor", "fill"},
}
_SVG_VALUE = {
    "fill": re.compile(r"currentColor|none|#[0-9a-fA-F]{3,8}"),
    "stroke": re.compile(r"currentColor|none|#[0-9a-fA-F]{3,8}"),
    "font-weight": re.compile(r"bold|normal|[1-9]00"),
    "text-anchor": re.compile(r"start|middle|end"),
    "aria-hidden": re.compile(r"true"),
    "font-family": re.compile(r"[-\w ,]+"),
    "viewbox": re.compile(r"[-0-9. ]+"),
}
_SVG_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?%?")
_TAGS |= _SVG_TAGS
for _tag, _attrs in _SVG_ATTRIBUTES.items():
    _ATTRIBUTES[_tag] = _ATTRIBUTES.get(_tag, set()) | _attrs
_URL_SCHEMES = {"http", "https", "mailto"}

# What a style attribute may set: layout and type. Nothing that loads (background-image, behavior,
# -moz-binding, cursor), and nothing that lays one thing over another (position, z-index, opacity):
# an overlay is how a mail fakes a login page.
_CSS_PROPERTIES = frozenset(
    {
        "background",
        "background-color",
        "border",
        "border-bottom",
        "border-bottom-color",
        "border-bottom-style",
        "border-bottom-width",
        "border-collapse",
        "border-color",
        "border-left",
        "border-left-color",
        "border-left-style",
        "border-left-width",
        "border-radius",
        "border-right",
        "border-right-color",
        "border-right-style",
        "border-right-width",
        "border-spacing",
        "border-style",
        "border-top",
        "border-top-color",
        "border-top-style",
        "border-top-width",
        "border-width",
        "caption-side",
        "clear",
        "color",
        "direction",
        "display",
        "float",
        "font",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "height",
        "letter-spacing",
        "line-height",
        "list-style",
        "list-style-position",
        "list-style-type",
        "margin",
        "margin-bottom",
        "margin-left",
        "margin-right",
        "margin-top",
        "max-height",
        "max-width",
        "min-height",
        "min-width",
        "overflow-wrap",
        "padding",
        "padding-bottom",
        "padding-left",
        "padding-right",
        "padding-top",
        "table-layout",
        "text-align",
        "text-decoration",
        "text-indent",
        "text-transform",
        "vertical-align",
        "white-space",
        "width",
        "word-break",
        "word-spacing",
        "word-wrap",
    }
)
# The only functions a value may call. Everything else that takes an argument can load or run
# something (url, image-set, expression, element, paint, var...).
_CSS_COLOUR_FUNCTION = re.compile(r"\b(?:rgba?|hsla?)\(\s*[-+0-9.%,\s/]*(?:deg)?[-+0-9.%,\s/]*\)", re.I)
_CSS_STRING = re.compile(r"\"[-\w\s.,]*\"|'[-\w\s.,]*'")  # font names
# What is left must be plain words, numbers, units, colours and separators: no "(" (a function),
# no backslash (an escape: "u\\72l(" is "url("), no "*" (a comment hides words: "u/**/rl("), no ":" (a scheme),
# no "@" (an at-rule), no quotes left over (an unclosed string swallows what follows).
_CSS_PLAIN = re.compile(r"[-+\w\s#%.,!/]*\Z")


@dataclass
class Envelope:
    """Who the SMTP conversation names: the sender and every recipient (Bcc included)."""

    sender: str
    recipients: list[str]


class AddressError(ValueError):
    """An address that cannot be named in an SMTP envelope, however the server is set up."""


def smtp_address(addr: str) -> tuple[str, bool]:
    """``addr`` as MAIL FROM / RCPT TO name it, and whether that needs SMTPUTF8.

    The domain goes out as its IDNA A-label (``exämple.org`` -> ``xn--exmple-cua.org``); a local
    part beyond ASCII is kept (only SMTPUTF8 can carry it). Raises AddressError for what no
    server can be sent: control characters or white space (a CR/LF would start a new SMTP
    command), a domain IDNA refuses, labels DNS cannot hold."""
    import idna

    local, at, domain = str(addr).rpartition("@")
    if not at or not local or not domain:
        raise AddressError(f"not an address: {addr!r}")
    quoted = len(local) > 1 and local[0] == local[-1] == '"'  # "a b"@example.org may hold spaces
    if (
        any(ord(c) < 0x20 or ord(c) == 0x7F or c in "<>" or (c.isspace() and not (quoted and c == " ")) for c in addr)
        or " " in domain
    ):
        raise AddressError(f"control characters or spaces in address {addr!r}")
    if not (domain.startswith("[") and domain.endswith("]")):  # an address literal stays as it is
        if not domain.isascii():
            try:
                domain = idna.encode(domain, uts46=True, transitional=False).decode("ascii")
            except (idna.IDNAError, UnicodeError, ValueError) as e:
                raise AddressError(f"the domain of {addr!r} cannot be encoded with IDNA ({e})") from None
        labels = domain.rstrip(".").split(".")
        if len(domain) > 253 or any(not label or len(label) > 63 for label in labels):
            raise AddressError(f"the domain of {addr!r} is not a host name")
    return f"{local}@{domain}", not local.isascii()


def parse_addresses(values: Iterable[str] | str | None) -> list[Address]:
    """Parse "Name <addr>" strings (several per value allowed, comma-separated) into Addresses,
    domains as IDNA A-labels."""
    from email.errors import NonASCIILocalPartDefect

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
        # a local part beyond ASCII is an address (RFC 6531), for servers that offer SMTPUTF8
        defects = [d for d in header.defects if not isinstance(d, NonASCIILocalPartDefect)]
        if not found or defects or any("@" not in a.addr_spec or not a.username or not a.domain for a in found):
            raise UsageError(f"not an email address: {value!r}")
        for a in found:
            try:
                spec, _ = smtp_address(a.addr_spec)
            except AddressError as e:
                raise UsageError(f"not an email address: {value!r} ({e})") from None
            out.append(Address(display_name=a.display_name, username=a.username, domain=spec.rpartition("@")[2]))
    return out


def inline_css(html: str) -> str:
    """Move the <style> rules into style="" attributes: Gmail and Outlook drop <style> blocks."""
    import css_inline

    # load_remote_stylesheets=False: rendering a mail must never fetch anything.
    try:
        return css_inline.inline(
            html, keep_style_tags=False, keep_link_tags=False, keep_at_rules=False, load_remote_stylesheets=False
        )
    except ValueError:  # css_inline's InlineError: a stylesheet it cannot use costs the look, never the mail
        return html


def vet_style(style: str) -> str | None:
    """The declarations of a style attribute a mail may keep (see _CSS_PROPERTIES, _CSS_PLAIN), or None."""
    kept = []
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if colon and value and name in _CSS_PROPERTIES and _plain_css_value(value):
            kept.append(f"{name}: {value}")
    return "; ".join(kept) or None


def _plain_css_value(value: str) -> bool:
    rest = _CSS_STRING.sub("", _CSS_COLOUR_FUNCTION.sub("", value))
    return bool(_CSS_PLAIN.match(rest))


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    # nh3 hands over the value with entities decoded (&#106;avascript: is javascript: here)
    if attr == "style":
        return vet_style(value)
    if tag in _SVG_TAGS and attr not in _ATTRIBUTES["*"]:
        return _svg_value(attr, value)
    return value


def _svg_value(attr: str, value: str) -> str | None:
    """An SVG attribute's value if it is a plain number, colour or keyword (see _SVG_VALUE), else None."""
    value = value.strip()
    if attr in _SVG_NUMBERS:
        return value if _SVG_NUMBER.fullmatch(value) else None
    pattern = _SVG_VALUE.get(attr.lower())
    return value if pattern is not None and pattern.fullmatch(value) else None


_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.S | re.I)


def email_html(html: str, title: str = "") -> str:
    """A rendered HTML document -> a safe, self-contained HTML email body."""
    import nh3

    inlined = inline_css(html)
    m = _BODY.search(inlined)
    # The <body>'s inline style becomes a wrapping <div>, so it goes through the sanitiser too.
    attrs, inner = (m.group(1), m.group(2)) if m else ("", inlined)
    body = nh3.clean(
        f"<div{attrs}>{inner}</div>",
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style", "noscript", "template", "iframe", "object"},
    )
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def compose_message(
    subject: str,
    text: str,
    html: str | None,
    sender: str | Address,
    to: Sequence[str | Address],
    cc: Sequence[str | Address] = (),
    bcc: Sequence[str | Address] = (),
    *,
    reply_to: str | None = None,
    date: datetime | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    sanitize: bool = True,
) -> EmailMessage:
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
    text, html = _unpaired_replaced(text), _unpaired_replaced(html)
    _set_subject(msg, _subject_line(subject))
    _set_addresses(msg, "From", [from_])
    for name, addresses in (
        ("To", to_a),
        ("Cc", cc_a),
        ("Bcc", bcc_a),
        ("Reply-To", _many([reply_to] if reply_to else [])),
    ):
        if addresses:
            _set_addresses(msg, name, addresses)
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


SUBJECT_MAX = 250  # characters: an article's title can be any length; a subject line is read at a glance
# Explicit bidi embeddings, overrides and isolates: in a subject they make text read backwards
# ("Trojan Source"); a right-to-left script needs none of them to show right.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _subject_line(subject: str) -> str:
    """One line of text, whatever a template or an article's title made: no control characters
    (a NUL, terminal escapes), no bidi overrides, no lone surrogate (a JSON "\\ud800"), at most
    SUBJECT_MAX characters."""
    text = _unpaired_replaced(str(subject)).translate(_BIDI_CONTROLS)
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return _shorten(" ".join(text.split()), SUBJECT_MAX)


@overload
def _unpaired_replaced(text: str) -> str: ...
@overload
def _unpaired_replaced(text: None) -> None: ...
@overload
def _unpaired_replaced(text: str | None) -> str | None: ...
def _unpaired_replaced(text: str | None) -> str | None:
    """Lone surrogates (json.loads lets "\\ud800" through) cannot be encoded: U+FFFD instead."""
    if text is None:
        return None
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut).rstrip(" ,;:-") + "…"


def _set_addresses(msg: EmailMessage, name: str, addresses: list[Address]) -> None:
    """ASCII addresses as the policy writes them. Beyond ASCII, written here: CPython's folder splits a
    long display name between encoded words and drops the space there, which RFC 2047 readers then
    lose ("Zoë «la" arrives as "Zoë«la"); the legacy Header encoder keeps spaces inside the encoded
    text. A local part beyond ASCII stays UTF-8 (RFC 6532): only SMTPUTF8 carries it."""
    if all(str(a).isascii() for a in addresses):
        msg[name] = addresses
    else:
        msg.set_raw(name, _address_list(addresses, name))


_SPECIALS = re.compile(r'[][\\()<>@,:;".]')  # RFC 5322: a display name holding one is quoted


def _address_list(addresses, name: str, *, ascii_only: bool = False) -> str:
    return ",\r\n ".join(_one_address(a, name, ascii_only) for a in addresses)


def _one_address(a: Address, name: str, ascii_only: bool) -> str:
    from email.header import Header

    spec = a.addr_spec
    if ascii_only and not spec.isascii():
        try:
            spec, eai = smtp_address(spec)  # a domain beyond ASCII has its A-label
        except AddressError:
            eai = True
        if eai or not spec.isascii():
            # RFC 6857 downgrade: an address a server without SMTPUTF8 cannot carry becomes an empty
            # group whose encoded name shows it ("=?utf-8?q?Zo=C3=AB_=3Czo=C3=AB=40example=2Eorg=3E?=:;").
            shown = f"{a.display_name} <{a.addr_spec}>" if a.display_name else a.addr_spec
            return Header(shown, "utf-8", maxlinelen=76, header_name=name).encode(linesep="\r\n") + ":;"
    if not a.display_name:
        return spec
    if a.display_name.isascii():
        from email.utils import quote

        shown = f'"{quote(a.display_name)}"' if _SPECIALS.search(a.display_name) else a.display_name
        return f"{shown} <{spec}>"
    words = Header(a.display_name, "utf-8", maxlinelen=76, header_name=name).encode(linesep="\r\n")
    last = words.rsplit("\r\n", 1)[-1]
    return words + ("\r\n " if len(last) + len(spec) + 3 > 76 else " ") + f"<{spec}>"


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


_ADDRESS_HEADERS = ("From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Resent-From", "Resent-To", "Resent-Cc")


def needs_utf8(msg: EmailMessage) -> bool:
    """Does an address header name a local part beyond ASCII (so only SMTPUTF8 carries the message as it is)?"""
    for name in _ADDRESS_HEADERS:
        for value in msg.get_all(name, []):
            if not all(a.username.isascii() for a in getattr(value, "addresses", ())):
                return True
    return False


def downgraded(data: bytes) -> bytes:
    """The copy of wire bytes for a server without SMTPUTF8: every header 7-bit. Addresses whose local
    part is beyond ASCII become encoded empty groups (RFC 6857), other addresses stay addresses, and
    other non-ASCII headers become RFC 2047 encoded words. The body is left as it is."""
    from email.header import Header

    head, sep, body = data.partition(b"\r\n\r\n")
    if head.isascii():
        return data
    parsed = email.parser.Parser(policy=policy.SMTP).parsestr(
        head.decode("utf-8", "replace") + "\r\n\r\n", headersonly=True
    )
    lines = []
    for name, value in parsed.raw_items():
        if value.isascii():
            lines.append(f"{name}: {value}")
            continue
        flat = " ".join(value.split())
        if name.title() in _ADDRESS_HEADERS:
            addresses = policy.default.header_factory(name, flat).addresses
            lines.append(f"{name}: {_address_list(addresses, name, ascii_only=True)}")
        else:
            lines.append(f"{name}: " + Header(flat, "utf-8", maxlinelen=76, header_name=name).encode(linesep="\r\n"))
    return "\r\n".join(lines).encode("ascii") + sep + body


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
    subject reads "Ukraine  —" once unfolded. The fold's own whitespace is enough.
    A message naming a local part beyond ASCII is written with UTF-8 headers (RFC 6532)."""
    data = msg.as_bytes(policy=policy.SMTPUTF8 if needs_utf8(msg) else policy.SMTP)
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
                out.append(_text(a.addr_spec))
    return out


def _text(value: str) -> str:
    """A header value parsed from bytes holds its non-ASCII bytes as surrogates; the envelope and the
    outbox's JSON need the text they stand for (UTF-8, RFC 6532)."""
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
