"""The synthetic data generator: deterministic, in the ontology's terms, marked synthetic, streamed.

Sizes and times are printed (run with `-s` to see them); only behaviour is asserted.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg.features.generate import (
    SERVICE_COUNT,
    SOURCE,
    SYNTHETIC_GRAPH,
    RealGraph,
    Stats,
    allocate,
    generate,
    read_real_graph,
    regional_keys,
)
from ozgkg.knowledge.load import KnowledgeFile, knowledge_files, load
from ozgkg.knowledge.validate import validate
from ozgkg.namespaces import OZG, sparql_prologue

META = "https://w3id.org/ozgkg/graph/meta"


@pytest.fixture(scope="module")
def real() -> RealGraph:
    return read_real_graph()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, real: RealGraph) -> tuple[Path, Stats, ox.Store]:
    path = tmp_path_factory.mktemp("synthetic") / "small.nq"
    stats = generate(path, seed=7, municipalities=40, real=real)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return path, stats, store


def select(store: ox.Store, sparql: str) -> list[ox.QuerySolution]:
    return list(store.query(sparql_prologue() + sparql, use_default_graph_as_union=True))


def count(store: ox.Store, pattern: str) -> int:
    (row,) = select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    return int(row["n"].value)


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, real: RealGraph) -> None:
    first, again, other = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    generate(first, seed=3, municipalities=20, real=real)
    generate(again, seed=3, municipalities=20, real=real)
    generate(other, seed=4, municipalities=20, real=real)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_output_parses_and_counts_match(small: tuple[Path, Stats, ox.Store]) -> None:
    path, stats, store = small
    assert len(store) == stats.quads == sum(1 for _ in path.open(encoding="utf-8"))
    assert count(store, "?k a ozg:Kommune") == stats.municipalities == 40
    assert count(store, "?s a ozg:OZGService") == SERVICE_COUNT
    assert count(store, "?o a ozg:ServiceOffer") == stats.offers > 0
    assert count(store, "?o ozg:reusedThrough ?r") == stats.reused_offers > 0
    assert count(store, "?p a ozg:ServicePortal") == stats.portals
    # Every offer is complete: one municipality, one service, one portal.
    for predicate in ("ozg:offeredBy", "ozg:offersService", "ozg:throughPortal"):
        assert count(store, f"?o a ozg:ServiceOffer ; {predicate} ?x") == stats.offers


def test_municipalities_lie_in_their_real_land(small: tuple[Path, Stats, ox.Store], real: RealGraph) -> None:
    _, stats, store = small
    lands = {land.iri: land for land in real.lands}
    rows = select(
        store,
        "SELECT ?k ?ars ?land ?group WHERE { ?k a ozg:Kommune ; ozg:regionalKey ?ars ; "
        "ozg:inLand ?land ; org:memberOf ?group }",
    )
    assert len(rows) == stats.municipalities
    keys = [row["ars"].value for row in rows]
    assert len(set(keys)) == len(keys)
    for row in rows:
        ars, land = row["ars"].value, lands[row["land"].value]
        assert re.fullmatch(r"[0-9]{12}", ars), ars
        assert ars[:2] == land.key
        assert row["k"].value.endswith("/kommune/" + ars)
        assert row["group"].value == land.group
    # 40 municipalities reach every Land, and the split follows the weights.
    per_land = Counter(row["land"].value for row in rows)
    assert set(per_land) == set(lands)
    assert per_land == {land.iri: n for land, n in zip(real.lands, allocate(real, 40).values(), strict=True)}


def test_575_services_over_all_14_themenfelder(small: tuple[Path, Stats, ox.Store], real: RealGraph) -> None:
    _, _, store = small
    rows = select(
        store, "SELECT ?s ?id ?tf WHERE { ?s a ozg:OZGService ; dct:identifier ?id ; ozg:themenfeld ?tf }"
    )
    assert len(rows) == SERVICE_COUNT
    assert {row["tf"].value for row in rows} == {tf.iri for tf in real.themenfelder}
    assert len({row["id"].value for row in rows}) == SERVICE_COUNT


def test_efa_providers_are_the_lead_laender(small: tuple[Path, Stats, ox.Store], real: RealGraph) -> None:
    _, _, store = small
    leads = {
        tf.iri: {land.iri for land in real.lands if land.key in tf.lead_keys} for tf in real.themenfelder
    }
    rows = select(
        store,
        "SELECT ?tf ?provider WHERE { ?r a ozg:ReuseArrangement ; ozg:reuseProvider ?provider ; "
        "ozg:reusableSolution ?solution . ?service cv:hasChannel ?solution ; ozg:themenfeld ?tf }",
    )
    assert rows
    for row in rows:
        assert row["provider"].value in leads[row["tf"].value]
    # An offer reused under an arrangement offers the arrangement's service.
    assert not select(
        store,
        "SELECT ?o WHERE { ?o ozg:reusedThrough ?r ; ozg:offersService ?s . "
        "?r ozg:reusableSolution ?solution . FILTER NOT EXISTS { ?s cv:hasChannel ?solution } } LIMIT 1",
    )


def test_everything_is_marked_synthetic(small: tuple[Path, Stats, ox.Store]) -> None:
    _, _, store = small
    graphs = {quad.graph_name.value for quad in store}
    synthetic = {g for g in graphs if g.startswith(SYNTHETIC_GRAPH)}
    assert graphs == synthetic | {META}
    # The meta graph holds only the descriptions of the synthetic graphs and of their source.
    subjects = {quad.subject.value for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(META))}
    assert subjects == synthetic | {SOURCE}
    for graph in synthetic:
        described = store.quads_for_pattern(ox.NamedNode(graph), None, None, ox.NamedNode(META))
        facts = {(q.predicate.value, q.object.value) for q in described}
        assert any(predicate == str(OZG.locator) and where for predicate, where in facts)
        assert ("http://www.w3.org/ns/prov#wasDerivedFrom", SOURCE) in facts
        assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", str(OZG.SourcedGraph)) in facts
    descriptions = {
        q.object.value
        for q in store.quads_for_pattern(
            ox.NamedNode(SOURCE), ox.NamedNode("http://purl.org/dc/terms/description"), None, None
        )
    }
    assert "synthetic test data, not facts" in descriptions
    # Every labelled thing the generator made says it is synthetic.
    for row in select(store, "SELECT ?x ?label WHERE { GRAPH ?g { ?x skos:prefLabel ?label } }"):
        if "/kommunen/" not in row["x"].value:  # a group the real graph did not declare keeps its real name
            assert row["label"].value.endswith("(synthetisch)"), row["label"].value


def test_seed_and_parameters_are_recorded(small: tuple[Path, Stats, ox.Store]) -> None:
    _, _, store = small
    (row,) = select(store, f"SELECT ?c WHERE {{ <{SOURCE}> rdfs:comment ?c }}")
    assert "seed 7" in row["c"].value and "municipalities 40" in row["c"].value


def test_target_sizes_are_about_right(tmp_path: Path, real: RealGraph) -> None:
    for target in (10_000, 100_000):
        stats = generate(tmp_path / f"{target}.nq", seed=1, triples=target, real=real)
        print(f"target {target}: {stats.summary()}")
        assert 0.8 * target <= stats.quads <= 1.2 * target
        assert stats.municipalities >= 16


def test_regional_keys_stay_distinct_at_scale() -> None:
    import random

    keys = regional_keys(random.Random(0), "09")
    drawn = [next(keys) for _ in range(30_000)]
    assert len(set(drawn)) == len(drawn)
    assert all(len(k) == 12 and k.isdigit() and k.startswith("09") for k in drawn)


def test_small_output_with_the_real_graph_conforms_to_the_shapes(tmp_path: Path, real: RealGraph) -> None:
    path = tmp_path / "small.nq"
    stats = generate(path, seed=11, municipalities=16, triples=10_000, real=real)
    print(f"validated: {stats.summary()}")
    result = validate(load([*knowledge_files(), KnowledgeFile(path)]))
    assert not result.violations, result.render()[-6000:]


_MEASURE = """
import resource, sys, time
from pathlib import Path
from ozgkg.features.generate import generate
start = time.perf_counter()
stats = generate(Path(sys.argv[1]), seed=5, triples=int(sys.argv[2]))
seconds = time.perf_counter() - start
print(stats.quads, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_million_quads_stream_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "million.nq"
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), "1000000"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    quads, seconds, max_rss_kib = result.stdout.split()
    peak_mb = int(max_rss_kib) / 1024
    print(
        f"generated {quads} quads in {float(seconds):.1f} s, peak RSS {peak_mb:.0f} MB, "
        f"file {path.stat().st_size / 1e6:.0f} MB"
    )
    assert 900_000 <= int(quads) <= 1_100_000
    assert peak_mb < 500


def test_cli_generate_writes_a_file_or_stdout(tmp_path: Path) -> None:
    path = tmp_path / "cli.nq"
    command = [sys.executable, "-m", "ozgkg.cli", "generate", "--municipalities", "16", "--seed", "2"]
    to_file = subprocess.run([*command, "--output", str(path)], capture_output=True, text=True, timeout=300)
    assert to_file.returncode == 0, to_file.stderr
    assert "16 municipalities" in to_file.stderr
    to_stdout = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == path.read_text(encoding="utf-8")
