"""Shared fixtures: the real CLI (in-process and as a subprocess) and a real HTTP server on localhost."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_TXT = SAMPLES / "biden-putin-call.txt"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def cli_run():
    """Run `briefing ARGS` in-process through click (fast: the spaCy model stays loaded)."""
    from click.testing import CliRunner

    from briefing.cli import cli

    def run(*args, input=None):
        runner = CliRunner()
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def main_run(capsys):
    """`briefing ARGS` in-process through ``briefing.cli.main`` (the console script's entry point, with its
    exit-code mapping) -> (exit code, stdout, stderr). The spaCy model stays loaded between calls."""
    from briefing.cli import main

    def run(*args):
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        else:  # pragma: no cover - main always exits
            code = 0
        out, err = capsys.readouterr()
        return code, out, err

    return run


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str


def run_briefing(*args, input: str | bytes | None = None, cwd=None, env=None, timeout=120) -> Proc:
    """Run `python -m briefing ARGS` as a user would, from a directory outside the checkout."""
    full_env = {**os.environ, **(env or {})}
    p = subprocess.run(
        [sys.executable, "-m", "briefing", *map(str, args)],
        input=input,
        capture_output=True,
        cwd=cwd or "/",
        env=full_env,
        timeout=timeout,
        text=not isinstance(input, bytes),
    )
    out, err = p.stdout, p.stderr
    if isinstance(out, bytes):
        out, err = out.decode(), err.decode()
    return Proc(p.returncode, out, err)


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between bytes of the body: a server that never quite stops
    trickle_head: bool = False  # trickle the status line and headers too, not only the body


class LocalServer:
    """A real HTTP server on a loopback address. ``requests`` lists every path asked for, so a
    test can show that a refused URL was never requested."""

    def __init__(self, host: str = "127.0.0.1", tls=None):
        self.routes: dict[str, Route] = {}
        self.scheme = "https" if tls is not None else "http"
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                requests.append(self.path)
                route = routes.get(self.path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay:
                    time.sleep(route.delay)
                try:
                    if route.trickle_head:
                        self._trickle(self._head(route) + route.body, route.trickle)
                        return
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if route.trickle:
                        self._trickle(route.body, route.trickle)
                    else:
                        self.wfile.write(route.body)
                except OSError:  # the client hung up (or, over TLS, dropped the connection)
                    pass

            def _head(self, route: Route) -> bytes:
                lines = [
                    f"HTTP/1.0 {route.status} OK",
                    f"Content-Type: {route.content_type}",
                    f"Content-Length: {len(route.body)}",
                    *(f"{k}: {v}" for k, v in route.headers.items()),
                ]
                return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

            def _trickle(self, data: bytes, pause: float) -> None:
                for i in range(len(data)):
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                    time.sleep(pause)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        if tls is not None:  # an ssl.SSLContext for the server side: HTTPS
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        # a short poll interval: shutting the server down after each test takes no time
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def add(self, path: str, body: bytes | str, **kw) -> str:
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, **kw)
        return self.base + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, b"", status=status, headers={"Location": location})

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    server = LocalServer()
    yield server
    server.close()


# Fixtures that start a real server: a test that takes one, directly or through another fixture, is
# end to end (`-m e2e`). Tests that run the CLI in a subprocess carry the mark themselves.
SERVER_FIXTURES = {"http_server", "smtp_server", "silent_port", "trickle_port"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
