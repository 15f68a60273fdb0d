"""The OWL ontology: its header, labels and definitions, that every term in use is declared, that it
agrees with the modelling contract, that HermiT finds ontology plus graph consistent, and that the
ontology is in the OWL 2 DL profile.

The graph files are written by several hands; these tests read whatever is there, so they pass as
soon as ontology, graph, shapes and queries use the same terms.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ozgkg import paths
from ozgkg.knowledge.load import KnowledgeFile, knowledge_files, load, read_quads
from ozgkg.namespaces import ONTOLOGY_IRI, OZG, SH, VANN
from ozgkg.rdf.terms import to_rdflib_triple

ONTOLOGY = URIRef(ONTOLOGY_IRI)
OZG_NS = str(OZG)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# An `ozg:` term in SPARQL text or Markdown; `ozgid:` and `ozgg:` do not match.
PREFIXED_TERM = re.compile(r"\bozg:([A-Za-z_][A-Za-z0-9_]*)")
FULL_TERM = re.compile(re.escape(OZG_NS) + r"([A-Za-z_][A-Za-z0-9_]*)")


def ontology_file() -> Path:
    return paths.ontology_dir() / "ozg.ttl"


@cache
def ontology() -> Graph:
    return Graph().parse(ontology_file(), format="turtle")


@cache
def declared() -> dict[str, set[URIRef]]:
    """Each ozg: term of ozg.ttl with the kinds (owl:Class, owl:ObjectProperty, ...) it is declared as."""
    kinds: dict[str, set[URIRef]] = defaultdict(set)
    for kind in TERM_KINDS:
        for term in ontology().subjects(RDF.type, kind):
            if str(term).startswith(OZG_NS):
                kinds[str(term)].add(kind)
    return dict(kinds)


def knowledge_paths() -> list[Path]:
    """Every RDF file of the ontology, the graph and the shapes."""
    return [
        *sorted(paths.ontology_dir().glob("*.ttl")),
        *sorted(paths.graph_dir().rglob("*.trig")),
        *sorted(paths.shapes_dir().glob("*.ttl")),
    ]


def quads_of(path: Path) -> list[ox.Quad]:
    # Turtle files get a placeholder graph; TriG files must keep every triple in a GRAPH block.
    return read_quads(KnowledgeFile(path, None if path.suffix == ".trig" else "urn:ozgkg:file"))


def ozg_terms_in(quads: list[ox.Quad]) -> set[str]:
    return {
        term.value
        for quad in quads
        for term in (quad.subject, quad.predicate, quad.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(OZG_NS)
    }


# ---------------------------------------------------------------- (a) the file and its header


def test_ontology_parses_with_rdflib_and_the_loader() -> None:
    assert len(ontology()) > 0
    assert len(read_quads(KnowledgeFile(ontology_file(), "urn:ozgkg:file"))) == len(ontology())


def test_header() -> None:
    g = ontology()
    assert set(g.subjects(RDF.type, OWL.Ontology)) == {ONTOLOGY}

    def values(predicate: URIRef) -> set:
        return set(g.objects(ONTOLOGY, predicate))

    def languages(predicate: URIRef) -> Counter:
        return Counter(o.language for o in g.objects(ONTOLOGY, predicate) if isinstance(o, Literal))

    assert values(OWL.versionIRI) == {URIRef(ONTOLOGY_IRI + "/0.1.0")}
    assert values(OWL.versionInfo) == {Literal("0.1.0")}
    for predicate in (DCTERMS.title, DCTERMS.description, RDFS.label):
        assert languages(predicate) == Counter({"de": 1, "en": 1}), f"{predicate} needs one @de and one @en"
    assert values(DCTERMS.license) == {URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")}
    assert values(DCTERMS.creator) == {Literal("ozg-kg project")}
    assert values(DCTERMS.created) == {Literal("2026-11-23", datatype=XSD.date)}
    assert values(DCTERMS.modified) == {Literal("2026-11-23", datatype=XSD.date)}
    assert values(VANN.preferredNamespacePrefix) == {Literal("ozg")}
    assert values(VANN.preferredNamespaceUri) == {Literal(OZG_NS)}


# ---------------------------------------------------------------- (b) every term described


def test_every_term_is_labelled_defined_and_owned() -> None:
    g = ontology()
    problems = []
    for iri in sorted(declared()):
        term = URIRef(iri)
        for predicate in (RDFS.label, SKOS.definition):
            found = Counter(o.language for o in g.objects(term, predicate) if isinstance(o, Literal))
            if found["de"] != 1 or found["en"] != 1:
                problems.append(f"{iri}: {predicate} per language {dict(found)}, want one @de and one @en")
        if list(g.objects(term, RDFS.isDefinedBy)) != [ONTOLOGY]:
            problems.append(f"{iri}: rdfs:isDefinedBy must be exactly {ONTOLOGY_IRI}")
    assert not problems, "\n".join(problems)


def test_every_term_has_one_kind() -> None:
    """OWL 2 DL: a term is a class or one kind of property, never two (no illegal punning)."""
    mixed = {iri: sorted(map(str, kinds)) for iri, kinds in declared().items() if len(kinds) != 1}
    assert not mixed, mixed
    # External terms the ontology declares must not mix kinds either.
    kinds: dict[URIRef, set[URIRef]] = defaultdict(set)
    for kind in TERM_KINDS:
        for term in ontology().subjects(RDF.type, kind):
            kinds[term].add(kind)
    assert not {str(t): k for t, k in kinds.items() if len(k) > 1}


def test_every_ozg_subject_of_the_ontology_is_declared() -> None:
    """Catches a misspelt term that receives labels but no declaration."""
    subjects = {str(s) for s in ontology().subjects() if str(s).startswith(OZG_NS)}
    assert subjects <= set(declared()), sorted(subjects - set(declared()))


def test_ontology_and_contract_name_the_same_terms() -> None:
    """Every ozg: term in ontology/README.md is declared, and every declared term is documented there."""
    readme = (paths.ontology_dir() / "README.md").read_text(encoding="utf-8")
    documented = {OZG_NS + name for name in PREFIXED_TERM.findall(readme)}
    terms = set(declared())
    assert not documented - terms, f"in the contract, not declared: {sorted(documented - terms)}"
    assert not terms - documented, f"declared, not in the contract: {sorted(terms - documented)}"


# ---------------------------------------------------------------- (c) every term in use is declared


def test_every_ozg_term_in_ontology_graph_and_shapes_is_declared() -> None:
    missing: dict[str, set[str]] = defaultdict(set)
    root = paths.data_root()
    for path in knowledge_paths():
        for iri in ozg_terms_in(quads_of(path)) - set(declared()):
            missing[iri].add(str(path.relative_to(root)))
    assert not missing, "undeclared ozg: terms:\n" + "\n".join(
        f"  {iri} in {', '.join(sorted(files))}" for iri, files in sorted(missing.items())
    )


def test_every_ozg_term_in_sparql_text_is_declared() -> None:
    """Shape constraints (sh:select, sh:ask) and competency queries name terms inside strings."""
    texts: list[tuple[str, str]] = []
    for path in sorted(paths.shapes_dir().glob("*.ttl")):
        graph = Graph()
        for quad in quads_of(path):
            graph.add(to_rdflib_triple(quad))
        texts += [(path.name, str(o)) for p in (SH.select, SH.ask) for o in graph.objects(None, p)]
    texts += [(p.name, p.read_text(encoding="utf-8")) for p in sorted(paths.queries_dir().glob("*.rq"))]
    missing = sorted(
        {
            (name, OZG_NS + term)
            for name, text in texts
            for term in [*PREFIXED_TERM.findall(text), *FULL_TERM.findall(text)]
            if OZG_NS + term not in declared()
        }
    )
    assert not missing, missing


def test_properties_are_used_as_declared() -> None:
    """An object property never gets a literal, a datatype property never an IRI (OWL 2 DL typing)."""
    g = ontology()
    object_properties = {str(p) for p in g.subjects(RDF.type, OWL.ObjectProperty)}
    datatype_properties = {str(p) for p in g.subjects(RDF.type, OWL.DatatypeProperty)}
    wrong: set[tuple[str, str, str]] = set()
    for quad in load().quads:
        predicate, obj = quad.predicate.value, quad.object
        if predicate in object_properties and isinstance(obj, ox.Literal):
            wrong.add((quad.subject.value, predicate, f"literal {obj.value!r}"))
        elif predicate in datatype_properties and not isinstance(obj, ox.Literal):
            wrong.add((quad.subject.value, predicate, f"resource {obj.value}"))
    assert not wrong, "\n".join(" ".join(row) for row in sorted(wrong))


# ---------------------------------------------------------------- (d) one schema.org namespace

HTTPS_SCHEMA = "https://schema.org"


def test_no_https_schema_org_anywhere() -> None:
    """No file of ontology/, graph/ or shapes/ uses schema.org's https namespace.

    Two places name it on purpose and are read as RDF instead of text: the contract (README.md) states
    the rule, and the shapes carry a SPARQL check for it in a literal. There, no IRI and no prefix may
    use it.
    """
    root = paths.data_root()
    explained = {paths.ontology_dir() / "README.md", *paths.shapes_dir().glob("*.ttl")}
    offenders = [
        str(path.relative_to(root))
        for folder in (paths.ontology_dir(), paths.graph_dir(), paths.shapes_dir())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path not in explained
        and HTTPS_SCHEMA in path.read_text(encoding="utf-8", errors="replace")
    ]
    for path in sorted(paths.shapes_dir().glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        iris = {
            term.value if isinstance(term, ox.NamedNode) else term.datatype.value
            for quad in quads_of(path)
            for term in (quad.subject, quad.predicate, quad.object)
            if not isinstance(term, ox.BlankNode)
        }
        prefixes = re.findall(r"@prefix\s+[\w-]*:\s*<([^>]*)>", text, flags=re.IGNORECASE)
        if any(iri.startswith(HTTPS_SCHEMA) for iri in [*iris, *prefixes]):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, f"{HTTPS_SCHEMA} in {offenders}; only http://schema.org/ is allowed"


# ---------------------------------------------------------------- (e) OWL reasoning with HermiT


def write_ntriples(quads: list[ox.Quad], target: Path) -> Path:
    """The union of the quads' triples as N-Triples (the reasoner has no notion of named graphs)."""
    graph = Graph()
    for quad in quads:
        graph.add(to_rdflib_triple(quad))
    graph.serialize(target, format="nt", encoding="utf-8")
    return target


