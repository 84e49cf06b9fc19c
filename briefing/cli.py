"""The command line: a thin click layer over the Python API.

Commands parse options, call the API and map ``BriefingError`` to exit codes
(1 for bad input, 2 for usage). Heavy modules are imported inside commands so
``briefing --help`` is instant.
"""

from __future__ import annotations

import contextlib
import os
import sys
from datetime import date

import click

from ._lazy import load
from ._version import __version__
from .clikit import write_output
from .deliver.cli import mail_options as _mail_options  # click decorators only: no heavy imports
from .deliver.cli import wants_mail as _wants_mail
from .errors import BriefingError, UsageError

EXIT_PARTIAL = 3  # some items failed; what could be made was still written

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
        command = super().get_command(ctx, name) or self._load(name)
        if command is not None:
            from .settings import ENV_PREFIX, name_envvars

            name_envvars(command, f"{ENV_PREFIX}_{name.upper()}")
        return command

    def make_context(self, info_name, args, parent=None, **extra):
        # errors in the group's own options (and in the user's config file) get the same one line
        with _one_line_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        # Our errors become one line and an exit code here, so every entry point
        # (console script, python -m, CliRunner in tests) behaves the same.
        with _one_line_errors():
            return super().invoke(ctx)

    @staticmethod
    def _load(name):
        target = LAZY_COMMANDS.get(name)
        return load(target) if target else None


@contextlib.contextmanager
def _one_line_errors():
    """``briefing: error: ...`` for ours and for click's usage errors (bad option, missing argument),
    the latter with a pointer to the command's --help; exit 2 for usage, the error's code otherwise."""
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # `briefing` alone: the help, as click shows it
    except click.UsageError as e:
        click.echo(f"briefing: error: {_usage_message(e)}", err=True)
        if e.ctx is not None:
            click.echo(f"Try '{e.ctx.command_path} --help' for help.", err=True)
        raise click.exceptions.Exit(e.exit_code) from None
    except click.ClickException as e:
        click.echo(f"briefing: error: {e.format_message()}", err=True)
        raise click.exceptions.Exit(e.exit_code) from None
    except UsageError as e:
        fail(e)
        raise click.exceptions.Exit(2) from None
    except BriefingError as e:
        fail(e)
        raise click.exceptions.Exit(e.exit_code) from None


def _usage_message(e: click.UsageError) -> str:
    return e.format_message().strip()  # click's own words ("No such option: --wrods"), which scripts may grep


def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected a date as YYYY-MM-DD") from None
    from .sources import plausible_date

    if not plausible_date(day):  # the range briefing.sources accepts from articles too
        raise click.BadParameter("expected a date between 1800 and 2199")
    return day


class Seconds(click.ParamType):
    """A finite number of seconds in (0, maximum]: inf, nan, 0 and negatives are usage errors."""

    name = "seconds"

    def __init__(self, maximum: float) -> None:
        self.maximum = maximum

    def convert(self, value, param, ctx):
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not 0 < seconds <= self.maximum:
            self.fail(f"{value!r}: expected seconds greater than 0 and at most {self.maximum:g}", param, ctx)
        return seconds


def run_options(f):
    """Options shared by the commands that summarise article after article."""
    from .guard import DEFAULT_ARTICLE_TIMEOUT, MAX_ARTICLE_TIMEOUT

    f = click.option("--quiet", "-q", is_flag=True, help="Print only problems.")(f)
    f = click.option(
        "--verbose",
        "-v",
        is_flag=True,
        help="Say what happens, article by article; show the traceback of an internal error.",
    )(f)
    f = click.option(
        "--article-timeout",
        type=Seconds(MAX_ARTICLE_TIMEOUT),
        default=DEFAULT_ARTICLE_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Wall-clock limit for one article's analysis; past it the article fails, the run goes on.",
    )(f)
    return f


def fail(err: BriefingError) -> None:
    click.echo(f"briefing: error: {err}", err=True)


