"""The one prefix shortener, over the project's one prefix table (`ozgkg.namespaces.PREFIXES`, which
the UI's editor and the served graphs bind too)."""

from __future__ import annotations

from ozgkg.namespaces import PREFIXES

_BY_NAMESPACE_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_LOCAL_PUNCTUATION = set("-_./:%")


def shorten(iri: str) -> str | None:
    """`body:kdn` where a project prefix fits (the longest namespace wins) and what follows it
    can be read as a local name; None otherwise (also for a namespace IRI itself)."""
    for prefix, namespace in _BY_NAMESPACE_LENGTH:
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and local:
            if all(c.isalnum() or c in _LOCAL_PUNCTUATION for c in local):
                return f"{prefix}:{local}"
            return None
    return None


def short_name(iri: str) -> str:
    """The prefixed name where one fits, else the IRI as it is (for people: pages, tables)."""
    return shorten(iri) or iri
