"""Answers kept per graph version: the served files never change while the server runs.

A repeated query (same text, dataset, base IRI and negotiated format: the key is its ETag) is answered
from memory without a round trip to a query worker. Least recently used answers leave first once the
byte budget is spent; an answer larger than an eighth of the budget is not kept, so one large result
cannot flush everything else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from .store import Answer

DEFAULT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CacheStatistics:
    capacity_bytes: int
    entries: int
    bytes: int
    hits: int
    misses: int


class ResultCache:
    def __init__(self, capacity_bytes: int = DEFAULT_BYTES):
        self.capacity_bytes = max(0, capacity_bytes)
        self._entries: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()  # the web process answers on several threads

    @property
    def enabled(self) -> bool:
        return self.capacity_bytes > 0

    def get(self, key: str) -> Answer | None:
        with self._lock:
            answer = self._entries.get(key)
            if answer is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return answer

    def put(self, key: str, answer: Answer) -> None:
        size = len(answer.body)
        if size > self.capacity_bytes // 8:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = answer
            self._bytes += size
            while self._bytes > self.capacity_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def statistics(self) -> CacheStatistics:
        with self._lock:
            return CacheStatistics(
                self.capacity_bytes, len(self._entries), self._bytes, self._hits, self._misses
            )
