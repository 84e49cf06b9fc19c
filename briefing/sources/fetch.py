"""Fetching URLs safely: http(s) only, timeouts, a size limit, content-type checks.

Used by the single-article reader and the digest's feed reader alike.
"""
from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .. import __version__
from ..errors import FetchError

DEFAULT_TIMEOUT = 15.0
MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = f"briefing/{__version__} (+https://pypi.org/project/briefing/)"


@dataclass
class Fetched:
    url: str  # final URL after redirects
    content: bytes
    content_type: str  # lower-case media type without parameters
    charset: str | None


def check_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    return url


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(urllib.parse.urljoin(req.full_url, newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_BYTES,
          accept: str = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5") -> Fetched:
    """GET ``url``; raise ``FetchError`` with a one-line reason on any failure."""
    check_url(url)
    opener = urllib.request.build_opener(_SafeRedirects)
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with opener.open(req, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: too large ({int(length)} bytes, limit {max_bytes})")
            body = resp.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(f"{url}: too large (over {max_bytes} bytes)")
            ctype = resp.headers.get_content_type().lower()
            charset = resp.headers.get_content_charset()
            return Fetched(url=resp.geturl(), content=body, content_type=ctype, charset=charset)
    except FetchError:
        raise
    except urllib.error.HTTPError as e:
        raise FetchError(f"{url}: HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"{url}: timed out after {timeout:g}s") from None
        raise FetchError(f"{url}: cannot connect ({reason})") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"{url}: timed out after {timeout:g}s") from None
    except (OSError, ValueError) as e:
        raise FetchError(f"{url}: {e}") from None
