"""Markdown by the ``markdown`` package (issue #14): .md articles are read as prose with offsets into the
original file, and a user's Markdown template asked for HTML becomes a sanitised HTML page."""

from __future__ import annotations

import json
import re
import time

import pytest
from conftest import run_briefing

ARTICLE = """---
title: Harbour board approves pier
date: 2024-03-12
author: Jo Reporter
---

# Harbour board approves pier

The harbour board met on Monday, said **Anna Berg**, the chair of the board. The board approved a
[new pier](http://example.org/pier "the pier") for the town of Kiel, a cost of _four million euros_.

## Costs and plans

Work on the `pier` starts in May, officials said on Tuesday. Ships\\* &amp; ferries will use it from
2026, according to the [port office][port]. Read more at <https://example.org/kiel> or see
![a drawing of the pier](http://example.org/pier.png) the <b>drawings</b> of the architects.

```
This code block is about the harbour board and never a summary sentence.
```

| Item | Cost |
| ---- | ---- |
| Pier | The table row is about the harbour board and never a summary sentence. |

> The pier is long overdue, said **Peter Holm**, the mayor of Kiel.

- The first stage of the pier starts in *May*.
- The second stage of the pier follows in 2027.

[port]: http://example.org/port
"""

MARKUP = ("**", "\\*\\*", "](", "`", "&amp;", "<b>", "![", "[port]", "http://example.org/pier")


