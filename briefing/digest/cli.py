"""``briefing digest``: a thin click layer over ``briefing.digest.run``.

Cron-friendly: a progress bar only on a terminal; ``--quiet`` prints nothing but
problems; exit 0 when everything worked, 3 when some sources failed but a
digest was made, 1 when nothing could be made, 75 when another run holds the lock
or the mail is kept in the outbox (the next run or ``briefing send --outbox`` sends it).

Mail (``--email-to`` or the config's ``[email]``), never lost and never twice:
render -> write the output -> put the message in the outbox -> commit the run ->
send. The run's stories are recorded as reported once the mail that carries them
is safe in the outbox, not before (a failure before that leaves the state as it
was: the next run reports them again) and not after the send (a crash between a
send and the commit would report, and mail, them twice). That logic is a Python API of its
own: ``briefing.digest.mail`` (``DigestMailer``, ``job_key``, ``finish_run``).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from ..deliver.cli import mail_options, resend_option
from ..errors import BriefingError, UsageError

EXIT_PARTIAL = 3  # some sources failed; the digest was still produced


class _Bounded(click.ParamType):
    """A number within the config's ``LIMITS[key]``: finite, so inf and nan are refused too
    (click's FloatRange lets nan through, and inf would overflow a socket timeout)."""

    name = "seconds"

    def __init__(self, key: str):
        self.key = key

    def convert(self, value, param, ctx):
        from .config import bound_message, check_number

        try:
            return check_number(self.key, float(value))
        except (TypeError, ValueError):
            self.fail(f"must be {bound_message(self.key)}, not {value!r}", param, ctx)


def _log(msg: str, *, level: str = "info", quiet: bool = False, verbose: bool = False) -> None:
    if level == "debug" and not verbose:
        return
    if level == "info" and quiet:
        return
    prefix = "briefing: warning: " if level == "warning" else "briefing: "
    click.echo(prefix + msg, err=True)


JOB_FILE_HELP = """\b
The job file (--config FILE, TOML; every key optional, relative paths from its folder):
  title, since, words, max_stories, format, output, output_dir, base_url, state,
  timeout, deadline, jobs, allow_private, job, sections = ["World", ...]
  [[sources]]   path (file, glob, folder, URL list, OPML, JSONL) or url (page or feed);
                name, section, category, kind, fetch_full, timeout, allow_private,
                include, exclude (words or phrases an item must / must not mention)
  [email]       from, to, cc, bcc, subject, transport, outbox, retries, backoff,
                sendmail, path; [email.smtp] host, port, security, user,
                password_file or password_env (never the password), cafile, timeout

\b
Example job file:
  title = "Morning briefing"
  since = "24h"
  [[sources]]
  url = "https://example.org/world.rss"
  section = "World"
  [email]
  from = "Briefing <briefing@example.org>"
  to = ["me@example.org"]

\b
Your own defaults for every run (the [digest] and [email] sections of
~/.config/briefing/config.toml, BRIEFING_DIGEST_* variables): `briefing config digest`.
Precedence: command line > environment > job file > your config file > default.
Exit: 0 done, 3 some sources failed, 1 nothing made, 2 bad options or config,
75 another run holds the lock or the mail waits in the outbox."""


@click.command(short_help="A daily digest from many feeds and files, grouped into stories.", epilog=JOB_FILE_HELP)
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="The job's TOML file: sources and settings (its keys are listed at the end of this help).",
)
@click.option(
    "--since",
    default=None,
    metavar="WHEN",
    help="Window: 24h, 90m, 7d, an ISO date/time, last-run (since the last successful run) or all. Default 24h.",
)
@click.option(
    "--words",
    "-w",
    type=click.IntRange(min=1),
    default=None,
    help="Word budget for the whole digest's summaries, shared out by importance.",
)
@click.option("--max-stories", type=click.IntRange(min=1), default=None, help="At most N stories (default 20).")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["markdown", "html", "email", "json"]),
    default=None,
    help="Output format (default markdown).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Write to FILE (default: standard output, unless --output-dir is given).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Archive: dated files (HTML, Markdown, JSON) plus index.html and feed.atom in DIR.",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False),
    default=None,
    help="Render with your own Jinja2 template (sandboxed).",
)
@click.option("--title", default=None, help="The digest's title.")
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="State database (default: in the user's state folder, or the config's `state`).",
)
@click.option("--include-seen", is_flag=True, help="Report stories an earlier run already reported, too.")
@click.option("--dry-run", is_flag=True, help="Show the digest without recording anything or writing --output-dir.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems (for cron).")
@click.option("--verbose", "-v", is_flag=True, help="Say what happens, source by source.")
@click.option(
    "--timeout", type=_Bounded("timeout"), default=None, help="Seconds for each source's whole download (default 15)."
)
@click.option(
    "--deadline",
    type=_Bounded("deadline"),
    default=None,
    help="Seconds for reading all sources (default 300); what is not read by then is listed as failed.",
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from private, loopback and link-local addresses (your own network).",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1, max=64), default=None, help="Sources fetched at once (default 4)."
)
@click.option(
    "--now", "now_text", default=None, hidden=True, help="Pretend it is this ISO time (tests, re-making an old digest)."
)
@click.option("--no-entities", is_flag=True, hidden=True, help="Skip NER (faster; no who/where, no prominence).")
@click.option("--no-email", is_flag=True, help="Do not mail, even if the config's [email] table names recipients.")
@click.option(
    "--job",
    "job_name",
    default=None,
    metavar="NAME",
    help="The job's name: mailed once a day per name, whatever sources it is given (default: the "
    "config's `job`, else the config file).",
)
@resend_option
@mail_options
def digest(
    sources,
    config_path,
    since,
    words,
    max_stories,
    fmt,
    output,
    output_dir,
    template,
    title,
    state_path,
    include_seen,
    dry_run,
    quiet,
    verbose,
    timeout,
    deadline,
    allow_private,
    jobs,
    now_text,
    no_entities,
    no_email,
    job_name,
    resend,
    mail,
):
    """One briefing from many SOURCEs: files, globs, folders, URL lists, RSS/Atom feeds, OPML, JSONL.

    Articles about the same event become one story, summarised once from all
    its sources. Safe to run from cron: what an earlier run reported is not
    repeated (a story that grew is marked as an update).

    With --email-to (or `to` in the config's [email] table) the digest is
    mailed, once per day per job: a re-run the same day sends nothing unless
    --resend (which implies --include-seen).
    """
    from ..store import default_state_path
    from .config import DigestConfig, load_config
    from .lock import RunLock, lock_path_for
    from .mail import finish_run
    from .run import DEFAULT_DEADLINE, RunOptions
    from .sources import SourceSpec

    cfg = load_config(config_path) if config_path else DigestConfig()
    # The job file (--config) is more specific than the user's config file: what the latter gives
    # ([digest] in ~/.config/briefing/config.toml) yields to it, the environment and the command line do not.
    mine = _job_file_first(cfg)
    since, words, max_stories = mine("since", since, cfg.since), mine("words", words), mine("max_stories", max_stories)
    fmt, output, output_dir = mine("fmt", fmt, cfg.format), mine("output", output), mine("output_dir", output_dir)
    title, state_path = mine("title", title), mine("state_path", state_path, cfg.state)
    timeout, deadline, jobs = mine("timeout", timeout), mine("deadline", deadline), mine("jobs", jobs)
    job_name = mine("job_name", job_name, cfg.job)
    specs = [SourceSpec(spec=s) for s in sources] + cfg.sources
    if not specs:
        raise UsageError("no sources: give SOURCE arguments or a --config file with [[sources]]")
    fmt = fmt or cfg.format or "markdown"
    if fmt not in ("markdown", "html", "email", "json"):
        raise UsageError(f"format {fmt!r} in the config: choose markdown, html, email or json")
    output = output or cfg.output
    output_dir = output_dir or cfg.output_dir
    state = Path(state_path or cfg.state or default_state_path()).expanduser()
    now = None
    if now_text:
        from .sources import parse_published

        try:
            _, now = parse_published(now_text)
        except ValueError:
            raise UsageError(f"--now {now_text!r}: expected an ISO date-time") from None
        if now is None:
            raise UsageError(f"--now {now_text!r}: expected an ISO date-time, not a date")
    log = dict(quiet=quiet, verbose=verbose)
    # Mail settings are checked before any source is read: a typo in [email] must not cost a fetch.
    mailer = _mailer(
        cfg,
        config_path,
        sources,
        mail,
        state=state,
        now=now,
        resend=resend,
        template=template if fmt == "html" else None,
        log=log,
        enabled=not no_email,
        job=job_name,
    )
    if resend and mailer is None:
        raise UsageError("--resend: nothing to mail (give --email-to, or `to` in the config's [email] table)")
    opts = RunOptions(
        sources=specs,
        state_path=state,
        since=since or cfg.since,
        now=now,
        words=words or cfg.words,
        max_stories=max_stories or cfg.max_stories,
        title=title or cfg.title,
        section_order=cfg.section_order,
        include_seen=include_seen or resend,  # --resend: the stories already reported, again
        timeout=timeout or cfg.timeout or 15.0,
        jobs=jobs or cfg.jobs or 4,
        ner=not no_entities,
        deadline=deadline or cfg.deadline or DEFAULT_DEADLINE,
        allow_private=bool(allow_private or cfg.allow_private),
    )

    mail_error: BriefingError | None = None
    if dry_run:
        run = _prepare(opts, quiet, verbose)
        _deliver(run, fmt, output or "-", None, template, cfg, log)
        if mailer:
            mailer.dry_run(run)  # says what it would mail; sends nothing, touches no outbox
    else:
        with RunLock(lock_path_for(state)):
            run = _prepare(opts, quiet, verbose)
            _deliver(run, fmt, output, output_dir, template, cfg, log, mailing=mailer is not None)
            try:
                finish_run(run, mailer)  # with mail: committed once the mail is safe in the outbox
            except BriefingError as e:
                if mailer is None:
                    raise
                mail_error = e  # reported after the run's summary, with its exit code
    _finish(run, dry_run, log, mail_error)


