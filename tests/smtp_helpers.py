"""Real mail servers for the delivery tests: aiosmtpd on localhost (plain, STARTTLS,
implicit TLS, AUTH, SMTPUTF8 or not, 4xx that recovers, per-recipient refusals, a message
refused for its content, a hang-up after DATA), a port nobody listens on, a server that
never answers, one that answers a byte at a time forever, certificates made for the test,
and a Brief with non-ASCII and hostile text. Import the fixtures into a test module to use them."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from briefing.models import Brief, Entity, Quote, ScoredSentence, Sentence

PASSWORD = "s3cret-Pässwörd-42"
USER = "briefing"


# --- a Brief with what email gets wrong: non-ASCII everywhere, and an article that attacks ------
HOSTILE = (
    "<script>document.title='pwned'</script> Click "
    "<a href=\"javascript:document.title='pwned'\">here</a> "
    "<img src=x onerror=\"document.title='pwned'\">."
)


def make_brief(hostile: bool = False, title: str = "Zoë Müller wins the Étoile prize in Zürich") -> Brief:
    texts = [
        "Zoë Müller, the Swiss engineer, won the Étoile prize in Zürich on Thursday, the jury said.",
        "The prize of 50 000 francs will pay for a new laboratory in Basel — «a great honour», she said.",
    ]
    if hostile:
        texts.append(HOSTILE)
    source = {
        "path": None,
        "url": "https://example.org/zoe",
        "name": "Le Temps",
        "author": "Jérôme Dupré",
        "published": "2024-05-02",
        "reference_date": "2024-05-02",
        "format": "text",
        "words": 60,
        "sentences": len(texts),
    }
    return Brief(
        id="zoe-1",
        title=title,
        algorithm="news",
        source=source,
        summary=[ScoredSentence(Sentence(t, 0, len(t), i), 1.0 - i / 10) for i, t in enumerate(texts)],
        who=[Entity("Zoë Müller", "person", mentions=3, role="engineer")],
        where=[Entity("Zürich", "place"), Entity("Basel", "place")],
        when=[],
        quotes=[Quote("Zoë Müller", "It is a great honour")],
    )


# --- certificates --------------------------------------------------------------------------------
@dataclass
class Certs:
    ca: Path
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def make_certs(directory: Path) -> Certs:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it (so the client
    verifies for real, trusting only this CA through `smtp_cafile`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "briefing test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "server.pem").write_bytes(cert.public_bytes(pem))
    (directory / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Certs(directory / "ca.pem", directory / "server.pem", directory / "server.key")


# --- SMTP servers ---------------------------------------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated: bool = False
    tls: bool = False

    @property
    def message(self):
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Recorder:
    """aiosmtpd handler: keeps what it accepts; can defer DATA ``defer`` times, refuse recipients,
    refuse a message whose content holds a marker, hang up instead of answering DATA."""

    defer: int = 0
    defer_reply: str = "451 4.3.0 Try again later"
    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply ("550 ...", "450 ...")
    reject: dict[bytes, str] = field(default_factory=dict)  # a marker in the message -> its DATA reply
    hangup: int = 0  # close the connection instead of answering DATA, this many times
    received: list[Received] = field(default_factory=list)
    attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.attempts += 1
        if self.hangup > 0:
            self.hangup -= 1
            server.transport.close()  # the whole message arrived; the reply never will
            return "250 never sent"
        if self.defer > 0:
            self.defer -= 1
            return self.defer_reply
        for marker, reply in self.reject.items():
            if marker in envelope.content:
                return reply
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                bytes(envelope.content),
                authenticated=bool(session.authenticated),
                tls=(
                    session.ssl is not None  # STARTTLS
                    or server.transport.get_extra_info("ssl_object") is not None
                ),
            )
        )
        return "250 2.0.0 Accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class SMTPServer:
    def __init__(
        self,
        handler: Recorder | None = None,
        *,
        certs: Certs | None = None,
        mode: str = "plain",
        auth: bool = False,
        auth_require_tls: bool = True,
        smtputf8: bool = False,
    ):
        from aiosmtpd.controller import Controller

        self.handler = handler or Recorder()
        self.port = free_port()
        kwargs = {"enable_SMTPUTF8": smtputf8}
        if mode == "starttls":
            kwargs.update(tls_context=certs.server_context(), require_starttls=True)
        if auth:
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=auth_require_tls)
        ssl_context = certs.server_context() if mode == "tls" else None
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ssl_context=ssl_context, ready_timeout=10, **kwargs
        )
        self.controller.start()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self):
        self.controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def certs(tmp_path_factory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture
def smtp_server():
    """A factory: smtp_server(mode=..., auth=..., handler=...) -> a running server, stopped after the test."""
    servers = []

    def start(**kw) -> SMTPServer:
        s = SMTPServer(**kw)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections and never says a word (a hung server)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield s.getsockname()[1]
    s.close()


@pytest.fixture
def trickle_port():
    """A server that greets one byte at a time, forever ("220-" continuation lines): every read
    returns within any socket timeout, so only a deadline on the whole conversation ends it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def talk(conn):
        with conn:
            line = b"220-slowly.example greets you, one byte at a time\r\n"
            end = time.monotonic() + 60  # a bound for a client that never gives up
            while not stop.is_set() and time.monotonic() < end:
                for b in line:
                    if stop.wait(0.02):
                        return
                    try:
                        conn.sendall(bytes([b]))
                    except OSError:
                        return

    def accept():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=talk, args=(conn,), daemon=True).start()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(5)
    srv.close()


# --- PNG, for the Chromium screenshot -------------------------------------------------------------
def png_pixels(data: bytes) -> tuple[int, int, int, bytes]:
    """Decode an 8-bit RGB(A) non-interlaced PNG -> (width, height, channels, raw pixels)."""
    import struct

    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return width, height, channels, bytes(out)
