"""Fetching is bounded and goes only where it should: public addresses by default, a deadline for
the whole download, at most 5 redirects and http(s) only.

Real servers on loopback addresses (conftest's LocalServer); the production address check is the
one exercised: a test that needs one loopback server to be reachable lets exactly that address
through (``NetworkPolicy(allowed=...)``) and nothing else.
"""

from __future__ import annotations

import ipaddress
import sys

import pytest
from conftest import SAMPLES, LocalServer, run_briefing

from briefing.errors import FetchError
from briefing.sources.fetch import NetworkPolicy, classify_address, fetch

PAGE = (SAMPLES / "harbour-bridge.html").read_bytes()


@pytest.fixture
def second_server():
    """Another loopback address (127.0.0.2): the target of redirects a test wants refused."""
    server = LocalServer("127.0.0.2")
    yield server
    server.close()


# ---------------------------------------------------------------- the address check


@pytest.mark.parametrize(
    "address, kind",
    [
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.0.10", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),  # carrier-grade NAT
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        # IPv6 forms that carry an IPv4 address are judged by that address
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("2002:a9fe:a9fe::", "link-local"),
        ("192.0.2.1", "non-public"),
        ("198.18.0.1", "non-public"),
        ("fec0::1", "non-public"),
    ],
)
def test_address_classes(address, kind):
    got = classify_address(ipaddress.ip_address(address))
    if kind is None:
        assert got is None
    else:
        assert got is not None and kind in got, (address, got)


def test_allow_private_opens_own_network_only():
    policy = NetworkPolicy(allow_private=True)
    for ok in ("127.0.0.1", "10.0.0.1", "169.254.169.254", "fd00::1", "100.64.0.1", "8.8.8.8"):
        assert policy.refusal(ipaddress.ip_address(ok)) is None, ok
    for never in ("0.0.0.0", "224.0.0.1", "255.255.255.255"):  # not a host on anyone's network
        assert policy.refusal(ipaddress.ip_address(never)) is not None, never
    assert NetworkPolicy().refusal(ipaddress.ip_address("10.0.0.1"))


# ---------------------------------------------------------------- refused before any request


def test_loopback_url_is_refused_by_default_and_never_requested(http_server):
    url = http_server.add("/news.html", PAGE)
    with pytest.raises(FetchError) as err:
        fetch(url)
    msg = str(err.value)
    assert "127.0.0.1" in msg and "loopback" in msg and "--allow-private" in msg and "\n" not in msg
    assert http_server.requests == []
    assert fetch(url, allow_private=True).content == PAGE  # the opt-in
    assert http_server.requests == ["/news.html"]


@pytest.mark.parametrize(
    "host", ["localhost", "2130706433", "0x7f.0.0.1", "017700000001", "127.1", "[::ffff:127.0.0.1]"]
)
def test_names_and_spellings_of_loopback_are_refused(http_server, host):
    """The check is on the address the name resolves to, so no spelling of 127.0.0.1 gets through."""
    http_server.add("/news.html", PAGE)
    port = http_server.httpd.server_address[1]
    with pytest.raises(FetchError) as err:
        fetch(f"http://{host}:{port}/news.html")
    assert "--allow-private" in str(err.value), str(err.value)
    assert http_server.requests == []


@pytest.fixture
def connections():
    """Every socket connect and DNS lookup made while the list is active (an audit hook: hooks
    cannot be removed, so it stays installed and only records while asked to)."""
    record: list = []
    state = {"on": True}

    def hook(event, args):
        if state["on"] and event in ("socket.connect", "socket.getaddrinfo"):
            record.append((event, args[1] if event == "socket.connect" else args[0]))

    sys.addaudithook(hook)
    yield record
    state["on"] = False


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[::ffff:169.254.169.254]/latest/",
        "http://0.0.0.0:8080/",
        "http://10.0.0.1/admin",
        "https://192.168.1.1/",
    ],
)
def test_address_literals_are_refused_without_any_connection(url, connections):
    with pytest.raises(FetchError) as err:
        fetch(url, timeout=5)
    assert "address" in str(err.value) and "timed out" not in str(err.value)
    assert not [c for c in connections if c[0] == "socket.connect"], connections


# ---------------------------------------------------------------- redirects


def test_redirect_to_a_refused_address_is_refused_on_that_hop(http_server, second_server, connections):
    secret = second_server.add("/secret", "internal")
    http_server.redirect("/go", secret)
    http_server.redirect("/meta", "http://169.254.169.254/latest/meta-data/")
    only_first = NetworkPolicy(allowed=frozenset({"127.0.0.1"}))
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/go", policy=only_first)
    assert "127.0.0.2" in str(err.value) and "--allow-private" in str(err.value)
    assert http_server.requests == ["/go"] and second_server.requests == []
    connections.clear()
    with pytest.raises(FetchError) as err:
        fetch(http_server.base + "/meta", policy=only_first)
    assert "169.254.169.254" in str(err.value) and "link-local" in str(err.value)
    assert [c for c in connections if c[0] == "socket.connect"] == [
        ("socket.connect", ("127.0.0.1", http_server.httpd.server_address[1]))
    ]
    # with the opt-in the same chain is followed to its end
    got = fetch(http_server.base + "/go", allow_private=True)
    assert got.content == b"internal" and got.url == secret


