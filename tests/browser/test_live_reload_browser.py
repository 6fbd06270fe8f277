"""Live reload in a real browser: headless Chromium behind devwatch's proxy
with real Django. The script never reloads the page itself."""
import json
import subprocess
import sys

from live_page import add_live_page
from proxy_util import django_behind_proxy, free_port, start, wait_state

HERE = __import__("pathlib").Path(__file__).resolve().parent


def test_view_edit_shows_new_content_and_css_edit_swaps_the_stylesheet(tmp_path, browser_env):
    listen = free_port()
    client, root = start(tmp_path, {"web": django_behind_proxy(sys.executable, listen, live_reload=True)},
                         setup=add_live_page)
    with client:
        wait_state(client, "web", "ready")
        out = subprocess.run(["node", str(HERE / "live_reload.mjs"), "devwatch", f"http://127.0.0.1:{listen}/live/",
                              str(root / "blog" / "views.py"), str(root / "static" / "css" / "site.css"), "2"],
                             capture_output=True, text=True, timeout=180, env=browser_env)
        lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
        assert out.returncode == 0 and lines and lines[-1] == {"ok": True}, (out.stdout, out.stderr[-3000:])
        assert [line["step"] for line in lines[:-1]] == ["view", "css", "view", "css"]
        assert client.shutdown_and_exit() == 0
