"""Fixtures for the Python package's tests: a wheel built by real pip from a
clean copy of the tree, fresh virtualenvs with it installed (PyPI Django 5.2
with pywatchman 1.4.1, and Debian's Django 3.2), Django projects made by
startproject, and runserver processes whose output is collected.

Heavy things are cached between runs in $DEVWATCH_CACHE/python-tests: the
source copy keeps the mtimes of unchanged files and the CMake build tree is
persistent, so a rebuild only recompiles what changed (ccache, when present,
serves the rest).
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Dict, List, Optional

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from devserver_util import free_port, http_get, wait_until  # noqa: E402

CACHE = Path(os.environ.get("DEVWATCH_CACHE") or Path.home() / ".cache" / "devwatch-dev") / "python-tests"
DJANGO_52 = "Django>=5.2,<5.3"
PYWATCHMAN = "pywatchman==1.4.1"
DEBIAN_PYTHON = "/usr/bin/python3"


def run(cmd: List[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 900)
    p = subprocess.run([str(c) for c in cmd], **kwargs)
    return p


def check_run(cmd: List[str], **kwargs) -> subprocess.CompletedProcess:
    p = run(cmd, **kwargs)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {p.returncode}\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}")
    return p


def build_env() -> Dict[str, str]:
    """The environment for wheel builds: at most 2 compile jobs, ccache when present."""
    env = {k: v for k, v in os.environ.items() if k != "DEVWATCH_BIN"}
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = env.get("DEVWATCH_JOBS", "2")
    if shutil.which("ccache"):
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
        # Relative paths everywhere: a build in a copy of the tree (or an
        # unpacked sdist) hits the same cache entries as ./build.
        env["CCACHE_BASEDIR"] = "/"
        env["CCACHE_NOHASHDIR"] = "1"
        # scikit-build-core would pass sysconfig's CXX (g++); ccache hashes the
        # compiler's name, so use CMake's default, as ./build does.
        env.setdefault("CXX", "c++")
        # CI builds ./build with -Werror (scripts/setup.sh): the same flags, the same cache entries.
        if os.environ.get("CI") == "true":
            env["CMAKE_ARGS"] = (env.get("CMAKE_ARGS", "") + " -DDEVWATCH_WERROR=ON").strip()
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def tree_files() -> List[str]:
    """What a clean checkout holds: tracked files plus new, not ignored ones."""
    out = check_run(["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]).stdout
    return sorted({f for f in out.split("\0") if f and os.path.lexists(ROOT / f)})


def sync_tree(dest: Path) -> None:
    """Make dest a copy of the checkout, rewriting only files whose content
    changed (their mtimes stay, so the persistent build tree stays valid)."""
    wanted = set(tree_files())
    dest.mkdir(parents=True, exist_ok=True)
    for rel in wanted:
        src, dst = ROOT / rel, dest / rel
        if src.is_symlink():
            target = os.readlink(src)
            if not (dst.is_symlink() and os.readlink(dst) == target):
                if dst.exists() or dst.is_symlink():
                    dst.unlink()
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(target, dst)
            continue
        data = src.read_bytes()
        if dst.is_file() and not dst.is_symlink() and dst.read_bytes() == data:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.is_symlink():
            dst.unlink()
        dst.write_bytes(data)
        shutil.copymode(src, dst)
    for path in sorted(dest.rglob("*"), reverse=True):
        rel = path.relative_to(dest).as_posix()
        if rel.startswith(("build-wheel", "python/build", "python/dist")):
            continue
        if path.is_file() or path.is_symlink():
            if rel not in wanted:
                path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


@pytest.fixture(scope="session")
def source_tree() -> Path:
    tree = CACHE / "src"
    sync_tree(tree)
    return tree


@pytest.fixture(scope="session")
def sdist_and_wheel(source_tree: Path) -> Dict[str, Path]:
    """``python -m build`` on the clean copy: the sdist, then the wheel built
    *from that sdist* (so the sdist is proven to carry the C++ sources)."""
    out = CACHE / "dist"
    shutil.rmtree(out, ignore_errors=True)
    check_run([sys.executable, "-m", "build", "--outdir", out, source_tree / "python"], env=build_env(), timeout=1800)
    sdists = list(out.glob("devwatch-*.tar.gz"))
    wheels = list(out.glob("devwatch-*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list(out.iterdir())
    return {"sdist": sdists[0], "wheel": wheels[0]}


@pytest.fixture(scope="session")
def wheel(sdist_and_wheel) -> Path:
    return sdist_and_wheel["wheel"]


def make_venv(path: Path, python: str, *, system_site_packages: bool = False) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    cmd = [python, "-m", "venv", path]
    if system_site_packages:
        cmd.append("--system-site-packages")
    check_run(cmd)
    return path / "bin" / "python"


def pip_install(python: Path, *args: str) -> None:
    check_run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *map(str, args)],
              env=build_env(), timeout=1800)


def base_python() -> str:
    """The interpreter that made the test venv (a venv of a venv is not allowed to nest)."""
    return getattr(sys, "_base_executable", None) or sys.executable


@pytest.fixture(scope="session")
def watchman(tmp_path_factory):
    """A private watchman server (its own socket and state; the user's daemon,
    if any, is neither used nor disturbed), found through WATCHMAN_SOCK by
    pywatchman in every process the tests start. pywatchman 1.4.1's
    SystemError happens while decoding the server's answer, so it needs one."""
    binary = shutil.which("watchman")
    if not binary:
        pytest.fail("watchman is not installed (scripts/setup.sh installs it: apt-get install watchman)")
    state = tmp_path_factory.mktemp("watchman")
    sock = state / "sock"
    proc = subprocess.Popen([binary, "--foreground", f"--sockname={sock}", f"--statefile={state / 'state'}",
                             f"--logfile={state / 'log'}", f"--pidfile={state / 'pid'}", "--no-save-state"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_until(lambda: sock.exists() or proc.poll() is not None, timeout=30, what="watchman's socket")
    assert proc.poll() is None, (state / "log").read_text() if (state / "log").exists() else "watchman exited"
    os.environ["WATCHMAN_SOCK"] = str(sock)
    yield str(sock)
    os.environ.pop("WATCHMAN_SOCK", None)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def venv52(wheel, watchman, tmp_path_factory) -> Path:
    """PyPI Django 5.2, the broken pywatchman 1.4.1 (with a watchman server to
    talk to), and the wheel."""
    python = make_venv(tmp_path_factory.mktemp("venv52") / "venv", base_python())
    pip_install(python, DJANGO_52, PYWATCHMAN, wheel)
    return python


@pytest.fixture(scope="session")
def venv32(wheel, tmp_path_factory) -> Path:
    """Debian's Python with python3-django (3.2), and the wheel."""
    if not os.path.exists(DEBIAN_PYTHON):
        pytest.skip("no /usr/bin/python3")
    probe = run([DEBIAN_PYTHON, "-c", "import django; print(django.get_version())"])
    if probe.returncode != 0:
        pytest.fail("Debian's python3-django is not installed (scripts/setup.sh installs it)")
    python = make_venv(tmp_path_factory.mktemp("venv32") / "venv", DEBIAN_PYTHON, system_site_packages=True)
    pip_install(python, wheel)
    return python


def env_without_devwatch_bin(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEVWATCH_BIN", "DEVWATCH_FALLBACK", "VIRTUAL_ENV")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def django_version(python: Path) -> tuple:
    out = check_run([python, "-c", "import django; print(django.get_version())"]).stdout.strip()
    return tuple(int(p) for p in out.split(".")[:2])


VIEWS = '''from django.http import HttpResponse
from django.shortcuts import render


def index(request):
    return HttpResponse("{marker}")


def page(request):
    return render(request, "pages/page.html")


def lazy(request):
    import lazymod
    return HttpResponse(lazymod.VALUE)
'''


def make_project(python: Path, dest: Path, *, with_app: bool = True) -> Path:
    """``startproject mysite`` plus an app ``pages`` with a view, a template
    and a lazily imported module; ``devwatch.django`` in INSTALLED_APPS."""
    dest.mkdir(parents=True, exist_ok=True)
    check_run([python, "-m", "django", "startproject", "mysite", dest])
    settings = dest / "mysite" / "settings.py"
    text = settings.read_text()
    apps = "\n    'pages',\n" + ("    'devwatch.django',\n" if with_app else "")
    for quote in ("'", '"'):
        text = text.replace(f"{quote}django.contrib.staticfiles{quote},",
                            f"{quote}django.contrib.staticfiles{quote},{apps}", 1)
    assert "'pages'" in text
    settings.write_text(text)
    pages = dest / "pages"
    (pages / "templates" / "pages").mkdir(parents=True)
    (pages / "__init__.py").write_text("")
    (pages / "views.py").write_text(VIEWS.format(marker="v1"))
    (pages / "templates" / "pages" / "page.html").write_text("template v1\n")
    (dest / "lazymod.py").write_text('VALUE = "lazy v1"\n')
    urls = dest / "mysite" / "urls.py"
    urls.write_text(
        "from django.urls import path\nfrom pages import views\n\n"
        "urlpatterns = [path('', views.index), path('page/', views.page), path('lazy/', views.lazy)]\n")
    return dest


class Runserver:
    """``manage.py runserver`` (autoreload on) with its merged output collected."""

    def __init__(self, python: Path, project: Path, env: Dict[str, str], args: Optional[List[str]] = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [str(python), "manage.py", "runserver", *(args or []), f"127.0.0.1:{self.port}"],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def count(self, text: str) -> int:
        with self._lock:
            return sum(text in line for line in self.lines)

    def wait_for_output(self, text: str, times: int = 1, timeout: float = 60.0) -> None:
        try:
            wait_until(lambda: self.count(text) >= times, timeout=timeout, what=f"{text!r} x{times}")
        except AssertionError:
            raise AssertionError(f"no {text!r} (x{times}) in runserver's output:\n{self.output}") from None

    def wait_for_exit(self, timeout: float = 60.0) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def get(self, path: str = "") -> tuple:
        try:
            return http_get(self.url + path, timeout=5)
        except (OSError, http.client.HTTPException) as exc:
            # runserver's own reloader exits mid-response when it reloads:
            # a cut response is "not served yet", like a refused connection.
            return 0, str(exc)

    def wait_for_body(self, path: str, body: str, timeout: float = 60.0) -> None:
        try:
            wait_until(lambda: self.get(path) == (200, body), timeout=timeout, what=f"{path} serving {body!r}")
        except AssertionError:
            raise AssertionError(f"/{path} never served {body!r} (last: {self.get(path)!r}); output:\n"
                                 f"{self.output}") from None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 2)  # Ctrl-C, as in a terminal: the whole group
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self._reader.join(timeout=5)


@pytest.fixture
def runservers():
    started: List[Runserver] = []

    def start(*args, **kwargs) -> Runserver:
        r = Runserver(*args, **kwargs)
        started.append(r)
        return r

    yield start
    for r in started:
        r.stop()


def edit(path: Path, text: str) -> None:
    """Write a file so its mtime surely moves (an editor's save)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))
