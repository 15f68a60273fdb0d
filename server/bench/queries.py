"""The query mix: the competency questions of graph/queries/ and the benchmark's own in queries/."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ozgkg import paths

BENCH_QUERIES = Path(__file__).parent / "queries"
_CLASS = re.compile(r"^#\s*class:\s*(\S+)", re.MULTILINE)
_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    name: str
    kind: str  # the query class the plots and tables group by: cq, lookup, join, aggregate, ...
    text: str

    @property
    def graph_result(self) -> bool:
        match = _FORM.search(self.text)
        return bool(match) and match[1].upper() in {"CONSTRUCT", "DESCRIBE"}

    @property
    def expensive(self) -> bool:
        return self.kind == "expensive"


def _read(path: Path, default_kind: str) -> Query:
    text = path.read_text(encoding="utf-8")
    match = _CLASS.search(text)
    return Query(path.stem, match[1] if match else default_kind, text)


def mix(names: list[str] | None = None) -> list[Query]:
    """All queries (competency questions first), or those whose name starts with one of `names`.

    The expensive query comes last: a server may go on computing it after the client gave up.
    """
    queries = [_read(p, "cq") for p in sorted(paths.queries_dir().glob("cq*.rq"))]
    queries += [_read(p, "other") for p in sorted(BENCH_QUERIES.glob("*.rq"))]
    if names:
        queries = [q for q in queries if any(q.name.startswith(n) for n in names)]
    return sorted(queries, key=lambda q: q.expensive)
