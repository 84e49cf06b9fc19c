"""Delivery through real SMTP servers on localhost (aiosmtpd): every test parses what the server got."""

from __future__ import annotations

import email
import email.policy
import time

import pytest
from smtp_helpers import PASSWORD, USER, Recorder, certs, make_brief, silent_port, smtp_server, trickle_port  # noqa: F401

from briefing.deliver import (
    MailSettings,
    MessageQueued,
    Outbox,
    PermanentFailure,
    RecipientsRefused,
    compose_for,
    send_message,
)
from briefing.deliver.send import flush_waiting


def mail_settings(tmp_path, port, **kw) -> MailSettings:
    base = dict(
        sender="Zoë Müller <zoe@example.org>",
        to=["Jürgen Groß <juergen@example.com>"],
        cc=["ana@example.net"],
        bcc=["secret@example.org"],
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        outbox=str(tmp_path / "outbox"),
        state=str(tmp_path / "state.sqlite3"),
        retries=3,
        backoff=0.01,
        smtp_timeout=5,
    )
    base.update(kw)
    return MailSettings(**base)


def check_received(got, msg_id):
    """What every recipient's server must see: all parts, right headers, no Bcc, right encodings."""
    assert got.mail_from == "zoe@example.org"
    assert sorted(got.rcpt_tos) == ["ana@example.net", "juergen@example.com", "secret@example.org"]
    m = got.message
    assert m["Message-ID"] == msg_id
    assert m["Bcc"] is None and b"secret@example.org" not in got.data
    assert m["To"].addresses[0].display_name == "Jürgen Groß"
    assert m["From"].addresses[0].display_name == "Zoë Müller"
    assert m["Subject"].startswith("Zoë Müller wins the Étoile prize")
    text, html = m.get_body(("plain",)), m.get_body(("html",))
    assert "Zürich" in text.get_content() and "Zürich" in html.get_content()
    assert "style=" in html.get_content() and "<style" not in html.get_content()


def test_plain_smtp(tmp_path, smtp_server):
    server = smtp_server()
    s = mail_settings(tmp_path, server.port)
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s)
    assert report.ok and report.attempts == 1 and len(report.delivered) == 3
    assert len(server.received) == 1
    check_received(server.received[0], msg["Message-ID"])
    assert Outbox(s.outbox).entries() == []  # the write-ahead copy is gone once accepted


def test_starttls_with_auth(tmp_path, smtp_server, certs, monkeypatch):
    server = smtp_server(mode="starttls", certs=certs, auth=True)
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    s = mail_settings(tmp_path, server.port, smtp_security="starttls", smtp_user=USER, smtp_cafile=str(certs.ca))
    msg = compose_for(make_brief(), s)
    send_message(msg, s)
    got = server.received[0]
    assert got.tls and got.authenticated
    check_received(got, msg["Message-ID"])


def test_implicit_tls_with_password_file(tmp_path, smtp_server, certs, monkeypatch):
    # aiosmtpd counts only STARTTLS as TLS when deciding to offer AUTH; this connection is TLS from the start
    server = smtp_server(mode="tls", certs=certs, auth=True, auth_require_tls=False)
    monkeypatch.delenv("BRIEFING_SMTP_PASSWORD", raising=False)
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n", encoding="utf-8")
    s = mail_settings(
        tmp_path, server.port, smtp_security="tls", smtp_user=USER, smtp_cafile=str(certs.ca), password_file=str(pw)
    )
    msg = compose_for(make_brief(), s)
    send_message(msg, s)
    assert server.received[0].authenticated and server.received[0].tls
    check_received(server.received[0], msg["Message-ID"])


@pytest.mark.slow
def test_untrusted_certificate_is_refused(tmp_path, smtp_server, certs):
    """Without our CA the client must not talk to the server: verification is never switched off."""
    server = smtp_server(mode="tls", certs=certs)
    s = mail_settings(tmp_path, server.port, smtp_security="tls")
    with pytest.raises(PermanentFailure, match="certificate"):
        send_message(compose_for(make_brief(), s), s)
    assert server.received == []
    assert len(Outbox(s.outbox).entries()) == 1  # kept: fixing the config and `send --outbox` sends it


