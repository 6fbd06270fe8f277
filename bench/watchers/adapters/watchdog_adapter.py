"""watchdog (Observer = inotify on Linux) with default options."""
import os
import sys
import threading

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

_lock = threading.Lock()


def _emit(line):
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Handler(FileSystemEventHandler):
    def on_any_event(self, event):
        if event.event_type in ("opened", "closed_no_write"):
            return
        _emit("EV " + os.fsdecode(event.src_path))
        dest = getattr(event, "dest_path", "")
        if dest:
            _emit("EV " + os.fsdecode(dest))


def main():
    path = os.path.abspath(sys.argv[1])
    observer = Observer()
    observer.schedule(Handler(), path, recursive=True)
    observer.start()  # returns once the recursive watches are in place
    _emit("READY")
    try:
        observer.join()
    except KeyboardInterrupt:
        observer.stop()


if __name__ == "__main__":
    main()
