#!/usr/bin/env bash
# The preload benchmark's venv: Django 5.2 and Django REST framework from PyPI,
# plus the synthetic 200 ms-import package (written, not installed from anywhere).
set -euo pipefail
cache="${DEVWATCH_CACHE:-$HOME/.cache/devwatch-dev}/bench"
venv="$cache/preload-venv"
mkdir -p "$cache"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import django, rest_framework" 2>/dev/null ||
  "$venv/bin/pip" install -q "django==5.2.*" "djangorestframework==3.*"
site="$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_path('purelib'))")"
"$venv/bin/python" -c "
import sys; sys.path.insert(0, '$(dirname "$0")')
import run; open('$site/slowimport.py', 'w').write(run.SLOW)"
echo "bench venv ready: $venv"
