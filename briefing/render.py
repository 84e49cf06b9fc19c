"""Brief/Digest -> markdown | html | email text | json, through Jinja2 templates in ``templates/``.

Built-in templates come from the package (``briefing/templates`` in an installed
wheel, ``templates/`` in a checkout). A user's ``--template FILE`` runs in
Jinja2's sandbox, in a child process with time, memory and output limits, and may
load only templates from its own folder (``briefing.template_sandbox``): article
text is untrusted, and so is a template someone mailed you.

Every text format escapes for itself: Markdown (``md_escape``, ``md_url``), HTML
(autoescaping; only http(s) links), plain text (``text_url``); and every string
reaching a text template is cleaned first (``clean_text``: no control characters,
no lone surrogates). A user's Markdown template (``*.md.j2``, ``*.md``,
``*.markdown``) asked for HTML escapes every value for Markdown and HTML at once,
and its output becomes a standalone page through the ``markdown`` package and the
nh3 sanitiser (``markdown_page``): one template serves both formats.
"""

from __future__ import annotations

import json
import re
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import TemplateError, UsageError

FORMATS = ("markdown", "html", "email", "json")
_EXT = {"markdown": "md", "html": "html", "email": "txt"}
EMAIL_WIDTH = 72


def templates_dir() -> Path:
    """Where the built-in templates are: inside the installed package, else the checkout's templates/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "brief.md.j2").is_file():
            return candidate
    raise TemplateError("built-in templates not found (broken installation?)")


def wrap_text(text: str, width: int = EMAIL_WIDTH, indent: str = "", subsequent: str | None = None) -> str:
    """Wrap prose for plain-text email; whitespace inside the text is collapsed first."""
    text = " ".join(str(text).split())
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=True,
        break_on_hyphens=False,
    )


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


_MD_INLINE = re.compile(r"([\\`*_\[\]#|])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# what starts a block when it opens a line: a list item (- + 1. 1)), a quote (>), a fence (~~~)
_MD_BLOCK_START = re.compile(r"^(?:[-+>]|\d+[.)])")


def md_escape(text: Any) -> str:
    """Keep article text from being read as Markdown markup or raw HTML.

    The text becomes one line, so the only line start it can reach is its own first
    character: a list marker, quote or fence there is escaped too. Markdown passes raw
    HTML and entities through and not every renderer honours "\\<": "<" becomes "&lt;",
    and "&" becomes "&amp;" where it would otherwise read as an entity.
    """
    s = _ENTITY_LIKE.sub("&amp;", one_line(text))  # first: the backslashes below must not split an entity
    s = _MD_INLINE.sub(r"\\\1", s).replace("<", "&lt;")
    m = _MD_BLOCK_START.match(s)
    if m:
        s = m.group(0)[:-1] + "\\" + s[m.end() - 1 :]
    elif s.startswith("~"):
        s = "&#126;" + s[1:]
    return s


# URLs: what must never appear raw. In plain text, anything that breaks the line or hides in it;
# in a Markdown link destination also what ends it or is read as markup there.
_URL_TEXT_UNSAFE = frozenset("Cc Cf Cs Co Cn Zl Zp Zs".split())
_URL_MD_UNSAFE = frozenset("<>()\"'\\`")


def _percent(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def text_url(url: Any) -> str:
    """A URL as one unbroken token: whitespace, control, format (bidi) and separator characters
    percent-encoded, so no URL can start a new line or hide part of itself."""
    import unicodedata

    s = "" if url is None else str(url)
    return "".join(_percent(c) if c.isspace() or unicodedata.category(c) in _URL_TEXT_UNSAFE else c for c in s)


def md_url(url: Any) -> str:
    """A URL for a Markdown link destination ``(<...>)``: ``text_url`` plus ``< > ( ) " ' \\ ` `` encoded."""
    return "".join(_percent(c) if c in _URL_MD_UNSAFE else c for c in text_url(url))


def top_parts(parts: Any, n: int = 4) -> list[tuple[str, float]]:
    """The ``n`` score parts that moved a sentence most (largest absolute value first): the readable
    --explain tables show these; JSON keeps every part."""
    items = [(str(k), float(v)) for k, v in dict(parts or {}).items()]
    return sorted(items, key=lambda kv: -abs(kv[1]))[:n]


