"""The result cache (cachetools' LRU under a byte budget): what an entry costs, what leaves first."""

from __future__ import annotations

from ozgkg.sparql.result_cache import ResultCache, entry_cost
from ozgkg.store import Answer, ResultKind


def _answer(size: int) -> Answer:
    return Answer(ResultKind.BINDINGS, "text/csv", b"x" * size)


def test_an_entry_costs_more_than_its_body() -> None:
    # An empty answer still holds a key, a media type and objects: it is not free.
    assert entry_cost("W/" + "0" * 34, _answer(0)) > 100
    assert entry_cost("k", _answer(1000)) > 1000


def test_least_recently_used_leave_first_within_the_budget() -> None:
    cost = entry_cost("a", _answer(100))
    cache = ResultCache(cost * 8 + cost // 2)  # eight entries fit, the ninth pushes one out
    for key in "abcdefgh":
        cache.put(key, _answer(100))
    assert cache.get("a") is not None  # "a" is now the most recently used
    cache.put("i", _answer(100))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("i") is not None
    statistics = cache.statistics()
    assert statistics.entries == 8 and statistics.bytes == 8 * cost <= statistics.capacity_bytes
    assert (statistics.hits, statistics.misses) == (3, 1)


def test_an_answer_over_an_eighth_of_the_budget_is_not_kept() -> None:
    cache = ResultCache(8 * 1024)
    cache.put("big", _answer(1024))
    assert cache.get("big") is None and cache.statistics().entries == 0
    assert not ResultCache(0).enabled
