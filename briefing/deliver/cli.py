"""Command-line side of email: the shared ``mail_options`` decorator and ``briefing send``.

``mail_options`` adds --email-to/--email-from/--cc/--bcc/--subject and the transport
options to a command and hands it one ``mail`` argument (a dict for
``MailSettings.from_options(**mail)``). ``summarize`` and ``digest`` both use it.
"""

from __future__ import annotations

import functools
import logging
import sys

import click

from ..errors import BriefingError

_TRANSPORT_KEYS = (
    "mail_config",
    "transport",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_user",
    "smtp_password_env",
    "smtp_password_file",
    "mail_path",
    "outbox_dir",
    "retries",
    "backoff",
)
_ADDRESS_KEYS = ("email_to", "email_from", "cc", "bcc", "subject")


def _collect(keys):
    def wrap(f):
        @functools.wraps(f)
        def inner(*args, **kwargs):
            mail = {k: kwargs.pop(k, None) for k in keys}
            mail.update(kwargs.pop("mail", None) or {})
            return f(*args, mail=mail, **kwargs)

        return inner

    return wrap


def transport_options(f):
    """How mail leaves: config file, transport, SMTP server, outbox, retries."""
    opts = [
        click.option(
            "--mail-config",
            envvar="BRIEFING_MAIL_CONFIG",
            type=click.Path(dir_okay=False),
            default=None,
            help="TOML file with an [email] section (its keys: the end of `briefing digest --help`).",
        ),
        click.option(
            "--transport",
            "transport",
            envvar="BRIEFING_TRANSPORT",
            type=click.Choice(["smtp", "sendmail", "file", "maildir"]),
            default=None,
            help="How to send (default: smtp).",
        ),
        click.option(
            "--smtp-host",
            envvar="BRIEFING_SMTP_HOST",
            default=None,
            metavar="HOST",
            help="SMTP server (default: localhost).",
        ),
        click.option(
            "--smtp-port",
            envvar="BRIEFING_SMTP_PORT",
            type=int,
            default=None,
            help="SMTP port (default: 25, 587 or 465 by security).",
        ),
        click.option(
            "--smtp-security",
            envvar="BRIEFING_SMTP_SECURITY",
            type=click.Choice(["none", "starttls", "tls"]),
            default=None,
            help="Plain, STARTTLS or implicit TLS.",
        ),
        click.option(
            "--smtp-user",
            envvar="BRIEFING_SMTP_USER",
            default=None,
            help="SMTP login; the password comes from a variable or file.",
        ),
        click.option(
            "--smtp-password-env",
            envvar="BRIEFING_SMTP_PASSWORD_ENV",
            default=None,
            metavar="VAR",
            help="Environment variable holding the SMTP password (default: BRIEFING_SMTP_PASSWORD).",
        ),
        click.option(
            "--smtp-password-file",
            envvar="BRIEFING_SMTP_PASSWORD_FILE",
            type=click.Path(dir_okay=False),
            default=None,
            help="File holding the SMTP password.",
        ),
        click.option(
            "--mail-path",
            envvar="BRIEFING_MAIL_PATH",
            default=None,
            metavar="PATH",
            help="The .eml file or folder, Maildir, or sendmail program for those transports.",
        ),
        click.option(
            "--outbox-dir",
            envvar="BRIEFING_OUTBOX_DIR",
            default=None,
            metavar="DIR",
            help="Where unsent messages wait.",
        ),
        click.option(
            "--retries",
            envvar="BRIEFING_RETRIES",
            type=click.IntRange(min=1),
            default=None,
            help="Attempts before a message is left in the outbox (default: 3).",
        ),
        click.option(
            "--backoff",
            envvar="BRIEFING_BACKOFF",
            type=click.FloatRange(min=0),
            default=None,
            help="Seconds before the second attempt, doubling each time (default: 5).",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def mail_options(f):
    """Everything to mail a rendering: recipients, subject and transport options -> ``mail`` dict."""
    f = _collect(_ADDRESS_KEYS + _TRANSPORT_KEYS)(f)
    f = transport_options(f)
    opts = [
        click.option("--email-to", multiple=True, metavar="ADDR", help="Mail the result to ADDR (repeatable)."),
        click.option(
            "--email-from",
            envvar="BRIEFING_EMAIL_FROM",
            default=None,
            metavar="ADDR",
            help="Sender, e.g. 'Briefing <b@example.org>'.",
        ),
        click.option("--cc", multiple=True, metavar="ADDR", help="Copy to ADDR (repeatable)."),
        click.option("--bcc", multiple=True, metavar="ADDR", help="Blind copy to ADDR (repeatable)."),
        click.option(
            "--subject",
            envvar="BRIEFING_SUBJECT",
            default=None,
            metavar="TEMPLATE",
            help="Subject, a Jinja2 template: '{{ title }} ({{ date }})'.",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def resend_option(f):
    """--resend: send even though this digest was already sent today (the ledger says so)."""
    return click.option(
        "--resend", is_flag=True, help="Mail it again even if this digest was already sent (default: once per day)."
    )(f)


def settings_from(mail: dict, base=None):
    """MailSettings from the options; ``base`` (e.g. a digest config's [email] table, already
    read with ``MailSettings.from_config``) is what the options override. Under both: the [email]
    table of the user's config file (``briefing.settings``), when a command is running."""
    from ..settings import current, mail_settings, overlay
    from .settings import MailSettings

    mail = dict(mail)
    if mail.get("mail_config"):
        return MailSettings.from_options(**mail)
    base = overlay(mail_settings(current()), base)
    if base is None:
        return MailSettings.from_options(**mail)
    mail.pop("mail_config", None)
    return base.merged(**mail)


def wants_mail(mail: dict | None) -> bool:
    """Did the user ask for mail (on the command line)? A config file alone does not send."""
    return bool(mail and (mail.get("email_to") or mail.get("cc") or mail.get("bcc")))


def email_objects(
    objs, mail: dict, *, kind: str = "brief", template: str | None = None, key=None, resend: bool = False, base=None
) -> None:
    """Mail each Brief/Digest in ``objs`` (one message each); one line per message on stderr.

    ``base``: MailSettings from a config file, under the command-line options. What earlier
    runs left in the outbox is sent first; what of it can never be sent is moved aside and
    reported, and blocks nothing.

    Raises MessageQueued / PermanentFailure / RecipientsRefused after trying every message.
    """
    from .compose import compose_for
    from .send import failures, flush_waiting, send_message

    settings = settings_from(mail, base)
    errors: list[BriefingError] = []
    flushed = False
    for obj in objs:
        try:
            msg = compose_for(obj, settings, kind=kind, template=template)
            if not flushed:
                flushed = True
                errors.extend(failures(flush_waiting(settings)))
            report = send_message(msg, settings, key=key, resend=resend, flush=False)
            _echo_report(report)
            report.raise_for_refused()
        except BriefingError as e:
            errors.append(e)
    raise_errors(errors)


def raise_errors(errors: list[BriefingError]) -> None:
    """Several failures, one line each: the one raised (its exit code is the command's) is the first
    that needs a person, before one that only says a message waits in the outbox (75)."""
    if not errors:
        return
    worst = next((e for e in errors if e.exit_code != 75), errors[0])
    for e in errors:
        if e is not worst:
            click.echo(f"briefing: error: {e}", err=True)
    raise worst


def _echo_report(report, quiet: bool = False) -> None:
    if quiet:
        return
    if report.skipped:
        click.echo(f"briefing: already sent ({report.previous_message_id}); use --resend to send again", err=True)
    elif report.delivered:
        click.echo(
            f"briefing: sent {report.message_id or 'the message'} to {len(report.delivered)} recipient(s)", err=True
        )


@click.command(short_help="Send saved .eml messages, or what waits in the outbox.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False), metavar="[FILE.eml]...")
@click.option("--outbox", "from_outbox", is_flag=True, help="Send what waits in the outbox.")
@click.option("--list", "list_only", is_flag=True, help="List what waits in the outbox; send nothing.")
@click.option("-v", "--verbose", is_flag=True, help="Log each attempt.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems (not what was sent).")
@transport_options
@_collect(_TRANSPORT_KEYS)
def send(files, from_outbox, list_only, verbose, quiet, mail):
    """Send FILE.eml messages written earlier (Bcc honoured), or what waits in the outbox.

    A message that can never be sent as it is goes to the outbox's failed/ folder (--list
    shows it, with why). Exit codes: 0 all sent, 1 a permanent failure (or a message moved
    aside), 75 something is still waiting in the outbox.
    """
    from .errors import MessageQueued
    from .message import parse_message
    from .outbox import Outbox
    from .send import failures, flush_waiting, moved_aside, send_message

    if verbose:
        logging.basicConfig(level=logging.INFO, format="briefing: %(message)s", stream=sys.stderr)
    settings = settings_from(mail)
    outbox = Outbox(settings.outbox_path())
    if list_only:
        _list_outbox(outbox)
        return
    if not files and not from_outbox:
        raise click.UsageError("give FILE.eml to send, or --outbox")
    errors: list[BriefingError] = []
    if from_outbox:
        results = flush_waiting(settings)
        waiting = len(outbox.entries())
        if quiet:
            pass
        elif not results and not waiting:
            click.echo(f"briefing: outbox: nothing waiting in {outbox.path}", err=True)
        else:
            sent = sum(1 for _, r in results if not isinstance(r, Exception) and r.delivered)
            aside = moved_aside(results)
            click.echo(
                f"briefing: outbox: {sent} sent, {waiting} waiting"
                + (f", {aside} moved aside to {outbox.failed_path}" if aside else ""),
                err=True,
            )
        errors.extend(failures(results))
        if waiting and not errors:
            errors.append(MessageQueued(f"{waiting} message(s) still waiting in {outbox.path}"))
    for path in files:
        try:
            with open(path, "rb") as fh:
                msg = parse_message(fh.read())
            report = send_message(msg, settings, flush=False)
            _echo_report(report, quiet)
            report.raise_for_refused()
        except BriefingError as e:
            errors.append(type(e)(f"{path}: {e}") if len(files) > 1 else e)
    raise_errors(errors)


def _list_outbox(outbox) -> None:
    """One line per message: waiting (and why), not whole, or moved aside (and why)."""
    from .outbox import FAILED

    entries, broken = outbox.scan()
    failed = outbox.failed_entries()
    if not (entries or broken or failed):
        click.echo(f"briefing: outbox: nothing waiting in {outbox.path}", err=True)
        return
    for e in entries:
        click.echo(
            f"{e.id}  {e.message_id}  to {', '.join(e.recipients)}  "
            f"({e.attempts} attempt(s): {e.last_error or 'not tried'})"
        )
    for b in broken:
        click.echo(f"{b.id}  (not whole: {b.reason}; the next `briefing send --outbox` moves it aside)")
    for e in failed:
        who = f"  to {', '.join(e.recipients)}" if e.recipients else ""
        click.echo(f"{FAILED}/{e.id}  {e.message_id or '-'}{who}  (failed {e.failed}: {e.last_error})")
