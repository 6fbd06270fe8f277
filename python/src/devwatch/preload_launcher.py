"""devwatch's preloading launcher (the zygote): one stdlib-only file.

devwatch runs it with the dev server's own interpreter and interpreter options:

    python [-u -B -W x -X y] preload_launcher.py --socket PATH [--modules a,b] -- COMMAND...

where COMMAND is the server's whole command (`python manage.py runserver ...`
or `python -m module ...`). It sets sys.path up exactly as a cold start of
COMMAND would, imports the framework and third-party modules (never the
project's own, never django.setup()), checks it started no thread and opened
no socket, prints "devwatch-preload: ready ..." and serves fork requests from
devwatch's shim on a unix socket. Before every fork it re-checks everything a
cold start depends on (see `Zygote.stale`) and answers "stale <reason>" on any
difference, so devwatch starts cold instead. docs/preload.md has the rules.

Request (shim -> zygote): 4-byte big-endian length, then NUL-separated fields
"devwatch-preload-1", cwd, argc, argv..., envc, env...; fds 0, 1, 2 of the
server attached (SCM_RIGHTS). Answers: "pid N\n" (then the child waits for
one byte from the shim, which has its pidfd by then), "stale R\n",
"refused R\n"; after "pid", "exit STATUS\n" once the child is reaped.
"""

import sys

_BASELINE = set(sys.modules)  # what any interpreter start has imported already

import os  # noqa: E402  (both are in the baseline anyway)
import signal  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402

PROTOCOL = "devwatch-preload-1"
PREFIX = "devwatch-preload: "
# What `manage.py runserver` imports on every start before touching settings;
# importing them needs no settings and no app registry.
DJANGO_DEFAULT = [
    "django", "django.core.management", "django.core.management.base",
    "django.core.management.commands.runserver", "django.core.servers.basehttp",
    "django.core.handlers.wsgi", "django.db.models", "django.urls", "django.http",
    "django.template", "django.views", "django.forms", "django.contrib.staticfiles.handlers",
    "django.db.migrations.executor",  # runserver's migration check, on every start
]
# Imported after django.setup() by every runserver start (Django 5.2's system
# checks load the migrate and makemigrations commands, the default cache, the
# CSRF failure view, the template tag libraries) or by startproject's apps and
# middleware, and each changes nothing outside itself when imported: no logger
# (a LOGGING that disables existing loggers would disable one a cold start
# creates after it), no signal receiver, system check, sqlite3 adapter or
# warnings filter. tests/e2e/test_preload_defaults.py checks that on Django
# 5.2 and 3.2. Not django.middleware.csrf (so not django.contrib.admin or
# .auth): its "django.security.csrf" logger; not django.db.backends.base.base,
# .schema (loggers) or .sqlite3.base (adapters). Skipped when the installed
# Django has no such module.
DJANGO_SELF_CONTAINED = [
    "django.core.management.commands.migrate", "django.core.management.commands.makemigrations",
    "django.db.migrations.autodetector", "django.db.migrations.writer", "django.db.migrations.questioner",
    "django.core.management.sql", "django.core.management.utils", "django.core.cache.backends.locmem",
    "django.views.csrf", "django.utils.translation.reloader",
    "django.templatetags.cache", "django.templatetags.l10n", "django.templatetags.tz",
    "django.db.backends.base.client", "django.db.backends.base.creation", "django.db.backends.base.features",
    "django.db.backends.base.introspection", "django.db.backends.base.validation", "django.db.backends.ddl_references",
    "django.middleware.security", "django.middleware.common", "django.middleware.clickjacking",
    "django.contrib.sessions.middleware", "django.contrib.sessions.backends.base", "django.contrib.messages.middleware",
    "django.contrib.contenttypes.apps", "django.contrib.sessions.apps", "django.contrib.messages.apps",
    "django.contrib.staticfiles.apps",
]
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock",
                 "pdm.lock")


def say(text, stream=None):
    (stream or sys.stdout).write(PREFIX + text + "\n")
    (stream or sys.stdout).flush()


def fail(kind, reason):
    say(kind + ": " + reason, sys.stderr)
    sys.exit(3)


def parse_args(argv):
    socket_path, modules, command = None, None, None
    i = 1
    while i < len(argv):
        if argv[i] == "--socket" and i + 1 < len(argv):
            socket_path, i = argv[i + 1], i + 2
        elif argv[i] == "--modules" and i + 1 < len(argv):
            modules, i = [m for m in argv[i + 1].split(",") if m], i + 2
        elif argv[i] == "--":
            command = argv[i + 1:]
            break
        else:
            fail("usage", "unexpected argument " + repr(argv[i]))
    if not socket_path or not command:
        fail("usage", "needs --socket PATH and -- COMMAND")
    return socket_path, modules, command


