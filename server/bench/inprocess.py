"""pyoxigraph and rdflib in-process, for reference: the engines without HTTP, web framework or workers.

Run as a child process (`python -m bench.inprocess ENGINE DATA QUERIES... --out FILE`) so that its
memory is measured apart from the benchmark's own. Each answer is serialised as a server would
(SPARQL JSON, N-Triples), so the times include that but no network. The expensive query is left to
the HTTP servers: an in-process engine cannot be stopped at a deadline.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from .measure import GRAPH_ACCEPT, SELECT_ACCEPT, Reply, Settings, measure
from .queries import Query, mix

NT = GRAPH_ACCEPT.split(",")[0]


def pyoxigraph_engine(data: Path) -> Callable[[Query], Reply]:
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)

    def ask(query: Query) -> Reply:
        # The union default graph, as Oxigraph's server runs with --union-default-graph.
        result = store.query(query.text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryTriples):
            return Reply(200, NT, result.serialize(format=ox.RdfFormat.N_TRIPLES))
        return Reply(200, SELECT_ACCEPT, result.serialize(format=ox.QueryResultsFormat.JSON))

    return ask


def rdflib_engine(data: Path) -> Callable[[Query], Reply]:
    from rdflib import Dataset  # imported here: the pyoxigraph run need not pay for it

    dataset = Dataset(default_union=True)  # as rdflib-endpoint builds it
    dataset.parse(str(data), format="nquads")

    def ask(query: Query) -> Reply:
        result = dataset.query(query.text)
        if query.graph_result:
            return Reply(200, NT, result.serialize(format="nt"))
        return Reply(200, SELECT_ACCEPT, result.serialize(format="json"))

    return ask


ENGINES = {"pyoxigraph": pyoxigraph_engine, "rdflib": rdflib_engine}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess")
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("data", type=Path)
    parser.add_argument("--queries", nargs="*", default=None)
    parser.add_argument("--repetitions", type=int, required=True)
    parser.add_argument("--budget", type=float, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    begin = time.perf_counter()
    ask = ENGINES[args.engine](args.data)
    loaded = time.perf_counter() - begin
    settings = Settings(args.repetitions, args.budget, concurrency=(1,))
    records, answers = [], {}
    for query in mix(args.queries):
        if query.expensive:
            continue
        record, answer = measure(ask, query, settings)
        records.append(record)
        if answer is not None:
            answers[query.name] = list(answer.items())
    args.out.write_text(json.dumps({"load_s": round(loaded, 3), "queries": records, "answers": answers}))


if __name__ == "__main__":
    main()
