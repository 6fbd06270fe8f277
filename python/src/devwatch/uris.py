"""``file://`` URIs exactly as devwatch encodes and decodes them (RFC 3986,
percent-encoded bytes: paths that are not UTF-8 survive the round trip)."""

from __future__ import annotations

import os
import urllib.parse
from typing import Union

__all__ = ["path_to_uri", "uri_to_path"]

_URI_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/"


def path_to_uri(path: Union[str, bytes]) -> str:
    """``file://`` URI of an absolute path, encoded as devwatch encodes them."""
    raw = os.fsencode(os.path.abspath(path))
    return "file://" + "".join(chr(b) if b in _URI_SAFE else f"%{b:02X}" for b in raw)


def uri_to_path(uri: str) -> str:
    """The local path of a ``file://`` URI (percent-decoded bytes, fs-decoded)."""
    parsed = urllib.parse.urlsplit(uri)
    if parsed.scheme != "file":
        raise ValueError(f"not a file URI: {uri}")
    return os.fsdecode(urllib.parse.unquote_to_bytes(parsed.path))
