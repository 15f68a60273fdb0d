"""The served dataset behind one small interface; see `base.Store`."""

from .base import KIND_OF_FORM, Answer, Query, QueryError, ResultKind, ResultTooLarge, Store, StoreUnavailable
from .memory import MemoryStore
from .oxigraph import OxigraphStore
from .remote import SCHEME, RemoteStore, remote_url

__all__ = [
    "KIND_OF_FORM",
    "SPECS",
    "Answer",
    "MemoryStore",
    "OxigraphStore",
    "Query",
    "QueryError",
    "RemoteStore",
    "ResultKind",
    "ResultTooLarge",
    "Store",
    "StoreUnavailable",
    "open_store",
    "split_spec",
]

SPECS = "oxigraph[:DIRECTORY], memory[:DIRECTORY] or sparql+http(s)://HOST[:PORT]/PATH"
DIRECTORY_STORES = {"oxigraph": OxigraphStore, "memory": MemoryStore}


def split_spec(spec: str, gsp: str | None = None) -> tuple[str, str]:
    """A store's command-line name (see SPECS) as its backend, `oxigraph`, `memory` or `remote`, and
    its location: a directory ('' for none) or the remote's URL. ValueError for anything else, and
    for a Graph Store URL `gsp` given to a store that is not remote."""
    if spec.startswith(SCHEME):
        return "remote", remote_url(spec)
    if gsp is not None:
        raise ValueError("--store-gsp goes with a remote store (sparql+http://...)")
    backend, _, directory = spec.partition(":")
    if backend not in DIRECTORY_STORES:
        raise ValueError(f"unknown store {spec!r}: expected {SPECS}")
    return backend, directory


def open_store(spec: str = "oxigraph", *, read_only: bool = False, gsp: str | None = None) -> Store:
    """A store from its command-line name (see SPECS); `gsp` is a remote store's Graph Store URL.

    A directory keeps the data across runs; without one the store lives in this process's memory.
    `read_only` opens data another process wrote (the query workers do).
    """
    backend, location = split_spec(spec, gsp)
    if backend == "remote":
        return RemoteStore(location, gsp)
    return DIRECTORY_STORES[backend](location or None, read_only=read_only)