def parse_command(command):
    """(kind, target, script_argv) for `python [opts] script args` / `-m mod args`."""
    i = 1
    while i < len(command) and command[i].startswith("-") and command[i] != "-m":
        i += 2 if command[i] in ("-W", "-X") else 1
    if i < len(command) and command[i] == "-m" and i + 1 < len(command):
        return "module", command[i + 1], command[i + 2:]
    if i < len(command):
        return "script", os.path.abspath(command[i]), command[i:]
    fail("unsupported", "no script or -m module in the command")


def cold_sys_path0(kind, target):
    """What a cold start puts first on sys.path (None with -P / PYTHONSAFEPATH)."""
    if getattr(sys.flags, "safe_path", False):
        return None
    if kind == "module":
        return os.getcwd()
    return os.path.dirname(os.path.realpath(target))


def launch_environ():
    """The environment devwatch started us with: our parent (the zygote's
    shim) still has it, while a wrapper in between may have changed ours."""
    try:
        with open("/proc/%d/environ" % os.getppid(), "rb") as f:
            raw = f.read()
    except OSError:
        return None
    pairs = [e.decode("utf-8", "surrogateescape").split("=", 1) for e in raw.split(b"\0") if b"=" in e]
    return dict(pairs)


def check_interpreter(program, environ):
    """A wrapper (pyenv's shims, a script) can pick another interpreter the
    next time it runs, from files we do not watch: only the interpreter
    itself can be preloaded."""
    import shutil
    path = program if "/" in program else shutil.which(program, path=(environ or os.environ).get("PATH"))
    if path is None:
        fail("unsupported", "%s is not on PATH" % program)
    if os.path.realpath(os.path.abspath(path)) != os.path.realpath(sys.executable):
        fail("unsupported", "%s (%s) is not the interpreter it runs (%s), e.g. a pyenv shim; put the interpreter's "
                            "own path in the command to preload" % (program, path, sys.executable))


def top_level_origin(name, module):
    path = getattr(module, "__file__", None)
    if not path:
        return None
    d = os.path.dirname(path)
    return os.path.dirname(d) if os.path.basename(path).startswith("__init__.") else d