def _from_user_config(name: str) -> bool:
    """Did option ``name`` get its value from the user's config file (click's ``default_map``)?"""
    from click.core import ParameterSource

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.get_parameter_source(name) is ParameterSource.DEFAULT_MAP


def _job_file_first(cfg):
    """``mine(name, value, job_value)``: the job file's value when option ``name`` only came from the
    user's config file and the job file sets it; else the option's (None lets the job file's in later)."""

    def mine(name: str, value, job_value=None):
        if job_value is None:
            job_value = getattr(cfg, name, None)
        return job_value if job_value is not None and _from_user_config(name) else value

    return mine


def _mailer(cfg, config_path, cli_sources, mail: dict, *, state: Path, now, resend, template, log, enabled, job):
    """The run's ``DigestMailer`` from the options and the config's [email] table; None when nobody
    is to get mail (no --email-to and no `to` in [email], or --no-email)."""
    from ..deliver.cli import settings_from
    from ..deliver.settings import MailSettings
    from ..settings import current, mail_settings, overlay
    from .mail import DigestMailer, job_name

    job = job_name(job, "--job") or job_name(cfg.job, f"{config_path}: job")
    base = None
    if "email" in cfg.extra:
        try:
            base = MailSettings.from_config(cfg.extra["email"], base=Path(config_path).expanduser().resolve().parent)
        except UsageError as e:
            raise UsageError(f"{config_path}: {e}") from None
    # under the job file's [email]: the user's config file, its [email] table and [digest]'s mail options
    users = {k: v for k, v in mail.items() if _from_user_config(k)}
    if users:
        lower = (mail_settings(current()) or MailSettings()).merged(**users)
        base = overlay(lower, base)
        mail = {k: v for k, v in mail.items() if k not in users}
    settings = settings_from(mail, base)
    if not enabled:
        return None
    return DigestMailer.for_job(
        settings,
        state=state,  # the ledger of what was sent is the run's own state database, whatever [email] says
        now=now,
        config_path=config_path,
        sources=cli_sources,
        job=job,
        resend=resend,
        template=template,
        log=lambda msg: _log(msg, **log),
    )