def test_auth_over_plain_connection(tmp_path, smtp_server, monkeypatch):
    server = smtp_server(auth=True, auth_require_tls=False)
    monkeypatch.setenv("MY_PW", PASSWORD)
    s = mail_settings(tmp_path, server.port, smtp_user=USER, password_env="MY_PW")
    send_message(compose_for(make_brief(), s), s)
    assert server.received[0].authenticated


def test_wrong_password_is_one_line_and_never_shown(tmp_path, smtp_server, monkeypatch):
    server = smtp_server(auth=True, auth_require_tls=False)
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "wrong-Pässwört-99")
    s = mail_settings(tmp_path, server.port, smtp_user=USER)
    with pytest.raises(PermanentFailure) as err:
        send_message(compose_for(make_brief(), s), s)
    text = str(err.value)
    assert "authentication failed" in text and "\n" not in text
    assert "wrong-Pässwört-99" not in text and "d3Jvbmc" not in text  # nor its base64 (AUTH PLAIN)
    assert server.received == []


def test_starttls_refused_when_server_does_not_offer_it(tmp_path, smtp_server, monkeypatch):
    """A server (or attacker) that hides STARTTLS must not get the password in clear."""
    server = smtp_server(auth=True, auth_require_tls=False)
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", PASSWORD)
    s = mail_settings(tmp_path, server.port, smtp_user=USER, smtp_security="starttls")
    with pytest.raises(PermanentFailure, match="STARTTLS"):
        send_message(compose_for(make_brief(), s), s)
    assert server.received == []


def test_4xx_then_recovers_within_retries(tmp_path, smtp_server):
    server = smtp_server(handler=Recorder(defer=2))
    s = mail_settings(tmp_path, server.port, retries=3)
    waits = []
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s, sleep=waits.append)
    assert report.attempts == 3 and waits == [0.01, 0.02]  # exponential backoff
    assert len(server.received) == 1  # sent once, not three times
    check_received(server.received[0], msg["Message-ID"])


def test_4xx_persisting_keeps_message_then_next_run_sends_it(tmp_path, smtp_server):
    server = smtp_server(handler=Recorder(defer=2))
    s = mail_settings(tmp_path, server.port, retries=2)
    msg = compose_for(make_brief(), s)
    with pytest.raises(MessageQueued) as err:
        send_message(msg, s)
    assert err.value.exit_code == 75 and "451" in str(err.value) and "outbox" in str(err.value)
    [entry] = Outbox(s.outbox).entries()
    assert entry.message_id == msg["Message-ID"] and entry.attempts == 2
    assert server.received == []
    # The next run (another message) first sends what waited, then its own.
    second = compose_for(make_brief(title="Second brief"), s)
    send_message(second, s)
    assert [r.message["Message-ID"] for r in server.received] == [msg["Message-ID"], second["Message-ID"]]
    check_received(server.received[0], msg["Message-ID"])  # Bcc kept in the outbox, still out of the headers
    assert Outbox(s.outbox).entries() == []


def test_server_down_then_up(tmp_path, smtp_server):
    from smtp_helpers import free_port

    port = free_port()
    s = mail_settings(tmp_path, port, retries=2)
    msg = compose_for(make_brief(), s)
    t0 = time.monotonic()
    with pytest.raises(MessageQueued, match="cannot connect"):
        send_message(msg, s)
    assert time.monotonic() - t0 < 5
    assert len(Outbox(s.outbox).entries()) == 1
    # the server comes up on that port; `send --outbox` does what flush_waiting does
    from aiosmtpd.controller import Controller

    handler = Recorder()
    c = Controller(handler, hostname="127.0.0.1", port=port)
    c.start()
    try:
        [(entry, report)] = flush_waiting(s)
    finally:
        c.stop()
    assert report.delivered and Outbox(s.outbox).entries() == []
    assert handler.received[0].message["Message-ID"] == msg["Message-ID"]


