"""The served dataset behind one small interface; see `base.Store`.

Backends are registered by name and imported only when a store of theirs is opened (as rdflib's
plugin registry does): importing this package never imports rdflib's SPARQL engine, nor lets the
memory store adjust rdflib for a process that does not use it.
"""

from __future__ import annotations

import importlib

from ozgkg.store.base import (
    KIND_OF_FORM,
    Answer,
    Query,
    QueryError,
    ResultKind,
    ResultTooLarge,
    Store,
    StoreUnavailable,
)
from ozgkg.store.remote import SCHEME, remote_url

__all__ = [
    "BACKENDS",
    "KIND_OF_FORM",
    "SPECS",
    "Answer",
    "Query",
    "QueryError",
    "ResultKind",
    "ResultTooLarge",
    "Store",
    "StoreUnavailable",
    "backend_class",
    "open_store",
    "split_spec",
]

SPECS = "oxigraph[:DIRECTORY], memory[:DIRECTORY] or sparql+http(s)://HOST[:PORT]/PATH"
# name -> (module, class): imported on first use.
BACKENDS = {
    "oxigraph": ("ozgkg.store.oxigraph", "OxigraphStore"),
    "memory": ("ozgkg.store.memory", "MemoryStore"),
    "remote": ("ozgkg.store.remote", "RemoteStore"),
}
DIRECTORY_STORES = ("oxigraph", "memory")


def backend_class(name: str) -> type[Store]:
    """The Store class registered under `name`, its module imported now."""
    module, attribute = BACKENDS[name]
    return getattr(importlib.import_module(module), attribute)


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
        return backend_class("remote")(location, gsp)  # type: ignore[call-arg]
    return backend_class(backend)(location or None, read_only=read_only)  # type: ignore[call-arg]