def _prepare(opts, quiet: bool, verbose: bool):
    from .run import prepare_run

    show_bar = not quiet and not verbose and sys.stderr.isatty()
    bar = None
    t0 = time.monotonic()

    def step(label: str, total: int) -> None:
        nonlocal bar
        if bar is None or bar.label != label:
            close_bar()
            bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            bar.__enter__()
        bar.length = total  # sources expand (folders, OPML, teaser pages): the total grows
        bar.update(1)

    def close_bar() -> None:
        nonlocal bar
        if bar is not None:
            bar.__exit__(None, None, None)
            bar = None

    def on_fetch(done: int, total: int, label: str) -> None:
        if show_bar:
            step("reading sources", total)
        elif verbose:
            _log(f"read {label} ({done}/{total})", level="debug", verbose=True)

    def on_story(done: int, total: int) -> None:
        if show_bar:
            step("summarising", total)

    def on_stage(name: str) -> None:
        if show_bar and name != "summarising":
            close_bar()
            click.echo(f"briefing: {name}…", err=True)
        if verbose:
            _log(f"{name} ({time.monotonic() - t0:.1f}s)", level="debug", verbose=True)

    try:
        return prepare_run(opts, on_fetch=on_fetch, on_stage=on_stage, on_story=on_story)
    finally:
        close_bar()


