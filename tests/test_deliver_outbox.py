"""The outbox never jams: a message that can never be sent as it is (an address that cannot be
encoded, a message the server refuses for good, a damaged entry) is moved aside to
``outbox/failed/`` with exit 1 and one line saying why, and the messages behind it still go.

Real commands (in-process through ``briefing.cli.main``), a real aiosmtpd server, real files.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SAMPLE_TXT
from smtp_helpers import Recorder, free_port, make_brief, smtp_server  # noqa: F401

from briefing.deliver import MailSettings, Outbox, compose_for, send_message

SENDER = "b@example.org"


@pytest.fixture
def run(main_run, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))
    return main_run


def smtp_args(port, tmp_path, retries=1):
    return [
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
        0,
    ]


def eml(subject: str, to: str, *, marker: str = "") -> bytes:
    """A message as an earlier run (or an older version of briefing) wrote it to the outbox."""
    head = (
        f"From: Briefing <{SENDER}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@example.org>\r\nDate: Tue, 10 Mar 2026 06:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
    )
    return (head + f"\r\nHello, this is {subject}. {marker}\r\n").encode("utf-8")


def leave_in_outbox(
    outbox,
    entry_id: str,
    subject: str,
    recipients: list[str],
    *,
    data: bytes | None = None,
    meta: str | None = None,
    with_eml: bool = True,
):
    """<id>.eml + <id>.json, written by hand: what a crash, an old version or a person left there."""
    outbox.mkdir(parents=True, exist_ok=True)
    if with_eml:
        (outbox / f"{entry_id}.eml").write_bytes(data or eml(subject, ", ".join(recipients)))
    if meta is None:
        meta = json.dumps(
            {
                "id": entry_id,
                "sender": SENDER,
                "recipients": recipients,
                "message_id": f"<{subject.replace(' ', '-')}@example.org>",
                "key": None,
                "created": "2026-03-10T06:00:00+00:00",
                "attempts": 0,
                "last_error": "",
                "delivered": [],
                "refused": {},
                "ledger": None,
            },
            ensure_ascii=False,
        )
    (outbox / f"{entry_id}.json").write_text(meta, encoding="utf-8")


FIRST, SECOND = "20260310T060000-00000001", "20260310T060001-00000002"

# name -> (how the first entry is broken, what its one-line reason must mention)
JAMS = {
    "domain IDNA cannot encode": (dict(recipients=["zoe@😀.example"]), "😀"),
    "non-ASCII local part, no SMTPUTF8": (dict(recipients=["zoë@example.org"]), "SMTPUTF8"),
    "refused for good at DATA": (
        dict(recipients=["spam@example.org"], data=eml("first", "spam@example.org", marker="SPAM-MARKER")),
        "554",
    ),
    "CR/LF smuggled into a recipient": (
        dict(recipients=["a@example.org\r\nRCPT TO:<evil@example.org>"]),
        "a@example.org",
    ),
    "damaged metadata": (dict(recipients=[], meta="{not json"), "metadata"),
    "message file missing": (dict(recipients=["a@example.org"], with_eml=False), "missing"),
}


@pytest.mark.parametrize("jam", list(JAMS))
def test_unsendable_entry_is_moved_aside_and_the_next_one_still_goes(tmp_path, smtp_server, run, jam):
    how, reason = JAMS[jam]
    server = smtp_server(handler=Recorder(reject={b"SPAM-MARKER": "554 5.7.1 Message refused as spam"}))
    outbox = tmp_path / "outbox"
    leave_in_outbox(outbox, FIRST, "first", **how)
    leave_in_outbox(outbox, SECOND, "second", ["ok@example.org"])

    code, out, err = run("send", "--outbox", *smtp_args(server.port, tmp_path))
    assert code == 1, err
    assert "Traceback" not in err and "internal error" not in err
    errors = [line for line in err.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1 and FIRST in errors[0] and reason in errors[0], err
    assert "1 sent, 0 waiting, 1 moved aside" in err
    # the one behind it was delivered, once; nothing reached anyone smuggled into an address
    assert [r.message["Subject"] for r in server.received] == ["second"]
    assert all("evil@example.org" not in r.rcpt_tos for r in server.received)
    # moved aside, listed with its reason, and it blocks nothing any more
    assert (outbox / "failed" / f"{FIRST}.json").is_file() and not (outbox / f"{FIRST}.json").exists()
    if how.get("with_eml", True):
        assert (outbox / "failed" / f"{FIRST}.eml").is_file()
    code, out, err = run("send", "--list", *smtp_args(server.port, tmp_path))
    assert code == 0, err
    [line] = [ln for ln in out.splitlines() if FIRST in ln]
    assert line.startswith("failed/") and reason in line
    code, _, err = run("send", "--outbox", *smtp_args(server.port, tmp_path))
    assert code == 0 and "nothing waiting" in err, err
    assert len(server.received) == 1


@pytest.mark.slow
def test_summarize_is_not_blocked_by_an_unsendable_entry(tmp_path, smtp_server, run):
    """The reported bug: every run flushed the outbox first and crashed on the same entry (exit 70)."""
    server = smtp_server()
    leave_in_outbox(tmp_path / "outbox", FIRST, "first", ["zoe@😀.example"])
    mail = ["--email-to", "desk@example.org", "--email-from", SENDER, *smtp_args(server.port, tmp_path)]
    code, out, err = run("summarize", SAMPLE_TXT, "-n", 2, *mail)
    assert code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1 and FIRST in errors[0] and "Traceback" not in err, err
    assert len(server.received) == 1 and server.received[0].rcpt_tos == ["desk@example.org"]
    code, out, err = run("summarize", SAMPLE_TXT, "-n", 2, *mail)  # the next run: nothing in its way
    assert code == 0, err
    assert len(server.received) == 2


@pytest.mark.slow
def test_idn_recipient_from_the_report_is_sent(tmp_path, smtp_server, run):
    """`--email-to 'zoe@exämple.org'` jammed all mail (exit 70, forever): it is an IDNA domain."""
    server = smtp_server()
    mail = ["--email-to", "zoe@exämple.org", "--email-from", SENDER, *smtp_args(server.port, tmp_path)]
    code, out, err = run("summarize", SAMPLE_TXT, "-n", 2, *mail)
    assert code == 0, err
    [got] = server.received
    assert got.rcpt_tos == ["zoe@xn--exmple-cua.org"]
    assert got.message["To"].addresses[0].domain == "xn--exmple-cua.org"
    assert Outbox(tmp_path / "outbox").entries() == []


def test_server_refusing_one_recipient_moves_the_rest_aside(tmp_path, smtp_server):
    """A 5xx per recipient: the others get it; the refused ones are listed in failed/ with the reply."""
    server = smtp_server(handler=Recorder(refuse={"gone@example.org": "550 5.1.1 No such user"}))
    s = MailSettings(
        sender=SENDER,
        to=["ok@example.org", "gone@example.org"],
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security="none",
        outbox=str(tmp_path / "outbox"),
        retries=1,
    )
    report = send_message(compose_for(make_brief(), s), s)
    assert report.delivered == ["ok@example.org"] and list(report.refused) == ["gone@example.org"]
    assert Outbox(s.outbox).entries() == []
    [failed] = Outbox(s.outbox).failed_entries()
    assert failed.recipients == ["gone@example.org"] and "550 5.1.1 No such user" in failed.last_error
    assert (tmp_path / "outbox" / "failed" / f"{failed.id}.eml").is_file()


def test_empty_outbox_says_so(tmp_path, run):
    code, out, err = run("send", "--outbox", *smtp_args(free_port(), tmp_path))
    assert code == 0 and "nothing waiting" in err and str(tmp_path / "outbox") in err, err
    code, out, err = run("send", "--list", *smtp_args(free_port(), tmp_path))
    assert code == 0 and out == "" and "nothing waiting" in err, err


def test_list_shows_waiting_and_failed_entries(tmp_path, run):
    leave_in_outbox(tmp_path / "outbox", SECOND, "second", ["ok@example.org"])
    leave_in_outbox(tmp_path / "outbox", FIRST, "first", ["a@example.org"], meta="{not json")
    code, out, err = run("send", "--list", *smtp_args(free_port(), tmp_path))
    assert code == 0, err
    lines = out.splitlines()
    assert any(ln.startswith(SECOND) and "ok@example.org" in ln for ln in lines)
    # not moved by --list (it sends nothing, changes nothing), but shown with what is wrong
    assert any(FIRST in ln and "metadata" in ln for ln in lines), out
    assert (tmp_path / "outbox" / f"{FIRST}.json").exists()


def test_unreachable_server_stops_the_flush_and_keeps_everything(tmp_path, run):
    port = free_port()
    leave_in_outbox(tmp_path / "outbox", FIRST, "first", ["a@example.org"])
    leave_in_outbox(tmp_path / "outbox", SECOND, "second", ["b@example.org"])
    code, _, err = run("send", "--outbox", *smtp_args(port, tmp_path))
    assert code == 75 and "0 sent, 2 waiting" in err and "Traceback" not in err, err
    assert len(Outbox(tmp_path / "outbox").entries()) == 2
    assert not (tmp_path / "outbox" / "failed").exists()


def test_lock_that_cannot_be_opened_is_one_line(tmp_path, run):
    (tmp_path / "outbox" / ".lock").mkdir(parents=True)  # any reason the lock file cannot be opened
    path = tmp_path / "m.eml"
    path.write_bytes(eml("first", "a@example.org"))
    code, _, err = run("send", path, *smtp_args(free_port(), tmp_path))
    assert code == 1 and "outbox" in err and "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1


FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from briefing.cli import main
main(sys.argv[1:])
"""


