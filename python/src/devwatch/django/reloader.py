"""``DevwatchReloader``: Django's autoreloader fed by one devwatch subscription.

Django's ``runserver`` asks ``django.utils.autoreload.get_reloader()`` for a
reloader; ``devwatch.django``'s ``AppConfig.ready()`` replaces that function
with ``fallback.get_reloader``, which returns this one when devwatch can
serve. The reloader is a ``BaseReloader`` subclass:
it watches exactly what ``StatReloader`` would (``watched_files()``: module
files, files that failed to import, ``watch_dir`` globs, extra files),
recomputed when sys.modules, the failed imports or the globs grow, and hands each change to
Django's own ``notify_file_changed`` (template cache reset, translations,
``trigger_reload``).

Never silent: every way devwatch can fail to serve (the executable is
missing, too old, fails its handshake, or reports a degraded watcher) is
raised as ``DevwatchUnavailable`` with a ``Problem``; fallback.py reports it
and picks what runs instead (``get_reloader``, ``install``).

Django attributes relied on (the same in 3.2, 5.2 and 6.1; 6.1.3's
``django/utils/autoreload.py`` from PyPI was read for them, see docs/python.md): ``BaseReloader``
(``watched_files``, ``directory_globs``, ``extra_files``, ``tick``,
``notify_file_changed``, ``should_stop``, ``stop``,
``check_availability``), ``autoreload.get_reloader`` (looked up at call time
by ``run_with_reloader``), ``autoreload.trigger_reload``, ``autoreload.StatReloader``,
``autoreload._error_files`` (only its length, as a cheap sign of change), the
``"Watching for file changes with %s"`` record of the ``django.utils.autoreload``
logger.
"""

from __future__ import annotations

import fnmatch
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Callable, List, Optional, Set, Tuple

from django.utils import autoreload

from devwatch import find_devwatch_bin
from devwatch.client import (
    Client,
    ClientError,
    FilesDidChange,
    LogMessage,
    ShowMessage,
    uri_to_path,
)
from devwatch.django.fallback import (  # noqa: F401 (re-exported: these were defined here)
    FALLBACK_ENV,
    DevwatchUnavailable,
    Problem,
    fallback_mode,
    get_reloader,
    install,
    report_unavailable,
    stderr_line,
)
from devwatch.django.handshake import check_server, check_watcher
from devwatch.django.roots import Exclude, covered_by, covering_roots, plan

logger = logging.getLogger("django.utils.autoreload")

SETTLE_MS = 10  # the subscription's settle window (see _connect)
# How long the start-up thread waits for runserver to serve before it
# connects anyway (another server loop than socketserver's, a slow start).
SERVER_START_WAIT_SECONDS = 3.0


