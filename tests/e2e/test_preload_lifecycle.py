"""The zygote's life end to end: rebuilt when a preloaded third-party file
changes, recovered when killed, refused when unsafe, and never outliving
devwatch (also after SIGKILL)."""
import os
import signal
import subprocess
import sys

from devserver_util import free_port, http_get, port_is_free, wait_until
from preload_util import restart, restart_until_preloaded, session, settle, zygotes, processes_with

PKG_VIEW = '''

def pkg_view(request):
    import preloadme
    return HttpResponse(preloadme.VALUE + "\\n", content_type="text/plain")
'''


def venv_with_package(tmp_path, body):
    """A venv over Debian's python3 (its Django 3.2 visible through
    --system-site-packages) with a small local package in site-packages."""
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
                   check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    package = os.path.join(site, "preloadme")
    os.makedirs(package)
    with open(os.path.join(package, "__init__.py"), "w") as f:
        f.write(body)
    return python, os.path.join(package, "__init__.py")


def add_pkg_view(root):
    views = root / "blog" / "views.py"
    views.write_text(views.read_text() + PKG_VIEW)
    urls = root / "blog" / "urls.py"
    urls.write_text(urls.read_text().replace('    path("marker/"', '    path("pkg/", views.pkg_view),\n'
                                             '    path("marker/"'))


def test_editing_a_preloaded_third_party_module_rebuilds_and_is_served(tmp_path):
    python, init = venv_with_package(tmp_path, 'VALUE = "pkg: p1"\n')
    port = free_port()
    modules = ["django.core.management", "django.core.servers.basehttp", "preloadme"]
    client, root = session(tmp_path, "blog", python, port, modules)
    add_pkg_view(root)
    with client:
        assert settle(client)["state"] == "ready"
        restart_until_preloaded(client)
        assert http_get(f"http://127.0.0.1:{port}/pkg/") == (200, "pkg: p1\n")
        with open(init, "w") as f:
            f.write('VALUE = "pkg: p2"\n')
        # Not in the workspace, so no restart on its own: ask for one.
        done = restart(client)
        assert done["state"] == "ready"
        assert done["start"]["mode"] == "cold"
        assert "preloadme/__init__.py changed since it was preloaded" in done["start"]["reason"]
        assert http_get(f"http://127.0.0.1:{port}/pkg/") == (200, "pkg: p2\n")
        # The rebuilt zygote serves the new code preloaded.
        restart_until_preloaded(client)
        assert http_get(f"http://127.0.0.1:{port}/pkg/") == (200, "pkg: p2\n")
        assert client.shutdown_and_exit() == 0
    assert not zygotes(port) and port_is_free(port)


def test_a_killed_zygote_is_rebuilt_and_the_running_server_keeps_serving(tmp_path):
    port = free_port()
    client, root = session(tmp_path, "blog", sys.executable, port, True)
    with client:
        assert settle(client)["state"] == "ready"
        restart_until_preloaded(client)
        [zygote] = zygotes(port)
        os.kill(zygote, signal.SIGKILL)
        wait_until(lambda: zygote not in zygotes(port), what="the zygote to die")
        # Its forked server is not its child in any sense that matters: still serving.
        assert http_get(f"http://127.0.0.1:{port}/marker/") == (200, "marker: v1\n")
        done = restart_until_preloaded(client)
        assert done["state"] == "ready"
        [rebuilt] = wait_until(lambda: zygotes(port), what="a new zygote")
        assert rebuilt != zygote
        assert http_get(f"http://127.0.0.1:{port}/marker/") == (200, "marker: v1\n")
        assert client.shutdown_and_exit() == 0
    assert not zygotes(port) and port_is_free(port)


def test_a_module_that_starts_a_thread_is_refused_and_starts_cold(tmp_path):
    python, _ = venv_with_package(tmp_path, "import threading, time\n"
                                            "threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n")
    port = free_port()
    client, _ = session(tmp_path, "blog", python, port, ["preloadme"])
    with client:
        assert settle(client)["state"] == "ready"
        for _ in range(20):
            done = restart(client)
            assert done["start"]["mode"] == "cold"
            if "started a thread" in done["start"]["reason"]:
                break
        assert "preload is off" in done["start"]["reason"]
        assert "started a thread" in done["start"]["reason"]
        assert http_get(f"http://127.0.0.1:{port}/marker/")[0] == 200
        assert client.shutdown_and_exit() == 0
    assert not zygotes(port) and port_is_free(port)


def test_sigkill_of_devwatch_leaves_no_zygote_no_server_and_frees_the_port(tmp_path):
    port = free_port()
    client, _ = session(tmp_path, "blog", sys.executable, port, True)
    with client:
        assert settle(client)["state"] == "ready"
        server = restart_until_preloaded(client)["pid"]
        assert zygotes(port)
        client.proc.send_signal(signal.SIGKILL)
        client.proc.wait()
        wait_until(lambda: not processes_with(f"127.0.0.1:{port}"), timeout=15,
                   what="the zygote, the shims and the preloaded server to be gone")
        assert not os.path.exists(f"/proc/{server}") or "Z" in open(f"/proc/{server}/stat").read().split(") ")[1][:1]
        wait_until(lambda: port_is_free(port), timeout=10, what="the port to be free")


def test_the_editor_turns_preload_on_with_an_initialization_option(tmp_path):
    port = free_port()
    client, _ = session(tmp_path, "blog", sys.executable, port, None,
                        init={"initializationOptions": {"preload": True}})
    with client:
        first = settle(client)
        assert first["start"]["mode"] == "cold"  # the zygote is built beside the first start
        status = client.request("devwatch/status")["result"]
        assert status["devServers"][0]["preload"] is True
        done = restart_until_preloaded(client)
        assert done["start"]["forkMs"] >= 0
        assert client.request("devwatch/status")["result"]["devServers"][0]["start"]["mode"] == "preloaded"
        assert client.shutdown_and_exit() == 0
    assert not zygotes(port) and port_is_free(port)