def hermit(path: Path) -> list[str]:
    """Run HermiT on one N-Triples file in a fresh world, as Protégé does: without options (no
    `ignore_unsupported_datatypes`); the unsatisfiable classes, or raise.

    The dates and years, whose datatypes are not in the OWL 2 datatype map, are values of annotation
    properties (see dct:date in the ontology), which HermiT does not interpret.
    """
    world = owlready2.World()
    try:
        world.get_ontology(path.as_uri()).load()
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
    finally:
        world.close()


def consistent(quads: list[ox.Quad], target: Path) -> bool:
    try:
        hermit(write_ntriples(quads, target))
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def culprits(tmp_path: Path) -> list[str]:
    """The graph files, and within them the named graphs, without which the whole is consistent.

    Runs only after a failure: one reasoner run per file, then one per named graph of a culprit file.
    """
    files = {file: read_quads(file) for file in knowledge_files()}
    found = []
    for file in (f for f in files if f.graph is None):
        others = [q for other, quads in files.items() if other != file for q in quads]
        if not consistent(others, tmp_path / "without-file.nt"):
            continue
        found.append(str(file.path.relative_to(paths.data_root())))
        for name in sorted({q.graph_name.value for q in files[file]}):
            rest = [q for q in files[file] if q.graph_name.value != name]
            if consistent([*others, *rest], tmp_path / "without-graph.nt"):
                found.append(f"  graph <{name}>")
    return found


