"""Fetching URLs safely: http(s) only, public addresses only, one deadline, a size limit.

Used by the single-article reader and the digest's feed reader alike.

- Where: by default only public addresses are fetched, so a feed or a redirect cannot make
  us read the cloud's metadata service (169.254.169.254), a router's admin page or a
  service on this machine. The check is made on the address the socket actually connects
  to: the name is resolved once, every address is checked, and the socket connects to a
  checked address; so is every redirect hop. DNS rebinding gets nothing: there is no
  second lookup to answer differently. ``allow_private`` opens the user's own network.
- How long: ``timeout`` is a deadline for the whole download (lookup, connect, TLS,
  headers, body and every redirect), not for each socket read: a server that sends a
  byte a second is cut off when the deadline passes, not hours later.
- How much: at most ``max_bytes`` of body, and at most 5 redirects.
- Again: a caller that kept a response's ``ETag`` / ``Last-Modified`` passes them back
  (``etag``, ``last_modified``) and the request is conditional; ``304 Not Modified`` is then
  a success with no body (``Fetched.not_modified``). A 304 to a request that sent no
  validators is an error, as any other status outside 2xx.

Proxies from the environment are not used: a proxy would resolve names itself, out of
reach of the address check.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import math
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

from .._version import __version__
from ..errors import FetchError

DEFAULT_TIMEOUT = 15.0
MAX_TIMEOUT = 3600.0  # an hour for one download is already far beyond any real feed
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = f"news-briefing/{__version__} (+https://pypi.org/project/news-briefing/)"
_CHUNK = 64 * 1024
_REDIRECT_CODES = (301, 302, 303, 307, 308)
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # left as they are when a path is quoted for the request line


@dataclass
class Fetched:
    url: str  # final URL after redirects
    content: bytes
    content_type: str  # lower-case media type without parameters
    charset: str | None
    status: int = 200
    etag: str | None = None  # the response's validators, to send back next time (None: none, or unusable)
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """304 to a conditional request: what the caller kept is still current (``content`` is empty)."""
        return self.status == 304


MAX_VALIDATOR = 1024  # an ETag or a date longer than this is not one to send back


def _validator(value: str | None) -> str | None:
    """A header value fit to be sent back as it came: printable ASCII, no line breaks, not too long."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > MAX_VALIDATOR or not all(" " <= c <= "~" for c in value):
        return None
    return value


# ---------------------------------------------------------------- which addresses


LOOPBACK = "a loopback address"
PRIVATE = "a private address"
SHARED = "a shared (carrier-grade NAT) address"
LINK_LOCAL = "a link-local address"
NON_PUBLIC = "a non-public address"
MULTICAST = "a multicast address"
UNSPECIFIED = "an unspecified address"
RESERVED = "a reserved address"
_OWN_NETWORK = frozenset({LOOPBACK, PRIVATE, SHARED, LINK_LOCAL, NON_PUBLIC})  # what --allow-private opens

_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, NAT64): it is where packets end up."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def classify_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """None for a public address; else what it is ("a loopback address", ...)."""
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return classify_address(inner)
    if ip.is_unspecified:
        return UNSPECIFIED
    if ip.is_loopback:
        return LOOPBACK
    if ip.is_link_local:
        return LINK_LOCAL
    if ip.is_multicast:
        return MULTICAST
    if ip.is_reserved:
        return RESERVED
    if ip.version == 4 and ip in _CGNAT:
        return SHARED
    if any(ip in net for net in _RFC1918):
        return PRIVATE
    if not ip.is_global or (ip.version == 6 and ip.is_site_local):
        return NON_PUBLIC  # documentation, benchmarking, Teredo, deprecated site-local...
    return None


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses may be fetched. ``allowed`` lets exact addresses through whatever they are
    (one intranet host; a test server), without opening the rest of the network."""

    allow_private: bool = False
    allowed: frozenset[str] = frozenset()

    def refusal(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        """None when ``ip`` may be fetched; else what kind of address it is."""
        if str(ip) in self.allowed:
            return None
        kind = classify_address(ip)
        if kind is None or (self.allow_private and kind in _OWN_NETWORK):
            return None
        return kind


class _Refused(Exception):
    def __init__(self, host: str, ip, kind: str):
        literal = host == str(ip) or host.strip("[]") == str(ip)
        said = f"{ip} is {kind}" if literal else f"{host} resolves to {ip}, {kind}"
        if kind in _OWN_NETWORK:
            super().__init__(f"{said}; use --allow-private to fetch from your own network")
        else:
            super().__init__(f"{said}, which is never fetched")


# ---------------------------------------------------------------- one deadline


class _TimedOut(Exception):
    pass


class _Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; raises ``_TimedOut`` once there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise _TimedOut
        return left


class _DeadlineReader(io.RawIOBase):
    """Socket reads that each wait only as long as the deadline has left."""

    def __init__(self, owner: _DeadlineSocket):
        self._owner = owner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        sock = self._owner.sock
        sock.settimeout(self._owner.deadline.left())
        return sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._owner.reader_closed()
        super().close()


class _DeadlineSocket:
    """What http.client needs of a socket (sendall, makefile, close), held to the deadline.

    Like a real socket, it stays open while a response still reads from it: http.client
    closes the connection as soon as the headers say it will not be reused.
    """

    def __init__(self, sock, deadline: _Deadline):
        self.sock, self.deadline = sock, deadline
        self._readers = 0
        self._closed = False

    def sendall(self, data) -> None:
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs):
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and not self._readers:
            self.sock.close()

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self.sock.close()


