"""`devwatch run --preload`: the flag turns preloading on for the command it
runs; a plain stdlib server (nothing preloaded but the interpreter) is
forked from the zygote on a change and serves the new code."""
import sys

from devserver_util import free_port, http_get, port_is_free
from preload_util import processes_with
from test_run_command import Run, server_script


def test_run_preload_forks_the_zygote_and_serves_the_edit(tmp_path):
    port = free_port()
    script = server_script(tmp_path, port)
    run = Run(["--preload", "--port", str(port), "--", sys.executable, str(script)], cwd=tmp_path)
    try:
        run.wait_line(" ready in ")
        assert "(cold: the preloaded interpreter is built at the first start" in run.lines[-1]
        # The zygote is built beside the first start; edit until a start forks it.
        for n in range(2, 30):
            script.write_text(script.read_text().replace(f'"v{n - 1}"', f'"v{n}"'))
            run.wait_line(" ready in ", count=n)
            if "(preloaded)" in [l for l in run.lines if " ready in " in l][-1]:
                break
        assert "(preloaded)" in [l for l in run.lines if " ready in " in l][-1], run.lines
        assert http_get(f"http://127.0.0.1:{port}/") == (200, f"v{n}")
        assert run.interrupt() == 0
    finally:
        run.kill()
    assert not processes_with("preload_launcher.py", str(script))
    assert port_is_free(port)


def test_a_wrapper_in_front_of_the_interpreter_is_not_preloaded(tmp_path):
    """A script that execs python (like pyenv's shims) may choose another
    interpreter next time: preload is off, with the fix in the reason."""
    port = free_port()
    script = server_script(tmp_path, port)
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    run = Run(["--preload", "--port", str(port), "--", str(wrapper), str(script)], cwd=tmp_path)
    try:
        run.wait_line(" ready in ")
        for n in range(2, 30):
            script.write_text(script.read_text().replace(f'"v{n - 1}"', f'"v{n}"'))
            run.wait_line(" ready in ", count=n)
            if "preload is off" in [l for l in run.lines if " ready in " in l][-1]:
                break
        last = [l for l in run.lines if " ready in " in l][-1]
        assert "preload is off: unsupported:" in last and "is not the interpreter it runs" in last, last
        assert http_get(f"http://127.0.0.1:{port}/") == (200, f"v{n}")
        assert run.interrupt() == 0
    finally:
        run.kill()
    assert port_is_free(port)