def file_key(path):
    try:
        st = os.stat(path)
    except OSError as e:
        return ("missing", e.errno)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Zygote:
    def __init__(self, socket_path, command, modules):
        self.socket_path = socket_path
        self.command = command
        self.kind, self.target, self.script_argv = parse_command(command)
        self.cwd = os.getcwd()
        self.environ = launch_environ() or dict(os.environ)
        check_interpreter(command[0], self.environ)
        self.project = None
        first = cold_sys_path0(self.kind, self.target)
        # The launcher's own directory is sys.path[0] now; a cold start has the
        # script's directory (or the cwd for -m) there instead.
        if first is None:
            del sys.path[0]
        else:
            sys.path[0] = first
            self.project = first
        self.modules = modules if modules is not None else self.default_modules()
        # Defaults a given Django may not have; a listed module must exist.
        self.optional = set(DJANGO_SELF_CONTAINED) if modules is None else set()
        self.children = {}  # pid -> connection to its shim

    def default_modules(self):
        base = os.path.basename(self.target)
        django = base == "manage.py" or self.target == "django" or self.target.startswith("django.")
        return DJANGO_DEFAULT + DJANGO_SELF_CONTAINED if django else []

    def inside_project(self, path):
        if not self.project or not path:
            return False
        real = os.path.realpath(path)
        return real == self.project or real.startswith(self.project.rstrip("/") + "/")

    def preload(self):
        import importlib
        import importlib.util
        import threading
        for name in self.modules:
            try:
                spec = importlib.util.find_spec(name)
            except ModuleNotFoundError:
                spec = None  # a parent package is missing: not installed
            except (ImportError, ValueError) as e:
                fail("unsafe", "cannot find %s: %s" % (name, e))
            if spec is None and name in self.optional:
                continue
            if spec is None:
                fail("unsafe", "module %s is not installed for %s" % (name, sys.executable))
            if self.inside_project(spec.origin):
                fail("unsafe", "%s is one of the project's own modules (%s); only framework and third-party "
                               "modules are preloaded" % (name, spec.origin))
            try:
                importlib.import_module(name)
            except BaseException as e:  # noqa: BLE001 - any failure means: do not preload
                fail("unsafe", "importing %s failed: %s: %s" % (name, type(e).__name__, e))
        for name, module in list(sys.modules.items()):
            if self.inside_project(getattr(module, "__file__", None)):
                fail("unsafe", "preloading imported the project's own module %s (%s)" % (name, module.__file__))
        if threading.active_count() != 1:
            fail("unsafe", "preloading started a thread (%s); a fork keeps only the calling thread" %
                 ", ".join(t.name for t in threading.enumerate() if t is not threading.main_thread()))
        if "django.conf" in sys.modules and sys.modules["django.conf"].settings.configured:
            fail("unsafe", "preloading configured Django's settings; they must be read by each server")
        self.check_descriptors()
        self.snapshot()

    def check_descriptors(self):
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink("/proc/self/fd/" + fd)
            except OSError:
                continue
            if target.startswith("socket:"):
                fail("unsafe", "preloading opened a socket (fd %s); a forked server would share it" % fd)

    def snapshot(self):
        self.files = {}
        self.changed_while_loading = None
        # devwatch writes this file into its private directory just before
        # starting us: always "recent", never the project's code.
        own = os.path.realpath(__file__)
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if path:
                self.files[path] = file_key(path)
                # Written after (or just before) this process started: the
                # stat taken now may be newer than the code it imported.
                key = self.files[path]
                if os.path.realpath(path) == own:
                    continue
                if key[0] != "missing" and key[3] >= START_WALL_NS - RECENT_NS and not self.changed_while_loading:
                    self.changed_while_loading = "%s changed while it was being preloaded" % path
        self.files[sys.executable] = file_key(sys.executable)
        self.files[os.path.realpath(sys.executable)] = file_key(os.path.realpath(sys.executable))
        self.files[os.path.join(sys.prefix, "pyvenv.cfg")] = file_key(os.path.join(sys.prefix, "pyvenv.cfg"))
        for name in sorted(os.listdir(self.cwd)):
            if name.startswith("requirements") and name.endswith(".txt") or name in PROJECT_FILES:
                self.files[os.path.join(self.cwd, name)] = file_key(os.path.join(self.cwd, name))
        self.project_files = {n for n in os.listdir(self.cwd)
                              if n.startswith("requirements") and n.endswith(".txt") or n in PROJECT_FILES}
        self.pth = {d: self.pth_files(d) for d in sys.path if d and os.path.isdir(d)}
        # A module file that appears earlier on sys.path than a preloaded
        # module's origin would shadow it in a cold start.
        entries = [d for d in sys.path]
        self.shadow = {}
        for name, module in list(sys.modules.items()):
            if "." in name or name in _BASELINE or name == "__main__":
                continue
            origin = top_level_origin(name, module)
            if origin is None:
                continue
            for d in entries:
                if d == origin:
                    break
                self.shadow.setdefault(d, set()).add(name)

    @staticmethod
    def pth_files(d):
        try:
            return {n: file_key(os.path.join(d, n)) for n in os.listdir(d) if n.endswith(".pth")}
        except OSError:
            return {}

    def stale(self, cwd, argv, env):
        """The reason a fork now could differ from a cold start, or None."""
        if self.changed_while_loading:
            return self.changed_while_loading
        if argv != self.command:
            return "the command changed"
        if cwd != self.cwd:
            return "the working directory changed"
        if env != self.environ:
            keys = sorted(k for k in set(env) | set(self.environ) if env.get(k) != self.environ.get(k))
            return "the environment changed (%s)" % ", ".join(keys[:5])
        for path, key in self.files.items():
            if file_key(path) != key:
                return "%s changed since it was preloaded" % path
        names = {n for n in os.listdir(self.cwd)
                 if n.startswith("requirements") and n.endswith(".txt") or n in PROJECT_FILES}
        if names != self.project_files:
            return "project dependency files changed (%s)" % ", ".join(sorted(names ^ self.project_files))
        for d, pth in self.pth.items():
            if self.pth_files(d) != pth:
                return ".pth files changed in %s" % d
        for d, names in self.shadow.items():
            try:
                present = os.listdir(d or ".")
            except OSError:
                continue
            for entry in present:
                stem = entry.split(".", 1)[0]
                if stem in names:
                    return "%s would shadow the preloaded module %s" % (os.path.join(d, entry), stem)
        return None

    def serve(self):
        import selectors
        import struct
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(16)
        wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        sel = selectors.DefaultSelector()
        sel.register(listener, selectors.EVENT_READ)
        sel.register(wake_r, selectors.EVENT_READ)
        say("ready %d modules in %.0f ms pid %d" % (len(sys.modules), (time.monotonic() - START) * 1000, os.getpid()))
        while True:
            for key, _ in sel.select():
                if key.fileobj == wake_r:
                    try:
                        os.read(wake_r, 512)
                    except BlockingIOError:
                        pass
                    self.reap()
                    continue
                conn, _ = listener.accept()
                job = self.handle(conn, struct)
                if job is not None:  # in the forked child: drop every zygote descriptor
                    for other in self.children.values():
                        other.close()
                    sel.close()
                    listener.close()
                    os.close(wake_r)
                    os.close(wake_w)
                    return job

    def handle(self, conn, struct):
        conn.settimeout(5)
        fds = []
        try:
            data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
            if len(data) < 4:
                raise ValueError("short request")
            size = struct.unpack(">I", data[:4])[0]
            body = data[4:]
            while len(body) < size:
                chunk = conn.recv(size - len(body))
                if not chunk:
                    raise ValueError("truncated request")
                body += chunk
            fields = body.decode("utf-8", "surrogateescape").split("\0")
            if fields[0] != PROTOCOL or len(fds) != 3:
                raise ValueError("not a %s request with 3 descriptors" % PROTOCOL)
            cwd, argc = fields[1], int(fields[2])
            argv = fields[3:3 + argc]
            envc = int(fields[3 + argc])
            env = dict(e.split("=", 1) for e in fields[4 + argc:4 + argc + envc])
        except (OSError, ValueError, IndexError) as e:
            for fd in fds:
                os.close(fd)
            self.answer(conn, "refused bad request: %s" % e)
            conn.close()
            return None
        reason = self.stale(cwd, argv, env)
        if reason is not None:
            say("stale: " + reason, sys.stderr)
            for fd in fds:
                os.close(fd)
            self.answer(conn, "stale " + reason)
            conn.close()
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            return (conn, fds)
        for fd in fds:
            os.close(fd)
        try:
            os.setpgid(pid, pid)  # also done by the child: the group exists before the shim is told
        except OSError:
            pass
        self.children[pid] = conn
        self.answer(conn, "pid %d" % pid)
        return None

    @staticmethod
    def answer(conn, text):
        try:
            conn.sendall((text.replace("\n", " ") + "\n").encode("utf-8", "surrogateescape"))
        except OSError:
            pass

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                self.answer(conn, "exit %d" % status)
                conn.close()


