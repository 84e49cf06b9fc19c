"""A user's template (``--template FILE``): contained to its own folder, and bounded in time, memory and output.

Jinja2's sandbox stops a template from reaching Python's internals, but not from
asking for ``"x" * 3000000000`` or looping 10**10 times: a template is code. So a
user template renders in a child process (``python -m briefing.template_sandbox``)
that sets its own CPU and address-space limits (``RLIMIT_CPU``, ``RLIMIT_AS``)
before it compiles the template, and stops writing at an output cap; the parent
waits for it with a wall-clock deadline and kills it past that. No template code
can run before the limits are in place, and no sandbox hole can lift them.
Built-in templates stay in-process: they are ours, and their loops are bounded by
the data.

What a user template may load (``include``, ``extends``, ``import``), see
docs/security.md: a regular file in the template's own folder or below, no path
part starting with ``.``, no symlink that leads out of the folder, a name ending
in one of ``TEMPLATE_SUFFIXES``; or a built-in template by its name.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import TemplateError

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".html", ".md", ".txt")
MAX_TEMPLATE_BYTES = 1 << 20  # a template bigger than this is not a template

# Defaults, and the environment variables that change them (docs/security.md).
DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY_MB = 512
DEFAULT_OUTPUT_MB = 32
ENV_SECONDS = "BRIEFING_TEMPLATE_SECONDS"
ENV_MEMORY_MB = "BRIEFING_TEMPLATE_MEMORY_MB"
ENV_OUTPUT_MB = "BRIEFING_TEMPLATE_OUTPUT_MB"

# How the child tells the parent what happened (anything else is a crash or a signal).
_EXIT_TEMPLATE_ERROR = 10
_EXIT_MEMORY = 11
_EXIT_OUTPUT = 12
# RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one
_TIME_CODES = {-getattr(signal, name) for name in ("SIGXCPU", "SIGKILL") if hasattr(signal, name)}


@dataclass(frozen=True)
class Limits:
    seconds: float = DEFAULT_SECONDS  # CPU time of the child
    memory_mb: int = DEFAULT_MEMORY_MB  # address space the template may add to the child
    output_mb: int = DEFAULT_OUTPUT_MB

    @classmethod
    def from_env(cls, environ=os.environ) -> Limits:
        def number(name: str, default: float, kind=float):
            raw = environ.get(name)
            if raw is None or not raw.strip():
                return default
            try:
                value = kind(raw)
            except ValueError:
                value = 0
            if not (0 < value < 1e9):  # also refuses nan and inf
                raise TemplateError(f"{name}={raw!r}: expected a positive number")
            return value

        return cls(
            seconds=number(ENV_SECONDS, DEFAULT_SECONDS),
            memory_mb=number(ENV_MEMORY_MB, DEFAULT_MEMORY_MB, int),
            output_mb=number(ENV_OUTPUT_MB, DEFAULT_OUTPUT_MB, int),
        )

    @property
    def wall_seconds(self) -> float:
        """The parent's deadline: CPU limit plus room for a loaded machine (cron at 07:00 with everything else)."""
        return self.seconds * 3 + 5


# ---------------------------------------------------------------- the parent side