# ---------------------------------------------------------------- connecting to checked addresses


def _lookup(host: str, port: int, deadline: _Deadline) -> list[tuple]:
    """getaddrinfo within the deadline (it has no timeout of its own, so it runs in a daemon
    thread that is left behind if the resolver hangs)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # an address literal: nothing to look up
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]
    box: dict = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except Exception as e:  # re-raised in the caller's thread
            box["error"] = e

    worker = threading.Thread(target=run, name="briefing-dns", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if worker.is_alive():
        raise _TimedOut
    if "error" in box:
        raise box["error"]
    return box["infos"]


def _connect(host: str, port: int, policy: NetworkPolicy, deadline: _Deadline) -> socket.socket:
    """A socket connected to an address of ``host`` that the policy allows."""
    refused: _Refused | None = None
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in _lookup(host, port, deadline):
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])  # fe80::1%eth0: the zone is no part of it
        why = policy.refusal(ip)
        if why is not None:
            refused = refused or _Refused(host, ip, why)
            continue
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(deadline.left())
            sock.connect(sockaddr)  # the checked address itself: no second lookup
            return sock
        except TimeoutError:
            sock.close()
            raise  # the deadline is spent: no time for the next address
        except OSError as e:
            sock.close()
            error = e  # refused, unreachable: try the next address
        except BaseException:
            sock.close()
            raise
    if error is not None:
        raise error
    if refused is not None:
        raise refused
    raise OSError(f"no address for {host}")


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, policy: NetworkPolicy, deadline: _Deadline):
        super().__init__(host, port)
        self._policy, self._deadline = policy, deadline

    def connect(self) -> None:
        self.sock = _DeadlineSocket(_connect(self.host, self.port, self._policy, self._deadline), self._deadline)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, policy: NetworkPolicy, deadline: _Deadline):
        super().__init__(host, port)
        self._policy, self._deadline = policy, deadline

    def connect(self) -> None:
        raw = _connect(self.host, self.port, self._policy, self._deadline)
        try:
            raw.settimeout(self._deadline.left())  # the handshake as a whole
            context: ssl.SSLContext = self._context  # type: ignore[attr-defined]  # http.client's, undeclared
            tls = context.wrap_socket(raw, server_hostname=self.host)  # SNI and certificate: the name
        except BaseException:
            raw.close()
            raise
        self.sock = _DeadlineSocket(tls, self._deadline)


class _ConnectFailed(Exception):
    """Nothing was sent: the connection itself failed (wraps the OSError)."""


# ---------------------------------------------------------------- fetching


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    if not parts.hostname:
        raise FetchError(f"{url}: no host name")
    return url


def check_timeout(timeout, what: str = "timeout") -> float:
    """A finite number of seconds above 0 and at most ``MAX_TIMEOUT``; FetchError otherwise."""
    ok = (
        isinstance(timeout, (int, float))
        and not isinstance(timeout, bool)
        and math.isfinite(timeout)
        and 0 < timeout <= MAX_TIMEOUT
    )
    if not ok:
        raise FetchError(f"{what} must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {timeout!r}")
    return float(timeout)


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    accept: str = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5",
    allow_private: bool = False,
    policy: NetworkPolicy | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url``; raise ``FetchError`` with a one-line reason on any failure.

    ``timeout`` bounds the whole download, redirects included. Only public addresses are
    fetched unless ``allow_private`` (or a ``policy``) says otherwise. With ``etag`` and/or
    ``last_modified`` (what an earlier response said) the request is conditional, and a
    ``304 Not Modified`` comes back as a ``Fetched`` whose ``not_modified`` is true.
    """
    check_url(url)
    try:
        check_timeout(timeout)
    except FetchError as e:
        raise FetchError(f"{url}: {e}") from None
    policy = policy or NetworkPolicy(allow_private=allow_private)
    deadline = _Deadline(timeout)
    validators = (("If-None-Match", _validator(etag)), ("If-Modified-Since", _validator(last_modified)))
    conditional = {name: value for name, value in validators if value}
    try:
        return _follow(url, deadline, policy, max_bytes, accept, conditional)
    except FetchError:
        raise
    except (_TimedOut, TimeoutError):
        raise FetchError(f"{url}: timed out after {timeout:g}s") from None
    except _Refused as e:
        raise FetchError(f"{url}: {e}") from None
    except _ConnectFailed as e:
        raise FetchError(f"{url}: cannot connect ({_reason(e.__cause__)})") from None
    except http.client.IncompleteRead:
        raise FetchError(f"{url}: the connection closed before the whole response arrived") from None
    except http.client.RemoteDisconnected:
        raise FetchError(f"{url}: the server closed the connection without a response") from None
    except http.client.HTTPException as e:
        raise FetchError(f"{url}: not a valid HTTP response ({type(e).__name__}: {e})") from None
    except (OSError, ValueError, UnicodeError) as e:
        raise FetchError(f"{url}: {_reason(e)}") from None


