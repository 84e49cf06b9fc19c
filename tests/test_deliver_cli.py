"""The real commands: `briefing summarize --email-to`, `briefing send FILE.eml`, `briefing send --outbox`."""

from __future__ import annotations

import mailbox
import os

import pytest
from conftest import SAMPLE_TXT, run_briefing
from smtp_helpers import PASSWORD, USER, Recorder, free_port, make_brief, smtp_server  # noqa: F401

from briefing.deliver import MailSettings, compose_for
from briefing.deliver.message import envelope_of
from briefing.deliver.transports import FileTransport, MaildirTransport, SendmailTransport


def env_for(tmp_path, **extra):
    # XDG_STATE_HOME: the default outbox and state database go to the test's folder, never the user's
    return {"XDG_STATE_HOME": str(tmp_path / "state-home"), "BRIEFING_SMTP_PASSWORD": "", **extra}


def eml_draft(tmp_path):
    """A message written earlier by the file transport: Bcc kept so `send` can honour it."""
    s = MailSettings(
        sender="Zoë Müller <zoe@example.org>", to=["Jürgen <juergen@example.com>"], bcc=["secret@example.org"]
    )
    msg = compose_for(make_brief(), s)
    path = tmp_path / "draft.eml"
    FileTransport(str(path)).send(msg, envelope_of(msg))
    assert b"Bcc: secret@example.org" in path.read_bytes()
    return path, msg


@pytest.mark.slow
def test_send_eml_file_honours_bcc(tmp_path, smtp_server):
    server = smtp_server()
    path, msg = eml_draft(tmp_path)
    p = run_briefing(
        "send",
        path,
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        server.port,
        "--smtp-security",
        "none",
        env=env_for(tmp_path),
    )
    assert p.returncode == 0, p.stderr
    assert "sent" in p.stderr and "2 recipient" in p.stderr
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["juergen@example.com", "secret@example.org"]
    m = got.message
    assert m["Bcc"] is None and m["Message-ID"] == msg["Message-ID"]
    assert m["From"].addresses[0].display_name == "Zoë Müller"
    assert "Zürich" in m.get_body(("html",)).get_content()


@pytest.mark.slow
@pytest.mark.e2e
def test_server_down_exits_75_one_line_then_send_outbox(tmp_path):
    port = free_port()
    path, msg = eml_draft(tmp_path)
    args = (
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        port,
        "--smtp-security",
        "none",
        "--outbox-dir",
        tmp_path / "outbox",
        "--retries",
        2,
        "--backoff",
        0.01,
    )
    p = run_briefing("send", path, *args, env=env_for(tmp_path))
    assert p.returncode == 75
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefing: error:") and "Traceback" not in p.stderr
    assert "cannot connect" in lines[0] and "outbox" in lines[0]
    listing = run_briefing("send", "--list", *args, env=env_for(tmp_path))
    assert msg["Message-ID"] in listing.stdout
    still = run_briefing("send", "--outbox", *args, env=env_for(tmp_path))  # still down: still waiting
    assert still.returncode == 75 and "1 waiting" in still.stderr

    from aiosmtpd.controller import Controller

    handler = Recorder()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        p = run_briefing("send", "--outbox", *args, env=env_for(tmp_path))
    finally:
        c.stop()
    assert p.returncode == 0, p.stderr
    assert "1 sent, 0 waiting" in p.stderr
    assert [r.message["Message-ID"] for r in handler.received] == [msg["Message-ID"]]
    assert sorted(handler.received[0].rcpt_tos) == ["juergen@example.com", "secret@example.org"]
    assert not list((tmp_path / "outbox").glob("*.eml"))


@pytest.mark.slow
def test_failed_auth_never_prints_the_password(tmp_path, smtp_server):
    server = smtp_server(auth=True, auth_require_tls=False)
    path, _ = eml_draft(tmp_path)
    wrong = "Wr0ng-Pässwört-secret"
    p = run_briefing(
        "send",
        path,
        "-v",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        server.port,
        "--smtp-security",
        "none",
        "--smtp-user",
        USER,
        "--smtp-password-env",
        "MAIL_PW",
        env=env_for(tmp_path, MAIL_PW=wrong),
    )
    assert p.returncode == 1
    assert "authentication failed" in p.stderr and "Traceback" not in p.stderr
    assert wrong not in p.stderr + p.stdout
    import base64

    assert base64.b64encode(wrong.encode()).decode()[:12] not in p.stderr + p.stdout
    assert server.received == []


@pytest.mark.e2e
def test_no_password_option_on_the_command_line(tmp_path):
    p = run_briefing("send", "--smtp-password", "x", "--outbox", env=env_for(tmp_path))
    assert p.returncode == 2 and "No such option" in p.stderr