def _read_user_config(ctx, param, value):
    """Load the user's config file (``--config``, ``BRIEFING_CONFIG`` or the default one) and hand its
    sections to click as the commands' defaults (``default_map``): command line and environment win."""
    from .settings import META_KEY, check_sections, load_user_config

    cfg = load_user_config(value)
    ctx.meta[META_KEY] = cfg
    ctx.meta[META_KEY + ".source"] = ctx.get_parameter_source(param.name)
    if cfg.path is not None:
        check_sections(cfg, ctx.command, ctx)
        ctx.default_map = {**(ctx.default_map or {}), **cfg.default_map()}
    return value


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "BRIEFING"},
    epilog="Every option can also come from the user's config file or an environment variable "
    "(BRIEFING_<COMMAND>_<OPTION>): see `briefing config`. Shell completion: "
    'eval "$(_BRIEFING_COMPLETE=bash_source briefing)" (zsh_source, fish_source).',
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    callback=_read_user_config,
    expose_value=False,
    envvar="BRIEFING_CONFIG",
    metavar="FILE",
    help="Your settings file (default: ~/.config/briefing/config.toml, or $BRIEFING_CONFIG). "
    "Not `briefing digest --config`, the digest's job file.",
)
@click.version_option(__version__, "--version", "-V", prog_name="briefing", message="%(prog)s %(version)s")
def cli():
    """Turn news articles into short, trustworthy briefs: what / who / when / where."""


def _parse_language(ctx, param, value):
    if value is None or value.strip().lower() == "auto":
        return None
    from .text.language import language_for

    try:
        return language_for(value).code
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


class Algorithm(click.ParamType):
    """An algorithm's name, offered in --help and in shell completion. The names are looked up only
    when needed (a light module: sumy itself is imported when an algorithm runs)."""

    name = "algorithm"

    @staticmethod
    def names() -> list[str]:
        from .summarize import algorithm_names

        return algorithm_names()

    def get_metavar(self, *args, **kwargs) -> str:
        return "[" + "|".join(self.names()) + "]"

    def convert(self, value, param, ctx):
        name = str(value).strip().lower()
        if name == "default":
            return None
        if name not in self.names():
            self.fail(f"unknown algorithm {value!r}; choose from: {', '.join(self.names())}", param, ctx)
        return name

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(n) for n in self.names() if n.startswith(incomplete.lower())]


def summary_options(f):
    """Options shared by every command that summarises."""
    f = click.option(
        "--language",
        "-l",
        default=None,
        callback=_parse_language,
        metavar="CODE",
        help="The article's language (en, de, fr...; default: auto, detected). Who/where/when are given for "
        "English only.",
    )(f)
    f = click.option(
        "--algorithm",
        "-a",
        type=Algorithm(),
        default=None,
        help="Ranking algorithm (`briefing algorithms` says what each does). Default: news.",
    )(f)
    f = click.option("--ratio", type=float, default=None, help="Summary length as a share of the sentences, e.g. 0.2.")(
        f
    )
    f = click.option("--words", "-w", type=click.IntRange(min=1), default=None, help="Word budget (never exceeded).")(f)
    f = click.option(
        "--sentences",
        "-n",
        type=click.IntRange(min=1),
        default=None,
        help="Number of sentences (default 3, unless --words or --ratio is given).",
    )(f)
    return f


@cli.command(short_help="Summarise articles (files, URLs, stdin) into briefs.")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@summary_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["markdown", "html", "email", "json"]),
    default="markdown",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--template",
    type=click.Path(dir_okay=False),
    default=None,
    help="Render with your own Jinja2 template (sandboxed).",
)
@click.option(
    "--published",
    callback=_parse_date,
    default=None,
    metavar="YYYY-MM-DD",
    help="Publication date for resolving 'Thursday', 'next month'... (default: the article's, else today).",
)
@click.option("--explain", is_flag=True, help="Show every sentence's score, its parts and whether it was chosen.")
@click.option(
    "--timeout", type=Seconds(3600), default=15.0, show_default=True, help="Seconds for the whole download of a URL."
)
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch URLs on private, loopback and link-local addresses (your own network).",
)
@run_options
@_mail_options
def summarize(
    sources,
    sentences,
    words,
    ratio,
    algorithm,
    language,
    fmt,
    output,
    template,
    published,
    explain,
    timeout,
    allow_private,
    article_timeout,
    verbose,
    quiet,
    mail,
):
    """Summarise SOURCE (a file, an http(s) URL, or - for stdin) into a brief.

    Each SOURCE is summarised on its own: one that fails gives one line on stderr and the others are
    still written (exit 3; exit 1 when none could be summarised).
    """
    from .brief import BriefOptions
    from .summarize import get_summarizer

    get_summarizer(algorithm)  # unknown names fail before any work
    options = BriefOptions(
        sentences=sentences,
        words=words,
        ratio=ratio,
        algorithm=algorithm,
        published=published,
        explain=explain,
        language=language,
    )
    options.budget()
    _check_output(output)  # a path we may not write fails before any work, too
    rendered: list[str] = []
    briefs = []
    for spec in sources:
        done = _summarise_source(
            spec,
            options,
            fmt=fmt,
            template=template,
            timeout=timeout,
            allow_private=allow_private,
            article_timeout=article_timeout,
            verbose=verbose,
        )
        if done is not None:
            briefs.append(done[0])
            rendered.append(done[1])
    failures = len(sources) - len(briefs)
    if briefs:
        if fmt == "json" and not template:
            text = _json_lines(rendered)  # one line per source, however many: the shape of `batch`
        else:
            sep = {"markdown": "\n---\n\n", "email": "\n" + "-" * 72 + "\n\n", "html": "\n"}.get(fmt, "\n")
            text = sep.join(rendered)
        if not (_wants_mail(mail) and output == "-"):  # mailing replaces stdout unless -o is given
            write_output(output, text)
        if _wants_mail(mail):
            from .deliver.cli import email_objects

            email_objects(briefs, mail, kind="brief", template=template if fmt == "html" else None)
    if failures:
        if len(sources) > 1 and not quiet:
            click.echo(f"briefing: {len(briefs)} of {len(sources)} sources summarised", err=True)
        sys.exit(EXIT_PARTIAL if briefs else 1)


