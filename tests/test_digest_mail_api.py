"""The digest's mail step as a Python API, without click: render -> outbox -> commit -> send.

A real SMTP server (aiosmtpd on localhost), a real SQLite state, real outbox files; the run is
made by ``prepare_run`` (no NER, so no model is loaded) and finished by ``finish_run``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest
from smtp_helpers import Recorder, free_port, smtp_server  # noqa: F401

from briefing.deliver import MailSettings, MessageQueued, Outbox
from briefing.digest.mail import DigestMailer, finish_run, job_key
from briefing.digest.run import RunOptions, prepare_run
from briefing.digest.sources import SourceSpec
from briefing.store import Ledger, StateDB

NOW = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
LATER_SAME_DAY = datetime.fromisoformat("2026-03-10T15:00:00+00:00")
NEXT_DAY = datetime.fromisoformat("2026-03-11T07:00:00+00:00")

ROWS = [
    {
        "id": "q1",
        "title": "Valdoria earthquake injures 40",
        "source": "Globe",
        "published": "2026-03-10T05:00:00Z",
        "text": "A magnitude 6.4 earthquake hit Kessler province in Valdoria on Tuesday, injuring 40 people near "
        "Marrow Falls. Rescue teams searched collapsed buildings through the morning.",
    },
    {
        "id": "t1",
        "title": "Orbitex unveils folding tablet in Sunvale",
        "source": "Tech Daily",
        "published": "2026-03-10T08:00:00Z",
        "text": "Orbitex unveiled a folding tablet in Sunvale on Tuesday. It costs 1,299 dollars and ships in May.",
    },
]
LATE_ROW = {
    "id": "d1",
    "title": "Kessler dam opens to traffic",
    "source": "Globe",
    "published": "2026-03-10T14:00:00Z",
    "text": "The new dam bridge in Kessler opened to traffic on Tuesday afternoon. It cost 40 million crowns.",
}


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def settings(tmp_path, port: int) -> MailSettings:
    return MailSettings(
        sender="Morning Briefing <briefing@example.org>",
        to=["a@example.com"],
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        outbox=str(tmp_path / "outbox"),
        retries=1,
        backoff=0.01,
        smtp_timeout=5,
    )


def run_once(tmp_path, src, port: int, now: datetime, lines: list[str] | None = None) -> None:
    """One cron run through the API: prepare (reads, renders nothing yet) -> finish_run (outbox -> commit -> send)."""
    state = tmp_path / "state.sqlite"
    run = prepare_run(
        RunOptions(sources=[SourceSpec(spec=str(src))], state_path=state, since="all", now=now, ner=False)
    )
    mailer = DigestMailer.for_job(
        settings(tmp_path, port), state=state, now=now, job="morning", log=(lines.append if lines is not None else None)
    )
    assert mailer is not None and mailer.key == job_key(None, [], now.date(), job="morning")
    finish_run(run, mailer)


def runs(tmp_path) -> int:
    with StateDB(tmp_path / "state.sqlite") as db:
        return db.run_count()


def reported_ids(tmp_path) -> set[str]:
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        return {r[0] for r in db.execute("SELECT article_id FROM items WHERE reported_run IS NOT NULL")}


def test_sent_once_and_a_rerun_the_same_day_sends_nothing(tmp_path, smtp_server):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    lines: list[str] = []
    run_once(tmp_path, src, server.port, NOW, lines)
    assert len(server.received) == 1
    msg = server.received[0]
    assert msg.rcpt_tos == ["a@example.com"] and b"Valdoria" in msg.data
    assert runs(tmp_path) == 1 and reported_ids(tmp_path) == {"q1", "t1"}  # committed: the mail carried them
    key = job_key(None, [], NOW.date(), job="morning")
    rec = Ledger(tmp_path / "state.sqlite").was_sent(key)
    assert rec is not None and rec.recipients == ["a@example.com"]
    assert any(line.startswith("sent ") for line in lines)
    assert Outbox(tmp_path / "outbox").entries() == []

    # the same day again, with one more story: nothing is mailed, and the new story is NOT marked reported
    write_jsonl(src, ROWS + [LATE_ROW])
    lines.clear()
    run_once(tmp_path, src, server.port, LATER_SAME_DAY, lines)
    assert len(server.received) == 1
    assert any("already mailed" in line and "will be in the next digest" in line for line in lines)
    assert runs(tmp_path) == 1 and "d1" not in reported_ids(tmp_path)

    # the next day mails it (once)
    run_once(tmp_path, src, server.port, NEXT_DAY)
    assert len(server.received) == 2 and b"Kessler dam" in server.received[1].data
    assert runs(tmp_path) == 2 and "d1" in reported_ids(tmp_path)


def test_server_down_queues_commits_the_run_but_not_the_send_then_the_next_run_sends_once(tmp_path):
    from aiosmtpd.controller import Controller

    port = free_port()  # nobody listens yet
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    with pytest.raises(MessageQueued) as err:
        run_once(tmp_path, src, port, NOW)
    assert err.value.exit_code == 75 and "\n" not in str(err.value)
    entries = Outbox(tmp_path / "outbox").entries()
    assert len(entries) == 1 and entries[0].key == "digest:morning:2026-03-10"
    # the run is committed (its mail is safe in the outbox), the send is not recorded
    assert runs(tmp_path) == 1 and reported_ids(tmp_path) == {"q1", "t1"}
    assert Ledger(tmp_path / "state.sqlite").was_sent("digest:morning:2026-03-10") is None

    # a second run while still down: the copy in the outbox is not doubled
    with pytest.raises(MessageQueued):
        run_once(tmp_path, src, port, LATER_SAME_DAY)
    assert len(Outbox(tmp_path / "outbox").entries()) == 1

    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run_once(tmp_path, src, port, LATER_SAME_DAY)  # flushes the waiting digest, then sees it went out
        assert len(handler.received) == 1 and b"Valdoria" in handler.received[0].data
        assert Outbox(tmp_path / "outbox").entries() == []
        assert Ledger(tmp_path / "state.sqlite").was_sent("digest:morning:2026-03-10") is not None
        run_once(tmp_path, src, port, LATER_SAME_DAY)  # and once only
        assert len(handler.received) == 1
    finally:
        controller.stop()


def test_nobody_to_mail_means_no_mailer_and_the_run_is_committed(tmp_path):
    s = MailSettings(sender="briefing@example.org", outbox=str(tmp_path / "outbox"))
    assert DigestMailer.for_job(s, state=tmp_path / "state.sqlite", job="morning") is None
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    run = prepare_run(
        RunOptions(
            sources=[SourceSpec(spec=str(src))], state_path=tmp_path / "state.sqlite", since="all", now=NOW, ner=False
        )
    )
    assert runs(tmp_path) == 0  # preparing records nothing
    finish_run(run, None)
    assert runs(tmp_path) == 1 and reported_ids(tmp_path) == {"q1", "t1"}