@pytest.mark.slow
def test_hung_server_times_out(tmp_path, silent_port):
    s = mail_settings(tmp_path, silent_port, retries=1, smtp_timeout=0.5)
    with pytest.raises(MessageQueued, match="timed out"):
        send_message(compose_for(make_brief(), s), s)
    assert len(Outbox(s.outbox).entries()) == 1


def test_permanent_refusal_per_recipient_others_still_get_it(tmp_path, smtp_server):
    server = smtp_server(handler=Recorder(refuse={"ana@example.net": "550 5.1.1 No such user"}))
    s = mail_settings(tmp_path, server.port)
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s)
    assert sorted(report.delivered) == ["juergen@example.com", "secret@example.org"]
    assert report.refused == {"ana@example.net": (550, "550 5.1.1 No such user")}
    assert sorted(server.received[0].rcpt_tos) == ["juergen@example.com", "secret@example.org"]
    with pytest.raises(RecipientsRefused, match=r"ana@example.net \(550 5.1.1 No such user\)"):
        report.raise_for_refused()
    assert Outbox(s.outbox).entries() == []  # nothing to retry: 5xx is final


def test_recipient_deferred_is_retried_for_that_recipient_only(tmp_path, smtp_server):
    handler = Recorder(refuse={"ana@example.net": "450 4.2.0 Mailbox busy"})
    server = smtp_server(handler=handler)
    s = mail_settings(tmp_path, server.port, retries=2)
    msg = compose_for(make_brief(), s)
    with pytest.raises(MessageQueued, match="ana@example.net"):
        send_message(msg, s)
    assert len(server.received) == 1  # the second attempt named only ana, who was deferred again
    first = server.received[0]
    assert sorted(first.rcpt_tos) == ["juergen@example.com", "secret@example.org"]
    [entry] = Outbox(s.outbox).entries()
    assert entry.recipients == ["ana@example.net"]
    handler.refuse.clear()  # the mailbox is free again
    flush_waiting(s)
    assert [r.rcpt_tos for r in server.received[1:]] == [["ana@example.net"]]  # only the one still waiting
    assert Outbox(s.outbox).entries() == []


def test_all_recipients_refused(tmp_path, smtp_server):
    server = smtp_server(
        handler=Recorder(
            refuse={a: "550 5.1.1 Unknown" for a in ("ana@example.net", "juergen@example.com", "secret@example.org")}
        )
    )
    s = mail_settings(tmp_path, server.port)
    report = send_message(compose_for(make_brief(), s), s)
    assert report.delivered == [] and len(report.refused) == 3
    with pytest.raises(RecipientsRefused, match="refused for good"):
        report.raise_for_refused()


# --- addresses beyond ASCII: IDNA domains, SMTPUTF8 local parts --------------------------------
def test_idn_domains_go_out_as_a_labels(tmp_path, smtp_server):
    server = smtp_server()
    s = mail_settings(tmp_path, server.port, to=["Zoë <ZOE@EXÄMPLE.org>"], cc=["ana@bücher.de"], bcc=[])
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s)
    assert report.ok
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["ZOE@xn--exmple-cua.org", "ana@xn--bcher-kva.de"]  # UTS46 maps case
    assert got.message["To"].addresses[0].addr_spec == "ZOE@xn--exmple-cua.org"
    got.data.decode("ascii")  # no SMTPUTF8 needed: still 7-bit


