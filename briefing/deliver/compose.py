"""A Brief or Digest + MailSettings -> the EmailMessage to send (render -> deliver glue)."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

from ..errors import TemplateError, UsageError
from .message import compose_message
from .settings import MailSettings


def subject_for(obj: Any, settings: MailSettings | None = None, kind: str = "brief") -> str:
    """The subject: ``settings.subject`` (a Jinja2 template, sandboxed) or templates/subject.txt.j2."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from ..render import templates_dir

    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    source = data.get("source") or {}
    day = data.get("date") or source.get("published") or date.today().isoformat()
    ctx = {
        "title": data.get("title") or ("Briefing" if kind == "digest" else "Brief"),
        "date": str(day)[:10],
        "kind": kind,
        kind: data,
        "brief": data,
    }
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates_dir())), autoescape=False, undefined=jinja2.ChainableUndefined
    )
    try:
        template = (
            env.from_string(settings.subject) if settings and settings.subject else env.get_template("subject.txt.j2")
        )
        out = template.render(**ctx)
    except jinja2.TemplateError as e:
        raise TemplateError(f"subject template: {e}") from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as e:
        # what a template can do at run time ({{ 1/0 }}, {{ x[99] }}): the user's template, not our bug
        raise TemplateError(f"subject template: {type(e).__name__}: {e}") from None
    return " ".join(out.split()) or str(ctx["title"])


def compose_for(
    obj: Any,
    settings: MailSettings,
    *,
    kind: str = "brief",
    text: str | None = None,
    html: str | None = None,
    template: str | None = None,
) -> EmailMessage:
    """Render ``obj`` as email text and HTML (unless given) and address it as ``settings`` say."""
    from ..render import render

    if not settings.sender:
        raise UsageError("no sender address: give --email-from (or `from` in the [email] config)")
    if text is None:
        text = render(obj, "email", kind=kind)
    if html is None:
        html = render(obj, "html", template=template, kind=kind)
    return compose_message(
        subject_for(obj, settings, kind),
        text,
        html,
        settings.sender,
        settings.to,
        settings.cc,
        settings.bcc,
        reply_to=settings.reply_to,
    )
