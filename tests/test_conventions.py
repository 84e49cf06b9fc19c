"""The conventions of issue #14: our own distribution name, a user config file with environment
variables and `briefing config`, one JSON shape, what `batch` says, and the smaller habits (version,
completion, choices for -a, one error style, -q/-v everywhere, help that is not cut off).

Every test runs the real CLI in a subprocess (`python -m briefing`), with its own config and state
folders (XDG_CONFIG_HOME / XDG_STATE_HOME), a real HTTP server and a real SMTP server on localhost."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import ROOT, SAMPLE_TXT, SAMPLES, run_briefing
from smtp_helpers import smtp_server  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.e2e]  # the CLI in subprocesses, a few seconds each

LIBRARY = SAMPLES / "library-reopening.md"


@pytest.fixture
def home(tmp_path):
    """Config and state folders of our own: (environment, the user's config file path)."""
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path),
    }
    return env, tmp_path / "config" / "briefing" / "config.toml"


def _write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- a name of our own ------------------------------------------------------------------------------
def test_distribution_name_version_and_user_agent_are_ours():
    from briefing._version import __version__ as version

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    assert project["name"] == "news-briefing"
    extras = [d for deps in project["optional-dependencies"].values() for d in deps]
    assert not [d for d in extras if d.startswith("briefing[")]  # the project names itself by its own name
    assert any(d.startswith("news-briefing[dask") for d in project["optional-dependencies"]["test"])
    assert project["scripts"]["briefing"] == "briefing.cli:main"  # the command keeps its name
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "briefing._version.__version__"}

    res = run_briefing("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"briefing {version}"

    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.headers.get("User-Agent", ""))
            body = SAMPLE_TXT.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/story.txt"
        res = run_briefing("summarize", url, "--allow-private", "-n", "1")
    finally:
        server.shutdown()
    assert res.returncode == 0, res.stderr
    assert seen == [f"news-briefing/{version} (+https://pypi.org/project/news-briefing/)"]


# --- configuration like rss2email's -----------------------------------------------------------------
def _sentences(res) -> int:
    assert res.returncode == 0, res.stderr
    return len(json.loads(res.stdout)["summary"])


def test_precedence_command_line_environment_config_file_default(home):
    env, config = home
    args = ("summarize", SAMPLE_TXT, "-f", "json")
    assert _sentences(run_briefing(*args, env=env)) == 3  # the default
    _write(config, "[summarize]\nsentences = 1\n")
    assert _sentences(run_briefing(*args, env=env)) == 1  # the default config file
    assert _sentences(run_briefing(*args, env={**env, "BRIEFING_SUMMARIZE_SENTENCES": "2"})) == 2
    assert _sentences(run_briefing(*args, "-n", "4", env={**env, "BRIEFING_SUMMARIZE_SENTENCES": "2"})) == 4
    other = _write(config.parent / "other.toml", "[summarize]\nsentences = 5\n")
    assert _sentences(run_briefing("--config", other, *args, env=env)) == 5  # --config instead
    assert _sentences(run_briefing(*args, env={**env, "BRIEFING_CONFIG": str(other)})) == 5
    # an option whose long name differs from click's parameter name (--format, stored as fmt)
    res = run_briefing("summarize", SAMPLE_TXT, env={**env, "BRIEFING_SUMMARIZE_FORMAT": "json"})
    assert res.returncode == 0 and json.loads(res.stdout)["id"] == "biden-putin-call"


