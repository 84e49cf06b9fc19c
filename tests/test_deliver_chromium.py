"""The HTML part in a real browser (headless Chromium): it renders, and a hostile article runs nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from smtp_helpers import HOSTILE, make_brief, png_pixels
from test_deliver_message import elements

from briefing.deliver import MailSettings, compose_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="needs Debian's chromium package (apt-get install chromium)"
    ),
    pytest.mark.e2e,
    pytest.mark.slow,
]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / "profile"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, timeout=120)


def html_part(brief, tmp_path: Path, template: str | None = None) -> Path:
    msg = compose_for(brief, MailSettings(sender="zoe@example.org", to=["j@example.com"]), template=template)
    path = tmp_path / "part.html"
    path.write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    return path


def dump_dom(tmp_path: Path, page: Path) -> str:
    # a little virtual time lets timers and onerror handlers run before the DOM is dumped
    p = chromium(tmp_path, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-500:]
    return p.stdout.decode("utf-8")


def test_html_part_renders_something(tmp_path):
    page = html_part(make_brief(), tmp_path)
    shot = tmp_path / "shot.png"
    p = chromium(tmp_path, f"--screenshot={shot}", "--window-size=800,1000", "--hide-scrollbars", page.as_uri())
    assert shot.exists(), p.stderr.decode(errors="replace")[-500:]
    width, height, channels, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (800, 1000)
    dark = sum(1 for i in range(0, len(pixels), channels) if sum(pixels[i : i + 3]) < 300)
    assert dark > 2000, "the screenshot is (nearly) blank"  # the title and text in dark ink


# What the sanitiser lets through of SVG (the timeline picture): shapes and text with plain attributes
SVG_ALLOWED = {
    "svg": {"viewbox", "width", "height", "aria-hidden", "font-family", "fill"},
    "g": {"fill", "stroke"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill", "stroke", "stroke-width"},
    "rect": {"x", "y", "width", "height", "fill", "stroke", "stroke-width"},
    "text": {"x", "y", "font-size", "font-weight", "text-anchor", "fill"},
}

HOSTILE_TEMPLATE = (
    "<html><head><title>{{ brief.title }}</title></head>"
    "<body onload=\"document.title='pwned'\"><h1>{{ brief.title }}</h1>"
    "<script>document.title='pwned'; document.body.appendChild(document.createElement('blink'))</script>"
    "<img src=x onerror=\"document.title='pwned'\">"
    "<svg><script>document.title='pwned'</script></svg>"
    "<a id=go href=\"javascript:document.title='pwned'\">go</a>"
    "<script>document.getElementById('go') && document.getElementById('go').click()</script>"
    "<p>{{ brief.summary[0].text }}</p></body></html>"
)


def test_hostile_user_template_without_sanitising_does_run(tmp_path):
    """The control: the same page, unsanitised, does change the title in this browser. So the
    next test would notice if the sanitiser let it through."""
    page = tmp_path / "raw.html"
    page.write_text(
        HOSTILE_TEMPLATE.replace("{{ brief.title }}", "Zoë").replace("{{ brief.summary[0].text }}", "x"),
        encoding="utf-8",
    )
    assert "pwned" in dump_dom(tmp_path, page)  # a changed title, or the javascript: link's result page


@pytest.mark.parametrize("via_template", [False, True])
def test_hostile_article_executes_nothing(tmp_path, via_template):
    template = None
    if via_template:
        t = tmp_path / "hostile.html"
        t.write_text(HOSTILE_TEMPLATE, encoding="utf-8")
        template = str(t)
    page = html_part(make_brief(hostile=True), tmp_path, template=template)
    raw = page.read_text(encoding="utf-8")
    assert "<script" not in raw.lower()
    # The article's own words may *mention* onerror= or javascript: (escaped, as text); no markup may carry them.
    for tag, attrs in elements(raw):
        assert tag not in ("script", "img", "iframe", "foreignobject", "use", "image", "animate", "set", "style")
        if tag in SVG_ALLOWED:  # the timeline picture's shapes may pass, with plain attributes only
            assert set(attrs) <= SVG_ALLOWED[tag] | {"class", "style", "title", "lang", "dir"}, (tag, attrs)
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript:"), (tag, attrs)
    dom = dump_dom(tmp_path, page)
    assert "pwned" not in dom.split("</title>")[0]  # the title is the brief's, untouched
    assert "<title>Zoë Müller wins the Étoile prize in Zürich" in dom
    assert "<blink" not in dom and "<img" not in dom
    if not via_template:
        # the article's attack is visible as text, as the reader should see it
        import html

        assert HOSTILE[:40] in html.unescape(dom)