def _md(tmp_path, text=ARTICLE, name="pier.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _json(main_run, path, *args):
    code, out, err = main_run("summarize", path, "-f", "json", *args)
    assert code == 0, err
    return json.loads(out)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def _in_order(text: str, piece: str) -> bool:
    """Every word of ``text`` in ``piece``, in order (the markup of ``piece`` may add words: a link's URL)."""
    rest = iter(_words(piece))
    return all(any(w == v for v in rest) for w in _words(text))


def test_summary_sentences_are_prose_with_offsets_into_the_original_file(tmp_path, main_run):
    path = _md(tmp_path)
    original = path.read_text(encoding="utf-8")
    brief = _json(main_run, path, "--sentences", "20")
    texts = [s["text"] for s in brief["summary"]]
    assert any("said Anna Berg, the chair of the board" in t for t in texts), texts
    assert any("Ships* & ferries" in t for t in texts), texts  # an escape and an entity: the characters
    for s in brief["summary"]:
        assert not any(m in s["text"] for m in MARKUP), s["text"]
        piece = original[s["start"] : s["end"]]
        assert _in_order(s["text"], piece), (s["text"], piece)
        assert _words(piece)[:1] == _words(s["text"])[:1] and _words(s["text"])[-1] in _words(piece)[-3:]
    # the markup inside a sentence is in the original span: the span is the file's, not the prose's
    bold = next(s for s in brief["summary"] if "Anna Berg" in s["text"])
    assert "**Anna Berg**" in original[bold["start"] : bold["end"]]
    for t in brief["when"]:
        assert original[t["start"] : t["end"]] == t["text"]


def test_the_issues_own_example_keeps_the_role_without_an_article(tmp_path, main_run):
    """said **Anna Berg**, chair of the board: no markup, and the role without "the" is hers."""
    path = tmp_path / "bare.md"
    path.write_text(
        "---\ntitle: Board meets\ndate: 2024-03-12\n---\n\nThe harbour board met on Monday to discuss the "
        "new bridge, said **Anna Berg**, chair of the board. The bridge will open in May.\n",
        encoding="utf-8",
    )
    brief = _json(main_run, path)
    assert not any("*" in s["text"] for s in brief["summary"]), brief["summary"]
    assert {e["name"]: e["role"] for e in brief["who"]}.get("Anna Berg") == "chair of the board", brief["who"]


def test_bold_speaker_keeps_role_and_front_matter_still_counts(tmp_path, main_run):
    brief = _json(main_run, _md(tmp_path))
    roles = {e["name"]: e["role"] for e in brief["who"]}
    assert roles.get("Anna Berg") == "chair of the board", brief["who"]
    assert roles.get("Peter Holm") == "mayor of Kiel", brief["who"]
    assert brief["title"] == "Harbour board approves pier"
    assert brief["source"]["published"] == "2024-03-12" and brief["source"]["author"] == "Jo Reporter"
    assert brief["source"]["format"] == "markdown"


def test_headings_code_and_tables_are_never_summary_sentences(tmp_path, main_run):
    brief = _json(main_run, _md(tmp_path), "--sentences", "40")
    texts = " ".join(s["text"] for s in brief["summary"])
    assert "Costs and plans" not in texts and "Harbour board approves pier" not in texts
    assert "never a summary sentence" not in texts
    assert "The first stage of the pier starts in May." in texts  # list items are sentences of their own


def test_first_heading_is_the_title_without_front_matter(tmp_path, main_run):
    path = _md(tmp_path, "# The *new* pier opens\n\nThe new pier opened on Monday in Kiel, said **Anna Berg**.\n")
    brief = _json(main_run, path)
    assert brief["title"] == "The new pier opens"
    assert [s["text"] for s in brief["summary"]] == ["The new pier opened on Monday in Kiel, said Anna Berg."]


@pytest.mark.parametrize("fmt", ["markdown", "html", "email"])
def test_no_markup_leaks_into_the_rendered_brief(tmp_path, main_run, fmt):
    code, out, err = main_run("summarize", _md(tmp_path), "-f", fmt, "--sentences", "20")
    assert code == 0, err
    assert "Anna Berg, the chair of the board" in " ".join(out.split())
    for leak in ("\\*\\*", "&amp;amp;", "](", "`", "\\_four", "[port]", "&lt;b&gt;"):
        assert leak not in out, leak


def test_html_in_a_markdown_article_is_no_tag_and_no_text(tmp_path, main_run):
    text = "The board met on Monday in Kiel.<script>alert(1)</script> The pier is <i>long</i> overdue, she said.\n"
    brief = _json(main_run, _md(tmp_path, text))
    assert [s["text"] for s in brief["summary"]] == [
        "The board met on Monday in Kiel.",
        "The pier is long overdue, she said.",
    ]


# Inputs the markdown package is quadratic (or recursive) on: each takes the package from seconds to hours.
HOSTILE = {
    "brackets": "[" * 200_000,
    "emphasis": "*a" * 100_000,
    "quotes": ">" * 50_000,
    "images": "![" * 100_000,
    "html": "<a " * 50_000,
    "links": "[a](" * 50_000,
    "escapes": "\\*a" * 100_000,
    "entities": "&amp; " * 100_000,
    "nested lists": "".join("    " * i + "- x\n" for i in range(1000)),
    "nested markers": "- " * 5000 + "x",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markdown_is_read_fast_the_old_way(name):
    from briefing.sources.markdown import read_markdown

    text = "Intro.\n\n" + HOSTILE[name]
    t = time.perf_counter()
    article = read_markdown(text)
    assert time.perf_counter() - t < 2.0
    assert article.source_map is None and article.text == text  # too costly to render: the file as it is
    good = read_markdown("The board met on **Monday**.\n")
    assert good.source_map is not None and good.text == "The board met on Monday."


@pytest.mark.slow
def test_a_big_markdown_file_is_rendered_in_bounded_time(tmp_path):
    from briefing.sources.markdown import read_markdown

    para = "The board met on Monday, said **Anna Berg**, see [the minutes](http://x.org/m) and `code`.\n\n"
    text = para * 10_000  # 940,000 characters, 10,000 paragraphs
    t = time.perf_counter()
    article = read_markdown(text)
    assert time.perf_counter() - t < 6.0  # about 1 s on a quiet machine
    assert article.source_map is not None and "**" not in article.text
    last = article.text.rindex("Anna Berg")
    a, b = article.source_map.span(last, last + len("Anna Berg"))
    assert text[a:b] == "Anna Berg" and a > len(text) - len(para)
    huge = read_markdown(para * 220_000)  # 20 MB: over the limit, not rendered (a brief refuses it anyway)
    assert huge.source_map is None


@pytest.mark.slow
def test_hostile_markdown_file_on_the_command_line_finishes(tmp_path):
    # 20,000 '[' in one paragraph: the markdown package would take about 40 s; read the old way, it is quick
    hostile = _md(tmp_path, "[" * 20_000 + "\n\nThe board met on **Monday** in Kiel.\n", "hostile.md")
    good = _md(tmp_path, "The pier opened on **Tuesday** in Kiel.\n", "good.md")
    t = time.perf_counter()
    res = run_briefing("summarize", hostile, good, "-f", "json", timeout=120)
    assert time.perf_counter() - t < 30  # about 4 s
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    first, second = (json.loads(line) for line in res.stdout.splitlines())
    assert first["source"]["format"] == "markdown" and first["summary"]
    assert [s["text"] for s in second["summary"]] == ["The pier opened on Tuesday in Kiel."]


def test_digest_reads_markdown_files_as_prose_with_original_offsets(tmp_path, main_run):
    one = _md(tmp_path, ARTICLE, "one.md")
    two = _md(
        tmp_path,
        "---\ntitle: Kiel pier gets green light\ndate: 2024-03-12\n---\n\n"
        "Kiel's *harbour board* approved a `new pier` on Monday, said **Anna Berg**, the chair of the board.\n",
        "two.md",
    )
    code, out, err = main_run(
        "digest", one, two, "--since", "all", "--now", "2024-03-13T08:00:00Z", "--state", tmp_path / "s.sqlite",
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    digest = json.loads(out)
    lines = [line for st in digest["stories"] for line in st["summary"]]
    assert lines
    originals = {str(p): p.read_text(encoding="utf-8") for p in (one, two)}
    for line in lines:
        assert not any(m in line["text"] for m in MARKUP), line["text"]
        piece = originals[line["article_id"]][line["start"] : line["end"]]
        assert _in_order(line["text"], piece), (line["text"], piece)
        assert _words(piece)[:1] == _words(line["text"])[:1] and _words(line["text"])[-1] in _words(piece)[-3:]
    roles = {e["name"]: e["role"] for st in digest["stories"] for e in st["who"]}
    assert roles.get("Anna Berg") == "chair of the board"


# ---------------------------------------------------------------- a user's Markdown template, as HTML

TEMPLATE = """# {{ brief.title }}

{% for s in brief.summary %}
- {{ s.text }}
{% endfor %}

## Who

{% for e in brief.who %}
1. **{{ e.name | md_escape }}**{% if e.role %}, {{ e.role }}{% endif %}

{% endfor %}
{% if brief.source.url %}[source]({{ brief.source.url | md_url }}){% endif %}
"""

EVIL = (
    "Evil <script>alert(1)</script> news\n\n"
    "The council met on Monday and said [x](javascript:alert(1)) was fine, according to Anna Berg. "
    'The <img src=x onerror="alert(2)"> mayor, Peter Holm, said **nothing** at all on Tuesday. '
    "Work on the pier starts in May, <a href='javascript:alert(3)'>said</a> the port office.\n"
)


def _template(tmp_path, name="my.md.j2"):
    path = tmp_path / name
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def _no_active_content(html: str) -> None:
    low = html.lower()
    assert "<script" not in low and "javascript:" not in low
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", low)  # no event handler attribute
    assert "<img" not in low and "<a " not in low  # article text made no element


@pytest.mark.parametrize("name", ["my.md.j2", "my.md", "my.markdown.j2"])
def test_markdown_template_renders_to_a_safe_html_page(tmp_path, main_run, name):
    article = tmp_path / "evil.txt"
    article.write_text(EVIL, encoding="utf-8")
    code, out, err = main_run("summarize", article, "--template", _template(tmp_path, name), "-f", "html")
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in out and 'name="viewport"' in out
    assert "<title>Evil &lt;script&gt;alert(1)&lt;/script&gt; news</title>" in out
    assert "<h1>" in out and "<h2>Who</h2>" in out and "<li>" in out and "<strong>Anna Berg</strong>" in out
    _no_active_content(out)
    # the article's markup is shown as the text it is, not obeyed
    assert "**nothing**" in out and "[x](javascript&#58;alert(1))" in out


def test_markdown_template_without_html_stays_markdown(tmp_path, main_run):
    article = tmp_path / "a.md"
    article.write_text(ARTICLE, encoding="utf-8")
    code, out, err = main_run(
        "summarize", article, "--template", _template(tmp_path), "-f", "markdown", "--sentences", "20"
    )
    assert code == 0, err
    assert out.startswith("# Harbour board approves pier\n") and "\n- The harbour board met on Monday" in out
    assert "1. **Anna Berg**, chair of the board" in out and "<" not in out


def test_markdown_template_as_html_for_a_markdown_article(tmp_path, main_run):
    code, out, err = main_run(
        "summarize", _md(tmp_path), "--template", _template(tmp_path), "-f", "html", "--sentences", "20"
    )
    assert code == 0, err
    assert "<h1>Harbour board approves pier</h1>" in out
    assert "<li>The harbour board met on Monday, said Anna Berg, the chair of the board.</li>" in out
    assert "<strong>Anna Berg</strong>, chair of the board" in out


def test_digest_markdown_template_as_html(tmp_path, main_run):
    template = tmp_path / "digest.md.j2"
    template.write_text(
        "# {{ digest.title }}\n\n{% for st in digest.stories %}\n## {{ st.title }}\n\n"
        "{% for line in st.summary %}\n- {{ line.text }}\n{% endfor %}\n{% endfor %}\n",
        encoding="utf-8",
    )
    evil = _md(tmp_path, "---\ntitle: Pier <script>alert(1)</script>\ndate: 2024-03-12\n---\n\n"
               "The board met on Monday in Kiel and approved the pier, said Anna Berg.\n", "evil.md")  # fmt: skip
    args = ["digest", evil, "--since", "all", "--now", "2024-03-13T08:00:00Z", "--state", tmp_path / "s.sqlite"]
    code, out, err = main_run(*args, "--template", template, "-f", "html")
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and "<h1>Briefing for Wednesday 13 March 2024</h1>" in out
    assert "<h2>Pier &lt;script&gt;alert(1)&lt;/script&gt;</h2>" in out and "<li>The board met" in out
    _no_active_content(out)


# ---------------------------------------------------------------- the offset map, word by word

VOCABULARY = "the board met on Monday said Anna Berg chair of harbour pier Kiel council approved new plan".split()
MARKED = [
    "**{w}**", "*{w}*", "[{w}](http://example.org/{v}/{w})", "`{w}`", "{w}&amp;{v}", "{w}\\*", "<b>{w}</b>",
    "![{w}](http://x.org/{w}.png)", "[{w}][ref]", "<http://example.org/{w}>",
]  # fmt: skip


def _random_markdown(rng) -> str:
    def word():
        w, v = rng.choice(VOCABULARY), rng.choice(VOCABULARY)
        return rng.choice(MARKED).format(w=w, v=v) if rng.random() < 0.4 else w

    def para():
        text = " ".join(word() for _ in range(rng.randint(3, 25))) + "."
        return rng.choice(["# {}", "- {}\n- {}", "> {}\n> {}", "{}", "{}", "| a | b |\n|---|---|\n| {} | x |"]).format(
            text, " ".join(word() for _ in range(5))
        )

    return "\n\n".join(para() for _ in range(rng.randint(1, 10))) + "\n\n[ref]: http://example.org/ref\n"


def test_every_word_of_the_prose_maps_to_its_characters_in_the_original():
    import random

    from briefing.sources.markdown import read_markdown

    rng = random.Random(7)
    docs = [_random_markdown(rng) for _ in range(150)]
    # a word with markup inside it, and the same word verbatim a little further on: not that one
    docs.append('Read "said **Anna Berg**, the director" as "said Anna Berg, the director" in the brief.\n')
    docs.append("The plan\\* *plan* new plan of the *new\\** plan.\n")
    for src in docs:
        article = read_markdown(src)
        assert article.source_map is not None
        for m in re.finditer(r"\S+", article.text):
            a, b = article.source_map.span(m.start(), m.end())
            rest = iter(src[a:b])
            assert all(c in rest for c in m.group()), (m.group(), src[a:b], src)
            assert b - a <= 3 * len(m.group()) + 40, (m.group(), src[a:b])  # the word's place, not a stretch
