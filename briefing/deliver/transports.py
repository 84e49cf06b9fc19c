"""Transports: how a composed message leaves this program.

Each transport has one method, ``send(msg, envelope) -> refused``, where
``refused`` maps the recipients that were refused for good to their reply
(``{"x@y": (550, "no such user")}``). Failures worth retrying raise
``TemporaryFailure``; failures that retrying cannot fix raise ``PermanentFailure``.
Messages not fit to be sent (bad addresses) raise before any transport runs.
"""
from __future__ import annotations

import os
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from ..errors import OutputError
from ..fileio import write_atomic
from .errors import PermanentFailure, TemporaryFailure
from .message import Envelope, message_bytes, wire_bytes

Refused = dict[str, tuple[int, str]]


class Transport(Protocol):
    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused: ...

    def describe(self) -> str: ...


def _reply(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(str(text).split())}"


@dataclass
class SMTPTransport:
    """SMTP: ``security`` is "none" (plain), "starttls" or "tls" (implicit TLS, port 465).

    The password is handed over already resolved (from an environment variable or a
    file, see settings.py); it is never put in a message, a log line or an error.
    """

    host: str = "localhost"
    port: int | None = None
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    cafile: str | None = None
    local_hostname: str | None = None

    def describe(self) -> str:
        return f"smtp://{self.host}:{self._port()} ({self.security})"

    def _port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587}.get(self.security, 25)

    def _context(self) -> ssl.SSLContext:
        # Certificates are always verified; a private CA is trusted through cafile, never by switching checks off.
        return ssl.create_default_context(cafile=self.cafile)

    def _connect(self):
        import smtplib

        where = f"{self.host}:{self._port()}"
        try:
            if self.security == "tls":
                client = smtplib.SMTP_SSL(self.host, self._port(), timeout=self.timeout,
                                          local_hostname=self.local_hostname, context=self._context())
            else:
                client = smtplib.SMTP(self.host, self._port(), timeout=self.timeout,
                                      local_hostname=self.local_hostname)
        except smtplib.SMTPConnectError as e:
            raise _classify(e.smtp_code, f"{where} refused the connection: {_reply(e.smtp_code, e.smtp_error)}")
        except ssl.SSLCertVerificationError as e:
            raise PermanentFailure(f"{where}: TLS certificate not trusted ({e.verify_message})") from None
        except ssl.SSLError as e:
            raise PermanentFailure(f"{where}: TLS failed ({e.reason or e})") from None
        except (socket.timeout, TimeoutError):
            raise TemporaryFailure(f"{where}: timed out connecting") from None
        except socket.gaierror as e:
            raise TemporaryFailure(f"{where}: cannot resolve host ({e.strerror})") from None
        except OSError as e:
            raise TemporaryFailure(f"{where}: cannot connect ({e.strerror or e})") from None
        try:
            if self.security == "starttls":
                client.ehlo()
                if not client.has_extn("starttls"):
                    # Sending the password in clear because the server did not offer TLS is what
                    # a downgrade attack wants: refuse instead.
                    raise PermanentFailure(f"{where} does not offer STARTTLS (set security = \"none\" "
                                           "only for a trusted local relay)")
                client.starttls(context=self._context())
                client.ehlo()
            if self.username:
                if self.password is None:
                    raise PermanentFailure("SMTP user given but no password (set password_env or password_file)")
                _login(client, self.username, self.password)
        except BaseException:
            _quit(client)
            raise
        return client

    def send(self, msg: EmailMessage, envelope: Envelope) -> Refused:
        import smtplib

        where = f"{self.host}:{self._port()}"
        try:
            client = self._connect()
            try:
                refused = client.sendmail(envelope.sender, envelope.recipients, wire_bytes(msg))
            finally:
                _quit(client)
        except smtplib.SMTPRecipientsRefused as e:
            return _all_refused(e.recipients, where)
        except smtplib.SMTPSenderRefused as e:
            raise _classify(e.smtp_code, f"{where} refused sender {e.sender}: {_reply(e.smtp_code, e.smtp_error)}")
        except smtplib.SMTPAuthenticationError as e:
            # The server's reply is shown, never what was sent: that carried the password.
            raise _classify(e.smtp_code, f"{where}: authentication failed for {self.username}: "
                                         f"{_reply(e.smtp_code, e.smtp_error)}")
        except smtplib.SMTPNotSupportedError as e:
            raise PermanentFailure(f"{where}: {e}") from None
        except smtplib.SMTPServerDisconnected:
            raise TemporaryFailure(f"{where}: connection closed unexpectedly") from None
        except smtplib.SMTPResponseException as e:
            raise _classify(e.smtp_code, f"{where}: {_reply(e.smtp_code, e.smtp_error)}")
        except ssl.SSLError as e:
            raise PermanentFailure(f"{where}: TLS failed ({e.reason or e})") from None
        except (socket.timeout, TimeoutError):
            raise TemporaryFailure(f"{where}: timed out") from None
        except smtplib.SMTPException as e:
            raise TemporaryFailure(f"{where}: {e}") from None
        except OSError as e:
            raise TemporaryFailure(f"{where}: {e.strerror or e}") from None
        return {r: (code, _reply(code, text)) for r, (code, text) in refused.items()}


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
        raise smtplib.SMTPNotSupportedError("the server offers no AUTH method for a non-ASCII password")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _all_refused(recipients: dict, where: str) -> Refused:
    """Every recipient refused: temporary if any refusal was 4xx (try those again), else report them all."""
    out = {r: (code, _reply(code, text)) for r, (code, text) in recipients.items()}
    if any(400 <= code < 500 for code, _ in out.values()):
        raise TemporaryFailure(f"{where}: recipients deferred: "
                               + "; ".join(f"{r}: {reply}" for r, (_, reply) in out.items()))
    return out


def _classify(code: int, message: str):
    return (TemporaryFailure if 400 <= (code or 0) < 500 else PermanentFailure)(message)


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
        cmd = [self.path, *self.args, "-f", envelope.sender, "--", *envelope.recipients]
        try:
            proc = subprocess.run(cmd, input=wire_bytes(msg), capture_output=True, timeout=self.timeout)
        except FileNotFoundError:
            raise PermanentFailure(f"{self.path}: sendmail program not found") from None
        except subprocess.TimeoutExpired:
            raise TemporaryFailure(f"{self.path}: no answer after {self.timeout:g}s") from None
        except OSError as e:
            raise PermanentFailure(f"{self.path}: cannot run ({e.strerror})") from None
        if proc.returncode:
            why = " ".join(proc.stderr.decode("utf-8", "replace").split())[:200] or f"exit code {proc.returncode}"
            # sysexits.h: 75 EX_TEMPFAIL, 69 EX_UNAVAILABLE, 74 EX_IOERR, 71 EX_OSERR are worth retrying
            cls = TemporaryFailure if proc.returncode in (69, 71, 74, 75) else PermanentFailure
            raise cls(f"{self.path}: {why}")
        return {}


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
            raise PermanentFailure(str(e)) from None
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
            raise PermanentFailure(f"{self.path}: cannot deliver to Maildir ({e.strerror})") from None
        return {}