def _check_output(output: str) -> None:
    """Refuse, before any work, an output that cannot be written: not a regular file, read-only, or in
    a folder that cannot be made or written to (the write itself stays atomic, at the end)."""
    from .errors import OutputError
    from .fileio import is_stdout, resolve_target

    if is_stdout(output):
        return
    target, _ = resolve_target(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # made anyway when the brief is written
    except OSError as e:
        raise OutputError(f"{output}: cannot write ({e.strerror or e})") from None
    if not os.access(target.parent, os.W_OK):
        raise OutputError(f"{output}: cannot write (permission denied)")


def _summarise_source(spec: str, options, *, fmt, template, timeout, allow_private, article_timeout, verbose):
    """(brief, rendered text) for one SOURCE, or None after saying on stderr why it failed."""
    import time

    from .brief import build_brief
    from .guard import isolate
    from .render import render
    from .sources import read_source

    start = time.monotonic()
    # reading has its own bounds (the size limit, --timeout for URLs); the analysis has the article's
    article, failure = isolate(
        lambda: read_source(spec, published=options.published, timeout=timeout, allow_private=allow_private), name=spec
    )
    if failure is None:
        assert article is not None  # isolate() returns the value when there was no failure
        from .extract.nlp import get_nlp

        get_nlp()  # loading the model (a second or two, once) is not the article's time

        def analyse():
            brief = build_brief(article, options)
            return brief, render(brief, fmt, template=template)

        done, failure = isolate(analyse, name=spec, timeout=article_timeout)
    if failure is not None:
        message = f"{spec}: could not be summarised ({failure.message})" if failure.internal else failure.message
        click.echo(f"briefing: error: {message}", err=True)
        _log_details(failure, verbose)
        return None
    if verbose:
        click.echo(f"briefing: {spec}: summarised in {time.monotonic() - start:.1f} s", err=True)
    return done


def _log_details(failure, verbose: bool) -> None:
    """The traceback of an internal error, with -v or BRIEFING_DEBUG=1."""
    from .guard import debugging

    if failure.details and (verbose or debugging()):
        click.echo(failure.details.rstrip("\n"), err=True)


def _json_lines(rendered: list[str]) -> str:
    """JSON Lines: each source's JSON rendering made one compact line, one line per source (one
    source is one line, which ``json.loads`` reads as it is)."""
    import json

    return "".join(json.dumps(json.loads(text), ensure_ascii=False) + "\n" for text in rendered)


@cli.command(short_help="One JSON brief per line of JSONL/Parquet inputs, at scale.")
@click.argument("inputs", nargs=-1, metavar="IN...")  # checked when read
@click.option(
    "--output",
    "-o",
    default="-",
    type=click.Path(allow_dash=True, dir_okay=False),
    help="Write JSON lines to FILE (default: standard output). Until the run ends they go to "
    "FILE.partial, which a killed run leaves behind.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write partitions (part-00000.jsonl ...) and _manifest.json to DIR; running the same command again resumes.",
)
@click.option(
    "--output-format",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="Partition format with --output-dir.",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: this machine's processes (--jobs); dask: a Dask cluster (--scheduler or --workers).",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler to use, e.g. tcp://10.0.0.5:8786 (with --engine dask).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=1024),
    default=None,
    help="Start a local Dask cluster of N worker processes for the run (with --engine dask).",
)
@click.option(
    "--partition-size",
    type=click.IntRange(min=1, max=100_000),
    default=None,
    help="Articles per partition (one task); default 256.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1, max=1024),
    default=1,
    show_default=True,
    help="Worker processes (each loads the model once; no more are started than there are CPUs).",
)
@summary_options
@click.option(
    "--published",
    callback=_parse_date,
    default=None,
    metavar="YYYY-MM-DD",
    help="Publication date for lines that give none and print none at their head (relative dates need one).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: on when stderr is a terminal the briefs are not written to).",
)
@run_options
def batch(
    inputs,
    output,
    output_dir,
    output_format,
    engine,
    scheduler,
    workers,
    partition_size,
    jobs,
    sentences,
    words,
    ratio,
    algorithm,
    language,
    published,
    progress,
    article_timeout,
    verbose,
    quiet,
):
    """One JSON brief per line of IN ({"id", "text", "title"?, "published"?, ...}), in input order.

    IN is one or more .jsonl, .jsonl.gz or Parquet files or globs, or - for standard input. A line that
    fails gives {"id", "error"} and the run goes on. Exit 0 when every line gave a brief, 3 when some
    failed, 1 when none gave one. See docs/scale.md for --output-dir and Dask.
    """
    from .batch import usable_jobs
    from .brief import BriefOptions
    from .fileio import is_stdout
    from .progress import ProgressBar, Tally
    from .sources import count_lines, read_lines
    from .summarize import get_summarizer

    if not inputs:
        raise UsageError("give at least one input file (or - for standard input)")
    get_summarizer(algorithm)
    options = BriefOptions(
        sentences=sentences,
        words=words,
        ratio=ratio,
        algorithm=algorithm,
        language=language,
        default_published=published,
    )
    options.budget()
    if engine == "dask" and not (scheduler or workers):
        raise UsageError("--engine dask needs --scheduler ADDRESS or --workers N")
    if engine != "dask" and (scheduler or workers):
        raise UsageError("--scheduler and --workers go with --engine dask")
    if verbose and engine == "local" and usable_jobs(jobs) < jobs:
        click.echo(f"briefing: --jobs {jobs}: starting {usable_jobs(jobs)} workers, one per CPU", err=True)
    if output_dir or engine == "dask":
        _batch_partitioned(
            inputs,
            options,
            output=output,
            output_dir=output_dir,
            output_format=output_format,
            engine=engine,
            scheduler=scheduler,
            workers=workers,
            jobs=jobs,
            partition_size=partition_size,
            progress=progress,
            article_timeout=article_timeout,
            quiet=quiet,
        )
        return
    if output_format != "jsonl":
        raise UsageError("--output-format parquet needs --output-dir")
    if len(inputs) == 1 and not _is_compound(inputs[0]):
        label = inputs[0]
        # a missing or binary input fails here, before the output is touched
        lines, total = read_lines(label), (lambda: count_lines(label))
    else:
        from .partitioned import count_lines as count_input
        from .partitioned import expand_inputs, iter_lines
        from .sources.lines import Line

        files = expand_inputs(inputs)
        label = ", ".join(inputs)
        lines = (Line(n, text) for f in files for n, text in iter_lines(f))
        total = lambda: sum(count_input(f) for f in files)  # noqa: E731
    to_stdout = is_stdout(output)
    if progress is None:
        progress = sys.stderr.isatty() and not quiet and not (to_stdout and sys.stdout.isatty())
    bar = ProgressBar(total() if progress else None, enabled=progress)
    tally = Tally()
    _stop_cleanly_on_sigterm()
    try:
        _write_batch(
            lines, output, options, jobs=jobs, article_timeout=article_timeout, bar=bar, tally=tally, verbose=verbose
        )
    except KeyboardInterrupt:  # click would say "Aborted!" and exit 1; an interrupted run is 130
        bar.clear()
        click.echo("briefing: interrupted", err=True)
        sys.exit(130)
    bar.close(tally)
    if not quiet:
        click.echo(f"briefing: {tally.summary()}", err=True)
    _batch_exit(tally, label)


def _write_batch(lines, output: str, options, *, jobs, article_timeout, bar, tally, verbose) -> None:
    """Stream the briefs to stdout, or to OUT.partial renamed to OUT at the end."""
    import contextlib

    from .batch import iter_batch
    from .fileio import atomic_open, is_stdout

    to_stdout = is_stdout(output)
    with contextlib.ExitStack() as stack:
        out = sys.stdout.buffer if to_stdout else stack.enter_context(atomic_open(output, "wb", keep_partial=True))
        if not to_stdout:
            stack.callback(_say_what_was_kept, tally, output, bar)
        for items in iter_batch(
            ((ln.number, ln.text) for ln in lines), options, jobs=jobs, article_timeout=article_timeout
        ):
            out.write("".join(item.line + "\n" for item in items).encode("utf-8"))
            out.flush()  # whole lines, chunk by chunk: a killed run keeps every finished line
            _log_failed(tally.add(items), bar, verbose)
            bar.update(tally)
        tally.finished = True


def _stop_cleanly_on_sigterm() -> None:
    """`kill` (cron's or systemd's time limit) stops a batch as Ctrl-C does: workers stopped, the lines
    done kept in OUT.partial and said so, exit 143."""
    import signal

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, stop)