def render_user_template(
    path: str | os.PathLike,
    data: Any,
    *,
    kind: str,
    autoescape: bool,
    builtin_dir: Path,
    limits: Limits | None = None,
    markdown_page: str | None = None,
) -> str:
    """Render the user's template file ``path`` with ``data`` (the JSON form of a brief or digest).

    ``markdown_page`` (a page title): the template writes Markdown and the result is an HTML page.
    Every value is escaped for Markdown and HTML (``briefing.render.MarkdownText``), and the
    Markdown is converted and sanitised in the child, under its limits (``render.markdown_page``).
    """
    path = Path(path)
    name = path.name
    limits = limits or Limits.from_env()
    _check_main_file(path)
    request = {
        "folder": str(path.parent.absolute()),
        "main": name,
        "kind": kind,
        "autoescape": autoescape,
        "markdown_page": markdown_page,
        "builtin": str(builtin_dir),
        "data": data,
        "limits": {"seconds": limits.seconds, "memory_mb": limits.memory_mb, "output_mb": limits.output_mb},
    }
    # ASCII JSON: every string crosses the pipe intact, whatever characters it holds
    payload = json.dumps(request, ensure_ascii=True, default=str).encode("ascii")
    proc = _start_child()
    try:
        out, err = proc.communicate(payload, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise TemplateError(f"template {name}: exceeded {_fmt_seconds(limits.seconds)} s") from None
    finally:
        if proc.poll() is None:  # interrupted (Ctrl-C): leave no child behind
            proc.kill()
            proc.wait()
    return _result(proc.returncode, out, err, name, limits)


def _check_main_file(path: Path) -> None:
    """The template the user named: a regular file of template size (not a FIFO that would block us)."""
    try:
        st = os.stat(path)
    except OSError:
        raise TemplateError(f"{path}: template file not found") from None
    if not stat.S_ISREG(st.st_mode):
        raise TemplateError(f"{path}: template file not found (not a regular file)")
    if st.st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{path}: template too large ({st.st_size} bytes; at most {MAX_TEMPLATE_BYTES})")


def _start_child() -> subprocess.Popen:
    if not sys.executable:
        raise TemplateError("cannot run the template sandbox: no Python executable known")
    env = dict(os.environ)
    # the child imports this very package, whatever the current folder or PYTHONPATH say
    package_root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    env.pop("BRIEFING_DEBUG", None)  # the child reports one line; the parent decides what to show
    try:
        # -P: the current folder is not put on sys.path (a stray jinja2.py there must not be imported)
        return subprocess.Popen(
            [sys.executable, "-P", "-m", "briefing.template_sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd="/",
        )
    except OSError as e:
        raise TemplateError(f"cannot run the template sandbox ({e.strerror or e})") from None


def _result(code: int, out: bytes, err: bytes, name: str, limits: Limits) -> str:
    if code == 0:
        return out.decode("utf-8", "surrogatepass")
    message = _last_line(err)
    if code == _EXIT_TEMPLATE_ERROR and message:
        raise TemplateError(message)
    if code == _EXIT_MEMORY:
        raise TemplateError(f"template {name}: exceeded {limits.memory_mb} MB of memory")
    if code == _EXIT_OUTPUT:
        raise TemplateError(f"template {name}: output exceeded {limits.output_mb} MB")
    if code in _TIME_CODES:
        raise TemplateError(f"template {name}: exceeded {_fmt_seconds(limits.seconds)} s of CPU time")
    detail = f": {message}" if message else ""
    raise TemplateError(f"template {name}: the template sandbox failed (exit {code}){detail}")


def _last_line(err: bytes) -> str:
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _fmt_seconds(s: float) -> str:
    return f"{s:g}"


# ---------------------------------------------------------------- what a template may load


class _Refused(Exception):
    """A load the containment rule forbids (becomes a SecurityError inside Jinja)."""


def _rule_error(name: str, why: str):
    from jinja2.exceptions import SecurityError

    return SecurityError(f"may not load {name!r}: {why}")


def contained_loader(
    folder: str | os.PathLike, main: str, builtin_dir: str | os.PathLike, loaded: set[str] | None = None
):
    """The loader for one user template: its own folder under the rule, then the built-ins by name.
    ``loaded`` collects the files it read (error messages name the template and line)."""
    import jinja2

    read_files: set[str] = loaded if loaded is not None else set()

    class ContainedLoader(jinja2.BaseLoader):
        def __init__(self) -> None:
            self.folder = Path(folder)
            self.real_folder = Path(os.path.realpath(folder))

        def get_source(self, environment, template: str):
            pieces = _pieces(template)
            if template == main or pieces == [main]:
                return self._read(template, self.folder / main, check_rule=False)
            if any(p == ".." for p in pieces):
                raise _rule_error(template, "it leaves the template's folder")
            if any(p.startswith(".") for p in pieces):
                raise _rule_error(template, "hidden files and folders are never templates")
            candidate = self.folder.joinpath(*pieces) if pieces else self.folder
            if not pieces or not os.path.lexists(candidate):
                raise jinja2.TemplateNotFound(template)
            return self._read(template, candidate, check_rule=True)

        def _read(self, template: str, candidate: Path, *, check_rule: bool):
            real = Path(os.path.realpath(candidate))
            if check_rule:
                try:
                    inside = real.relative_to(self.real_folder).parts
                except ValueError:
                    raise _rule_error(template, "it is a link that leads out of the template's folder") from None
                if any(p.startswith(".") for p in inside):
                    raise _rule_error(template, "it is a link to a hidden file")
                if not real.name.lower().endswith(TEMPLATE_SUFFIXES) or not candidate.name.lower().endswith(
                    TEMPLATE_SUFFIXES
                ):
                    raise _rule_error(template, f"a template's name ends in {', '.join(TEMPLATE_SUFFIXES)}")
            try:
                source = _read_regular(real)
            except _Refused as e:
                raise _rule_error(template, str(e)) from None
            read_files.add(str(real))
            return source, str(real), lambda: True

    builtin = jinja2.FileSystemLoader(str(builtin_dir))
    return jinja2.ChoiceLoader([ContainedLoader(), builtin])


def _pieces(name: str) -> list[str]:
    return [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]


def _read_regular(path: Path) -> str:
    """A template file's text. O_NONBLOCK: a FIFO named like a template must not block the render."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise _Refused(f"cannot be read ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _Refused("it is not a regular file")
        if st.st_size > MAX_TEMPLATE_BYTES:
            raise _Refused(f"it is larger than {MAX_TEMPLATE_BYTES} bytes")
        data = os.read(fd, MAX_TEMPLATE_BYTES + 1)
    finally:
        os.close(fd)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused("it is not UTF-8 text") from None


# ---------------------------------------------------------------- the child side


def _set_limits(limits: dict) -> None:
    """CPU seconds and address space, on top of what the child already uses (Python, Jinja2, the data)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: the parent's wall-clock deadline still holds
        return
    cpu = max(1, int(limits["seconds"] + 0.999))
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu += int(used.ru_utime + used.ru_stime)  # the limit is on the process's total; imports count too
    _lower(resource, resource.RLIMIT_CPU, cpu, cpu + 2)  # soft: SIGXCPU; hard: SIGKILL
    _lower(resource, resource.RLIMIT_CORE, 0, 0)  # a killed child leaves no core file behind
    if hasattr(resource, "RLIMIT_AS"):
        budget = _address_space() + int(limits["memory_mb"]) * (1 << 20)
        _lower(resource, resource.RLIMIT_AS, budget, budget)


def _lower(resource, which: int, soft: int, hard: int) -> None:
    """Limits only ever go down: an administrator's lower limit stays."""
    old_soft, old_hard = resource.getrlimit(which)
    if old_hard != resource.RLIM_INFINITY:
        hard = min(hard, old_hard)
    soft = min(soft, hard)
    if old_soft != resource.RLIM_INFINITY:
        soft = min(soft, old_soft)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):  # pragma: no cover - a platform without this limit
        pass


def _address_space() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # not Linux: RLIMIT_AS then counts everything
        return 256 << 20


def _where(name: str, e: BaseException, loaded: set[str]) -> str:
    """ " (line N)" or " (other.j2, line N)": from the error, else from the template frames of its traceback."""
    import traceback

    file, line = getattr(e, "filename", None) or getattr(e, "name", None), getattr(e, "lineno", None)
    if line is None:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename in loaded]
        if frames:
            file, line = frames[-1].filename, frames[-1].lineno
    other = Path(file).name if file and Path(file).name != name else None
    parts = ([other] if other else []) + ([f"line {line}"] if line else [])
    return f" ({', '.join(parts)})" if parts else ""


