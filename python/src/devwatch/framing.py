"""LSP base-protocol framing: ``Content-Length`` headers around UTF-8 JSON."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from devwatch.errors import ClientError

__all__ = ["encode_frame", "read_frame"]


def encode_frame(message: Dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_frame(stream: Any) -> Optional[Dict[str, Any]]:
    """One message from a binary stream; None at end of input."""
    length: Optional[int] = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if not line:
            if length is None:
                raise ClientError("devwatch sent a header block without Content-Length")
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body.decode("utf-8"))