def need_java() -> None:
    """HermiT needs a Java runtime. Without one the test is skipped on a developer's machine, but fails
    under CI (`CI=true`), where the set-up (`server/dev.sh`) installs it: a skip there would hide it."""
    if shutil.which("java") is None:
        message = "HermiT needs a Java runtime: `java` is not on PATH (server/dev.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_hermit_classifies_the_ontology_alone(tmp_path: Path) -> None:
    need_java()
    ontology_quads = read_quads(KnowledgeFile(ontology_file(), "urn:ozgkg:file"))
    assert hermit(write_ntriples(ontology_quads, tmp_path / "ontology.nt")) == []


def test_ontology_and_graph_are_consistent_and_every_class_satisfiable(tmp_path: Path) -> None:
    need_java()
    everything = write_ntriples(load().quads, tmp_path / "all.nt")
    try:
        unsatisfiable = hermit(everything)
    except owlready2.OwlReadyInconsistentOntologyError:
        pytest.fail(
            "HermiT: ontology + graph is inconsistent. Consistent again without:\n"
            + ("\n".join(culprits(tmp_path)) or "(no single file or graph: it takes several)")
        )
    assert not unsatisfiable, f"classes equivalent to owl:Nothing: {unsatisfiable}"


# ---------------------------------------------------------------- OWL 2 DL profile

