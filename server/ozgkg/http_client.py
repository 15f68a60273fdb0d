"""The package's one HTTP client, on urllib3: the SERVICE calls of federation and the remote store.

Both need what a plain `urlopen` does not give: a cap on the body read (a remote cannot fill the
memory), a bound on every wait and, for SERVICE, one deadline for the whole exchange (a remote that
trickles a byte a second cannot hold a call open), no redirect followed behind the caller's back
(each caller has its own rule), and no proxy taken from the environment (endpoints are named
exactly). urllib3 pools the connections, so the remote store's queries reuse theirs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.message import Message

import urllib3

_POOL = urllib3.PoolManager(retries=False, maxsize=16)


class Unreachable(OSError):
    """No answer could be had: refused, reset, a name that does not resolve, a broken response."""


class TooLarge(Exception):
    """The body passed the caller's limit; the rest is not read."""

    def __init__(self, limit: int):
        super().__init__(f"the answer is larger than the limit of {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    headers: urllib3.HTTPHeaderDict
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ("" when none was sent)."""
        message = Message()
        message["Content-Type"] = self.header("Content-Type")
        return message.get_content_type() if self.header("Content-Type") else ""


def exchange(
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    *,
    wait: float,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> Reply:
    """One request and its whole answer, whatever its status.

    `wait` bounds each wait on the network; `deadline` (a `time.monotonic()` value) bounds the whole
    exchange: TimeoutError when either passes. TooLarge past `max_bytes`; Unreachable for the rest.
    """

    def left() -> float:
        if deadline is None:
            return wait
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return min(wait, remaining)

    try:
        response = _POOL.request(
            method,
            url,
            body=body,
            headers=headers,
            redirect=False,
            preload_content=False,
            decode_content=False,
            timeout=urllib3.Timeout(connect=left(), read=left()),
        )
    except urllib3.exceptions.NewConnectionError as error:  # a ConnectTimeoutError to urllib3, refused here
        raise Unreachable(_reason(error)) from None
    except urllib3.exceptions.TimeoutError:
        raise TimeoutError from None
    except urllib3.exceptions.HTTPError as error:
        raise Unreachable(_reason(error)) from None
    # A deadline cuts the answer off from outside: a timer shuts the socket down, which ends a read
    # that is waiting (urllib3's `shutdown` exists for this), so a trickle cannot outlast it.
    watchdog = threading.Timer(left(), response.shutdown) if deadline is not None else None
    if watchdog is not None:
        watchdog.start()
    complete = False
    try:
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1():
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise TooLarge(max_bytes)
            chunks.append(chunk)
        left()  # an answer cut off by the watchdog is no answer
        complete = True
        return Reply(response.status, response.reason or "", response.headers, b"".join(chunks))
    except urllib3.exceptions.TimeoutError:
        raise TimeoutError from None
    except urllib3.exceptions.HTTPError as error:
        left()
        raise Unreachable(_reason(error)) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if complete and watchdog is None:
            response.release_conn()
        else:  # a connection left mid-answer, or one a late watchdog may shut, serves nobody else
            response.close()
            if response.connection is not None:
                response.connection.close()


def _reason(error: urllib3.exceptions.HTTPError) -> str:
    # urllib3 wraps the socket's error (MaxRetryError.reason, ProtocolError's argument): name that one.
    cause = getattr(error, "reason", None) or (error.args[-1] if error.args else error)
    if isinstance(cause, BaseException) and not isinstance(cause, urllib3.exceptions.HTTPError):
        return f"{type(cause).__name__}: {cause}"
    return f"{type(error).__name__}: {error}"