def test_non_ascii_local_part_uses_smtputf8_when_offered(tmp_path, smtp_server):
    server = smtp_server(smtputf8=True)
    s = mail_settings(tmp_path, server.port, to=["Zoë <zoë@example.org>"], cc=["ana@example.net"], bcc=[])
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s)
    assert report.ok and sorted(report.delivered) == ["ana@example.net", "zoë@example.org"]
    [got] = server.received
    assert sorted(got.rcpt_tos) == ["ana@example.net", "zoë@example.org"]
    to = email.message_from_string(got.data.decode("utf-8"), policy=email.policy.SMTPUTF8)["To"]  # RFC 6532
    assert to.addresses[0].addr_spec == "zoë@example.org" and to.addresses[0].display_name == "Zoë"
    assert Outbox(s.outbox).entries() == [] and Outbox(s.outbox).failed_entries() == []


def test_non_ascii_local_part_without_smtputf8_fails_for_that_recipient_only(tmp_path, smtp_server):
    server = smtp_server()  # no SMTPUTF8
    s = mail_settings(tmp_path, server.port, to=["Zoë <zoë@example.org>"], cc=["ana@example.net"], bcc=[])
    msg = compose_for(make_brief(), s)
    report = send_message(msg, s)
    assert report.delivered == ["ana@example.net"] and list(report.refused) == ["zoë@example.org"]
    with pytest.raises(RecipientsRefused, match="SMTPUTF8"):
        report.raise_for_refused()
    [got] = server.received
    assert got.rcpt_tos == ["ana@example.net"]
    got.data.decode("ascii")  # what a server without SMTPUTF8 gets is 7-bit, headers included
    assert "Zoë" in str(got.message["To"]) and got.message["Cc"].addresses[0].addr_spec == "ana@example.net"
    [failed] = Outbox(s.outbox).failed_entries()
    assert failed.recipients == ["zoë@example.org"] and "SMTPUTF8" in failed.last_error


def test_non_ascii_sender_without_smtputf8_is_moved_aside(tmp_path, smtp_server):
    server = smtp_server()
    s = mail_settings(tmp_path, server.port, sender="Zoë <zoë@example.org>")
    with pytest.raises(PermanentFailure, match="SMTPUTF8") as err:
        send_message(compose_for(make_brief(), s), s)
    assert "\n" not in str(err.value) and "failed" in str(err.value)
    assert server.received == [] and Outbox(s.outbox).entries() == []
    assert len(Outbox(s.outbox).failed_entries()) == 1


# --- servers that misbehave ---------------------------------------------------------------------
def test_hang_up_after_data_is_retried_and_sent_once(tmp_path, smtp_server):
    server = smtp_server(handler=Recorder(hangup=1))
    s = mail_settings(tmp_path, server.port, retries=1)
    msg = compose_for(make_brief(), s)
    with pytest.raises(MessageQueued, match="closed"):
        send_message(msg, s)
    assert server.received == [] and len(Outbox(s.outbox).entries()) == 1
    [(_, report)] = flush_waiting(s)
    assert report.delivered and [r.message["Message-ID"] for r in server.received] == [msg["Message-ID"]]
    assert Outbox(s.outbox).entries() == []


@pytest.mark.slow
def test_a_server_that_never_finishes_answering_meets_the_deadline(tmp_path, trickle_port):
    """Every byte arrives within the socket timeout; only a deadline on the whole conversation ends it."""
    s = mail_settings(tmp_path, trickle_port, retries=1, smtp_timeout=10, smtp_deadline=1)
    with pytest.raises(MessageQueued, match="no complete answer within 1s"):
        send_message(compose_for(make_brief(), s), s)
    assert len(Outbox(s.outbox).entries()) == 1


@pytest.mark.parametrize("host", ["a..b", "exämple.invalid", "-x.invalid", "a" * 300 + ".org"])
def test_odd_smtp_host_is_a_delivery_error(tmp_path, host):
    s = mail_settings(tmp_path, 25, smtp_host=host, retries=1)
    with pytest.raises((MessageQueued, PermanentFailure)) as err:
        send_message(compose_for(make_brief(), s), s)
    assert "\n" not in str(err.value)
    assert len(Outbox(s.outbox).entries()) == 1  # the message is fine: it waits for a working setting