def test_briefing_config_says_where_each_setting_comes_from_and_never_shows_a_password(home):
    env, config = home
    _write(
        config,
        '[digest]\nformat = "html"\nsince = "7d"\n[batch]\njobs = 2\n'
        '[email]\nfrom = "Briefing <b@example.org>"\n[email.smtp]\nhost = "mail.example.org"\n'
        'password_file = "pw.txt"\n',
    )
    env = {**env, "BRIEFING_DIGEST_SINCE": "3d", "BRIEFING_EMAIL_FROM": "env@example.org"}
    env["BRIEFING_SMTP_PASSWORD"] = "s3cret-Pa55"
    res = run_briefing("config", env=env)
    assert res.returncode == 0, res.stderr
    rows = {line.split()[0]: line for line in res.stdout.splitlines() if not line.startswith("#")}
    assert res.stdout.startswith(f"# config file: {config} (the default place)")
    assert rows["digest.since"].split()[1:] == ["3d", "environment", "BRIEFING_DIGEST_SINCE"]
    assert rows["digest.format"].split()[1:] == ["html", "config", "file", str(config)]
    assert rows["batch.jobs"].split()[1:] == ["2", "config", "file", str(config)]
    assert rows["summarize.email_from"].split()[1:] == ["env@example.org", "environment", "BRIEFING_EMAIL_FROM"]
    assert rows["summarize.sentences"].split()[1:] == ["-", "default"]
    assert rows["email.smtp.host"].split()[1:3] == ["mail.example.org", "config"]
    assert rows["email.smtp.password_file"].endswith(str(config))
    assert "s3cret-Pa55" not in res.stdout + res.stderr
    assert "(set, not shown)" in rows["email.smtp.password"]
    # -q: only what is not a default; a name narrows it; --config on the command line is said so
    quiet = run_briefing("--config", config, "config", "-q", "digest", env=env).stdout.splitlines()
    assert quiet[0] == f"# config file: {config} (--config on the command line)"
    assert sorted(line.split()[0] for line in quiet[1:]) == ["digest.email_from", "digest.format", "digest.since"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("[summarize]\nwrods = 3\n", "[summarize] wrods: not an option of `briefing summarize`"),
        ("[summarise]\nwords = 3\n", "[summarise]: no such command"),
        ('[summarize]\nwords = "many"\n', "[summarize] words: 'many' is not a valid integer"),
        ("words = 3\n", "'words' must be a section"),
        ("[summarize\n", "not valid TOML"),
        ('[email]\nfrm = "a@example.org"\n', "[email]: email config: unknown key(s): frm"),
    ],
)
def test_a_bad_config_file_is_one_line_and_exit_2(home, text, message):
    env, config = home
    _write(config, text)
    res = run_briefing("summarize", SAMPLE_TXT, env=env)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith(f"briefing: error: {config}: ") and message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.splitlines()) <= 2


def test_a_missing_config_file_given_on_the_command_line_is_an_error(tmp_path):
    res = run_briefing("--config", tmp_path / "nope.toml", "algorithms")
    assert res.returncode == 2 and res.stderr.startswith("briefing: error: ") and "no such config file" in res.stderr


def _digest_title(res) -> str:
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()[0]


def test_digest_job_file_wins_over_the_user_config_but_not_over_the_environment(home, tmp_path):
    env, config = home
    _write(config, '[digest]\ntitle = "From my config"\nsince = "all"\n')
    job = _write(tmp_path / "job.toml", f'title = "From the job file"\n[[sources]]\npath = "{LIBRARY}"\n')
    base = ("digest", "--dry-run", "--no-entities", "--state", tmp_path / "s.db")
    assert _digest_title(run_briefing(*base, LIBRARY, env=env)) == "# From my config"
    assert _digest_title(run_briefing(*base, "--config", job, env=env)) == "# From the job file"
    env2 = {**env, "BRIEFING_DIGEST_TITLE": "From the environment"}
    assert _digest_title(run_briefing(*base, "--config", job, env=env2)) == "# From the environment"
    assert _digest_title(run_briefing(*base, "--config", job, "--title", "Given", env=env2)) == "# Given"