def who_line(entity: Any) -> str:
    """ "Helen Sato, Mayor" / "BlueWave Ferries": a who entry for one line of plain text."""
    e = dict(entity) if not isinstance(entity, dict) else entity
    name, role = one_line(e.get("name", "")), e.get("role")
    return f"{name}, {one_line(role)}" if role else name


def clip_words(text: Any, n: int = 30) -> str:
    """At most ``n`` words of ``text``, with "…" where the rest was left out."""
    words = str(text).split()
    return " ".join(words) if len(words) <= n else " ".join(words[:n]).rstrip(",;:") + "…"


def unsaid(quotes: Any, summary: Any) -> list[Any]:
    """The quotes whose words the summary does not already show (a quote is shown once)."""
    said = " ".join(one_line(clean_text(str(dict(s).get("text", "")))) for s in summary or [])
    out = []
    for q in quotes or []:
        text = one_line(clean_text(str(dict(q).get("text", ""))))
        if not (any(c.isalnum() for c in text) and text in said):  # words, not marks, make a quote said
            out.append(q)
    return out


# ---------------------------------------------------------------- a Markdown template rendered to HTML

MARKDOWN_TEMPLATE_SUFFIXES = (".md.j2", ".md", ".markdown", ".markdown.j2")
MARKDOWN_EXTENSIONS = ("tables", "fenced_code", "sane_lists")
_SCRIPT_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|livescript):")


def is_markdown_template(path: str | Path) -> bool:
    """A user's template that writes Markdown (``brief.md.j2``, ``notes.markdown``): by its name."""
    return Path(path).name.lower().endswith(MARKDOWN_TEMPLATE_SUFFIXES)


def md_html_escape(text: Any) -> str:
    """Text for Markdown that becomes HTML: ``md_escape`` (no markup, no raw HTML, no entity) and
    quotes as entities, so no value can leave an attribute of raw HTML the template writes."""
    return md_escape(text).replace('"', "&#34;").replace("'", "&#39;")


class MarkdownText(str):
    """A string of the data in a Markdown template rendered for HTML: escaped for both when printed
    (Jinja's autoescaping calls ``__html__``, so do ``join`` and ``safe``): article text is hostile."""

    __slots__ = ()

    def __html__(self) -> str:
        return md_html_escape(self)


def markdown_html_finalize(value: Any) -> Any:
    """Every ``{{ ... }}`` of a Markdown template rendered for HTML: escaped for Markdown and HTML
    unless a filter already did (``md_escape``, ``md_url``) or it is the output of a macro."""
    from markupsafe import Markup

    return value if isinstance(value, (Markup, MarkdownText)) else MarkdownText(value)


