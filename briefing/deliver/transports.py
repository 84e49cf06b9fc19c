"""Transports: how a composed message leaves this program.

Each transport has one method, ``send(msg, envelope) -> refused``, where
``refused`` maps the recipients that were refused for good to their reply
(``{"x@y": (550, "no such user")}``). Failures worth retrying raise
``TemporaryFailure``; failures of this message that retrying cannot fix raise
``PermanentFailure``; failures of the setup (login, TLS, a missing program or folder)
raise ``SettingsFailure``. ``classify`` turns anything else a transport lets escape into
one of those: one message's trouble is never the run's.

A recipient no server can be named (an address IDNA cannot encode, a control character),
or one with a local part beyond ASCII when the server lacks SMTPUTF8, is refused for that
recipient alone (553), as a server would refuse it.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from ..errors import BriefingError, OutputError
from ..fileio import write_atomic
from .errors import PermanentFailure, SettingsFailure, TemporaryFailure
from .message import AddressError, Envelope, downgraded, message_bytes, smtp_address, wire_bytes

Refused = dict[str, tuple[int, str]]


class Transport(Protocol):
    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused: ...

    def describe(self) -> str: ...


def _reply(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


def classify(e: BaseException) -> TemporaryFailure | PermanentFailure:
    """Any exception from sending one message, as that message's failure: worth retrying or not."""
    if isinstance(e, (TemporaryFailure, PermanentFailure)):
        return e
    if isinstance(e, (socket.timeout, TimeoutError)):
        return TemporaryFailure(f"timed out ({e})", unreachable=True)
    if isinstance(e, OSError):  # the network, a pipe, a disk: may well work next time
        return TemporaryFailure(f"{e.strerror or e}")
    if isinstance(e, BriefingError):
        return PermanentFailure(str(e))
    # an encoding error, a header the email package cannot write...: this message, as it is, cannot go
    return PermanentFailure(f"cannot send this message as it is ({type(e).__name__}: {e})")


def _envelope_addresses(envelope: Envelope) -> tuple[tuple[str, bool], list[tuple[str, str, bool]], Refused]:
    """(sender as sent, needs SMTPUTF8), [(recipient, as sent, needs SMTPUTF8)], and the recipients
    no server can be named, refused as a server would (553)."""
    try:
        sender = smtp_address(envelope.sender)
    except AddressError as e:
        raise PermanentFailure(f"sender: {e}") from None
    recipients, refused = [], {}
    for r in envelope.recipients:
        try:
            recipients.append((r, *smtp_address(r)))
        except AddressError as e:
            refused[r] = (553, f"553 5.1.3 {e}")
    return sender, recipients, refused


