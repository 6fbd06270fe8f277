"""The exceptions of ``devwatch.client`` (all are ``ClientError``)."""

from __future__ import annotations

from typing import Any

__all__ = ["ClientError", "ServerExited", "RequestError"]


class ClientError(Exception):
    """Something went wrong talking to devwatch (see the message)."""


class ServerExited(ClientError):
    """The devwatch process ended (or its stdout closed) while we waited."""


class RequestError(ClientError):
    """The server answered a request with a JSON-RPC error."""

    def __init__(self, method: str, code: int, message: str, data: Any = None):
        super().__init__(f"{method}: error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message
        self.data = data