def _error_line(name: str, e: BaseException, loaded: set[str]) -> str:
    import jinja2

    if isinstance(e, RecursionError):
        return f"template {name}: nested too deeply (a macro that calls itself?)"
    if isinstance(e, jinja2.TemplateNotFound):
        return f"template {name}: template not found: {e.name}"
    loc = _where(name, e, loaded)
    if isinstance(e, jinja2.exceptions.SecurityError):
        return f"template {name}{loc}: not allowed: {e}"
    if isinstance(e, OverflowError):
        return f"template {name}{loc}: too large: {e}"
    if isinstance(e, jinja2.TemplateError):
        return f"template {name}{loc}: {e.message or type(e).__name__}"
    return f"template {name}{loc}: {type(e).__name__}: {e}"


def _child() -> int:
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from .render import markdown_html_data, markdown_html_finalize, markdown_page, template_filters

    request = json.loads(sys.stdin.buffer.read().decode("ascii"))
    name = request["main"]
    page_title = request.get("markdown_page")
    md_html = page_title is not None
    _set_limits(request["limits"])
    cap = int(request["limits"]["output_mb"]) * (1 << 20)
    loaded: set[str] = set()
    try:
        env = ImmutableSandboxedEnvironment(
            loader=contained_loader(request["folder"], name, request["builtin"], loaded),
            autoescape=bool(request["autoescape"]) or md_html,
            finalize=markdown_html_finalize if md_html else None,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=jinja2.ChainableUndefined,
            auto_reload=False,
        )
        env.filters.update(template_filters(markdown_html=md_html))
        data = markdown_html_data(request["data"]) if md_html else request["data"]
        ctx = {"brief": data, "b": data, "obj": data, request["kind"]: data}
        parts, size = [], 0
        for chunk in env.get_template(name).generate(**ctx):
            size += len(chunk)  # characters: at most 4 bytes each, checked exactly below
            if size > cap:
                return _EXIT_OUTPUT
            parts.append(chunk)
        text = "".join(parts)
        if md_html:
            text = markdown_page(text, page_title or "")
        out = text.encode("utf-8", "surrogatepass")
        if len(out) > cap:
            return _EXIT_OUTPUT
    except MemoryError:
        return _EXIT_MEMORY
    except Exception as e:  # every template problem, whatever its kind, is one line for the user
        if _is_memory(e):
            return _EXIT_MEMORY
        sys.stderr.write(" ".join(_error_line(name, e, loaded).split()) + "\n")
        return _EXIT_TEMPLATE_ERROR
    sys.stdout.buffer.write(out)
    sys.stdout.buffer.flush()
    return 0


def _is_memory(exc: BaseException) -> bool:
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, MemoryError):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def main() -> None:
    try:
        code = _child()
    except MemoryError:
        code = _EXIT_MEMORY
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown: nothing left to clean, and it may itself need memory


if __name__ == "__main__":
    main()
