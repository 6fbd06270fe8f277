#!/usr/bin/env bash
# The main job: builds devwatch and runs the example Django blog under it, the
# way a developer without an editor plugin would. Edit
# examples/django-blog/blog/views.py and watch it restart; Ctrl-C stops all.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"

cd "$ROOT/examples/django-blog"
say "devwatch check"
VIRTUAL_ENV="$VENV" "$DEVWATCH_BIN" check || true
"$VENV/bin/python" manage.py migrate -v 0
say "devwatch run: open http://127.0.0.1:8000/ (and /marker/); edit blog/views.py or static/css/site.css and watch the page update by itself; Ctrl-C to stop"
# Zero configuration: devwatch detects the Django project; VIRTUAL_ENV points
# its interpreter choice at the venv that has Django. --proxy puts devwatch's
# proxy on :8000 (runserver moves to a free port) and --live-reload makes the
# page reload itself after each restart (docs/proxy.md).
VIRTUAL_ENV="$VENV" exec "$DEVWATCH_BIN" run --proxy 127.0.0.1:8000 --live-reload
