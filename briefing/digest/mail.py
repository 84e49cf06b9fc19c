"""Mailing a digest run, as a Python API: the job's daily key, and when the run is committed.

Never lost and never twice: render -> (the caller writes its output) -> put the message in
the outbox -> commit the run -> send. The run's stories are recorded as reported once the mail
that carries them is safe in the outbox, not before (a failure before that leaves the state as
it was: the next run reports them again) and not after the send (a crash between a send and
the commit would report, and mail, them twice)::

    from briefing.digest.mail import DigestMailer, finish_run
    from briefing.digest.run import RunOptions, prepare_run

    run = prepare_run(RunOptions(sources=..., state_path=state))
    mailer = DigestMailer.for_job(settings, state=state, job="morning")  # None: nobody to mail
    finish_run(run, mailer)  # commits the run (and mails it) or raises a one-line DeliveryError

``MessageQueued`` (exit 75) means the digest waits in the outbox and the run IS committed: the
next run (or ``briefing send --outbox``) sends it, once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BriefingError, UsageError
from ..store import digest_key

if TYPE_CHECKING:
    from email.message import EmailMessage

    from ..deliver.settings import MailSettings
    from .run import DigestRun

Log = Callable[[str], None]
_logger = logging.getLogger("briefing.digest")


def job_key(config_path: str | None, cli_sources: Iterable[str], day: date, job: str | None = None) -> str:
    """The idempotency key of one cron job's mail on one day.

    Why this key and not another:
    - Per job, not per message or per digest id: the digest's id and Message-ID change
      whenever the content does, and a re-run the same day usually finds one more story;
      it must still not mail a second digest that day (unless --resend).
    - The job is, in this order: its explicit name (`--job`, or `job = "..."` in the config):
      ``digest:<name>:<day>``; else its config file (resolved path, hashed; the readable part is
      the file's name): ``digest:<name>-<hash>:<day>``; only without a config, the sorted sources
      of the command line, hashed: ``digest:sources-<hash>:<day>``. A config's job does not
      depend on the sources named beside it: a cron line whose shell glob finds one more file
      by noon is the same job. Two different jobs that share a state database (the default
      one) must not silence each other, so a config's name alone (two `digest.toml` in
      different folders) is not enough. Recipients are left out on purpose: adding someone to
      the list mid-day must not mail everyone again. Options that only shape the content
      (--since, --words, --format) are left out too.
    - Per day: one digest a day is what a cron job sends. The day is local time (cron's
      clock) or the date of --now in its own offset, so a 00:30 run belongs to its own day.
    The ledger is the digest's own state database, so a separate --state is a separate job.
    """
    if job:
        return digest_key(job, day)
    if config_path:
        identity = ["config:" + os.path.realpath(os.path.expanduser(config_path))]
    else:
        identity = ["config:"] + [
            "source:" + (spec if "://" in spec[:12] else os.path.abspath(os.path.expanduser(spec)))
            for spec in sorted(cli_sources)
        ]
    hashed = hashlib.sha1("\n".join(identity).encode()).hexdigest()[:10]
    name = Path(config_path).stem if config_path else "sources"
    return digest_key(f"{name}-{hashed}", day)


def job_name(value: str | None, where: str) -> str | None:
    """A job name is a key and a log word: one line of printable text (``where`` names it in the error)."""
    if value is None:
        return None
    name = value.strip()
    if not name or not name.isprintable() or len(name) > 200:
        raise UsageError(f"{where}: a job name is one line of text (at most 200 characters), not {value!r}")
    return name


class DigestMailer:
    """Mails one run's digest under the job's daily key, and decides when the run is committed.

    ``settings``: where and how to mail (``MailSettings``); ``state``: the run's state database,
    which is also the ledger of what was sent (whatever ``settings.state`` said); ``log``: one
    call per line of news for a person (default: the ``briefing.digest`` logger).
    """

    def __init__(
        self,
        settings: MailSettings,
        key: str,
        *,
        state: str | os.PathLike | None = None,
        resend: bool = False,
        template: str | None = None,
        log: Log | None = None,
    ):
        self.settings = settings.merged(state=os.fspath(state)) if state is not None else settings
        self.key, self.resend, self.template = key, resend, template
        self.log: Log = log or _logger.info

    @classmethod
    def for_job(
        cls,
        settings: MailSettings,
        *,
        state: str | os.PathLike,
        now: datetime | None = None,
        config_path: str | None = None,
        sources: Iterable[str] = (),
        job: str | None = None,
        resend: bool = False,
        template: str | None = None,
        log: Log | None = None,
    ) -> DigestMailer | None:
        """The mailer of today's digest of a job (see ``job_key``); None when nobody is to get mail."""
        if not settings.wants_mail:
            return None
        if not settings.sender:
            raise UsageError("no sender address: give --email-from (or `from` in the config's [email] table)")
        day = (now or datetime.now().astimezone()).date()
        key = job_key(config_path, sources, day, job=job)
        return cls(settings, key, state=state, resend=resend, template=template, log=log)

    def compose(self, run: DigestRun) -> EmailMessage:
        from ..deliver.compose import compose_for

        return compose_for(run.digest, self.settings, kind="digest", template=self.template)

    def recipients(self) -> str:
        s = self.settings
        return ", ".join([*s.to, *s.cc, *(f"{b} (bcc)" for b in s.bcc)])

    def dry_run(self, run: DigestRun) -> None:
        """Say what would be mailed; send nothing, touch no outbox, commit nothing."""
        from ..deliver.send import already_sent

        n = len(run.digest.stories)
        if not n:
            self.log("dry run: nothing new, nothing would be mailed")
            return
        msg = self.compose(run)  # composing checks the subject template and addresses
        earlier = None if self.resend else already_sent(self.settings, self.key)
        if earlier:
            self.log(
                f"dry run: today's digest was already mailed ({earlier.message_id}); "
                f"it would not be sent again without --resend"
            )
        else:
            self.log(f'dry run: would mail "{msg["Subject"]}" to {self.recipients()} (not sent)')

    def send(self, run: DigestRun) -> None:
        """Flush the outbox, then mail this run's digest unless today's was sent (or waits) already.

        Commits the run exactly when its stories are on their way: with the message safe in the
        outbox (``on_queued``), or when there is nothing to mail. When today's mail went out
        already, the run is NOT committed: its new stories stay unreported and go out with the
        next digest instead of being marked as reported without anyone having been mailed them.
        A message of an earlier run that can never be sent is moved aside by the flush and
        reported (exit 1) after today's digest went out: it never holds today's back.
        Raises the errors to report, one line each (``MessageQueued``: kept, exit 75).
        """
        from ..deliver.cli import raise_errors
        from ..deliver.send import failures, flush_waiting

        results = flush_waiting(self.settings)  # what can never be sent is moved aside: it blocks nothing
        for entry, result in results:
            if not isinstance(result, Exception) and result.delivered:
                self.log(f"sent {entry.message_id} (waiting in the outbox since {entry.created})")
        errors = failures(results)
        try:
            self._send_today(run)
        except BriefingError as e:
            errors.append(e)
        raise_errors(errors)  # one line each; the exit code of the one that needs a person

    def _send_today(self, run: DigestRun) -> None:
        from ..deliver.errors import MessageQueued
        from ..deliver.send import already_sent, send_message, waiting_entry

        n = len(run.digest.stories)
        left = f"; its {n} new stor{'y' if n == 1 else 'ies'} will be in the next digest" if n else ""
        if not self.resend:
            earlier = already_sent(self.settings, self.key)
            if earlier:
                self.log(
                    f"today's digest was already mailed ({earlier.message_id}); not sending it again "
                    f"(--resend sends it){left}"
                )
                return
            queued = waiting_entry(self.settings, self.key)
            if queued:
                raise MessageQueued(
                    f"today's digest still waits in the outbox ({queued.last_error or 'not tried'}); "
                    f"not queuing another{left}; `briefing send --outbox` or the next run sends it"
                )
        if not n:
            self.log("nothing new: no mail sent")
            run.commit()
            return
        msg = self.compose(run)
        report = send_message(msg, self.settings, key=self.key, resend=self.resend, flush=False, on_queued=run.commit)
        if report.skipped:  # another process sent it between our check and the outbox lock
            self.log(f"today's digest was already mailed ({report.previous_message_id}); not sending it again{left}")
            return
        if report.delivered:
            self.log(f"sent {report.message_id} to {len(report.delivered)} recipient(s)")
        report.raise_for_refused()


def finish_run(run: DigestRun, mailer: DigestMailer | None) -> None:
    """Commit a run whose output was written: straight away without mail, else as ``DigestMailer.send``
    decides (once its digest is safe in the outbox). Call it holding the run lock (``digest.lock``)."""
    if mailer is None:
        run.commit()  # only now: a crash before this point leaves the state as it was
    else:
        mailer.send(run)
