"""`briefing digest --email-to`: the digest mailed once per job and day, never lost, never twice.

A real SMTP server (aiosmtpd on localhost), a real SQLite state, real outbox files and
the real CLI (in-process through ``briefing.cli.main``, so the spaCy model loads once).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from smtp_helpers import Recorder, free_port, make_brief, smtp_server  # noqa: F401

NOW = "2026-03-10T12:00:00+00:00"
LATER_SAME_DAY = "2026-03-10T15:00:00+00:00"
NEXT_DAY = "2026-03-11T07:00:00+00:00"

ROWS = [
    {
        "id": "q1",
        "title": "Valdoria earthquake injures 40",
        "source": "Globe",
        "url": "https://globe.example/quake",
        "published": "2026-03-10T05:00:00Z",
        "text": "A magnitude 6.4 earthquake hit Kessler province in Valdoria on Tuesday, injuring 40 people near "
        "Marrow Falls. Rescue teams searched collapsed buildings through the morning.",
    },
    {
        "id": "q2",
        "title": "Quake of magnitude 6.4 shakes Kessler in Valdoria",
        "source": "Wire",
        "published": "2026-03-10T06:00:00Z",
        "text": "Forty people were hurt when a 6.4-magnitude quake struck Kessler province in Valdoria near Marrow "
        "Falls on Tuesday. Governor Alina Petrov declared a state of emergency.",
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


@pytest.fixture
def run(main_run, monkeypatch, tmp_path):
    """`briefing ARGS` in-process with the real exit-code mapping -> (code, stdout, stderr)."""
    # the default outbox and state go to the test's folder, never the user's
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
    return main_run


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def smtp_args(port, tmp_path, retries=3):
    return [
        "--email-from",
        "Morning Briefing <briefing@example.org>",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        "--smtp-security",
        "none",
        "--outbox-dir",
        tmp_path / "outbox",
        "--retries",
        retries,
        "--backoff",
        0.01,
    ]


def digest_args(tmp_path, src, now=NOW):
    return ["digest", src, "--since", "all", "--now", now, "--state", tmp_path / "state.sqlite", "--no-entities"]


def sent_rows(tmp_path):
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        return db.execute("SELECT key, recipient, message_id FROM sent ORDER BY recipient").fetchall()


def reported_ids(tmp_path) -> set[str]:
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        return {r[0] for r in db.execute("SELECT article_id FROM items WHERE reported_run IS NOT NULL")}


def parts(received):
    m = received.message
    return m, m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content()


def outbox_emls(tmp_path):
    return sorted((tmp_path / "outbox").glob("*.eml")) if (tmp_path / "outbox").is_dir() else []


# --- (1) one multipart/alternative message with every story ----------------------------------------------
def test_digest_mailed_as_one_multipart_message_and_written(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    out = tmp_path / "digest.json"
    code, stdout, err = run(
        *digest_args(tmp_path, src),
        "-f",
        "json",
        "-o",
        out,
        "--email-to",
        "Zoë Müller <a@example.com>",
        "--bcc",
        "archive@example.org",
        *smtp_args(server.port, tmp_path),
    )
    assert code == 0, err
    assert stdout == "" and "Traceback" not in err
    d = json.loads(out.read_text())  # the output is still written next to the mail
    titles = [st["title"] for st in d["stories"]]
    assert len(titles) == 2
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["a@example.com", "archive@example.org"]
    m, text, html = parts(got)
    assert m.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
    assert m["To"].addresses[0].display_name == "Zoë Müller" and m["Bcc"] is None
    assert m["Subject"] == f"{d['title']} — 2026-03-10"
    for t in titles:
        assert t in text and t in html
    assert "<style" not in html and "style=" in html
    # recorded in the digest's state database with its Message-ID, for every recipient
    rows = sent_rows(tmp_path)
    assert {r[1] for r in rows} == {"", "a@example.com", "archive@example.org"}
    assert {r[2] for r in rows} == {m["Message-ID"]}
    assert rows[0][0].startswith("digest:sources-") and rows[0][0].endswith(":2026-03-10")
    assert f"sent {m['Message-ID']} to 2 recipient(s)" in err
    assert reported_ids(tmp_path) == {"q1", "q2", "t1"}
    assert outbox_emls(tmp_path) == []


def test_mailing_replaces_stdout_unless_output_is_given(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    code, stdout, err = run(
        *digest_args(tmp_path, src), "--email-to", "a@example.com", *smtp_args(server.port, tmp_path)
    )
    assert code == 0, err
    assert stdout == "" and len(server.received) == 1


# --- (2) the same cron job again the same day: nothing; --resend: again -----------------------------------
@pytest.mark.slow
def test_rerun_same_day_sends_nothing_unless_resend(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    code, _, err = run(*digest_args(tmp_path, src), *mail)
    assert code == 0, err
    first_id = server.received[0].message["Message-ID"]

    # exactly the same run again: nothing mailed, and it says why
    code, _, err = run(*digest_args(tmp_path, src), *mail)
    assert code == 0, err
    assert f"already mailed ({first_id})" in err and len(server.received) == 1

    # later the same day, one more story arrived: still one mail a day, and it says so
    write_jsonl(src, [*ROWS, LATE_ROW])
    code, _, err = run(*digest_args(tmp_path, src, LATER_SAME_DAY), *mail)
    assert code == 0, err
    assert f"already mailed ({first_id})" in err and "--resend" in err
    assert len(server.received) == 1
    assert "d1" not in reported_ids(tmp_path)  # not marked as reported: nobody was mailed it

    # --resend: mailed again, with the stories already reported (it implies --include-seen)
    code, _, err = run(*digest_args(tmp_path, src, LATER_SAME_DAY), *mail, "--resend")
    assert code == 0, err
    assert len(server.received) == 2
    _, text, _ = parts(server.received[1])
    assert "Valdoria" in text and "Orbitex" in text and "Kessler dam" in text
    assert server.received[1].message["Message-ID"] != first_id
    assert {r[2] for r in sent_rows(tmp_path)} == {server.received[1].message["Message-ID"]}
    assert "d1" in reported_ids(tmp_path)


def test_story_held_back_by_a_same_day_rerun_goes_out_the_next_day(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    assert run(*digest_args(tmp_path, src), *mail)[0] == 0
    write_jsonl(src, [*ROWS, LATE_ROW])
    code, _, err = run(*digest_args(tmp_path, src, LATER_SAME_DAY), *mail)
    assert code == 0 and "will be in the next digest" in err and len(server.received) == 1
    code, _, err = run(*digest_args(tmp_path, src, NEXT_DAY), *mail)
    assert code == 0, err
    assert len(server.received) == 2
    _, text, _ = parts(server.received[1])
    assert "Kessler dam" in text and "Orbitex" not in text  # only what nobody was mailed yet
    # the next day is a new key: one 'sent' row per day
    assert {r[0].rsplit(":", 1)[1] for r in sent_rows(tmp_path)} == {"2026-03-10", "2026-03-11"}


@pytest.mark.slow
def test_another_job_on_the_same_state_is_not_silenced(tmp_path, smtp_server, run):
    server = smtp_server()
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    one = write_jsonl(tmp_path / "world.jsonl", ROWS[:2])
    two = write_jsonl(tmp_path / "tech.jsonl", ROWS[2:])
    assert run(*digest_args(tmp_path, one), *mail)[0] == 0
    code, _, err = run(*digest_args(tmp_path, two), *mail)
    assert code == 0, err
    assert len(server.received) == 2
    assert "Orbitex" in parts(server.received[1])[1]


# --- (3) server down: exit 75, kept in the outbox, state kept; then sent exactly once ---------------------
@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("then", ["send --outbox", "next digest run"])
def test_server_down_keeps_it_in_the_outbox_then_sends_once(tmp_path, run, then):
    port = free_port()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(port, tmp_path, retries=2)]
    code, stdout, err = run(*digest_args(tmp_path, src), *mail, "--quiet")
    assert code == 75
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error:") and "outbox" in lines[0], err
    assert "Traceback" not in err and stdout == ""
    [eml] = outbox_emls(tmp_path)
    assert b"Orbitex" in eml.read_bytes()
    # the stories travel in the outbox copy: recorded as reported, nothing is lost, no second copy later
    assert reported_ids(tmp_path) == {"q1", "q2", "t1"}
    assert sent_rows(tmp_path) == []

    # still down, the same cron job again: the waiting copy is neither lost nor doubled
    code, _, err = run(*digest_args(tmp_path, src), *mail)
    assert code == 75 and "still waits in the outbox" in err
    assert outbox_emls(tmp_path) == [eml]

    from aiosmtpd.controller import Controller

    handler = Recorder()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        if then == "send --outbox":
            # `briefing send` knows nothing of the digest's --state: the outbox entry names it
            code, _, err = run(
                "send",
                "--outbox",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                port,
                "--smtp-security",
                "none",
                "--outbox-dir",
                tmp_path / "outbox",
            )
            assert code == 0 and "1 sent, 0 waiting" in err, err
        else:
            code, _, err = run(*digest_args(tmp_path, src), *mail)
            assert code == 0, err
            assert "waiting in the outbox since" in err
        # and once more the same day, with one more story: nothing more is sent
        write_jsonl(src, [*ROWS, LATE_ROW])
        code, _, err = run(*digest_args(tmp_path, src, LATER_SAME_DAY), *mail)
        assert code == 0 and "already mailed" in err, err
    finally:
        c.stop()
    assert len(handler.received) == 1
    _, text, html = parts(handler.received[0])
    assert "Orbitex" in text and "Valdoria" in html
    assert outbox_emls(tmp_path) == []
    mid = handler.received[0].message["Message-ID"]
    assert {r[2] for r in sent_rows(tmp_path)} == {mid}  # recorded in the digest's own state database


def test_mail_that_cannot_even_be_queued_leaves_state_as_it_was(tmp_path, run):
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code, _, err = run(
        *digest_args(tmp_path, src),
        "--email-to",
        "a@example.com",
        *smtp_args(free_port(), tmp_path),
        "--outbox-dir",
        blocker / "outbox",
    )
    assert code == 1 and "cannot create the outbox" in err and "Traceback" not in err
    assert reported_ids(tmp_path) == set()  # the next run reports them again: nothing lost


def test_permanent_failure_keeps_the_message_and_exits_1(tmp_path, smtp_server, run):
    handler = Recorder(refuse={"gone@example.com": "550 5.1.1 No such user"})
    server = smtp_server(handler=handler)
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    code, _, err = run(
        *digest_args(tmp_path, src),
        "--email-to",
        "a@example.com",
        "--email-to",
        "gone@example.com",
        *smtp_args(server.port, tmp_path),
    )
    assert code == 1 and "gone@example.com" in err and "refused for good" in err
    [got] = server.received
    assert got.rcpt_tos == ["a@example.com"]
    assert {r[1] for r in sent_rows(tmp_path)} == {"", "a@example.com"}


# --- (4) the config file's [email] table ---------------------------------------------------------------
def write_config(tmp_path, port, extra_email=""):
    write_jsonl(tmp_path / "news.jsonl", ROWS)
    cfg = tmp_path / "morning.toml"
    cfg.write_text(
        f"""