def test_redirects_at_most_five_and_http_only(http_server):
    http_server.add("/end", PAGE)
    for i in range(6):
        http_server.redirect(f"/r{i}", f"/r{i + 1}" if i < 5 else "/end", status=(301, 302, 303, 307, 308)[i % 5])
    assert fetch(http_server.base + "/r1", allow_private=True).url == http_server.base + "/end"  # 5 redirects
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(http_server.base + "/r0", allow_private=True)  # 6 redirects
    for target in ("ftp://example.org/a", "file:///etc/passwd", "gopher://example.org/"):
        http_server.redirect("/odd", target)
        with pytest.raises(FetchError, match="only http:// and https://"):
            fetch(http_server.base + "/odd", allow_private=True)
    http_server.add("/nowhere", b"", status=302)
    with pytest.raises(FetchError, match="302"):
        fetch(http_server.base + "/nowhere", allow_private=True)


# ---------------------------------------------------------------- deadlines


def test_timeout_must_be_a_finite_positive_number(http_server):
    url = http_server.add("/a", PAGE)
    for bad in (float("nan"), float("inf"), -5, 0, 1e308):
        with pytest.raises(FetchError) as err:
            fetch(url, timeout=bad, allow_private=True)
        assert "timeout" in str(err.value)
    assert http_server.requests == []


@pytest.mark.slow
@pytest.mark.parametrize("head", [False, True], ids=["body", "headers"])
def test_a_trickling_server_is_cut_off_at_the_deadline(http_server, head):
    """One byte every 0.2 s: each read is quick, the download never ends. --timeout is for the whole
    download, so summarize gives up after 1 s (the subprocess timeout only stops a regression)."""
    url = http_server.add(
        "/slow.html", b"<html><body><p>" + b"x" * 300 + b"</p></body></html>", trickle=0.2, trickle_head=head
    )
    p = run_briefing("summarize", url, "--timeout", "1", "--allow-private", timeout=30)
    assert p.returncode == 1
    assert p.stderr.strip() == f"briefing: error: {url}: timed out after 1s"


@pytest.mark.slow
def test_summarize_refuses_private_urls_unless_allowed(http_server):
    url = http_server.add("/news/bridge.html", PAGE)
    p = run_briefing("summarize", url)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1
    assert f"{url}: 127.0.0.1 is a loopback address; use --allow-private" in p.stderr
    assert http_server.requests == []
    p = run_briefing("summarize", url, "--allow-private", "-n", "1")
    assert p.returncode == 0, p.stderr
    assert "Kingsport Harbour Bridge" in p.stdout


def test_public_name_that_does_not_resolve_is_one_line():
    with pytest.raises(FetchError) as err:
        fetch("http://no-such-host.invalid/", timeout=5)
    assert "cannot connect" in str(err.value) and "\n" not in str(err.value)


def test_connected_address_is_the_checked_one(http_server, connections):
    """The name is resolved once and the socket connects to the address that was checked."""
    http_server.add("/a", PAGE)
    port = http_server.httpd.server_address[1]
    fetch(f"http://localhost:{port}/a", policy=NetworkPolicy(allowed=frozenset({"127.0.0.1", "::1"})))
    lookups = [c for c in connections if c[0] == "socket.getaddrinfo"]
    connects = [c[1] for c in connections if c[0] == "socket.connect"]
    assert [c[1] for c in lookups] == ["localhost"]
    assert connects and all(ipaddress.ip_address(addr[0]).is_loopback for addr in connects)


# ---------------------------------------------------------------- HTTPS


@pytest.fixture
def https_server(tmp_path):
    """HTTPS with a certificate for localhost and 127.0.0.1, signed by a CA made for the test."""
    from smtp_helpers import make_certs

    certs = make_certs(tmp_path)
    server = LocalServer(tls=certs.server_context())
    server.certs = certs
    yield server
    server.close()


def test_https_checks_the_certificate_against_the_name(https_server, monkeypatch):
    url = https_server.add("/news.html", PAGE)
    port = https_server.httpd.server_address[1]
    with pytest.raises(FetchError) as err:  # not signed by a CA this machine trusts
        fetch(url, allow_private=True, timeout=5)
    assert "certificate" in str(err.value) and "\n" not in str(err.value)
    monkeypatch.setenv("SSL_CERT_FILE", str(https_server.certs.ca))
    assert fetch(url, allow_private=True, timeout=5).content == PAGE
    assert fetch(f"https://localhost:{port}/news.html", allow_private=True, timeout=5).content == PAGE  # SNI, name
    other = LocalServer("127.0.0.2", tls=https_server.certs.server_context())
    try:
        other.add("/news.html", PAGE)
        with pytest.raises(FetchError) as err:  # 127.0.0.2 is not a name on the certificate
            fetch(other.base + "/news.html", allow_private=True, timeout=5)
        assert "certificate" in str(err.value) and "127.0.0.2" in str(err.value)
    finally:
        other.close()


@pytest.mark.slow
@pytest.mark.e2e
def test_https_trickle_is_cut_off_at_the_deadline(https_server):
    url = https_server.add("/slow.html", b"<html><body><p>" + b"x" * 300 + b"</p></body></html>", trickle=0.2)
    p = run_briefing(
        "summarize",
        url,
        "--timeout",
        "1",
        "--allow-private",
        timeout=30,
        env={"SSL_CERT_FILE": str(https_server.certs.ca)},
    )
    assert p.returncode == 1
    assert p.stderr.strip() == f"briefing: error: {url}: timed out after 1s"
