"""Never twice: a digest sent under a key is not sent again the same day unless asked, in every path."""

from __future__ import annotations

from datetime import UTC

import pytest
from smtp_helpers import Recorder, free_port, make_brief, smtp_server  # noqa: F401
from test_deliver_smtp import mail_settings

from briefing.deliver import Ledger, MessageQueued, Outbox, compose_for, digest_key, send_message
from briefing.deliver.message import envelope_of
from briefing.deliver.send import flush_waiting
from briefing.store import StateDB

KEY = digest_key("morning", "2024-05-02")


def test_same_key_sent_once_unless_resend(tmp_path, smtp_server):
    server = smtp_server()
    s = mail_settings(tmp_path, server.port)
    first = compose_for(make_brief(), s)
    assert not send_message(first, s, key=KEY).skipped
    again = send_message(compose_for(make_brief(), s), s, key=KEY)  # the cron job runs again
    assert again.skipped and again.previous_message_id == first["Message-ID"]
    assert len(server.received) == 1
    forced = send_message(compose_for(make_brief(), s), s, key=KEY, resend=True)
    assert not forced.skipped and len(server.received) == 2
    # another day is another digest
    assert not send_message(compose_for(make_brief(), s), s, key=digest_key("morning", "2024-05-03")).skipped


def test_recorded_in_the_digest_state_database(tmp_path, smtp_server):
    server = smtp_server()
    s = mail_settings(tmp_path, server.port)
    msg = compose_for(make_brief(), s)
    send_message(msg, s, key=KEY)
    with StateDB(tmp_path / "state.sqlite3") as db:  # the digest's own API reads what delivery wrote
        assert db.was_sent(KEY) == msg["Message-ID"]
        assert db.was_sent(KEY, "secret@example.org") == msg["Message-ID"]
    rec = Ledger(tmp_path / "state.sqlite3").was_sent(KEY)
    assert sorted(rec.recipients) == ["ana@example.net", "juergen@example.com", "secret@example.org"]


def test_queued_digest_rerun_while_down_keeps_one_copy_then_sends_once(tmp_path, smtp_server):
    port = free_port()
    s = mail_settings(tmp_path, port, retries=1)
    for _ in range(2):  # two cron runs while the server is down
        with pytest.raises(MessageQueued):
            send_message(compose_for(make_brief(), s), s, key=KEY)
    entries = Outbox(s.outbox).entries()
    assert len(entries) == 1 and entries[0].key == KEY  # the newer copy replaced the older
    from aiosmtpd.controller import Controller

    handler = Recorder()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        third = send_message(compose_for(make_brief(), s), s, key=KEY)  # run 3: flushes, then sees it was sent
    finally:
        c.stop()
    assert third.skipped
    assert len(handler.received) == 1 and handler.received[0].message["Message-ID"] == entries[0].message_id
    assert Outbox(s.outbox).entries() == []


def test_partly_delivered_digest_is_not_resent_to_those_who_got_it(tmp_path, smtp_server):
    handler = Recorder(refuse={"ana@example.net": "451 4.3.0 Greylisted"})
    server = smtp_server(handler=handler)
    s = mail_settings(tmp_path, server.port, retries=1)
    with pytest.raises(MessageQueued):
        send_message(compose_for(make_brief(), s), s, key=KEY)
    assert Ledger(s.state).was_sent(KEY)  # two of three have it: recorded at once
    handler.refuse.clear()
    rerun = send_message(compose_for(make_brief(), s), s, key=KEY)
    assert rerun.skipped
    assert [sorted(r.rcpt_tos) for r in server.received] == [
        ["juergen@example.com", "secret@example.org"],
        ["ana@example.net"],
    ]


def test_crash_after_send_before_cleanup_does_not_send_twice(tmp_path, smtp_server):
    """The server said 250, the ledger has it, then the process died before removing the outbox copy."""
    server = smtp_server()
    s = mail_settings(tmp_path, server.port)
    msg = compose_for(make_brief(), s)
    Outbox(s.outbox).put(msg, envelope_of(msg), key=KEY)
    Ledger(s.state).record_sent(KEY, msg["Message-ID"], ["juergen@example.com"])
    [(entry, report)] = flush_waiting(s)
    assert report.skipped and server.received == [] and Outbox(s.outbox).entries() == []


def test_concurrent_runs_are_serialised_by_the_outbox_lock(tmp_path, smtp_server):
    """Two cron runs at once: the second waits for the first, then sees the digest was sent."""
    import threading

    server = smtp_server()
    s = mail_settings(tmp_path, server.port)
    reports = []

    def run():
        reports.append(send_message(compose_for(make_brief(), s), s, key=KEY))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(server.received) == 1
    assert sorted(r.skipped for r in reports) == [False, True, True]


def make_digest():
    from datetime import datetime

    from briefing.digest.models import Digest, Section, Story, StoryArticle, StoryLine

    when = datetime(2024, 5, 2, 6, 0, tzinfo=UTC)
    line = StoryLine(
        "Zoë Müller won the Étoile prize in Zürich.", "a1", "Le Temps", "https://example.org/a1", 0, 42, 1.0
    )
    story = Story(
        "s1",
        "Zoë Müller wins the Étoile prize",
        "World",
        1.0,
        [line],
        [StoryArticle("a1", "Étoile prize", "Le Temps", "https://example.org/a1", when)],
        ["Le Temps"],
        when,
        when,
    )
    return Digest("d-2024-05-02", "Morning briefing", when, None, when, [Section("World", [story])])


def test_digest_style_call_with_config_and_options(tmp_path, smtp_server):
    """What `briefing digest` does: [email] table from its config, options on top, a key per day."""
    from briefing.deliver import MailSettings
    from briefing.deliver.cli import email_objects

    server = smtp_server()
    base = MailSettings.from_config(
        {
            "from": "Briefing <b@example.org>",
            "to": "desk@example.org",
            "smtp": {"host": "127.0.0.1", "port": server.port, "security": "none"},
            "outbox": "outbox",
            "state": "state.sqlite3",
        },
        base=tmp_path,
    )
    assert base.wants_mail
    mail = {"email_to": ("Zoë <zoe@example.org>",), "subject": "{{ title }} ({{ date }})"}
    digest = make_digest()
    email_objects([digest], mail, kind="digest", key=digest.id, base=base)
    email_objects([digest], mail, kind="digest", key=digest.id, base=base)  # the same cron job again
    [got] = server.received
    assert got.rcpt_tos == ["zoe@example.org"]  # the option replaced the config's list
    m = got.message
    assert m["Subject"] == "Morning briefing (2024-05-02)"
    assert "Zürich" in m.get_body(("plain",)).get_content()
    assert "Zürich" in m.get_body(("html",)).get_content()
    with StateDB(tmp_path / "state.sqlite3") as db:
        assert db.was_sent("d-2024-05-02") == m["Message-ID"]