def _reason(e: BaseException | None) -> str:
    import ssl

    if isinstance(e, ssl.SSLCertVerificationError):
        return f"certificate not trusted: {e.verify_message}"
    if isinstance(e, socket.gaierror):
        return e.strerror or str(e)
    return str(e) or type(e).__name__


def _follow(
    url: str, deadline: _Deadline, policy: NetworkPolicy, max_bytes: int, accept: str, conditional: dict[str, str]
) -> Fetched:
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        result = _get_once(current, deadline, policy, max_bytes, accept, conditional)
        if isinstance(result, Fetched):
            return result
        target = urllib.parse.urljoin(current, result)
        try:
            check_url(target)
        except FetchError:
            raise FetchError(
                f"{url}: redirected to {target}, but only http:// and https:// URLs can be fetched"
            ) from None
        current = target
    raise FetchError(f"{url}: too many redirects (more than {MAX_REDIRECTS})")


def _get_once(
    url: str, deadline: _Deadline, policy: NetworkPolicy, max_bytes: int, accept: str, conditional: dict[str, str]
) -> Fetched | str:
    """One request: the response, or the Location of a redirect. ``conditional``: the
    If-None-Match / If-Modified-Since headers to send (a 304 is a success only with them)."""
    parts = urllib.parse.urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)  # ValueError for a bad port: the caller makes it one line
    cls = _HTTPSConnection if https else _HTTPConnection
    conn = cls(parts.hostname or "", port, policy=policy, deadline=deadline)
    target = urllib.parse.quote(parts.path or "/", safe=_URL_SAFE)
    if parts.query:
        target += "?" + urllib.parse.quote(parts.query, safe=_URL_SAFE)
    resp = None
    try:
        try:
            conn.connect()
        except (_TimedOut, _Refused, TimeoutError):
            raise
        except (OSError, UnicodeError) as e:
            raise _ConnectFailed() from e
        headers = {"User-Agent": USER_AGENT, "Accept": accept, "Connection": "close", **conditional}
        conn.request("GET", target, headers=headers)
        resp = conn.getresponse()
        if resp.status in _REDIRECT_CODES:
            location = resp.getheader("Location")
            if not location:
                raise FetchError(f"{url}: HTTP {resp.status} {resp.reason} without a Location to go to")
            return location.strip()
        if resp.status == 304 and conditional:
            return Fetched(
                url=url,
                content=b"",
                content_type="",
                charset=None,
                status=304,
                etag=_validator(resp.getheader("ETag")),
                last_modified=_validator(resp.getheader("Last-Modified")),
            )
        if not 200 <= resp.status < 300:
            raise FetchError(f"{url}: HTTP {resp.status} {resp.reason}")
        body = _read_body(url, resp, max_bytes)
        return Fetched(
            url=url,
            content=body,
            content_type=resp.headers.get_content_type().lower(),
            charset=resp.headers.get_content_charset(),
            status=resp.status,
            etag=_validator(resp.getheader("ETag")),
            last_modified=_validator(resp.getheader("Last-Modified")),
        )
    finally:
        if resp is not None:
            resp.close()
        conn.close()


def _read_body(url: str, resp: http.client.HTTPResponse, max_bytes: int) -> bytes:
    length = resp.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise FetchError(f"{url}: too large ({int(length)} bytes, limit {max_bytes})")
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = resp.read(_CHUNK)  # every socket read inside waits only for what the deadline has left
        if not chunk:
            if resp.length:  # Content-Length promised more: a cut-off download is not a short document
                raise http.client.IncompleteRead(b"", resp.length)
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: too large (over {max_bytes} bytes)")
        chunks.append(chunk)
