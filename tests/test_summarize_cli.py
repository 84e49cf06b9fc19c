"""`briefing summarize` on real files, stdin and a local HTTP server: what a user sees."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from conftest import SAMPLE_TXT, SAMPLES, run_briefing

SAMPLE = SAMPLE_TXT.read_text(encoding="utf-8")
DOUBLED_CAPTION = "The two leaders had a phone call this afternoon amid tensions"


@pytest.fixture(scope="module")
def sample_json():
    from click.testing import CliRunner

    from briefing.cli import cli

    res = CliRunner().invoke(
        cli, ["summarize", str(SAMPLE_TXT), "--published", "2021-12-30", "-f", "json"], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def names(entries):
    out = set()
    for e in entries:
        out.add(e["name"])
        out.update(e["aliases"])
    return out


@pytest.mark.slow
def test_sample_json_contract(sample_json):
    b = sample_json
    for key in ("id", "title", "algorithm", "source", "summary", "who", "where", "when", "quotes"):
        assert key in b
    assert b["title"] == "Biden, Putin speak as Russian leader demands NATO rebuff Ukraine"
    assert b["source"]["published"] == "2021-12-30"
    assert b["algorithm"] == "news"
    assert len(b["summary"]) == 3
    starts = [s["start"] for s in b["summary"]]
    assert starts == sorted(starts), "summary must be in document order"
    for s in b["summary"]:
        assert SAMPLE[s["start"] : s["end"]] == s["text"], "offsets must point into the input text"
        assert isinstance(s["score"], float)
    for e in b["who"]:
        assert e["type"] in ("person", "organisation")
        assert e["mentions"] >= 1 and isinstance(e["aliases"], list)
    for t in b["when"]:
        assert t["type"] in ("DATE", "TIME", "DURATION", "SET")
        assert SAMPLE[t["start"] : t["end"]] == t["text"]
    for q in b["quotes"]:
        assert set(q) >= {"speaker", "text"}


def test_sample_who_where(sample_json):
    who = names(sample_json["who"])
    for expected in ("Biden", "Vladimir Putin", "Jen Psaki", "Yuri Ushakov", "Volodymyr Zelensky", "NATO"):
        assert expected in who, f"{expected} missing from who: {sorted(who)}"
    where = names(sample_json["where"])
    for expected in ("Ukraine", "Russia", "Geneva"):
        assert expected in where, f"{expected} missing from where: {sorted(where)}"
    # one entry for Biden, not one per name form
    biden = [e for e in sample_json["who"] if "Biden" in e["aliases"] or e["name"] == "Biden"]
    assert len(biden) == 1 and biden[0]["mentions"] >= 10


def test_sample_when(sample_json):
    values = {t["text"]: t["value"] for t in sample_json["when"]}
    assert values.get("Thursday") == "2021-12-30"
    assert values.get("Jan. 10") == "2022-01-10"


@pytest.mark.slow
def test_furniture_and_doubled_caption_never_reach_a_brief(cli_run):
    for fmt in ("markdown", "html", "email", "json"):
        res = cli_run("summarize", SAMPLE_TXT, "-f", fmt, "-n", "8", "--explain")
        assert res.exit_code == 0
        assert "Post a Comment" not in res.output
        assert "Previous Post" not in res.output
    res = cli_run("summarize", SAMPLE_TXT, "-f", "json", "--ratio", "1.0")
    texts = [s["text"] for s in json.loads(res.output)["summary"]]
    assert not any(DOUBLED_CAPTION in t for t in texts)
    assert not any(t.strip() == "REUTERS" for t in texts)


def test_markdown_is_the_default_with_who_what_when_where(cli_run):
    res = cli_run("summarize", SAMPLE_TXT, "--published", "2021-12-30")
    assert res.exit_code == 0
    out = res.output
    assert out.startswith("# Biden, Putin speak as Russian leader demands NATO rebuff Ukraine")
    for heading in ("## What", "## Who", "## Where"):
        assert heading in out
    assert "Jen Psaki" in out


class _Balance(HTMLParser):
    VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


def parse_html(doc: str) -> _Balance:
    p = _Balance()
    p.feed(doc)
    p.close()
    assert not p.errors, p.errors
    assert not p.stack, f"unclosed tags: {p.stack}"
    return p


@pytest.mark.slow
def test_html_is_standalone_and_well_formed(cli_run):
    res = cli_run("summarize", SAMPLE_TXT, "-f", "html", "--explain")
    assert res.exit_code == 0
    doc = res.output
    assert doc.lstrip().lower().startswith("<!doctype html>")
    p = parse_html(doc)
    assert {"html", "head", "body", "title", "style", "h1", "ul", "li"} <= set(p.tags)
    assert "<title>Biden, Putin speak as Russian leader demands NATO rebuff Ukraine</title>" in doc


def test_html_escapes_hostile_article_text(cli_run, tmp_path):
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Mayor <script>alert('x')</script> resigns\n\n"
        "The mayor of Springfield resigned on Monday after <img src=x onerror=alert(1)> a long scandal. "
        'Critics said <a href="javascript:alert(2)">the council</a> had known for months. '
        "The city will hold an election in May, officials said on Tuesday.\n",
        encoding="utf-8",
    )
    res = cli_run("summarize", hostile, "-f", "html")
    assert res.exit_code == 0
    doc = res.output
    assert "<script>" not in doc and "<img" not in doc and '<a href="javascript' not in doc
    assert "&lt;script&gt;" in doc
    parse_html(doc)
    import markdown

    md_html = markdown.markdown(cli_run("summarize", hostile).output)
    assert "<script" not in md_html and "<img" not in md_html, "Markdown output must not carry raw HTML"


@pytest.mark.slow
def test_email_is_plain_and_wrapped(cli_run):
    res = cli_run("summarize", SAMPLE_TXT, "-f", "email", "-n", "5")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert max(len(line) for line in lines) <= 72
    assert "<" not in res.output and "**" not in res.output and "##" not in res.output
    assert "WHAT" in lines


@pytest.mark.slow
@pytest.mark.parametrize(
    "algorithm", ["news", "lead", "lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction"]
)
def test_every_algorithm_gives_verbatim_sentences(cli_run, algorithm):
    res = cli_run("summarize", SAMPLE_TXT, "-a", algorithm, "-n", "2", "-f", "json")
    assert res.exit_code == 0, res.output
    b = json.loads(res.output)
    assert b["algorithm"] == algorithm
    assert len(b["summary"]) == 2
    for s in b["summary"]:
        assert SAMPLE[s["start"] : s["end"]] == s["text"]


def test_algorithms_lists_every_one(cli_run):
    out = cli_run("algorithms").output
    for name in ("news", "lead", "lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic", "reduction"):
        assert re.search(rf"^{name}\s+\S", out, re.M), name


@pytest.mark.slow
@pytest.mark.parametrize("budget", [1, 15, 40, 80])
def test_word_budget_never_exceeded_and_never_empty(cli_run, budget):
    from briefing.text import word_count

    b = json.loads(cli_run("summarize", SAMPLE_TXT, "-w", budget, "-f", "json").output)
    assert b["summary"], "never an empty summary"
    total = sum(word_count(s["text"]) for s in b["summary"])
    shortest = min(word_count(s["text"]) for s in b["summary"])
    assert total <= budget or (len(b["summary"]) == 1 and b["notes"] and shortest > budget)


@pytest.mark.slow
def test_sentence_count_and_short_article(cli_run, tmp_path):
    b = json.loads(cli_run("summarize", SAMPLE_TXT, "-n", "5", "-f", "json").output)
    assert len(b["summary"]) == 5
    short = tmp_path / "short.txt"
    short.write_text("The council approved the budget on Monday.", encoding="utf-8")
    res = cli_run("summarize", short, "-n", "3", "-f", "json")
    assert res.exit_code == 0
    b = json.loads(res.output)
    assert [s["text"] for s in b["summary"]] == ["The council approved the budget on Monday."]
    assert any("only 1 sentence" in n for n in b["notes"])


def test_html_page_keeps_article_drops_boilerplate(cli_run):
    res = cli_run("summarize", SAMPLES / "harbour-bridge.html", "-f", "json", "--ratio", "1.0")
    b = json.loads(res.output)
    assert b["title"] == "Harbour bridge to close for six months of repairs"
    assert b["source"]["published"] == "2024-03-14"
    text = " ".join(s["text"] for s in b["summary"])
    assert "Kingsport Harbour Bridge will close" in text
    for junk in (
        "Advertisement",
        "crypto course",
        "Post a Comment",
        "Previous Post",
        "Privacy policy",
        "Spring sale",
        "Related stories",
        "harbourfan88",
    ):
        assert junk not in text
    assert b["summary"][0]["text"] != b["title"]


def test_markdown_article_front_matter(cli_run):
    b = json.loads(cli_run("summarize", SAMPLES / "library-reopening.md", "-f", "json").output)
    assert b["title"] == "Riverside library reopens after flood repairs"
    assert b["source"]["published"] == "2024-09-06"
    assert not any(s["text"].startswith(("#", "---", "title:")) for s in b["summary"])


def test_url_from_local_server(cli_run, http_server):
    url = http_server.add("/news/bridge.html", (SAMPLES / "harbour-bridge.html").read_bytes())
    res = cli_run("summarize", url, "-f", "json", "--allow-private")  # the test server is on 127.0.0.1
    assert res.exit_code == 0, res.output
    b = json.loads(res.output)
    assert b["source"]["url"] == url
    assert "Kingsport Harbour Bridge" in " ".join(s["text"] for s in b["summary"])


@pytest.mark.slow
@pytest.mark.e2e
def test_several_sources_and_stdin(tmp_path):
    res = run_briefing("summarize", SAMPLE_TXT, SAMPLES / "library-reopening.md", "-f", "json")
    assert res.returncode == 0, res.stderr
    briefs = [json.loads(line) for line in res.stdout.splitlines()]  # JSON Lines: one a source
    assert [b["title"][:5] for b in briefs] == ["Biden", "River"]
    res = run_briefing("summarize", "-", "-n", "1", input=SAMPLE)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("# Biden, Putin speak")


@pytest.mark.slow
def test_output_file_and_user_template(cli_run, tmp_path):
    out = tmp_path / "out" / "brief.md"
    assert cli_run("summarize", SAMPLE_TXT, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Biden")
    tpl = tmp_path / "mine.txt.j2"
    tpl.write_text("{{ brief.title }} | {{ brief.summary | length }} | {{ brief.who[0].name }}\n", encoding="utf-8")
    res = cli_run("summarize", SAMPLE_TXT, "--template", tpl, "-n", "2")
    assert res.exit_code == 0
    assert res.output.startswith("Biden, Putin speak as Russian leader demands NATO rebuff Ukraine | 2 | ")


@pytest.mark.slow
@pytest.mark.e2e
def test_user_templates_are_sandboxed(cli_run, tmp_path):
    tpl = tmp_path / "evil.j2"
    tpl.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    res = run_briefing("summarize", SAMPLE_TXT, "--template", tpl)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "template" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_encodings_are_detected(cli_run, tmp_path):
    text = (
        "Café owners protest new rules\n\nCafé owners in Lyon said on Monday that the city’s new “terrace tax” "
        "would force many to close. The mayor’s office said the tax would raise 2 million euros a year. "
        "Owners plan a protest in front of the town hall next week.\n"
    )
    p = tmp_path / "cp1252.txt"
    p.write_bytes(text.encode("cp1252"))
    b = json.loads(cli_run("summarize", p, "-f", "json").output)
    assert b["title"] == "Café owners protest new rules"
    assert "city’s new “terrace tax”" in b["summary"][0]["text"]


BAD_INPUTS = {
    "missing": lambda tmp: [str(tmp / "nope.txt")],
    "directory": lambda tmp: [str(tmp)],
    "binary": lambda tmp: [_write(tmp / "img.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)],
    "nul bytes": lambda tmp: [_write(tmp / "nul.txt", b"abc\x00def\x00" * 100)],
    "empty": lambda tmp: [_write(tmp / "empty.txt", b"")],
    "whitespace": lambda tmp: [_write(tmp / "ws.txt", b"  \n\n\t \n")],
}


def _write(path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_1(tmp_path, case):
    res = run_briefing("summarize", *BAD_INPUTS[case](tmp_path))
    assert res.returncode == 1, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert res.stderr.startswith("briefing: error: ")


@pytest.mark.slow
def test_bad_urls(http_server, tmp_path):
    http_server.add("/slow.html", "<html><body><p>late</p></body></html>", delay=3)
    http_server.add("/image.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    http_server.add("/gone.html", "gone", status=410)
    cases = {
        f"{http_server.base}/slow.html": "timed out",
        f"{http_server.base}/missing.html": "404",
        f"{http_server.base}/gone.html": "410",
        f"{http_server.base}/image.png": "not an article",
        "http://127.0.0.1:9/": "cannot connect",
        "ftp://example.com/a.txt": "only http:// and https://",  # never fetched
    }
    for url, expected in cases.items():
        res = run_briefing("summarize", url, "--timeout", "1", "--allow-private")
        assert res.returncode == 1, url
        assert "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert expected in res.stderr, (url, res.stderr)


@pytest.mark.slow
@pytest.mark.e2e
def test_one_bad_source_does_not_lose_the_good_ones(tmp_path):
    out = tmp_path / "briefs.md"
    res = run_briefing("summarize", SAMPLE_TXT, tmp_path / "missing.txt", "-o", out)
    assert res.returncode == 3  # some sources failed, the others were written
    assert "missing.txt: no such file" in res.stderr
    assert out.read_text(encoding="utf-8").startswith("# Biden")


@pytest.mark.slow
@pytest.mark.e2e
def test_usage_errors_exit_2(tmp_path):
    for args in (
        ["summarize", SAMPLE_TXT, "-a", "nonsense"],
        ["summarize", SAMPLE_TXT, "--published", "30/12/2021"],
        ["summarize", SAMPLE_TXT, "-n", "0"],
        ["summarize", SAMPLE_TXT, "--ratio", "2"],
        ["summarize"],
    ):
        res = run_briefing(*args)
        assert res.returncode == 2, (args, res.stderr)
        assert "Traceback" not in res.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_huge_input_is_refused_in_one_line(tmp_path):
    big = tmp_path / "book.txt"
    big.write_text("The council met again on Monday to discuss the budget. " * 20_000, encoding="utf-8")
    res = run_briefing("summarize", big)
    assert res.returncode == 1
    assert "too long for one article" in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_readable_explain_shows_the_parts_that_moved_each_sentence_most(cli_run):
    res = cli_run("summarize", SAMPLE_TXT, "--explain")
    assert res.exit_code == 0
    rows = [line for line in res.output.splitlines() if line.startswith("| 0 |")]
    assert rows, res.output
    cell = rows[0].split(" | ")[3].split(" (")[0]
    parts = [p for p in cell.split() if "=" in p]
    assert len(parts) == 4
    assert "smaller" in cell  # the table says how many smaller parts it leaves out
    values = [abs(float(p.split("=")[1])) for p in parts]
    assert values == sorted(values, reverse=True)
    # the HTML table too, with the reason as its own words after the count
    html = cli_run("summarize", SAMPLE_TXT, "-f", "html", "--explain").output
    assert re.search(r"\+\d+ smaller (chosen|not chosen|skipped)", html)
    # JSON keeps every part
    data = json.loads(cli_run("summarize", SAMPLE_TXT, "-f", "json", "--explain").output)
    assert len(data["explain"][0]["parts"]) > 4


@pytest.mark.slow
@pytest.mark.e2e
def test_exit_codes_with_several_sources(tmp_path):
    missing = tmp_path / "missing.txt"
    res = run_briefing("summarize", SAMPLE_TXT, SAMPLES / "library-reopening.md", "-n", "1")
    assert res.returncode == 0 and res.stderr == ""
    res = run_briefing("summarize", missing, tmp_path / "also-missing.txt")
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.count("briefing: error:") == 2 and "0 of 2 sources summarised" in res.stderr
    res = run_briefing("summarize", SAMPLE_TXT, missing, "-q", "-n", "1")
    assert res.returncode == 3 and res.stderr.strip() == f"briefing: error: {missing}: no such file"


@pytest.mark.slow
@pytest.mark.e2e
def test_special_files_as_source_never_hang(tmp_path):
    import os

    fifo = tmp_path / "nobody-writes"
    os.mkfifo(fifo)
    for source, expected in (("/dev/zero", "too large"), (str(fifo), "empty text"), ("/dev/null", "empty text")):
        res = run_briefing("summarize", source, timeout=60)
        assert res.returncode == 1, (source, res.stderr)
        assert res.stderr.startswith(f"briefing: error: {source}: ") and expected in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.e2e
def test_stdin_empty_binary_and_process_substitution():
    for data, expected in (
        (b"", "empty text"),
        (b"\x00\x01\x02" * 1000, "binary"),
        (bytes(range(1, 32)) * 300, "binary"),
    ):
        res = run_briefing("summarize", "-", input=data)
        assert res.returncode == 1 and expected in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    res = run_briefing("summarize", "/dev/stdin", "-n", "1", input=SAMPLE.encode())  # a pipe, not a file
    assert res.returncode == 0 and res.stdout.startswith("# Biden"), res.stderr


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_byte_order_marks_and_truncated_files(tmp_path, encoding):
    data = SAMPLE.encode(encoding)
    if encoding.endswith("-be"):  # Python writes no mark for an explicit byte order
        data = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}[encoding] + data
    for cut in (0, 1):  # whole, then cut after an odd number of bytes
        p = tmp_path / f"article-{cut}.txt"
        p.write_bytes(data[: len(data) - cut])
        for args, stdin in (([p], None), (["-"], p.read_bytes())):
            res = run_briefing("summarize", *args, "-n", "1", input=stdin)
            assert res.returncode == 0, (encoding, cut, res.stderr)
            assert res.stdout.startswith("# Biden, Putin speak"), res.stdout[:200]


@pytest.mark.slow
@pytest.mark.e2e
def test_an_absurd_date_in_the_article_is_ignored_not_fatal(tmp_path):
    page = tmp_path / "old.md"
    page.write_text(
        "---\ntitle: Council meets\ndate: 0001-01-01\n---\n\nThe council met yesterday. "
        "It will meet again next year, the mayor said last week.\n",
        encoding="utf-8",
    )
    res = run_briefing("summarize", page, "-f", "json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["source"]["published"] is None


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize(
    "args",
    [
        ["--timeout", "inf"],
        ["--timeout", "nan"],
        ["--timeout", "-1"],
        ["--timeout", "0"],
        ["--published", "0001-01-01"],
        ["--published", "9999-12-31"],
        ["--ratio", "0"],
        ["--ratio", "1e308"],
        ["--ratio", "nan"],
        ["--ratio", "inf"],
        ["-w", "0"],
    ],
)
def test_option_extremes_are_usage_errors(args):
    res = run_briefing("summarize", SAMPLE_TXT, *args)
    assert res.returncode == 2, (args, res.stderr)
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_huge_budgets_are_fine(cli_run):
    res = cli_run("summarize", SAMPLE_TXT, "-n", 10**12, "-w", 10**12, "-f", "json")
    assert res.exit_code == 0
    b = json.loads(res.output)
    assert len(b["summary"]) == b["source"]["sentences"]


@pytest.mark.slow
def test_odd_charsets_declared_by_a_server_are_ignored(http_server):
    for charset in ("hex", "idna", "rot13", "no-such-charset", "utf-16"):
        url = http_server.add(f"/{charset}.txt", SAMPLE.encode("utf-8"), content_type=f"text/plain; charset={charset}")
        res = run_briefing("summarize", url, "-n", "1", "--allow-private")  # the test server is on 127.0.0.1
        assert res.returncode == 0, (charset, res.stderr)
        assert "Biden" in res.stdout
    # and a true UTF-16 body without a byte-order mark, as the server says
    url = http_server.add("/wide.txt", SAMPLE.encode("utf-16-le"), content_type="text/plain; charset=UTF-16LE")
    res = run_briefing("summarize", url, "-n", "1", "--allow-private")
    assert res.returncode == 0 and res.stdout.startswith("# Biden"), res.stderr


@pytest.mark.slow
@pytest.mark.e2e
def test_a_file_name_that_is_not_utf8(tmp_path):
    import os

    name = os.path.join(os.fsencode(tmp_path), b"\xff-article.txt")
    with open(name, "wb") as fh:
        fh.write(SAMPLE.encode("utf-8"))
    shown = os.fsdecode(name)  # what a user's shell passes: the raw byte, kept as a surrogate
    out = tmp_path / "brief.json"
    res = run_briefing("summarize", shown, "-f", "json", "-o", out)
    assert res.returncode == 0, res.stderr
    brief = json.loads(out.read_text(encoding="utf-8"))
    assert brief["id"] == "\ufffd-article" and brief["source"]["path"].endswith("\ufffd-article.txt")