def _log_failed(items, bar, verbose: bool) -> None:
    """Under -v every failed line, and the traceback of an internal error (also with BRIEFING_DEBUG=1)."""
    from .guard import debugging

    for item in items:
        if verbose or (item.internal and debugging()):
            bar.clear()
            click.echo(f"briefing: {item.line}", err=True)
            if item.details:
                click.echo(item.details.rstrip("\n"), err=True)


def _say_what_was_kept(tally, output: str, bar) -> None:
    if not tally.finished:
        bar.clear()
        click.echo(
            f"briefing: stopped before the end; the {tally.articles} lines done are in {output}.partial", err=True
        )


def _batch_exit(tally, input_file: str) -> None:
    if tally.articles == 0:
        raise BriefingError(f"{'stdin' if input_file == '-' else input_file}: no articles (no JSON lines)")
    if tally.errors == tally.articles:
        raise BriefingError(f'no brief produced: all {tally.articles} lines failed (see each line\'s "error")')
    if tally.errors:
        sys.exit(EXIT_PARTIAL)


def _is_compound(spec: str) -> bool:
    """An input that needs the partitioned reader: a glob, gzip or Parquet."""
    import glob

    return spec != "-" and (glob.has_magic(spec) or spec.lower().endswith((".gz", ".parquet", ".pq")))