def _deliver(
    run, fmt: str, output: str | None, output_dir: str | None, template, cfg, log, mailing: bool = False
) -> None:
    from ..clikit import write_output
    from ..render import render

    d = run.digest
    if not run.produced:
        for f in run.failures:
            _log(str(f), level="warning", **log)
        raise BriefingError(f"no digest: all {len(run.failures)} source(s) failed")
    if output_dir:
        if d.stories:
            from .archive import write_archive

            rendered = {f: render(d, f, kind="digest") for f in ("html", "markdown", "json")}
            paths = write_archive(output_dir, d, rendered, base_url=cfg.base_url, title=cfg.title)
            _log(f"archived {paths[0].name} in {output_dir}", level="debug", **log)
        else:
            _log("nothing new: no digest archived", **log)
    if output or not (output_dir or mailing):  # mailing replaces stdout unless -o is given
        write_output(output or "-", render(d, fmt, template=template, kind="digest"))


def _finish(run, dry_run: bool, log, mail_error: BriefingError | None = None) -> None:
    d = run.digest
    for w in run.warnings:
        _log(w, level="warning", **log)
    for f in run.failures:
        _log(f"{f.source}: {f.reason}", level="warning", **log)
        if getattr(f, "detail", None) and (log.get("verbose") or os.environ.get("BRIEFING_DEBUG")):
            click.echo(f.detail, err=True)  # a story that failed: where, for a bug report
    s = d.stats
    _log(
        f"{'dry run: ' if dry_run else ''}{s.get('stories_shown', 0)} stories from {s.get('articles', 0)} articles"
        f" ({s.get('items_outside_window', 0)} outside the window, {s.get('stories_found', 0) - s.get('stories_new', 0)}"
        f" already reported){', nothing recorded' if dry_run else ''}",
        **log,
    )
    if mail_error is not None:
        raise mail_error  # one line and its own exit code (75: kept in the outbox), over EXIT_PARTIAL
    if run.failures:
        sys.exit(EXIT_PARTIAL)
