"""Answers kept per graph version: the served files never change while the server runs.

A repeated query (same text, dataset, base IRI and negotiated format: the key is its ETag) is answered
from memory without a round trip to a query worker. `cachetools.LRUCache` keeps them: least recently
used answers leave first once the byte budget is spent, each entry counted at what it really holds
(the body, its media type, the key and the objects around them, not the body alone); an answer larger
than an eighth of the budget is not kept, so one large result cannot flush everything else.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

from cachetools import LRUCache

from ozgkg.store import Answer

DEFAULT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CacheStatistics:
    capacity_bytes: int
    entries: int
    bytes: int
    hits: int
    misses: int


@dataclass(frozen=True)
class _Entry:
    answer: Answer
    cost: int  # see entry_cost


def entry_cost(key: str, answer: Answer) -> int:
    """The bytes an entry holds: its body, media type and key with their object headers, and the two
    objects that hold them (the cache's dict slot is left out: it is the same for every entry)."""
    return (
        sys.getsizeof(answer.body)
        + sys.getsizeof(answer.media_type)
        + sys.getsizeof(answer)
        + sys.getsizeof(key)
        + sys.getsizeof(_Entry(answer, 0))
    )


class ResultCache:
    def __init__(self, capacity_bytes: int = DEFAULT_BYTES):
        self.capacity_bytes = max(0, capacity_bytes)
        self._entries: LRUCache[str, _Entry] = LRUCache(
            maxsize=self.capacity_bytes, getsizeof=lambda entry: entry.cost
        )
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()  # the web process answers on several threads; cachetools does not lock

    @property
    def enabled(self) -> bool:
        return self.capacity_bytes > 0

    def get(self, key: str) -> Answer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return None
            self._hits += 1
            return entry.answer

    def put(self, key: str, answer: Answer) -> None:
        cost = entry_cost(key, answer)
        if cost > self.capacity_bytes // 8:
            return
        with self._lock:
            self._entries[key] = _Entry(answer, cost)

    def statistics(self) -> CacheStatistics:
        with self._lock:
            return CacheStatistics(
                self.capacity_bytes, len(self._entries), int(self._entries.currsize), self._hits, self._misses
            )