title = "Morning test"
since = "all"
state = "state.sqlite"

[[sources]]
path = "news.jsonl"

[email]
from = "Morning Briefing <briefing@example.org>"
to = ["Desk <desk@example.org>"]
subject = "{{{{ title }}}} ({{{{ date }}}})"
outbox = "outbox"
retries = 1
state = "elsewhere.sqlite"   # the digest keeps its ledger in its own state, whatever this says
{extra_email}
[email.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
""",
        encoding="utf-8",
    )
    return cfg


@pytest.mark.slow
def test_config_email_section_mails_the_digest(tmp_path, smtp_server, run):
    server = smtp_server()
    cfg = write_config(tmp_path, server.port)
    args = ["digest", "--config", cfg, "--now", NOW, "--no-entities"]
    code, stdout, err = run(*args)
    assert code == 0, err
    assert stdout == ""
    [got] = server.received
    assert got.rcpt_tos == ["desk@example.org"]
    m, text, _ = parts(got)
    assert m["Subject"] == "Morning test (2026-03-10)"
    assert m["From"].addresses[0].addr_spec == "briefing@example.org"
    assert "Orbitex" in text
    rows = sent_rows(tmp_path)
    assert rows and rows[0][0].startswith("digest:morning-") and not (tmp_path / "elsewhere.sqlite").exists()
    assert not list((tmp_path / "outbox").glob("*.eml"))  # the config's relative outbox, emptied

    write_jsonl(tmp_path / "news.jsonl", [*ROWS, LATE_ROW])
    code, _, err = run(*args, "--now", LATER_SAME_DAY)
    assert code == 0 and "already mailed" in err and len(server.received) == 1
    # options override the config: another recipient, and --no-email turns mail off
    code, _, err = run(*args, "--now", LATER_SAME_DAY, "--resend", "--email-to", "boss@example.org")
    assert code == 0, err
    assert server.received[1].rcpt_tos == ["boss@example.org"]
    code, stdout, _ = run(*args, "--now", NEXT_DAY, "--no-email")
    assert code == 0 and "Kessler dam" not in stdout and len(server.received) == 2


def test_config_email_typo_is_a_usage_error_before_any_work(tmp_path, run):
    cfg = write_config(tmp_path, free_port(), extra_email='smtp_hots = "x"')
    code, _, err = run("digest", "--config", cfg, "--now", NOW)
    assert code == 2 and "smtp_hots" in err and "morning.toml" in err and "Traceback" not in err
    assert not (tmp_path / "state.sqlite").exists()


def test_no_sender_is_a_usage_error(tmp_path, run):
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    code, _, err = run(*digest_args(tmp_path, src), "--email-to", "a@example.com")
    assert code == 2 and "no sender address" in err
    code, _, err = run(*digest_args(tmp_path, src), "--resend")
    assert code == 2 and "--resend: nothing to mail" in err


# --- (5) --dry-run sends nothing ------------------------------------------------------------------------
@pytest.mark.slow
def test_dry_run_sends_nothing_and_records_nothing(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    code, stdout, err = run(*digest_args(tmp_path, src), *mail, "--dry-run")
    assert code == 0, err
    assert "Orbitex" in stdout  # the dry run shows the digest
    assert "would mail" in err and "a@example.com" in err and "not sent" in err
    assert server.received == [] and not (tmp_path / "outbox").exists()
    assert sent_rows(tmp_path) == [] and reported_ids(tmp_path) == set()
    code, _, err = run(*digest_args(tmp_path, src), *mail)  # the real run still mails all of it
    assert code == 0 and len(server.received) == 1
    write_jsonl(src, [*ROWS, LATE_ROW])
    code, _, err = run(*digest_args(tmp_path, src, LATER_SAME_DAY), *mail, "--dry-run")
    assert code == 0 and "would not be sent again" in err and len(server.received) == 1


def test_dry_run_does_not_flush_the_outbox(tmp_path, smtp_server, run):
    port = free_port()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    assert run(*digest_args(tmp_path, src), "--email-to", "a@example.com", *smtp_args(port, tmp_path, 1))[0] == 75
    from aiosmtpd.controller import Controller

    handler = Recorder()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        code, _, err = run(
            *digest_args(tmp_path, src), "--email-to", "a@example.com", *smtp_args(port, tmp_path), "--dry-run"
        )
    finally:
        c.stop()
    assert code == 0, err
    assert handler.received == [] and len(outbox_emls(tmp_path)) == 1


# --- the key ---------------------------------------------------------------------------------------------
def test_job_key_is_per_job_and_day(tmp_path):
    from briefing.digest.mail import job_key

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    day = date(2026, 3, 10)
    k = job_key(str(tmp_path / "a" / "digest.toml"), [], day)
    assert k.startswith("digest:digest-") and k.endswith(":2026-03-10")
    assert k == job_key(str(tmp_path / "a" / "digest.toml"), [], day)
    assert k != job_key(str(tmp_path / "b" / "digest.toml"), [], day)  # same name, another job
    assert k != job_key(str(tmp_path / "a" / "digest.toml"), [], date(2026, 3, 11))
    # the job is its config: sources a shell glob added on the command line do not make another job
    assert k == job_key(str(tmp_path / "a" / "digest.toml"), ["extra.jsonl"], day)
    assert job_key(None, ["x.jsonl", "https://e.org/rss"], day) == job_key(None, ["https://e.org/rss", "x.jsonl"], day)
    # an explicit name wins over everything else
    named = job_key(str(tmp_path / "a" / "digest.toml"), ["x.jsonl"], day, job="morning")
    assert named == "digest:morning:2026-03-10"
    assert named == job_key(str(tmp_path / "b" / "other.toml"), [], day, job="morning")
    assert named == job_key(None, ["y.jsonl", "z.jsonl"], day, job="morning")


def test_a_glob_that_expands_differently_still_mails_once_a_day(tmp_path, smtp_server, run):
    """cron: `briefing digest -c morning.toml feeds/*.jsonl` — the glob finds one more file by noon."""
    server = smtp_server()
    cfg = write_config(tmp_path, server.port)
    extra = write_jsonl(tmp_path / "extra-1.jsonl", [LATE_ROW])
    code, _, err = run("digest", "--config", cfg, "--now", NOW, "--no-entities")
    assert code == 0, err
    code, _, err = run("digest", "--config", cfg, extra, "--now", LATER_SAME_DAY, "--no-entities")
    assert code == 0 and "already mailed" in err, err
    assert len(server.received) == 1


@pytest.mark.slow
def test_job_name_from_the_command_line_or_the_config(tmp_path, smtp_server, run):
    server = smtp_server()
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    one = write_jsonl(tmp_path / "one.jsonl", ROWS)
    two = write_jsonl(tmp_path / "two.jsonl", [LATE_ROW])
    assert run(*digest_args(tmp_path, one), "--job", "morning", *mail)[0] == 0
    code, _, err = run(*digest_args(tmp_path, one, LATER_SAME_DAY), two, "--job", "morning", *mail)
    assert code == 0 and "already mailed" in err, err
    assert len(server.received) == 1
    assert {r[0] for r in sent_rows(tmp_path)} == {"digest:morning:2026-03-10"}
    # `job = "..."` in the config names the same job
    cfg = write_config(tmp_path, server.port)
    cfg.write_text(
        'job = "morning"\n'
        + cfg.read_text(encoding="utf-8").replace('state = "state.sqlite"', f'state = "{tmp_path / "state.sqlite"}"'),
        encoding="utf-8",
    )
    code, _, err = run("digest", "--config", cfg, "--now", LATER_SAME_DAY, "--no-entities")
    assert code == 0 and "already mailed" in err, err
    assert len(server.received) == 1


@pytest.mark.parametrize("bad", ["", "  ", "a\nb"])
def test_job_name_must_be_a_name(tmp_path, run, bad):
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    code, _, err = run(
        *digest_args(tmp_path, src), "--job", bad, "--email-to", "a@example.com", *smtp_args(free_port(), tmp_path)
    )
    assert code == 2 and "--job" in err and "No such option" not in err and "Traceback" not in err


def test_an_unsendable_message_in_the_outbox_blocks_no_digest(tmp_path, smtp_server, run):
    """An entry an older version left with an address that can never be encoded: moved aside (exit 1,
    one line), the digest goes out, and the next run is clean."""
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    (tmp_path / "outbox").mkdir()
    (tmp_path / "outbox" / "20260309T060000-0000dead.eml").write_bytes(
        b"From: b@example.org\r\nTo: zoe@x\r\nSubject: old\r\n\r\nold\r\n"
    )
    (tmp_path / "outbox" / "20260309T060000-0000dead.json").write_text(
        json.dumps(
            {"id": "20260309T060000-0000dead", "sender": "b@example.org", "recipients": ["zoe@\U0001f600.example"]}
        )
    )
    code, _, err = run(*digest_args(tmp_path, src), *mail)
    assert code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1 and "0000dead" in errors[0] and "failed" in errors[0] and "Traceback" not in err
    assert len(server.received) == 1 and "Orbitex" in parts(server.received[0])[1]
    code, _, err = run(*digest_args(tmp_path, src, NEXT_DAY), *mail)
    assert code == 0, err


def test_a_day_with_nothing_new_mails_nothing(tmp_path, smtp_server, run):
    server = smtp_server()
    src = write_jsonl(tmp_path / "news.jsonl", ROWS)
    mail = ["--email-to", "a@example.com", *smtp_args(server.port, tmp_path)]
    assert run(*digest_args(tmp_path, src), *mail)[0] == 0
    code, stdout, err = run(*digest_args(tmp_path, src, NEXT_DAY), *mail)
    assert code == 0, err
    assert "nothing new: no mail sent" in err and stdout == "" and len(server.received) == 1
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 2  # the quiet day is still a run


def test_deliver_commit_hook_runs_once_queued_and_a_failing_one_sends_nothing(tmp_path, smtp_server):
    """What the digest relies on: on_queued sees the message in the outbox, before any attempt."""
    from briefing.deliver import MailSettings, Outbox, compose_for, send_message
    from briefing.errors import StateError

    server = smtp_server()
    s = MailSettings(
        sender="b@example.org",
        to=["a@example.com"],
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security="none",
        outbox=str(tmp_path / "outbox"),
        state=str(tmp_path / "state.sqlite"),
    )
    seen = []

    def hook():
        seen.append((len(Outbox(s.outbox).entries()), len(server.received)))

    send_message(compose_for(make_brief(), s), s, key="k1", on_queued=hook)
    assert seen == [(1, 0)] and len(server.received) == 1

    def failing():
        raise StateError("cannot record the run")

    with pytest.raises(StateError):
        send_message(compose_for(make_brief(), s), s, key="k2", on_queued=failing)
    assert len(server.received) == 1 and Outbox(s.outbox).entries() == []