class DevwatchReloader(autoreload.BaseReloader):
    """A Django reloader whose file events come from devwatch (inotify)."""

    # How often, without an event, the loop checks whether the watched set
    # can have changed (_fingerprint: modules imported by a request, new globs).
    REFRESH_SECONDS = 1.0

    def __init__(self, client_factory: Optional[Callable[..., Client]] = None):
        super().__init__()
        self._client_factory = client_factory or Client
        self._module_files: Set[Path] = set()
        self._roots: List[Path] = []
        # Folders below the roots devwatch does not crawl (roots.py); fixed at
        # initialize: a root added later gets the same.
        self._excludes: List[Exclude] = []
        self._refresh_lock = threading.Lock()
        self._refreshing: Optional[threading.Thread] = None
        self._last_fingerprint: Tuple[int, int, int, int] = (-1, -1, -1, -1)
        self.backend = "?"
        self.folders = 0
        # Files changed after this moment but before devwatch's watches were
        # in place are found by their mtime once watching starts (_catch_up).
        self._created_at = time.time()
        try:
            binary = find_devwatch_bin()
        except FileNotFoundError as exc:
            raise DevwatchUnavailable(Problem(
                "devwatch.W001", f"the devwatch executable was not found: {exc}",
                "install it into this environment: pip install devwatch (or set DEVWATCH_BIN to a built binary)"))
        # The rest of the start-up (the first watched_files() over every
        # module, roots.py's plan, spawning devwatch, initialize, subscribe,
        # the catch-up stat of each file: ~260 ms of CPU on 3,000 modules)
        # runs on a thread (_start_connecting).
        self._binary = binary
        self._client: Optional[Client] = None
        self._connect_error: Optional[DevwatchUnavailable] = None
        self._connecting: Optional[threading.Thread] = None
        self._connecting_lock = threading.Lock()

    def run(self, django_main_thread: threading.Thread) -> None:  # noqa: D102 (BaseReloader's)
        self._start_connecting(django_main_thread)
        super().run(django_main_thread)

    def _start_connecting(self, django_main_thread: Optional[threading.Thread] = None) -> threading.Thread:
        """Under runserver, the thread first lets Django's start-up finish:
        Python runs one thread at a time, and this work, run alongside, held
        every restart back (bench/reload/reloaders.py, 3,000 modules: served
        1183 ms after the save, 1047 ms with the work moved after start-up;
        django-watchfiles 1114 ms). A file saved meanwhile is found by
        _catch_up(). A probe (checks.py) connects at once."""
        with self._connecting_lock:
            if self._connecting is None:
                self._connecting = threading.Thread(target=self._connect_in_background,
                                                    args=(self._binary, django_main_thread),
                                                    name="devwatch-connect", daemon=True)
                self._connecting.start()
            return self._connecting

    @property
    def client(self) -> Client:
        """The connected client, once the start-up thread is done; DevwatchUnavailable if it failed."""
        self._start_connecting().join()
        if self._connect_error is not None:
            raise self._connect_error
        assert self._client is not None
        return self._client

    def close_client(self) -> None:
        with self._connecting_lock:
            connecting = self._connecting
        if connecting is not None:
            connecting.join()
        if self._client is not None:
            self._client.close()

    # -- start-up: every way this can fail becomes a Problem --

    def _connect_in_background(self, binary: str, django_main_thread: Optional[threading.Thread]) -> None:
        if django_main_thread is not None:
            _wait_until_serving(django_main_thread, SERVER_START_WAIT_SECONDS)
        try:
            self._client = self._connect(binary)
        except DevwatchUnavailable as exc:
            self._connect_error = exc
        except Exception as exc:  # never lost on the thread: reported by tick() with the fallback
            self._connect_error = DevwatchUnavailable(Problem(
                "devwatch.W002", f"connecting to devwatch ({binary}) failed: {exc!r}",
                f"run '{binary} check' to see why"))

    def _connect(self, binary: str) -> Client:
        self._module_files = set(self.watched_files(include_globs=False))
        self._roots, self._excludes = plan(self._wanted_dirs())
        try:
            client = self._client_factory(
                [str(r) for r in self._roots],
                binary=binary,
                client_name="devwatch.django",
                # Watch only: start no dev server (this is one). Every
                # module counts, even a git-ignored local_settings.py, and
                # only roots.py's excludes apply: this list replaces any
                # devwatch.json's, which covered_by() could not know of.
                initialization_options={"autoStart": False, "autoRestart": False,
                                        "settings": {"watch": {
                                            "respectGitignore": False,
                                            "exclude": [e.to_json() for e in self._excludes]}}},
                on_notification=None,
            )
        except (ClientError, TimeoutError, OSError) as exc:
            raise DevwatchUnavailable(Problem(
                "devwatch.W002", f"devwatch ({binary}) failed its handshake: {exc}",
                f"run '{binary} check' to see why; reinstall with: pip install --force-reinstall devwatch"))
        try:
            check_server(client, binary, sends_excludes=bool(self._excludes))
            # settle 10 ms, not the default 20: Django reloads at the first
            # change and merges nothing, and the events of one save (an
            # in-place write, or an editor's write-and-rename) come within
            # microseconds of each other, so 10 ms still holds them together.
            self._subscription = client.subscribe("**", kind=7, settle_ms=SETTLE_MS)
        except DevwatchUnavailable:
            client.close()
            raise
        except (ClientError, TimeoutError) as exc:
            client.close()
            raise DevwatchUnavailable(Problem(
                "devwatch.W002", f"devwatch ({binary}) failed its handshake: {exc}",
                f"run '{binary} check' to see why"))
        return client

    def wait_until_watching(self) -> None:
        """Wait for devwatch's crawl of the roots; DevwatchUnavailable when the
        watcher is degraded. (Django's own start-up runs meanwhile.)"""
        try:
            watcher = self.client.wait_until_watching(timeout=120.0)
        except (ClientError, TimeoutError) as exc:
            raise DevwatchUnavailable(Problem(
                "devwatch.W002", f"devwatch stopped answering while it crawled the project: {exc}",
                f"run '{self.client.binary} check' to see why"))
        self.backend, self.folders = check_watcher(watcher)

    # -- what to watch --

    def _wanted_dirs(self) -> Set[Path]:
        dirs = {p.parent for p in self._module_files}
        dirs.update(p.parent for p in self.extra_files)
        dirs.update(self.directory_globs.keys())
        return {d for d in dirs if d.is_dir()}

    def _fingerprint(self) -> Tuple[int, int, int, int]:
        """Cheap signs that watched_files() may have changed (checked once a
        second; recomputing it for thousands of modules is not free)."""
        return (len(sys.modules), len(autoreload._error_files), len(self.extra_files),
                sum(len(p) for p in self.directory_globs.values()) + len(self.directory_globs))

    def _refresh(self) -> None:
        """Recompute the watched modules; watch roots that are not covered yet.
        Serialised: the loop's background refresh and a change's own one."""
        with self._refresh_lock:
            self._last_fingerprint = self._fingerprint()
            # One assignment: _handle_changes sees the old set or the new one.
            self._module_files = set(self.watched_files(include_globs=False))
            wanted = covering_roots(self._wanted_dirs(), self._excludes)
            new = [r for r in wanted if not any(covered_by(r, have, self._excludes) for have in self._roots)]
            if new:
                logger.debug("devwatch: watching new roots %s", new)
                self._roots.extend(new)
                self.client.add_roots([str(r) for r in new])

    def _refresh_in_background(self) -> None:
        """A refresh of thousands of modules takes 100 ms and more (Django
        resolves every path); on the loop's thread an edit arriving meanwhile
        waited for it (the 3,000-module benchmark's 110-180 ms detection
        outliers). A known module's change needs no refresh, so the loop
        stays free for events."""
        if self._refreshing is not None and self._refreshing.is_alive():
            return

        def run() -> None:
            try:
                self._refresh()
            except ClientError:
                pass  # devwatch went away: the loop says so and reloads

        self._refreshing = threading.Thread(target=run, name="devwatch-refresh", daemon=True)
        self._refreshing.start()

    def _is_watched(self, path: Path) -> bool:
        if path in self._module_files or path in self.extra_files:
            return True
        for directory, patterns in self.directory_globs.items():
            if not _is_within(path, directory):
                continue
            if path.exists():
                if any(path in set(directory.glob(pattern)) for pattern in patterns):
                    return True
            # A deleted file cannot be globbed: match its name against the
            # pattern's last component.
            elif any(fnmatch.fnmatch(path.name, pattern.rsplit("/", 1)[-1]) for pattern in patterns):
                return True
        return False

    # -- the reloader loop --

    def tick(self):  # noqa: D102 (BaseReloader's contract)
        try:
            self.wait_until_watching()
        except DevwatchUnavailable as exc:
            # Django is already serving: use StatReloader's loop in place.
            report_unavailable(exc.problem, fallback_name="StatReloader")
            self.close_client()
            stat = autoreload.StatReloader()
            stat.extra_files, stat.directory_globs = self.extra_files, self.directory_globs
            stat.notify_file_changed = self.notify_file_changed  # type: ignore[method-assign]
            yield from stat.tick()
            return
        logger.info("Watching for file changes with %s", self.describe())
        self._refresh()
        self._catch_up()
        while True:
            note = self.client.next_notification(timeout=self.REFRESH_SECONDS)
            if note is None and self.client._closed.is_set():
                stderr_line("devwatch: the devwatch process exited: " + self.client._exit_description("")
                        + "; restarting the dev server so it picks a reloader again")
                autoreload.trigger_reload("devwatch")
            if isinstance(note, FilesDidChange):
                self._handle_changes(note)
            elif isinstance(note, ShowMessage) or (isinstance(note, LogMessage) and note.type <= 2):
                stderr_line(f"devwatch: {note.message}")
            # Only when the watched set can have changed (a module imported by
            # a request, a failed import, a new glob), not after every request:
            # the fingerprint catches what a request imports.
            if self._fingerprint() != self._last_fingerprint:
                self._refresh_in_background()
            yield

    def _catch_up(self) -> None:
        """The start-up window: devwatch subscribes on a thread while Django
        already runs, so a file saved meanwhile (the fix of a SyntaxError
        written as soon as it shows) has no event. One stat of each watched
        file against the time this reloader was created finds it. (The file
        system's clock is coarse, so a save before that moment never counts.)"""
        for path in sorted(self._module_files | set(self.extra_files)):
            try:
                changed = path.stat().st_mtime > self._created_at
            except OSError:
                continue
            if changed:
                self.notify_file_changed(path)

    def _handle_changes(self, note: FilesDidChange) -> None:
        paths = []
        for change in note.changes:
            try:
                paths.append(Path(uri_to_path(change.uri)))
            except ValueError:
                continue
        if not paths:
            return
        if any(p not in self._module_files for p in paths):
            # A module imported since the last refresh, or one that failed to
            # import: recompute before deciding.
            self._refresh()
        for path in dict.fromkeys(paths):
            if self._is_watched(path):
                self.notify_file_changed(path)

    def stop(self) -> None:
        super().stop()
        self.close_client()

    @classmethod
    def check_availability(cls) -> bool:
        find_devwatch_bin()
        return True

    def describe(self) -> str:
        return f"DevwatchReloader (devwatch {self.client.version}, {self.backend}, {self.folders} folders)"


def _wait_until_serving(thread: threading.Thread, timeout: float) -> None:
    """Until Django's main thread is in socketserver's serve_forever (runserver
    from Django 3.2 to 6.1 serves there), it ends, or timeout passes. Its
    stack is read, not hooked: a custom runserver loses nothing but the wait."""
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident or -1)
        while frame is not None:
            if frame.f_code.co_name == "serve_forever":
                return
            frame = frame.f_back
        time.sleep(0.005)


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def __getattr__(name: str):
    """``reloader.last_problem`` / ``last_choice`` (defined here before) read
    fallback.py's current values: a re-export would be a stale copy."""
    if name in ("last_problem", "last_choice"):
        from devwatch.django import fallback

        return getattr(fallback, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
