"""The entailed facts (owlrl's OWL 2 RL closure) in the named graph ozgg:inferred.

A client asking for `?x a ozg:PublicBody` or for a CPSV-AP class gets every node the ontology puts
there; a client that leaves the graph out of its dataset gets the asserted facts only; the graph holds
no noise (reflexive sameAs, owl:Thing, facts about vocabulary terms, facts copied onto Wikidata items)
and says by PROV which reasoner made it from which ontology version.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg.features.service_description import collect_statistics
from ozgkg.knowledge import inference
from ozgkg.knowledge.load import (
    KnowledgeFile,
    LoadedKnowledge,
    files_version,
    inferred_file,
    knowledge_files,
    load,
)
from ozgkg.namespaces import sparql_prologue
from ozgkg.store import ResultKind, open_store

INFERRED = "https://w3id.org/ozgkg/graph/inferred"
META = "https://w3id.org/ozgkg/graph/meta"
JSON = dict.fromkeys(ResultKind, "application/sparql-results+json")


@cache
def knowledge() -> LoadedKnowledge:
    return load()


@cache
def asserted() -> ox.Store:
    return load(infer=False).to_oxigraph()


@cache
def everything() -> ox.Store:
    return knowledge().to_oxigraph()


def count(store: ox.Store, where: str) -> int:
    query = sparql_prologue() + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}"
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


def inferred_quads() -> list[ox.Quad]:
    return [q for q in knowledge().quads if q.graph_name.value == INFERRED]


@pytest.mark.parametrize(
    "cls",
    ["ozg:PublicBody", "ozg:FundingMeasure", "ozg:DigitalSolution", "cv:PublicOrganisation", "foaf:Agent"],
)
def test_a_class_query_finds_every_instance_of_its_subclasses(cls: str) -> None:
    # What a client without a reasoner had to write, evaluated on the asserted facts only:
    by_hand = count(asserted(), f"?x a/rdfs:subClassOf* {cls}")
    assert by_hand > 0
    assert count(everything(), f"?x a {cls}") == by_hand
    assert count(asserted(), f"?x a {cls}") < by_hand  # so the graph adds what was missing


def public_bodies() -> int:
    """The public bodies the asserted facts give, counted the way a client without a reasoner had to."""
    return count(asserted(), "?x a/rdfs:subClassOf* ozg:PublicBody")


def test_every_public_body_is_a_cpsv_ap_public_organisation() -> None:
    bodies = public_bodies()
    assert bodies > 60 and count(everything(), "?x a ozg:PublicBody") == bodies
    assert count(everything(), "?x a ozg:PublicBody FILTER NOT EXISTS { ?x a cv:PublicOrganisation }") == 0


def test_subproperties_and_inverses_are_materialised() -> None:
    # ozg:funder is a subproperty of schema:funder: the schema.org query finds the ozg:funder facts.
    assert count(asserted(), "?x ozg:funder ?f") == count(everything(), "?x schema:funder ?f") > 0


def test_no_noise() -> None:
    ontology_terms = {
        q.subject.value for q in knowledge().quads if q.graph_name.value.endswith("/graph/ontology")
    }
    quads = inferred_quads()
    assert quads
    for quad in quads:
        assert isinstance(quad.subject, ox.NamedNode), quad
        assert quad.subject.value not in ontology_terms, quad
        assert quad.predicate.value != "http://www.w3.org/2002/07/owl#sameAs", quad
        assert not quad.subject.value.startswith("http://www.wikidata.org/"), quad  # no smushing
        assert quad.object.value not in (
            "http://www.w3.org/2002/07/owl#Thing",
            "http://www.w3.org/2000/01/rdf-schema#Resource",
        ), quad
        assert not quad.object.value.startswith("http://www.w3.org/2001/XMLSchema#"), quad
    asserted_triples = {(q.subject, q.predicate, q.object) for q in knowledge().quads if q not in quads}
    assert not [q for q in quads if (q.subject, q.predicate, q.object) in asserted_triples]


def test_the_wikidata_items_keep_only_their_link() -> None:
    store = everything()
    links = "?x owl:sameAs ?wd FILTER (STRSTARTS(STR(?wd), STR(wd:)))"
    assert count(store, links) == count(asserted(), links) >= 16
    assert count(store, "?x ?p ?o FILTER (STRSTARTS(STR(?x), STR(wd:)))") == 0


def test_provenance_names_the_reasoner_and_the_ontology_version() -> None:
    store = everything()
    query = (
        sparql_prologue()
        + """
        SELECT ?version ?reasoner WHERE { GRAPH ozgg:meta {
            ozgg:inferred prov:wasGeneratedBy ?activity .
            ?activity a prov:Activity ; prov:used ?version ; prov:wasAssociatedWith ?reasoner .
            ?reasoner a prov:SoftwareAgent } }"""
    )
    rows = list(store.query(query))
    ontology_versions = [
        row["v"].value
        for row in store.query(
            sparql_prologue() + "SELECT ?v WHERE { ?o a owl:Ontology ; owl:versionIRI ?v }",
            use_default_graph_as_union=True,
        )
    ]
    assert [(r["version"].value, r["reasoner"].value) for r in rows] == [
        (ontology_versions[0], f"https://pypi.org/project/owlrl/{inference.OWLRL_VERSION}/")
    ]


def test_a_client_leaves_the_inferred_graph_out_through_the_protocol_dataset() -> None:
    store = open_store("oxigraph")
    store.replace(knowledge().quads)
    query = sparql_prologue() + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ozg:PublicBody }"

    def answer(**dataset: list[str]) -> int:
        body = store.execute(query, JSON, **dataset).body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    asserted_graphs = [g for g in store.named_graphs() if g != INFERRED]
    bodies, typed_so = public_bodies(), count(asserted(), "?x a ozg:PublicBody")
    assert bodies > typed_so > 0
    assert answer() == bodies
    assert answer(default_graphs=asserted_graphs) == typed_so
    assert answer(default_graphs=[*asserted_graphs, INFERRED]) == bodies
    from_clauses = "".join(f"FROM <{g}>\n" for g in asserted_graphs)
    with_from = query.replace("WHERE", from_clauses + "WHERE", 1)
    assert (
        int(json.loads(store.execute(with_from, JSON).body)["results"]["bindings"][0]["n"]["value"])
        == typed_so
    )


def test_void_statistics_count_the_inferred_graph() -> None:
    store = open_store("oxigraph")
    store.replace(knowledge().quads)
    statistics = collect_statistics(store)
    assert statistics.graphs[INFERRED].triples == len(inferred_quads())
    assert statistics.quads == len(set(knowledge().quads))
    public_organisation = "http://data.europa.eu/m8g/PublicOrganisation"
    assert statistics.graphs[INFERRED].classes[public_organisation] == public_bodies()
    assert statistics.union.classes[public_organisation] == public_bodies()


def test_the_closure_is_cached_by_the_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZGKG_CACHE_DIR", str(tmp_path / "cache"))
    ontology = [f for f in knowledge_files() if f.path.suffix == ".ttl"]
    data = tmp_path / "data.trig"
    data.write_text(
        "<https://w3id.org/ozgkg/graph/x> { <https://w3id.org/ozgkg/id/land/99> "
        "a <https://w3id.org/ozgkg/def#Land> . }\n",
        encoding="utf-8",
    )
    files = [*ontology, KnowledgeFile(data)]
    first = inferred_file(files)
    assert first is not None and first.path.parent == tmp_path / "cache"
    assert first.path == inference.cached_path(files_version(files))
    land = ox.NamedNode("https://w3id.org/ozgkg/id/land/99")
    found = {(q.predicate.value, q.object.value) for q in ox.parse(path=str(first.path)) if q.subject == land}
    assert (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://data.europa.eu/m8g/PublicOrganisation",
    ) in found
    first.path.write_text("", encoding="utf-8")  # a cache hit reads the file, never recomputes it
    assert inferred_file(files) == first and first.path.read_text(encoding="utf-8") == ""
    data.write_text(data.read_text(encoding="utf-8").replace("land/99", "land/98"), encoding="utf-8")
    second = inferred_file(files)
    assert second is not None and second.path != first.path  # another input, another closure
    assert inferred_file(files[-1:]) is None  # without the ontology nothing is entailed


def test_cpsv_ap_constraints_left_open_are_only_those_without_a_source() -> None:
    """The project's CPSV-AP shapes hold on the shipped graph; what stays open (warnings) is the area of
    the bodies other than the Länder, and the description and competent authority of the OZG services."""
    from ozgkg.knowledge.validate import validate

    result = validate(knowledge())
    assert result.conforms, result.render()
    open_constraints = {
        (f.path, f.message.split(";")[0]) for f in result.warnings if f.message.startswith("CPSV-AP")
    }
    assert {path for path, _ in open_constraints} == {
        "http://purl.org/dc/terms/spatial",
        "http://purl.org/dc/terms/description",
        "http://data.europa.eu/m8g/hasCompetentAuthority",
    }
    lands = {f.focus for f in result.warnings if f.path == "http://purl.org/dc/terms/spatial"}
    assert not [land for land in lands if "/id/land/" in land]  # the Länder's areas are sourced


def test_a_land_ministry_serves_its_land_and_a_federal_one_gets_no_land() -> None:
    """CPSV-AP's dct:spatial of a Land's ministry is its Land's own Location (ontology/cpsv-ap.rq); a
    federal ministry states no Land, and no area is made up for it."""
    ministries_with_land = count(asserted(), "?x a ozg:Ministry ; ozg:inLand ?land")
    assert ministries_with_land > 0
    served = "?x a ozg:Ministry ; ozg:inLand ?land ; dct:spatial ?area . ?land dct:spatial ?area"
    assert count(everything(), served) == ministries_with_land
    assert count(asserted(), "?x a ozg:Ministry ; dct:spatial ?area") == 0  # only the rule says it
    federal = "?x a ozg:Ministry ; dct:spatial ?area FILTER NOT EXISTS { ?x ozg:inLand ?land }"
    assert count(everything(), federal) == 0