class _Deadline:
    """Ends an SMTP conversation that takes longer than ``seconds`` in all. A socket timeout bounds
    each read, not a server that answers a byte at a time; this shuts the socket down instead."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._sock = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def track(self, sock) -> None:
        with self._lock:
            self._sock = sock
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once; smtplib sees a closed connection
    except OSError:
        pass


def _watched(base, deadline: _Deadline):
    """``base`` (smtplib.SMTP or SMTP_SSL) whose socket the deadline can shut down, from the greeting on."""

    class Watched(base):
        def _get_socket(self, host, port, timeout):
            sock = super()._get_socket(host, port, timeout)
            deadline.track(sock)
            return sock

    return Watched


@dataclass
class SMTPTransport:
    """SMTP: ``security`` is "none" (plain), "starttls" or "tls" (implicit TLS, port 465).

    The password is handed over already resolved (from an environment variable or a
    file, see settings.py); it is never put in a message, a log line or an error.
    ``timeout`` bounds each network operation, ``deadline`` the whole conversation.
    """

    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None
    local_hostname: str | None = None
    deadline: float = 120.0

    def describe(self) -> str:
        return f"smtp://{self.host}:{self._port()} ({self.security})"

    def _port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587}.get(self.security, 25)

    def _where(self) -> str:
        return f"{self.host}:{self._port()}"

    def _host(self) -> str:
        """The host as the resolver wants it: an IDNA A-label; a name DNS cannot hold is a setting to fix."""
        try:
            host, _ = smtp_address(f"x@{self.host}")
        except AddressError:
            raise SettingsFailure(f"smtp host {self.host!r} is not a host name") from None
        return host.partition("@")[2]

    def _context(self) -> ssl.SSLContext:
        # Certificates are always verified; a private CA is trusted through cafile, never by switching checks off.
        return ssl.create_default_context(cafile=self.cafile)

    def _connect(self, deadline: _Deadline):
        import smtplib

        where = self._where()
        host = self._host()
        timeout = min(self.timeout, self.deadline)
        try:
            if self.security == "tls":
                client = _watched(smtplib.SMTP_SSL, deadline)(
                    host, self._port(), timeout=timeout, local_hostname=self.local_hostname, context=self._context()
                )
            else:
                client = _watched(smtplib.SMTP, deadline)(
                    host, self._port(), timeout=timeout, local_hostname=self.local_hostname
                )
        except smtplib.SMTPConnectError as e:
            why = f"{where} refused the connection: {_reply(e.smtp_code, e.smtp_error)}"
            if 400 <= e.smtp_code < 500:  # 421: busy, come back later
                raise TemporaryFailure(why, unreachable=True) from None
            raise SettingsFailure(why) from None  # 554 at the greeting: this server will not talk to us
        except ssl.SSLCertVerificationError as e:
            raise SettingsFailure(f"{where}: TLS certificate not trusted ({e.verify_message})") from None
        except ssl.SSLError as e:
            raise SettingsFailure(f"{where}: TLS failed ({e.reason or e})") from None
        except TimeoutError:
            raise TemporaryFailure(f"{where}: timed out connecting", unreachable=True) from None
        except socket.gaierror as e:
            raise TemporaryFailure(f"{where}: cannot resolve host ({e.strerror})", unreachable=True) from None
        except (OSError, smtplib.SMTPServerDisconnected) as e:
            raise TemporaryFailure(
                f"{where}: cannot connect ({getattr(e, 'strerror', None) or e})", unreachable=True
            ) from None
        try:
            if self.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    # Sending the password in clear because the server did not offer TLS is what
                    # a downgrade attack wants: refuse instead.
                    raise SettingsFailure(
                        f'{where} does not offer STARTTLS (set security = "none" only for a trusted local relay)'
                    )
                client.starttls(context=self._context())
                client.ehlo()
            if self.username:
                if self.password is None:
                    raise SettingsFailure("SMTP user given but no password (set password_env or password_file)")
                _login(client, self.username, self.password)
            client.ehlo_or_helo_if_needed()
        except BaseException:
            _quit(client)
            raise
        return client

    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused:
        (sender, sender_utf8), recipients, refused = _envelope_addresses(envelope)
        if not recipients:
            return refused
        data = wire_bytes(msg)
        deadline = _Deadline(self.deadline)  # from here: the connection counts too
        try:
            client = self._connect(deadline)
            try:
                refused.update(self._transaction(client, sender, sender_utf8, recipients, data))
            finally:
                _quit(client)
        except Exception as e:
            if deadline.expired:  # whatever the shut-down socket made smtplib or ssl say
                raise TemporaryFailure(
                    f"{self._where()}: no complete answer within {self.deadline:g}s", unreachable=True
                ) from None
            raise self._failure(e) from None
        finally:
            deadline.cancel()
        return refused

    def _transaction(self, client, sender: str, sender_utf8: bool, recipients, data: bytes) -> Refused:
        """MAIL, RCPT, DATA: SMTPUTF8 when the message needs it and the server offers it; without it,
        the recipients it cannot name are refused and the others get 7-bit headers."""
        import smtplib

        where = self._where()
        utf8_ok = client.has_extn("smtputf8")
        if sender_utf8 and not utf8_ok:
            raise PermanentFailure(f"{where} does not offer SMTPUTF8, which the sender's address needs")
        refused: Refused = {}
        sendable = {}
        for original, address, utf8 in recipients:
            if utf8 and not utf8_ok:
                refused[original] = (553, f"553 5.6.7 {where} does not offer SMTPUTF8, which this address needs")
            else:
                sendable[address] = original
        if not sendable:
            return refused
        head_8bit = not data.partition(b"\r\n\r\n")[0].isascii()
        utf8 = utf8_ok and (sender_utf8 or head_8bit or not all(a.isascii() for a in sendable))
        payload = data if utf8 or not head_8bit else downgraded(data)
        try:
            got = client.sendmail(sender, list(sendable), payload, mail_options=["SMTPUTF8"] if utf8 else [])
        except smtplib.SMTPRecipientsRefused as e:
            got = _all_refused(e.recipients, where)
        refused.update({sendable.get(r, r): (code, _reply(code, text)) for r, (code, text) in got.items()})
        return refused

    def _failure(self, e: Exception) -> TemporaryFailure | PermanentFailure:
        import smtplib

        where = self._where()
        if isinstance(e, (TemporaryFailure, PermanentFailure)):
            return e
        if isinstance(e, smtplib.SMTPSenderRefused):
            return _classify(e.smtp_code, f"{where} refused sender {e.sender}: {_reply(e.smtp_code, e.smtp_error)}")
        if isinstance(e, smtplib.SMTPAuthenticationError):
            # The server's reply is shown, never what was sent: that carried the password.
            return _classify(
                e.smtp_code,
                f"{where}: authentication failed for {self.username}: {_reply(e.smtp_code, e.smtp_error)}",
                setup=True,
            )
        if isinstance(e, smtplib.SMTPHeloError):
            return _classify(e.smtp_code, f"{where}: {_reply(e.smtp_code, e.smtp_error)}", setup=True)
        if isinstance(e, smtplib.SMTPNotSupportedError):
            return SettingsFailure(f"{where}: {e}")
        if isinstance(e, smtplib.SMTPServerDisconnected):
            return TemporaryFailure(f"{where}: connection closed unexpectedly")
        if isinstance(e, smtplib.SMTPResponseException):
            return _classify(e.smtp_code, f"{where}: {_reply(e.smtp_code, e.smtp_error)}")
        if isinstance(e, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
            return TemporaryFailure(f"{where}: connection closed unexpectedly")
        if isinstance(e, ssl.SSLError):
            return SettingsFailure(f"{where}: TLS failed ({e.reason or e})")
        if isinstance(e, (socket.timeout, TimeoutError)):
            return TemporaryFailure(f"{where}: timed out", unreachable=True)
        if isinstance(e, smtplib.SMTPException):
            return TemporaryFailure(f"{where}: {e}")
        if isinstance(e, OSError):
            return TemporaryFailure(f"{where}: {e.strerror or e}")
        return classify(e)


def _login(client, username: str, password: str) -> None:
    """AUTH, also for non-ASCII passwords: smtplib encodes credentials as ASCII and crashes on
    "Pässwort", while RFC 4616 (PLAIN) and common practice (LOGIN) send UTF-8."""
    import base64
    import smtplib

    if (username + password).isascii():
        client.login(username, password)
        return
    client.ehlo_or_helo_if_needed()
    offered = (client.esmtp_features.get("auth") or "").upper().split()
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    if "PLAIN" in offered:
        code, resp = client.docmd("AUTH", "PLAIN " + b64(b"\0" + username.encode() + b"\0" + password.encode()))
    elif "LOGIN" in offered:
        code, resp = client.docmd("AUTH", "LOGIN " + b64(username.encode()))
        if code == 334:
            code, resp = client.docmd(b64(password.encode()))
    else:
        raise SettingsFailure("the server offers no AUTH method for a non-ASCII password")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _all_refused(recipients: dict, where: str) -> Refused:
    """Every recipient refused: temporary if any refusal was 4xx (try those again), else report them all."""
    out = {r: (code, _reply(code, text)) for r, (code, text) in recipients.items()}
    if any(400 <= code < 500 for code, _ in out.values()):
        raise TemporaryFailure(
            f"{where}: recipients deferred: " + "; ".join(f"{r}: {reply}" for r, (_, reply) in out.items())
        )
    return out


def _classify(code: int, message: str, *, setup: bool = False):
    if 400 <= (code or 0) < 500:
        return TemporaryFailure(message)
    return (SettingsFailure if setup else PermanentFailure)(message)


def _quit(client) -> None:
    try:
        client.quit()
    except Exception:  # the message was already accepted or refused; a rude hang-up changes nothing
        try:
            client.close()
        except Exception:
            pass


@dataclass
class SendmailTransport:
    """The local sendmail program (Postfix, Exim, msmtp, nullmailer all provide one).

    Recipients are passed as arguments rather than ``-t`` so Bcc reaches its
    readers without ever being in the transmitted headers.
    """

    path: str = "/usr/sbin/sendmail"
    args: tuple[str, ...] = ("-oi",)
    timeout: float = 60.0

    def describe(self) -> str:
        return f"sendmail ({self.path})"

    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused:
        (sender, _), recipients, refused = _envelope_addresses(envelope)
        if not recipients:
            return refused
        cmd = [self.path, *self.args, "-f", sender, "--", *(address for _, address, _ in recipients)]
        try:
            proc = subprocess.run(cmd, input=wire_bytes(msg), capture_output=True, timeout=self.timeout)
        except FileNotFoundError:
            raise SettingsFailure(f"{self.path}: sendmail program not found") from None
        except subprocess.TimeoutExpired:
            raise TemporaryFailure(f"{self.path}: no answer after {self.timeout:g}s") from None
        except OSError as e:
            raise SettingsFailure(f"{self.path}: cannot run ({e.strerror})") from None
        if proc.returncode:
            why = " ".join(proc.stderr.decode("utf-8", "replace").split())[:200] or f"exit code {proc.returncode}"
            # sysexits.h: 75 EX_TEMPFAIL, 69 EX_UNAVAILABLE, 74 EX_IOERR, 71 EX_OSERR are worth retrying;
            # 65 EX_DATAERR, 67 EX_NOUSER, 68 EX_NOHOST blame the message; the rest, the setup
            if proc.returncode in (69, 71, 74, 75):
                raise TemporaryFailure(f"{self.path}: {why}")
            raise (PermanentFailure if proc.returncode in (65, 67, 68) else SettingsFailure)(f"{self.path}: {why}")
        return refused


@dataclass
class FileTransport:
    """Write the message as an .eml file (a directory gets one file per Message-ID).

    Bcc is kept: the file is a draft that ``briefing send FILE.eml`` can send later.
    """

    path: str

    def describe(self) -> str:
        return f"file {self.path}"

    def target(self, msg: EmailMessage) -> Path:
        p = Path(self.path)
        if p.is_dir() or self.path.endswith(os.sep):
            mid = str(msg.get("Message-ID", "message")).strip("<>").replace("/", "_").replace(os.sep, "_")
            return p / f"{mid}.eml"
        return p

    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused:
        target = self.target(msg)
        try:
            write_atomic(target, message_bytes(msg))
        except OutputError as e:
            raise SettingsFailure(str(e)) from None
        return {}


@dataclass
class MaildirTransport:
    """Deliver into a Maildir folder (created if missing), as a local delivery agent would."""

    path: str

    def describe(self) -> str:
        return f"maildir {self.path}"

    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused:
        import mailbox

        try:
            box = mailbox.Maildir(self.path, create=True)
            # A delivered copy: Bcc removed, as every recipient's server would.
            box.add(wire_bytes(msg).replace(b"\r\n", b"\n"))
        except OSError as e:
            raise SettingsFailure(f"{self.path}: cannot deliver to Maildir ({e.strerror})") from None
        return {}
