"""Mail looks like the page: the HTML part that `briefing digest --email-to` sends (through a real
SMTP server) reads, story by story, as the web page `briefing digest -f html` does, in headless
Chromium. Before, the sanitiser dropped dl/dt/dd, so the mail ran labels into text ("WhoAnna Berg")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chromium_helpers import browser, needs_chromium  # noqa: F401
from smtp_helpers import smtp_server  # noqa: F401

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

READ = """
const fold = (s) => (s || '').split(/\\s+/).filter(Boolean).join(' ');
return [...document.querySelectorAll('article.story')].map((st) => ({
  title: fold(st.querySelector('h3').innerText),
  summary: fold(st.querySelector('ul').innerText),
  facts: [...st.querySelectorAll('dl.facts > dt, dl.facts > dd')].map((el) => [el.tagName, fold(el.innerText)]),
  all: fold(st.innerText),
}));
"""


@pytest.fixture
def mailed_and_page(tmp_path, main_run, smtp_server, monkeypatch):  # noqa: F811
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state-home"))  # no outbox in the user's folders
    server = smtp_server()
    src = tmp_path / "articles.jsonl"
    shutil.copy(SAMPLES / "articles.jsonl", src)
    page = tmp_path / "page.html"
    code, _, err = main_run(
        "digest",
        src,
        "--since",
        "all",
        "--now",
        "2026-03-10T12:00:00+00:00",
        "--state",
        tmp_path / "state.sqlite",
        "-f",
        "html",
        "-o",
        page,
        "--email-to",
        "reader@example.com",
        "--email-from",
        "briefing@example.org",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        server.port,
        "--smtp-security",
        "none",
        "--outbox-dir",
        tmp_path / "outbox",
    )
    assert code == 0, err
    [got] = server.received
    mail = tmp_path / "mail.html"
    mail.write_text(got.message.get_body(("html",)).get_content(), encoding="utf-8")
    return mail, page


@needs_chromium
@pytest.mark.e2e
@pytest.mark.slow
def test_mailed_digest_reads_like_the_page_story_by_story(browser, mailed_and_page):  # noqa: F811
    mail, page = mailed_and_page
    browser.open(page.as_uri())
    on_page = browser.run(READ)
    browser.open(mail.as_uri())
    in_mail = browser.run(READ)
    assert len(on_page) == 3 and len(in_mail) == len(on_page)
    for web, mailed in zip(on_page, in_mail):
        assert mailed["title"] == web["title"]
        assert mailed["summary"] == web["summary"]
        labels = [text for tag, text in web["facts"] if tag == "DT" and text]
        assert {"Who", "When"} <= set(labels), web["facts"]  # the sample's stories have facts to compare
        assert mailed["facts"] == web["facts"]  # who, where, when: label and text, each its own element
        assert mailed["all"] == web["all"]  # and all the story's visible text, in the same order
        who = next(text for tag, text in web["facts"] if tag == "DD")
        assert f"Who {who}" in mailed["all"]  # the label and the names are apart, as on the page
