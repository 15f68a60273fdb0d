"""A second wall behind the SERVICE check: query workers of a local store run without a network.

Oxigraph (and rdflib) evaluate a SERVICE clause by opening a connection themselves, and neither
can be told not to. The allowlist check in `safety` keeps SERVICE away from the engine; should a
spelling ever slip past it, a worker in a network namespace of its own (only a loopback device,
and that one down) cannot reach any host: the connection fails and the query gets an error.
Allowed SERVICE calls are made by the web process (`federation`), never by a worker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os

log = logging.getLogger("ozgkg.sparql.sandbox")

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _unshare(flags: int) -> int:
    """unshare(2) through the C library (os.unshare arrived in Python 3.12); 0 or the errno."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if not hasattr(libc, "unshare"):
        return errno.ENOSYS
    return 0 if libc.unshare(flags) == 0 else ctypes.get_errno()


def leave_network() -> bool:
    """Move this process into a new, empty network namespace; False (and a warning) if the platform
    refuses. As root a network namespace suffices; otherwise a user namespace makes it possible
    where the kernel allows unprivileged ones. Call it while the process has a single thread."""
    error = _unshare(_CLONE_NEWNET)
    if error:
        error = _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    if error:
        log.warning(
            "query workers keep the network (unshare: %s); SERVICE is still checked before evaluation",
            os.strerror(error),
        )
        return False
    return True