def _batch_partitioned(
    inputs,
    options,
    *,
    output,
    output_dir,
    output_format,
    engine,
    scheduler,
    workers,
    jobs,
    partition_size,
    progress,
    article_timeout,
    quiet,
) -> None:
    """--output-dir (partitions, resumable) or --engine dask; see briefing.partitioned."""
    import contextlib

    from .fileio import atomic_open, is_stdout
    from .partitioned import DEFAULT_PARTITION_SIZE, expand_inputs, run_ordered, run_partitioned

    files = expand_inputs(inputs)
    size = partition_size or DEFAULT_PARTITION_SIZE

    def log(msg: str) -> None:
        if not quiet or msg.startswith("warning"):
            click.echo(f"briefing: {msg}", err=True)

    common = dict(
        engine=engine,
        jobs=jobs,
        scheduler=scheduler,
        workers=workers,
        partition_size=size,
        article_timeout=article_timeout,
        log=log,
    )
    if not output_dir:  # --engine dask to one stream
        if output_format != "jsonl":
            raise UsageError("--output-format parquet needs --output-dir")
        articles = errors = 0
        with contextlib.ExitStack() as stack:
            out = sys.stdout if is_stdout(output) else stack.enter_context(atomic_open(output))
            for lines, n_errors in run_ordered(files, options, **common):
                articles, errors = articles + len(lines), errors + n_errors
                out.write("".join(line + "\n" for line in lines))
                out.flush()
        log(f"{articles} articles, {errors} errors")
        _partition_exit(articles, errors)
        return
    if output != "-":
        raise UsageError("give either -o FILE or --output-dir DIR, not both")
    show_bar = (sys.stderr.isatty() and not quiet) if progress is None else progress
    bar = None
    if show_bar:
        from .partitioned import count_lines as count_input

        bar = click.progressbar(length=sum(count_input(f) for f in files), label="briefing", file=sys.stderr)
        bar.__enter__()

    def on_partition(name, entry, skipped):
        if bar is not None:
            bar.update(entry["articles"])
        else:
            state = "already complete" if skipped else "written"
            log(f"{name}: {entry['articles']} articles, {entry['errors']} errors ({state})")

    try:
        report = run_partitioned(
            files, options, output_dir, output_format=output_format, on_partition=on_partition, **common
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    log(
        f"{report.articles} articles in {report.partitions} partitions ({report.skipped} already complete), "
        f"{report.errors} errors, {report.seconds:.1f} s"
    )
    _partition_exit(report.articles, report.errors)


def _partition_exit(articles: int, errors: int) -> None:
    if articles == 0:
        raise BriefingError("no articles in the inputs (no JSON lines)")
    if errors == articles:
        raise BriefingError(f'no brief produced: all {articles} lines failed (see each line\'s "error")')
    if errors:
        sys.exit(EXIT_PARTIAL)


@cli.command()
@click.option("--quiet", "-q", is_flag=True, help="Names only, one a line (for scripts).")
@click.option("--verbose", "-v", is_flag=True, help="Mark the default (as without -q); nothing more to say.")
def algorithms(quiet, verbose):
    """List the summarisation algorithms."""
    from .summarize import DEFAULT_ALGORITHM, describe_algorithms

    if quiet:
        from .summarize import algorithm_names

        click.echo("\n".join(algorithm_names()))
        return
    rows = describe_algorithms()
    width = max(len(n) for n, _ in rows)
    for name, desc in rows:
        mark = " (default)" if name == DEFAULT_ALGORITHM else ""
        click.echo(f"{name.ljust(width)}  {desc}{mark}")


@cli.command("config", short_help="Show every setting, its value and where it comes from.")
@click.argument("names", nargs=-1, metavar="[COMMAND[.OPTION]]...")
@click.option("--quiet", "-q", is_flag=True, help="Only the settings that are not at their default.")
@click.option("--verbose", "-v", is_flag=True, help="Also say which config file is read and how it was chosen.")
@click.pass_context
def config_command(ctx, names, quiet, verbose):
    """Show every setting: its value and where it comes from (default, the config file, an environment
    variable, the command line). Passwords are never shown.

    The config file is ~/.config/briefing/config.toml (the user's config folder), or `briefing --config
    FILE`, or $BRIEFING_CONFIG: sections [summarize], [batch], [digest], [send], [eval.dates]... set the
    options' defaults (keys as the long options: email_to = ["a@example.org"]); [email] holds the mail
    settings every command uses (the table of `briefing digest --config`). Every option also reads
    BRIEFING_<COMMAND>_<OPTION> (BRIEFING_DIGEST_SINCE=7d), and the mail options BRIEFING_EMAIL_FROM,
    BRIEFING_SMTP_HOST... Precedence: command line > environment > the digest's job file (digest
    --config) > this file > default.

    \b
    briefing config digest          the digest's settings
    briefing config summarize.words one setting
    """
    from .settings import META_KEY, default_config_path, describe

    root = ctx.find_root()
    cfg = root.meta.get(META_KEY)
    how = {
        "COMMANDLINE": "--config on the command line",
        "ENVIRONMENT": "$BRIEFING_CONFIG",
    }.get(getattr(root.meta.get(META_KEY + ".source"), "name", ""), "the default place")
    if cfg is not None and cfg.path is not None:
        click.echo(f"# config file: {cfg.path} ({how})")
    else:
        click.echo(f"# config file: none ({default_config_path()} does not exist)")
    if verbose:
        click.echo("# precedence: command line > environment > digest job file > config file > default")
    rows = describe(ctx.parent.command if ctx.parent else cli, ctx.parent or ctx, tuple(names))
    if names and not rows:
        raise UsageError(f"no such setting: {', '.join(names)} (try `briefing config` for the list)")
    if quiet:
        rows = [r for r in rows if r.source != "default"]
    width = max((len(r.name) for r in rows), default=0)
    vwidth = min(max((len(r.shown()) for r in rows), default=0), 40)
    for r in rows:
        click.echo(f"{r.name.ljust(width)}  {r.shown().ljust(vwidth)}  {r.source}")


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