# The OWL API that ships inside owlready2's HermiT.jar checks the OWL 2 DL profile; this is its driver.
PROFILE_CHECK = r"""
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public class ProfileCheck {
    public static void main(String[] args) throws Exception {
        OWLOntology ontology = OWLManager.createOWLOntologyManager()
            .loadOntologyFromOntologyDocument(new File(args[0]));
        for (OWLProfileViolation v : new OWL2DLProfile().checkOntology(ontology).getViolations()) {
            System.out.println(v.getClass().getSimpleName() + "\t" + v.toString().replace("\n", " "));
        }
    }
}
"""
HERMIT_JAR = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


def compile_profile_check(folder: Path) -> str:
    """Compile the driver into `folder`; the Java class path to run it with."""
    source = folder / "ProfileCheck.java"
    source.write_text(PROFILE_CHECK, encoding="utf-8")
    subprocess.run(["javac", "-cp", str(HERMIT_JAR), "-d", str(folder), str(source)], check=True)
    return os.pathsep.join([str(HERMIT_JAR), str(folder)])


def dl_violations(classpath: str, path: Path) -> list[tuple[str, str]]:
    """(kind, text) of every OWL 2 DL profile violation in one N-Triples file."""
    run = subprocess.run(
        ["java", "-cp", classpath, "ProfileCheck", str(path)], check=True, capture_output=True, text=True
    )
    return [(kind, text) for kind, _, text in (line.partition("\t") for line in run.stdout.splitlines())]


@pytest.mark.skipif(
    shutil.which("javac") is None, reason="the OWL 2 DL check compiles Java: no `javac` on PATH"
)
def test_ontology_is_owl2_dl_and_the_graph_puns_nothing(tmp_path: Path) -> None:
    """The ontology alone is OWL 2 DL. With the graph added, the only tolerated violations are terms of
    other vocabularies the graph uses without the ontology declaring them (OWL tools then guess their
    kind); punning, such as one property used with literals and with resources, is not tolerated.
    """
    classpath = compile_profile_check(tmp_path)
    ontology_quads = read_quads(KnowledgeFile(ontology_file(), "urn:ozgkg:file"))
    alone = dl_violations(classpath, write_ntriples(ontology_quads, tmp_path / "ontology.nt"))
    assert not alone, "\n".join(text for _, text in alone)
    together = dl_violations(classpath, write_ntriples(load().quads, tmp_path / "all.nt"))
    serious = [text for kind, text in together if not kind.startswith("UseOfUndeclared")]
    assert not serious, f"{len(serious)} violation(s), the first ones:\n" + "\n".join(serious[:10])