@pytest.mark.slow
def test_full_disk_when_queuing_is_one_line_and_loses_nothing(tmp_path, smtp_server):
    """A disk that fills up (simulated with a file-size limit, which works as root too)."""
    server = smtp_server()
    path = tmp_path / "big.eml"
    path.write_bytes(eml("big", "a@example.org", marker="x" * 20000))
    p = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "send", str(path), *map(str, smtp_args(server.port, tmp_path))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("briefing: error:") and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "outbox" in p.stderr and "Traceback" not in p.stderr
    assert server.received == []  # never sent without its write-ahead copy
    assert path.read_bytes().startswith(b"From:")  # the draft is untouched
    assert not list((tmp_path / "outbox").glob("*.eml")) and not list((tmp_path / "outbox").glob(".*.tmp"))


# --- hostile values from the command line: one line, the right exit code, never 70 ----------------
HOSTILE = [  # (option, value, exit code)
    ("--email-to", "a@example.org\r\nBcc: evil@example.org", 2),
    ("--email-from", "b@example.org\nX-Evil: 1", 2),
    ("--email-to", "zoe@😀.example", 2),
    ("--bcc", "a@" + "b" * 300 + ".example", 2),
    ("--email-to", "zoë@example.org", 1),  # no SMTPUTF8 here: refused for that recipient, moved aside
    ("--email-from", "zoë@example.org", 1),  # ... and for the sender, the whole message
    ("--email-to", "x" * 3000 + "@example.org", 1),  # the server refuses the line
    ("--subject", "{{ 1/0 }}", 1),
    ("--subject", "{{ title }}\r\nBcc: evil@example.org", 0),
    ("--email-to", '"Zoë «la Reine», Müller" <zoe@exämple.org>', 0),
]


