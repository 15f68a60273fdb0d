"""The served dataset behind one small interface; see `base.Store`."""

from .base import Answer, QueryError, ResultKind, ResultTooLarge, Store
from .oxigraph import OxigraphStore

__all__ = ["Answer", "OxigraphStore", "QueryError", "ResultKind", "ResultTooLarge", "Store", "open_store"]


def open_store(spec: str = "oxigraph") -> Store:
    """A store from its command-line name: `oxigraph` (in memory) or `oxigraph:DIR` (persistent)."""
    kind, _, location = spec.partition(":")
    if kind == "oxigraph":
        return OxigraphStore(location or None)
    raise ValueError(f"unknown store {spec!r}: expected 'oxigraph' or 'oxigraph:DIRECTORY'")
