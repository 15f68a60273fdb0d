"""The SHACL shapes: well-formed, the shipped graph conforms, and every shape has examples.

`tests/shapes/<ShapeName>/` holds `valid*.trig` files that the shape must accept and `invalid*.trig`
files it must reject; the first line of an invalid example, `# expect: <text>`, is part of the
English message the rejection must carry. Each example is validated together with the ontology and
`tests/shapes/_context.trig` (a few vocabulary concepts and the example document), with the project's
prefixes prepended, so that the examples stay short.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.namespace import RDF

from ozgkg.knowledge.load import KnowledgeFile, knowledge_files, load
from ozgkg.knowledge.validate import Finding, shapes_graph, validate
from ozgkg.namespaces import PREFIXES, SH

EXAMPLES = Path(__file__).parent / "shapes"
SHAPES_NS = "https://w3id.org/ozgkg/shapes#"
PROLOGUE = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items())


@cache
def shapes() -> Graph:
    return shapes_graph()


@cache
def owning_shape() -> dict[object, URIRef]:
    """Each node shape, property shape and nested shape mapped to the top-level node shape it belongs to."""
    graph = shapes()
    owner: dict[object, URIRef] = {}

    def walk(node: object, top: URIRef) -> None:
        if node in owner:
            return
        owner[node] = top
        for _, _, child in graph.triples((node, None, None)):
            if isinstance(child, BNode):
                walk(child, top)

    for shape in graph.subjects(RDF.type, SH.NodeShape):
        if isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS):
            walk(shape, shape)
    return owner


def top_level_shapes() -> list[str]:
    graph = shapes_graph()
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return sorted(
        str(s)[len(SHAPES_NS) :]
        for s in set(graph.subjects(RDF.type, SH.NodeShape))
        if str(s).startswith(SHAPES_NS) and any(graph.value(s, t) is not None for t in targets)
    )


def findings_of(example: Path, shape_name: str, tmp_path: Path) -> list[Finding]:
    prepared = tmp_path / example.name
    prepared.write_text(PROLOGUE + example.read_text(encoding="utf-8"), encoding="utf-8")
    context = tmp_path / "_context.trig"
    context.write_text(PROLOGUE + (EXAMPLES / "_context.trig").read_text(encoding="utf-8"), encoding="utf-8")
    ontology = [f for f in knowledge_files() if f.path.suffix == ".ttl"]
    # Without inference: each example states the facts its shape looks at (and a closure per example
    # would cost seconds each); the shipped graph is validated with its inferred graph below.
    knowledge = load([*ontology, KnowledgeFile(context), KnowledgeFile(prepared)], infer=False)
    result = validate(knowledge, shapes=shapes(), language="en")
    owner = owning_shape()
    wanted = URIRef(SHAPES_NS + shape_name)
    by_node = {str(node): top for node, top in owner.items()}
    return [f for f in result.findings if by_node.get(f.shape) == wanted]


def examples() -> list[tuple[str, Path]]:
    return [(d.name, f) for d in sorted(EXAMPLES.iterdir()) if d.is_dir() for f in sorted(d.glob("*.trig"))]


def test_shapes_are_valid_shacl() -> None:
    # meta_shacl checks the shapes graph against the SHACL-for-SHACL shapes before validating.
    conforms, _, text = pyshacl.validate(Dataset(), shacl_graph=shapes(), meta_shacl=True, advanced=True)
    assert conforms, text


def test_every_shape_has_a_valid_and_an_invalid_example() -> None:
    missing = [
        name
        for name in top_level_shapes()
        if not list((EXAMPLES / name).glob("valid*.trig"))
        or not list((EXAMPLES / name).glob("invalid*.trig"))
    ]
    assert not missing, f"shapes without a conforming and a violating example: {missing}"


def test_every_example_names_an_existing_shape() -> None:
    names = set(top_level_shapes())
    assert {name for name, _ in examples()} <= names


@pytest.mark.parametrize(("shape_name", "example"), examples(), ids=lambda v: getattr(v, "stem", v))
def test_example(shape_name: str, example: Path, tmp_path: Path) -> None:
    findings = findings_of(example, shape_name, tmp_path)
    if example.stem.startswith("valid"):
        assert not findings, "\n".join(f"{f.focus}: {f.message}" for f in findings)
        return
    expected = example.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    assert findings, f"{example.name} is not rejected by {shape_name}"
    messages = [f.message for f in findings]
    assert any(expected in m for m in messages), f"expected {expected!r} among {messages}"


def test_messages_in_german_and_english() -> None:
    graph = shapes()
    for node in set(graph.subjects(SH.message, None)):
        languages = {m.language for m in graph.objects(node, SH.message)}
        assert {"de", "en"} <= languages, f"shape {node} lacks a German or English message"


def test_shipped_graph_conforms() -> None:
    result = validate(load())
    assert result.conforms, result.render()
