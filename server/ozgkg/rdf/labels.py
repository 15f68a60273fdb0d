"""The one choice of a label by language: the language asked for, then English, then German, then
an untagged label, then any."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal
from rdflib.term import Node

FALLBACK = ("en", "de", None)


def by_language(labels: Iterable[Node]) -> dict[str | None, str]:
    """One label per language tag (None: untagged), the first given of each; non-literals skipped."""
    found: dict[str | None, str] = {}
    for label in labels:
        if isinstance(label, Literal):
            found.setdefault(label.language, str(label))
    return found


def choose(labels: dict[str | None, str], language: str) -> str | None:
    """The label to show a reader of `language`; None if there is none."""
    for wanted in (language, *FALLBACK):
        if wanted in labels:
            return labels[wanted]
    return next(iter(labels.values()), None)


def pick_label(labels: Iterable[Node], language: str) -> str | None:
    return choose(by_language(labels), language)
