"""`briefing eval ...`: one group, one module per kind of evaluation, loaded lazily.

`briefing eval DATA.jsonl` (no sub-command name) evaluates summaries, as issue #3
specifies; `briefing eval entities|dates|stories FILE` evaluate the rest.
"""

from __future__ import annotations

import os

import click

from .._lazy import load

# sub-command name -> "module:attribute" of a click command
SUBCOMMANDS = {
    "summaries": "briefing.eval.summaries:command",
    "entities": "briefing.eval.entities:command",
    "dates": "briefing.eval.dates:command",
    "stories": "briefing.eval.stories:command",
    "brief-facts": "briefing.eval.brief_facts:command",
}


# one line each in `briefing eval --help` (their docstrings' first lines are longer than a line)
SHORT_HELP = {
    "summaries": "ROUGE of every algorithm on DATA.jsonl (the default).",
    "entities": "Entity P/R/F1 on CoNLL-style JSONL.",
    "dates": "Time-expression scores on TimeBank-style JSONL.",
    "stories": "Story clustering against gold `story` labels.",
    "brief-facts": "Count wrong-looking facts in the briefs of FILES.",
}


class EvalGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx, name):
        target = SUBCOMMANDS.get(name)
        if not target:
            return None
        command = load(target)
        command.short_help = command.short_help or SHORT_HELP.get(name)
        _add_quiet_verbose(command)
        from ..settings import ENV_PREFIX, name_envvars

        name_envvars(command, f"{ENV_PREFIX}_EVAL_{name.upper().replace('-', '_')}")
        return command

    def resolve_command(self, ctx, args):
        # `briefing eval DATA.jsonl ...` means `briefing eval summaries DATA.jsonl ...`
        if args and args[0] not in SUBCOMMANDS and not args[0].startswith("-"):
            args = ["summaries", *args]
        return super().resolve_command(ctx, args)


def _debug(ctx, param, value):
    if value:
        os.environ["BRIEFING_DEBUG"] = "1"  # an internal error shows its traceback (briefing.cli.main)


def _add_quiet_verbose(command) -> None:
    """-q/-v as on every other command: the evaluations print nothing but their scores, so -q has
    nothing to drop; -v shows the traceback of an internal error."""
    if any(p.name == "verbose" for p in command.params):
        return
    command.params.append(
        click.Option(["--quiet", "-q"], is_flag=True, expose_value=False, help="Print only problems (the scores).")
    )
    command.params.append(
        click.Option(
            ["--verbose", "-v"],
            is_flag=True,
            expose_value=False,
            callback=_debug,
            help="Show the traceback of an internal error.",
        )
    )


@click.group(cls=EvalGroup, name="eval", short_help="Measure quality: summaries, entities, dates, stories.")
def eval_group():
    """Measure quality: `briefing eval DATA.jsonl` (summaries), or eval entities|dates|stories FILE."""