def test_mail_config_file(tmp_path, smtp_server):
    server = smtp_server(auth=True, auth_require_tls=False)
    (tmp_path / "pw.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    cfg = tmp_path / "briefing.toml"
    cfg.write_text(
        f"""
[email]
from = "Briefing <briefing@example.org>"
transport = "smtp"
outbox = "outbox"
retries = 1
[email.smtp]
host = "127.0.0.1"
port = {server.port}
security = "none"
user = "{USER}"
password_file = "pw.txt"
""",
        encoding="utf-8",
    )
    path, msg = eml_draft(tmp_path)
    p = run_briefing("send", path, "--mail-config", cfg, env=env_for(tmp_path))
    assert p.returncode == 0, p.stderr
    assert server.received[0].authenticated


@pytest.mark.e2e
def test_config_typo_is_a_usage_error(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[email]\nsmtp_hots = "x"\n', encoding="utf-8")
    p = run_briefing("send", "--outbox", "--mail-config", cfg, env=env_for(tmp_path))
    assert p.returncode == 2 and "smtp_hots" in p.stderr and "Traceback" not in p.stderr


@pytest.mark.slow
def test_summarize_email_to_end_to_end(tmp_path, smtp_server):
    server = smtp_server()
    p = run_briefing(
        "summarize",
        SAMPLE_TXT,
        "-n",
        2,
        "--email-to",
        "Jürgen Groß <juergen@example.com>",
        "--cc",
        "ana@example.net",
        "--bcc",
        "secret@example.org",
        "--email-from",
        "Briefing <briefing@example.org>",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        server.port,
        "--smtp-security",
        "none",
        env=env_for(tmp_path),
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""  # mailed instead of printed
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["ana@example.net", "juergen@example.com", "secret@example.org"]
    m = got.message
    assert m.get_content_type() == "multipart/alternative"
    assert m["Subject"].startswith("Biden, Putin speak as Russian leader demands NATO rebuff Ukraine — ")
    assert m["To"].addresses[0].display_name == "Jürgen Groß" and m["Bcc"] is None
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    assert "WHAT" in text.upper() and "Putin" in text and "Putin" in html
    assert "<style" not in html and "style=" in html


@pytest.mark.slow
@pytest.mark.e2e
def test_summarize_queues_when_server_down(tmp_path):
    p = run_briefing(
        "summarize",
        SAMPLE_TXT,
        "-n",
        2,
        "--email-to",
        "a@example.org",
        "--email-from",
        "b@example.org",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        free_port(),
        "--smtp-security",
        "none",
        "--retries",
        1,
        env=env_for(tmp_path),
        timeout=300,
    )
    assert p.returncode == 75 and "Traceback" not in p.stderr
    assert len(list((tmp_path / "state-home" / "briefing" / "outbox").glob("*.eml"))) == 1


# --- the other transports ------------------------------------------------------------------------
def test_maildir_transport(tmp_path):
    s = MailSettings(sender="Zoë <zoe@example.org>", to=["j@example.com"], bcc=["secret@example.org"])
    msg = compose_for(make_brief(), s)
    MaildirTransport(str(tmp_path / "Mail")).send(msg, envelope_of(msg))
    [got] = list(mailbox.Maildir(tmp_path / "Mail", create=False))
    assert got["Message-ID"] == msg["Message-ID"] and got["Bcc"] is None
    assert got.get_content_type() == "multipart/alternative"


def test_file_transport_into_a_folder(tmp_path):
    (tmp_path / "out").mkdir()
    s = MailSettings(sender="zoe@example.org", to=["j@example.com"])
    msg = compose_for(make_brief(), s)
    FileTransport(str(tmp_path / "out")).send(msg, envelope_of(msg))
    [f] = list((tmp_path / "out").glob("*.eml"))
    assert msg["Message-ID"].strip("<>") in f.name


def fake_sendmail(tmp_path, exit_code=0):
    """A sendmail program (as Postfix/msmtp install one): records its arguments and input."""
    prog = tmp_path / "sendmail"
    prog.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {tmp_path}/args\ncat > {tmp_path}/stdin\n"
        f"[ {exit_code} -eq 0 ] || echo 'queue full' >&2\nexit {exit_code}\n"
    )
    prog.chmod(0o755)
    return prog


def test_sendmail_program(tmp_path):
    prog = fake_sendmail(tmp_path)
    s = MailSettings(sender="Zoë <zoe@example.org>", to=["j@example.com"], bcc=["secret@example.org"])
    msg = compose_for(make_brief(), s)
    SendmailTransport(path=str(prog)).send(msg, envelope_of(msg))
    args = (tmp_path / "args").read_text().split("\n")
    assert args[:4] == ["-oi", "-f", "zoe@example.org", "--"] and args[4:6] == ["j@example.com", "secret@example.org"]
    import email
    import email.policy

    got = email.message_from_bytes((tmp_path / "stdin").read_bytes(), policy=email.policy.default)
    assert got["Bcc"] is None and got["Message-ID"] == msg["Message-ID"]


@pytest.mark.slow
@pytest.mark.e2e
def test_sendmail_tempfail_queues(tmp_path):
    prog = fake_sendmail(tmp_path, exit_code=75)
    path, _ = eml_draft(tmp_path)
    p = run_briefing(
        "send",
        path,
        "--transport",
        "sendmail",
        "--mail-path",
        prog,
        "--retries",
        1,
        "--outbox-dir",
        tmp_path / "outbox",
        env=env_for(tmp_path),
    )
    assert p.returncode == 75 and "queue full" in p.stderr
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert os.path.exists(tmp_path / "stdin")
