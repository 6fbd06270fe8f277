"""``python -m devwatch ARGS``: exec the installed ``devwatch`` executable.

No logic of its own: every command, option and message is the binary's.
"""

from __future__ import annotations

import os
import sys

from devwatch import find_devwatch_bin


def main() -> None:
    try:
        binary = find_devwatch_bin()
    except FileNotFoundError as exc:
        sys.stderr.write(f"devwatch: {exc}\n")
        sys.exit(127)
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()
