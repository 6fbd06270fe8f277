#!/usr/bin/env bash
# The main job: builds devwatch, diagnoses this machine, and shows a short
# protocol exchange with the built server, the way an editor talks to it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"

say "devwatch check"
"$DEVWATCH_BIN" check || true

say "a scripted editor session over stdio"
"$VENV/bin/python" "$ROOT/scripts/demo_session.py"
