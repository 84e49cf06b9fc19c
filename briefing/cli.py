"""The command line: a thin click layer over the Python API.

Commands parse options, call the API and map ``BriefingError`` to exit codes
(1 for bad input, 2 for usage). Heavy modules are imported inside commands so
``briefing --help`` is instant.
"""
from __future__ import annotations

import os
import sys
from datetime import date

import click

from . import __version__
from ._lazy import load
from .deliver.cli import mail_options as _mail_options  # click decorators only: no heavy imports
from .deliver.cli import wants_mail as _wants_mail
from .errors import BriefingError, UsageError

# Commands that live in their own modules, loaded only when called.
LAZY_COMMANDS = {
    "eval": "briefing.eval.cli:eval_group",
    "digest": "briefing.digest.cli:digest",
    "send": "briefing.deliver.cli:send",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        names = set(super().list_commands(ctx))
        return sorted(names | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        return super().get_command(ctx, name) or self._load(name)

    def invoke(self, ctx):
        # Our errors become one line and an exit code here, so every entry point
        # (console script, python -m, CliRunner in tests) behaves the same.
        try:
            return super().invoke(ctx)
        except UsageError as e:
            fail(e)
            ctx.exit(2)
        except BriefingError as e:
            fail(e)
            ctx.exit(e.exit_code)

    @staticmethod
    def _load(name):
        target = LAZY_COMMANDS.get(name)
        return load(target) if target else None


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected a date as YYYY-MM-DD") from None


def fail(err: BriefingError) -> None:
    click.echo(f"briefing: error: {err}", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefing")
def cli():
    """Turn news articles into short, trustworthy briefs: what / who / when / where."""


def summary_options(f):
    """Options shared by every command that summarises."""
    f = click.option("--algorithm", "-a", default=None, metavar="NAME",
                     help="Ranking algorithm (see `briefing algorithms`). Default: news.")(f)
    f = click.option("--ratio", type=float, default=None, help="Summary length as a share of the sentences, e.g. 0.2.")(f)
    f = click.option("--words", "-w", type=click.IntRange(min=1), default=None, help="Word budget (never exceeded).")(f)
    f = click.option("--sentences", "-n", type=click.IntRange(min=1), default=None,
                     help="Number of sentences (default 3, unless --words or --ratio is given).")(f)
    return f


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@summary_options
@click.option("--format", "-f", "fmt", type=click.Choice(["markdown", "html", "email", "json"]),
              default="markdown", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              help="Write to FILE instead of standard output.")
@click.option("--template", type=click.Path(dir_okay=False), default=None,
              help="Render with your own Jinja2 template (sandboxed).")
@click.option("--published", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="Publication date for resolving 'Thursday', 'next month'... (default: the article's, else today).")
@click.option("--explain", is_flag=True, help="Show every sentence's score, its parts and whether it was chosen.")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait for a URL.")
@click.option("--allow-private", is_flag=True,
              help="Also fetch URLs on private, loopback and link-local addresses (your own network).")
@_mail_options
def summarize(sources, sentences, words, ratio, algorithm, fmt, output, template, published, explain, timeout,
              allow_private, mail):
    """Summarise SOURCE (a file, an http(s) URL, or - for stdin) into a brief."""
    from .brief import BriefOptions, build_brief
    from .render import render
    from .sources import read_source
    from .summarize import get_summarizer

    get_summarizer(algorithm)  # unknown names fail before any work
    options = BriefOptions(sentences=sentences, words=words, ratio=ratio, algorithm=algorithm,
                           published=published, explain=explain)
    options.budget()
    rendered: list[str] = []
    briefs = []
    failures = 0
    for spec in sources:
        try:
            brief = build_brief(read_source(spec, published=published, timeout=timeout,
                                            allow_private=allow_private), options)
        except BriefingError as err:
            fail(err)
            failures += 1
            continue
        briefs.append(brief)
        if fmt != "json" or template:
            rendered.append(render(brief, fmt, template=template))
    if briefs:
        if fmt == "json" and not template:
            text = render(briefs[0], "json") if len(sources) == 1 else _json_list(briefs)
        else:
            sep = {"markdown": "\n---\n\n", "email": "\n" + "-" * 72 + "\n\n", "html": "\n"}.get(fmt, "\n")
            text = sep.join(rendered)
        if not (_wants_mail(mail) and output == "-"):  # mailing replaces stdout unless -o is given
            write_output(output, text)
        if _wants_mail(mail):
            from .deliver.cli import email_objects

            email_objects(briefs, mail, kind="brief", template=template if fmt == "html" else None)
    if failures:
        sys.exit(1)


def _json_list(briefs) -> str:
    import json

    return json.dumps([b.to_dict() for b in briefs], ensure_ascii=False, indent=2) + "\n"


def write_output(output: str, text: str) -> None:
    """Write to stdout or atomically to a file (a crash never leaves half a file)."""
    from .fileio import is_stdout

    if is_stdout(output):
        click.echo(text, nl=False)
        return
    from .fileio import write_atomic

    write_atomic(output, text)


@cli.command()
@click.argument("input_file", metavar="IN.jsonl", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--output", "-o", default="-", type=click.Path(allow_dash=True, dir_okay=False),
              help="Write JSON lines to FILE (default: standard output).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (each loads the model once).")
@summary_options
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when writing to a file from a terminal).")
def batch(input_file, output, jobs, sentences, words, ratio, algorithm, progress):
    """One JSON brief per line of IN.jsonl ({"id", "text", "title"?, "published"?, ...}), in input order."""
    from .batch import run_batch
    from .brief import BriefOptions
    from .summarize import get_summarizer

    get_summarizer(algorithm)
    options = BriefOptions(sentences=sentences, words=words, ratio=ratio, algorithm=algorithm)
    options.budget()
    if input_file == "-":
        lines = sys.stdin
        total = None
    else:
        if not os.path.isfile(input_file):
            raise BriefingError(f"{input_file}: no such file")
        with open(input_file, "rb") as fh:
            total = sum(1 for line in fh if line.strip())
        lines = open(input_file, encoding="utf-8", errors="replace")
    to_stdout = output == "-"
    if progress is None:
        progress = sys.stderr.isatty() and not to_stdout
    out = sys.stdout if to_stdout else None
    tmp_path = None
    if not to_stdout:
        import tempfile

        directory = os.path.dirname(os.path.abspath(output))
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix=".batch.", dir=directory)
        out = os.fdopen(fd, "w", encoding="utf-8")
    bar = click.progressbar(length=total, label="briefing", file=sys.stderr) if progress else None
    try:
        if bar:
            bar.__enter__()
        for line in run_batch(lines, options, jobs=jobs, on_progress=(bar.update if bar else None)):
            out.write(line + "\n")
            if to_stdout:
                out.flush()
    finally:
        if bar:
            bar.__exit__(None, None, None)
        if not to_stdout:
            out.close()
            # keep whatever was produced, even after an interruption
            os.replace(tmp_path, output)
        if lines is not sys.stdin:
            lines.close()


@cli.command()
def algorithms():
    """List the summarisation algorithms."""
    from .summarize import DEFAULT_ALGORITHM, describe_algorithms

    rows = describe_algorithms()
    width = max(len(n) for n, _ in rows)
    for name, desc in rows:
        mark = " (default)" if name == DEFAULT_ALGORITHM else ""
        click.echo(f"{name.ljust(width)}  {desc}{mark}")


def main(argv=None) -> None:
    """Entry point: bad input never shows a traceback; a bug of ours shows one line unless debugging."""
    try:
        cli.main(args=argv, prog_name="briefing")
    except KeyboardInterrupt:
        click.echo("briefing: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(1)
    except Exception as e:
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        click.echo(f"briefing: internal error: {type(e).__name__}: {e} (set BRIEFING_DEBUG=1 for details)", err=True)
        sys.exit(70)
