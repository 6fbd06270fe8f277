"""watchfiles (Rust notify) as watchfiles.watch() drives it, with its
defaults (debounce 1600 ms, step 50 ms): the loop behind django-watchfiles
and `uvicorn --reload`. RustNotify is used directly only so that READY can be
printed once the watcher exists, which watch() does not expose."""
import os
import sys

from watchfiles._rust_notify import RustNotify


def main():
    path = os.path.abspath(sys.argv[1])
    # Same positional arguments watchfiles.watch() passes by default:
    # debug, force_polling, poll_delay_ms, recursive, ignore_permission_denied.
    with RustNotify([path], False, False, 300, True, False) as notify:
        sys.stdout.write("READY\n")
        sys.stdout.flush()
        while True:
            changes = notify.watch(1600, 50, 5000, None)
            if changes in ("signal", "stop"):
                return
            if changes == "timeout":
                continue
            sys.stdout.write("".join("EV %s\n" % p for _, p in changes))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