def _readme_digest_example():
    """The README's config file (the heredoc) and its digest + email command, as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    heredoc = re.search(r"cat > ~/\.config/briefing/config\.toml <<'EOF'\n(.*?)\nEOF\n", readme, re.S)
    command = re.search(r"^\$ (briefing digest --config samples/digest\.toml .*--email-to .*)$", readme, re.M)
    assert heredoc and command, "the README's digest + email example moved"
    return heredoc.group(1), shlex.split(command.group(1))


def test_the_readme_digest_and_email_example_works_as_written(home, smtp_server):  # noqa: F811
    env, config = home
    server = smtp_server()
    text, argv = _readme_digest_example()
    assert tomllib.loads(text)["email"]["smtp"]["host"] == "localhost"
    _write(config, text)
    assert argv[0] == "briefing"
    # the example's server is localhost:25; the test's listens elsewhere, which the environment says
    env = {**env, "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(server.port)}
    res = run_briefing(*argv[1:], cwd=ROOT, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert re.search(r"^briefing: sent <[^>]+> to 1 recipient\(s\)$", res.stderr, re.M), res.stderr
    (got,) = server.received
    assert got.rcpt_tos == ["team@example.org"] and got.mail_from == "briefing@example.org"
    assert "Morning briefing" in got.message["Subject"]
    # the same run again the same day sends nothing (once per job and day), still exit 0
    again = run_briefing(*argv[1:], cwd=ROOT, env=env, timeout=300)
    assert again.returncode == 0 and len(server.received) == 1, again.stderr


# --- one JSON shape ---------------------------------------------------------------------------------
def test_summarize_json_is_one_line_per_source_however_many():
    one = run_briefing("summarize", SAMPLE_TXT, "-f", "json")
    two = run_briefing("summarize", SAMPLE_TXT, LIBRARY, "-f", "json")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert len(one.stdout.splitlines()) == 1 and one.stdout.endswith("\n")
    assert isinstance(json.loads(one.stdout), dict)  # one source: json.loads still reads it
    lines = two.stdout.splitlines()
    assert len(lines) == 2 and all(isinstance(json.loads(line), dict) for line in lines)
    assert [json.loads(line)["id"] for line in lines] == ["biden-putin-call", "library-reopening"]
    assert lines[0] == one.stdout.rstrip("\n")  # the same object whatever else is given with it


# --- batch tells you what is happening ----------------------------------------------------------------
def test_batch_on_a_terminal_exit_0_and_the_counts_when_no_line_failed(tmp_path):
    from test_batch import _pty_stderr

    src = tmp_path / "in.jsonl"
    text = SAMPLE_TXT.read_text(encoding="utf-8")
    src.write_text("".join(json.dumps({"id": f"a{i}", "text": text}) + "\n" for i in range(3)), encoding="utf-8")
    out = tmp_path / "piped.jsonl"
    with out.open("wb") as fh:  # down a pipe-like stdout, the bar still on the terminal's stderr
        code, seen = _pty_stderr(["batch", src], stdout=fh)
    assert code == 0, seen
    assert b"100%" in seen and re.search(rb"briefing: 3 articles, 0 errors, \d+\.\d s", seen), seen
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


# --- smaller habits ---------------------------------------------------------------------------------
def test_usage_errors_are_one_briefing_error_line_and_a_pointer_to_help():
    for args, command in (
        (["summarize", SAMPLE_TXT, "--wrods", "3"], "briefing summarize"),
        (["summarize"], "briefing summarize"),
        (["summarize", SAMPLE_TXT, "-a", "nonsense"], "briefing summarize"),
        (["--bogus", "algorithms"], "briefing"),
        (["batch", "-", "--jobs", "zero"], "briefing batch"),
        (["eval", "dates"], "briefing eval dates"),
    ):
        res = run_briefing(*args)
        lines = res.stderr.splitlines()
        assert res.returncode == 2, (args, res.stderr)
        assert len(lines) == 2 and lines[0].startswith("briefing: error: "), (args, res.stderr)
        assert lines[1] == f"Try '{command} --help' for help.", (args, res.stderr)
    res = run_briefing("summarize", SAMPLE_TXT, "-a", "nonsense")
    assert "choose from: news, lead" in res.stderr


def test_algorithm_choices_in_help_and_completion_without_importing_sumy_or_spacy():
    res = run_briefing("summarize", "--help")
    assert re.search(r"-a, --algorithm \[news\|lead\|lexrank\|", res.stdout), res.stdout
    env = {"_BRIEFING_COMPLETE": "bash_complete", "COMP_WORDS": "briefing summarize -a l", "COMP_CWORD": "3"}
    done = run_briefing(env=env)
    assert {line.split(",")[1] for line in done.stdout.splitlines()} >= {"lead", "lexrank", "lsa", "luhn"}
    script = run_briefing(env={"_BRIEFING_COMPLETE": "bash_source"})
    assert script.returncode == 0 and "_BRIEFING_COMPLETE=bash_complete" in script.stdout
    probe = (
        "import sys\nfrom briefing.cli import main\n"
        "for args in (['--help'], ['summarize', '--help'], ['batch', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in ('sumy', 'spacy', 'trafilatura') if m in sys.modules), file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.stderr.strip().splitlines()[-1] == "[]", p.stderr


def test_every_command_takes_q_and_v_and_its_summary_is_not_cut_off():
    top = run_briefing("--help").stdout
    commands = re.findall(r"^  ([a-z-]+)  +(.*)$", top.split("Commands:")[1], re.M)
    names = [name for name, _ in commands]
    assert {"summarize", "batch", "digest", "send", "eval", "algorithms", "config"} <= set(names)
    evals = re.findall(r"^  ([a-z-]+)  +(.*)$", run_briefing("eval", "--help").stdout.split("Commands:")[1], re.M)
    for _, summary in commands + evals:
        assert not summary.endswith("..."), summary
    for path in [[n] for n in names if n != "eval"] + [["eval", n] for n, _ in evals]:
        text = run_briefing(*path, "--help").stdout
        assert re.search(r"^\s+-q, --quiet\b", text, re.M) and re.search(r"^\s+-v, --verbose\b", text, re.M), path


def test_send_list_says_when_the_outbox_is_empty(tmp_path):
    res = run_briefing("send", "--list", "--outbox-dir", tmp_path / "outbox")
    assert res.returncode == 0 and res.stdout == ""
    assert res.stderr.strip() == f"briefing: outbox: nothing waiting in {tmp_path / 'outbox'}"


def test_digest_help_documents_the_job_file_keys_without_the_repository():
    from briefing.digest.config import _SOURCE_KEYS, _TOP_KEYS

    text = run_briefing("digest", "--help").stdout
    job_help = text.split("The job file")[1]
    for key in sorted(_TOP_KEYS - {"sources"}) + sorted(_SOURCE_KEYS) + ["[[sources]]", "[email]", "[email.smtp]"]:
        assert re.search(rf"(?<![\w_]){re.escape(key)}(?![\w_])", job_help), key
    assert "samples/" not in text and "docs/" not in text  # nothing an installed copy lacks


def test_mail_settings_layer_user_config_under_the_job_file_under_the_environment(home, tmp_path, smtp_server):  # noqa: F811
    """The sender and the server once in the user's config; the job file's [email] wins over it, the
    environment over both."""
    env, config = home
    server = smtp_server()
    _write(config, f'[email]\nfrom = "user@example.org"\n[email.smtp]\nhost = "127.0.0.1"\nport = {server.port}\n')
    job = _write(
        tmp_path / "job.toml",
        f'title = "T"\nsince = "all"\n[[sources]]\npath = "{LIBRARY}"\n[email]\nfrom = "job@example.org"\n'
        'to = ["desk@example.org"]\n',
    )
    args = ("digest", "--config", job, "--no-entities", "--state", tmp_path / "s.db", "--resend")
    res = run_briefing(*args, env=env)
    assert res.returncode == 0, res.stderr
    res = run_briefing(*args, env={**env, "BRIEFING_EMAIL_FROM": "env@example.org"})
    assert res.returncode == 0, res.stderr
    assert [(m.mail_from, m.rcpt_tos) for m in server.received] == [
        ("job@example.org", ["desk@example.org"]),
        ("env@example.org", ["desk@example.org"]),
    ]
    # without a job file's [email], the user's config file alone says who sends and where
    res = run_briefing(
        "digest",
        LIBRARY,
        "--since",
        "all",
        "--no-entities",
        "--state",
        tmp_path / "t.db",
        "--email-to",
        "me@example.org",
        env=env,
    )
    assert res.returncode == 0, res.stderr
    assert (server.received[-1].mail_from, server.received[-1].rcpt_tos) == ("user@example.org", ["me@example.org"])