def run_child(zygote, conn, fds):
    """In the fork: become what a cold `python COMMAND` would be, then run it."""
    os.setpgid(0, 0)
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    conn.settimeout(None)
    go = conn.recv(1)  # the shim holds our pidfd now; EOF: it gave up, so do not start
    conn.close()
    if go != b"g":
        os._exit(0)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(zygote.cwd)
    sys.argv = list(zygote.script_argv)
    sys.orig_argv = list(zygote.command)
    # The zygote's import system caches directory listings and "no such path
    # entry" answers; a cold start begins with none.
    import importlib
    importlib.invalidate_caches()
    import runpy
    try:
        if zygote.kind == "module":
            sys.argv[0] = "-m"
            runpy._run_module_as_main(zygote.target, alter_argv=True)
        else:
            runpy.run_path(zygote.target, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as e:  # noqa: BLE001
        # A cold start's traceback begins at the script (or at runpy for -m):
        # drop the launcher's frames so output and diagnostics are the same.
        tb = e.__traceback__
        first = zygote.target if zygote.kind == "script" else "<frozen runpy>"
        while tb is not None and tb.tb_frame.f_code.co_filename != first:
            if zygote.kind == "module" and tb.tb_frame.f_code.co_name == "_run_module_as_main":
                break
            tb = tb.tb_next
        # The display uses the exception's own __traceback__ when it has one.
        e.__traceback__ = tb or e.__traceback__
        sys.excepthook(type(e), e, e.__traceback__)
        if isinstance(e, KeyboardInterrupt):
            import atexit
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        sys.exit(1)


START = time.monotonic()
START_WALL_NS = time.time_ns()
RECENT_NS = 2_000_000_000  # mtime granularity and clock steps: closer than this counts as "during"


def main():
    if sys.version_info < (3, 9):
        fail("unsupported", "preloading needs Python 3.9 or newer (socket.recv_fds); this is %s" % sys.version.split()[0])
    socket_path, modules, command = parse_args(sys.argv)
    zygote = Zygote(socket_path, command, modules)
    zygote.preload()
    job = zygote.serve()
    run_child(zygote, *job)


if __name__ == "__main__":
    main()
