"""`briefing eval ...`: one group, one module per kind of evaluation, loaded lazily.

`briefing eval DATA.jsonl` (no sub-command name) evaluates summaries, as issue #3
specifies; `briefing eval entities|dates|stories FILE` evaluate the rest.
"""

from __future__ import annotations

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


class EvalGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx, name):
        target = SUBCOMMANDS.get(name)
        return load(target) if target else None

    def resolve_command(self, ctx, args):
        # `briefing eval DATA.jsonl ...` means `briefing eval summaries DATA.jsonl ...`
        if args and args[0] not in SUBCOMMANDS and not args[0].startswith("-"):
            args = ["summaries", *args]
        return super().resolve_command(ctx, args)


@click.group(cls=EvalGroup, name="eval")
def eval_group():
    """Measure quality: `briefing eval DATA.jsonl` (summaries), or eval entities|dates|stories FILE."""