@pytest.mark.slow
@pytest.mark.parametrize("option, value, code", HOSTILE)
def test_hostile_addresses_and_subjects_are_one_line_never_70(tmp_path, smtp_server, run, option, value, code):
    server = smtp_server()
    mail = {"--email-to": "ok@example.org", "--email-from": SENDER, option: value}
    got, out, err = run(
        "summarize", SAMPLE_TXT, "-n", 2, *[x for kv in mail.items() for x in kv], *smtp_args(server.port, tmp_path)
    )
    assert got == code, err
    assert "Traceback" not in err and "internal error" not in err
    errors = [line for line in err.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == (1 if code else 0), err
    for r in server.received:
        assert "evil@example.org" not in r.rcpt_tos and r.message["Bcc"] is None
        assert "\n" not in str(r.message["Subject"]) and "Evil" not in str(r.message)
    assert Outbox(tmp_path / "outbox").entries() == []  # nothing left waiting, whatever happened


def raw_utf8_eml(tmp_path):
    """A draft with UTF-8 headers (RFC 6532) and a Bcc whose local part is beyond ASCII."""
    path = tmp_path / "eai.eml"
    path.write_bytes(
        "From: Zoë <b@example.org>\r\nTo: Jürgen <a@exämple.org>\r\nBcc: zoë@example.org\r\n"
        "Subject: Grüße\r\nMessage-ID: <eai@example.org>\r\n\r\nHallo\r\n".encode()
    )
    return path


@pytest.mark.parametrize("smtputf8", [False, True])
def test_eml_with_utf8_headers_is_sent_or_moved_aside_for_that_recipient(tmp_path, smtp_server, run, smtputf8):
    server = smtp_server(smtputf8=smtputf8)
    code, _, err = run("send", raw_utf8_eml(tmp_path), *smtp_args(server.port, tmp_path))
    assert "Traceback" not in err and "internal error" not in err
    [got] = server.received
    if smtputf8:
        assert code == 0, err
        assert sorted(got.rcpt_tos) == ["a@xn--exmple-cua.org", "zoë@example.org"]
    else:
        assert code == 1 and "zoë@example.org" in err and "SMTPUTF8" in err, err
        assert got.rcpt_tos == ["a@xn--exmple-cua.org"]
        got.data.decode("ascii")  # headers downgraded to 7-bit for a server without SMTPUTF8
        assert got.message["To"].addresses[0].addr_spec == "a@xn--exmple-cua.org"  # still an address
        [failed] = Outbox(tmp_path / "outbox").failed_entries()
        assert failed.recipients == ["zoë@example.org"]
    assert b"zo\xc3\xab@example.org" not in got.data.split(b"\r\n\r\n")[0]  # Bcc stays out of the headers


@pytest.mark.parametrize(
    "setting",
    [
        'retries = "three"',
        "smtp_port = 99999",
        "smtp_deadline = 0",
        'smtp_host = "a..b"',
        "smtp_timeout = -1",
        "retries = true",
    ],
)
def test_bad_mail_settings_are_usage_errors(tmp_path, run, setting):
    cfg = tmp_path / "mail.toml"
    cfg.write_text(f'[email]\nfrom = "b@example.org"\n{setting}\n', encoding="utf-8")
    path = tmp_path / "m.eml"
    path.write_bytes(eml("first", "a@example.org"))
    code, _, err = run("send", path, "--mail-config", cfg, "--outbox-dir", tmp_path / "outbox")
    assert code in (1, 2) and "Traceback" not in err and "internal error" not in err, err
    assert len(err.strip().splitlines()) == 1