def markdown_html_data(value: Any) -> Any:
    """The template data with every string a ``MarkdownText`` (dictionary keys stay plain)."""
    if isinstance(value, str):
        return MarkdownText(value)
    if isinstance(value, dict):
        return {k: markdown_html_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [markdown_html_data(v) for v in value]
    return value


def markdown_page(text: str, title: str = "") -> str:
    """A Markdown template's output as a standalone HTML page: converted by the ``markdown`` package,
    then sanitised with nh3 (no script, no event handler, only http(s) and mailto links)."""
    import html

    import markdown
    import nh3

    body = markdown.markdown(text, extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
    body = nh3.clean(body, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    # what is left of "javascript:" is text (nh3 dropped every such URL): shown the same, found by no scanner
    body = _SCRIPT_SCHEME.sub(r"\1&#58;", body)
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(one_line(title))}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def template_filters(*, markdown_html: bool = False) -> dict[str, Any]:
    """The filters every template sees, built-in or the user's; ``markdown_html``: those of a
    Markdown template rendered for HTML (``md_escape`` and ``md_url`` say their output is escaped)."""
    from markupsafe import Markup

    from .render_timeline import timeline_svg

    if markdown_html:
        return {
            **template_filters(),
            "md_escape": lambda text: Markup(md_html_escape(text)),
            "md_url": lambda url: Markup(md_url(url)),
        }
    return {
        "wrap": wrap_text,
        "one_line": one_line,
        "md_escape": md_escape,
        "top_parts": top_parts,
        "md_url": md_url,
        "text_url": text_url,
        "who_line": who_line,
        "clip_words": clip_words,
        "timeline_svg": timeline_svg,
        "unsaid": unsaid,
    }


_filters = template_filters  # the old private name


def _make_env(autoescape: bool, search_path: str):
    """The environment of the built-in templates (ours: in-process, no sandbox needed)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(template_filters())
    return env


@lru_cache(maxsize=8)
def _builtin_env(autoescape: bool):
    return _make_env(autoescape, str(templates_dir()))


# Characters no reader should get from article text: C0/C1 controls (terminal escapes, "\r" that
# overwrites a line, characters XML forbids) go; the ones that are whitespace become a space; line
# and paragraph separators become newlines (what they mean); lone surrogates (undecodable input)
# become U+FFFD, since no UTF-8 file or mail can carry them. Noncharacters (U+FFFE...) go too: XML
# forbids some, and none is text.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(
    r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufffe\uffff"
    r"\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)
_CONTROL_SPACE = re.compile(r"[\x0b\x0c\x1c-\x1f\x85]")
_LINE_SEPARATOR = re.compile(r"\r\n?|[\u2028\u2029]")
_ANY_TO_CLEAN = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    r"\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)


def clean_text(s: str, *, controls: bool = True) -> str:
    """``s`` fit for a text output: surrogates replaced; with ``controls``, control characters
    dropped (tab and newline kept), ``\\r`` and U+2028/U+2029 as newlines."""
    if not _ANY_TO_CLEAN.search(s):  # nearly every string: one scan, no copy
        return s
    s = _SURROGATE.sub("\ufffd", s)
    if controls:
        s = _CONTROL.sub("", _CONTROL_SPACE.sub(" ", _LINE_SEPARATOR.sub("\n", s)))
    return s


def _clean_data(value: Any, controls: bool) -> Any:
    if isinstance(value, str):
        return clean_text(value, controls=controls)
    if isinstance(value, dict):
        return {
            (_clean_data(k, controls) if isinstance(k, str) else k): _clean_data(v, controls) for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_clean_data(v, controls) for v in value]
    return value


def _data(obj: Any) -> Any:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _context(obj: Any, data: Any) -> dict[str, Any]:
    return {"brief": data, "b": data, "obj": obj}


def render(obj: Any, fmt: str = "markdown", *, template: str | Path | None = None, kind: str = "brief") -> str:
    """Render a Brief (or Digest, ``kind="digest"``) in ``fmt``; ``template`` is a user's template file.

    A user's template runs in a sandboxed child process with CPU, memory and output limits
    (``briefing.template_sandbox``); the built-in templates run here.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    # JSON is the data as it is (json.dumps escapes controls); the text formats get clean text
    data = _clean_data(_data(obj), controls=not (fmt == "json" and template is None))
    if fmt == "json" and template is None:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if template is not None:
        from .template_sandbox import render_user_template

        path = Path(template)
        autoescape = fmt == "html" or path.suffix.lower() in (".html", ".htm")
        # a Markdown template asked for HTML: Markdown escaping, then converted and sanitised (in the sandbox)
        page_title = str(data.get("title") or "") if fmt == "html" and is_markdown_template(path) else None
        out = render_user_template(
            path, data, kind=kind, autoescape=autoescape, builtin_dir=templates_dir(), markdown_page=page_title
        )
    else:
        out = _render_builtin(obj, data, fmt, kind)
    if fmt == "email":
        out = _enforce_width(out)
    return out


def _render_builtin(obj: Any, data: Any, fmt: str, kind: str) -> str:
    import jinja2

    ctx = _context(obj, data)
    ctx[kind] = data
    try:
        return _builtin_env(fmt == "html").get_template(f"{kind}.{_EXT[fmt]}.j2").render(**ctx)
    except jinja2.TemplateError as e:
        lineno = getattr(e, "lineno", None)  # syntax errors know their line; others may not
        where = f" (line {lineno})" if lineno else ""
        raise TemplateError(f"template error{where}: {e.message or e}") from None


def _enforce_width(text: str) -> str:
    """Email bodies: no line over 72 columns, whatever a template did."""
    lines = []
    for line in text.splitlines():
        if len(line) <= EMAIL_WIDTH or re.fullmatch(r"\s*<?https?://\S+", line, re.I):  # a broken URL is a dead link
            lines.append(line.rstrip())
        else:
            m = re.match(r"\s*(?:[-*] |\d+\. )?", line)  # matches every line, perhaps empty
            indent = m.group(0) if m else ""
            lines.append(wrap_text(line, EMAIL_WIDTH, indent=line[: len(indent)], subsequent=" " * len(indent)))
    return "\n".join(lines).strip("\n") + "\n"
