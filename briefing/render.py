"""Brief/Digest -> markdown | html | email text | json, through Jinja2 templates in ``templates/``.

Built-in templates come from the package (``briefing/templates`` in an installed
wheel, ``templates/`` in a checkout). A user's ``--template FILE`` runs in
Jinja2's sandbox: article text is untrusted, and so is a template someone mailed you.
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
    return textwrap.fill(text, width=width, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent,
                         break_long_words=True, break_on_hyphens=False)


def one_line(text: Any) -> str:
    return " ".join(str(text).split())


def md_escape(text: Any) -> str:
    """Keep article text from being read as Markdown markup or raw HTML."""
    s = one_line(text)
    s = re.sub(r"([\\`*_\[\]#|])", r"\\\1", s)
    # Markdown passes raw HTML through and not every renderer honours "\<": use the entity
    return s.replace("<", "&lt;")


def top_parts(parts: Any, n: int = 4) -> list[tuple[str, float]]:
    """The ``n`` score parts that moved a sentence most (largest absolute value first): the readable
    --explain tables show these; JSON keeps every part."""
    items = [(str(k), float(v)) for k, v in dict(parts or {}).items()]
    return sorted(items, key=lambda kv: -abs(kv[1]))[:n]


def _filters() -> dict[str, Any]:
    return {"wrap": wrap_text, "one_line": one_line, "md_escape": md_escape, "top_parts": top_parts}


def _make_env(sandboxed: bool, autoescape: bool, search_path: str):
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    cls = ImmutableSandboxedEnvironment if sandboxed else jinja2.Environment
    env = cls(loader=jinja2.FileSystemLoader(search_path), autoescape=autoescape,
              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
              undefined=jinja2.StrictUndefined if not sandboxed else jinja2.ChainableUndefined)
    env.filters.update(_filters())
    return env


@lru_cache(maxsize=8)
def _builtin_env(autoescape: bool):
    return _make_env(False, autoescape, str(templates_dir()))


def _context(obj: Any) -> dict[str, Any]:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return {"brief": data, "b": data, "obj": obj}


def render(obj: Any, fmt: str = "markdown", *, template: str | Path | None = None,
           kind: str = "brief") -> str:
    """Render a Brief (or Digest, ``kind="digest"``) in ``fmt``; ``template`` is a user's template file."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    if fmt == "json" and template is None:
        data = obj.to_dict() if hasattr(obj, "to_dict") else obj
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    import jinja2

    ctx = _context(obj)
    ctx[kind] = ctx["brief"]
    try:
        if template is not None:
            path = Path(template)
            if not path.is_file():
                raise TemplateError(f"{template}: template file not found")
            autoescape = fmt == "html" or path.suffix.lower() in (".html", ".htm")
            env = _make_env(True, autoescape, str(path.parent.resolve()))
            out = env.get_template(path.name).render(**ctx)
        else:
            env = _builtin_env(fmt == "html")
            out = env.get_template(f"{kind}.{_EXT[fmt]}.j2").render(**ctx)
    except jinja2.exceptions.SecurityError as e:
        raise TemplateError(f"template not allowed: {e}") from None
    except jinja2.TemplateError as e:
        where = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        raise TemplateError(f"template error{where}: {e.message or e}") from None
    if fmt == "email":
        out = _enforce_width(out)
    return out


def _enforce_width(text: str) -> str:
    """Email bodies: no line over 72 columns, whatever a template did."""
    lines = []
    for line in text.splitlines():
        if len(line) <= EMAIL_WIDTH or re.fullmatch(r"\s*<?https?://\S+", line):  # a broken URL is a dead link
            lines.append(line.rstrip())
        else:
            indent = re.match(r"\s*(?:[-*] |\d+\. )?", line).group(0)
            lines.append(wrap_text(line, EMAIL_WIDTH, indent=line[:len(indent)], subsequent=" " * len(indent)))
    return "\n".join(lines).strip("\n") + "\n"
