"""Read the knowledge files (ontology, graph) into a dataset, one named graph per source passage.

Files are parsed once by pyoxigraph, whose syntax errors carry line and column. The quads are
kept as pyoxigraph terms (the fast query engine loads them as they are) and converted to rdflib
terms only where rdflib is needed (pyshacl validation).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ozgkg import __version__, paths
from ozgkg.knowledge import inference
from ozgkg.namespaces import GRAPH, ONTOLOGY_GRAPH, bind_prefixes
from ozgkg.rdf.terms import to_rdflib_triple

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}
_QUAD_FORMATS = {ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD}


class LoadError(Exception):
    """A knowledge file that cannot be read: names the file, the place and the cause."""

    def __init__(self, path: Path, cause: str, line: int | None = None, column: int | None = None):
        self.path, self.cause, self.line, self.column = path, cause, line, column
        place = str(path)
        if line is not None:
            place += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{place}: {cause}")

    def __reduce__(self):  # noqa: ANN204 - raised in the store writer's process, re-raised in serve's
        return LoadError, (self.path, self.cause, self.line, self.column)


@dataclass(frozen=True)
class KnowledgeFile:
    """A file to load. Triples outside GRAPH blocks go to `graph` (None: they are refused)."""

    path: Path
    graph: str | None = None


def knowledge_files() -> list[KnowledgeFile]:
    """The ontology and every graph file, in a stable order."""
    files = [KnowledgeFile(p, str(ONTOLOGY_GRAPH)) for p in sorted(paths.ontology_dir().glob("*.ttl"))]
    files += [KnowledgeFile(p) for p in sorted(paths.graph_dir().rglob("*.trig"))]
    return files


def extra_file(path: Path) -> KnowledgeFile:
    """A user's file served beside the graph, in the named graph `ozgg:extra/<file stem>`.

    Quad formats (TriG, N-Quads) keep their own graph names; only their default-graph triples go there.
    """
    return KnowledgeFile(path, str(GRAPH["extra/" + re.sub(r"[^A-Za-z0-9._-]", "_", path.stem)]))


def files_version(files: Iterable[KnowledgeFile]) -> str:
    """A hash of every file to load (name, target graph, content) and of this package's version:
    equal versions load equal quads, so a store that recorded this version need not load again."""
    digest = hashlib.sha256(__version__.encode())
    root = paths.data_root()
    for file in files:
        name = file.path.relative_to(root) if file.path.is_relative_to(root) else file.path.name
        digest.update(f"\x1e{name}\x1f{file.graph}\x1f".encode())
        with file.path.open("rb") as content:  # in chunks: a generated file may be gigabytes
            digest.update(hashlib.file_digest(content, "sha256").digest())
    return digest.hexdigest()


def rdf_format(path: Path) -> ox.RdfFormat:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(_FORMATS))
        raise LoadError(path, f"unknown RDF file type {path.suffix!r} (known: {known})") from None


_POSITION = re.compile(r"line (\d+) column (\d+)")


def is_quad_format(fmt: ox.RdfFormat) -> bool:
    """Whether the format names graphs (its triples outside a graph go to the file's target graph)."""
    return fmt in _QUAD_FORMATS


def checked_file(file: KnowledgeFile) -> tuple[ox.RdfFormat, ox.NamedNode | None]:
    """The file's format and target graph, or LoadError if it is missing or cannot be read as one."""
    if not file.path.is_file():
        raise LoadError(file.path, "no such file")
    fmt = rdf_format(file.path)
    target = ox.NamedNode(file.graph) if file.graph else None
    if not is_quad_format(fmt) and target is None:
        raise LoadError(file.path, "a triple format needs a target graph")
    return fmt, target


def base_iri(path: Path) -> str:
    return path.resolve().as_uri()


def outside_graph(path: Path, detail: str) -> LoadError:
    return LoadError(
        path,
        f"triple outside a GRAPH block ({detail}): "
        "every fact must lie in a named graph whose source is recorded",
    )


@contextlib.contextmanager
def parse_errors(path: Path) -> Iterator[None]:
    """Pyoxigraph's errors while reading `path` as LoadError, with the line and column it gives."""
    try:
        yield
    except SyntaxError as error:
        message = str(error.msg if hasattr(error, "msg") and error.msg else error)
        match = _POSITION.search(message)
        line, column = (int(match[1]), int(match[2])) if match else (error.lineno, None)
        raise LoadError(path, f"syntax error: {message}", line, column) from None
    except (OSError, ValueError) as error:
        raise LoadError(path, f"cannot read: {error}") from None


def iter_quads(file: KnowledgeFile) -> Iterator[ox.Quad]:
    """Parse one file into quads as they are read, or raise LoadError with the file, line and cause."""
    path = file.path
    fmt, target = checked_file(file)
    with parse_errors(path):
        for quad in ox.parse(path=str(path), format=fmt, base_iri=base_iri(path)):
            if isinstance(quad.graph_name, ox.DefaultGraph):
                if target is None:
                    raise outside_graph(path, f"{quad.subject} {quad.predicate} ...")
                quad = ox.Quad(quad.subject, quad.predicate, quad.object, target)
            yield quad


class FileQuads:
    """The quads of files, parsed as they are iterated (once). A store with a loader of its own reads
    `files` itself instead, without a Python object per quad (see `store.oxigraph`)."""

    def __init__(self, files: Iterable[KnowledgeFile]):
        self.files = list(files)

    def __iter__(self) -> Iterator[ox.Quad]:
        for file in self.files:
            yield from iter_quads(file)


def read_quads(file: KnowledgeFile) -> list[ox.Quad]:
    """All quads of one file; the whole file is read before any is used (see `iter_quads`)."""
    return list(iter_quads(file))


def read_graph(path: Path) -> Graph:
    """One Turtle-like file as an rdflib Graph (shapes, queries' data), with located syntax errors."""
    graph = bind_prefixes(Graph())
    for quad in read_quads(KnowledgeFile(path, "urn:ozgkg:file")):
        graph.add(to_rdflib_triple(quad))
    return graph


@dataclass
class LoadedKnowledge:
    """All quads read, with the file each subject was stated in (for readable reports)."""

    quads: list[ox.Quad] = field(default_factory=list)
    origins: dict[str, set[Path]] = field(default_factory=dict)
    inferred: KnowledgeFile | None = None  # the cached file of entailed facts, once added

    def add_file(self, file: KnowledgeFile) -> None:
        quads = read_quads(file)
        self.quads.extend(quads)
        for quad in quads:
            self.origins.setdefault(quad.subject.value, set()).add(file.path)

    def add_inferred(self, files: list[KnowledgeFile]) -> None:
        """Add what the ontology entails from the quads read so far (see `inferred_file`)."""
        inferred = inferred_file(files, self.quads)
        if inferred is not None:
            # Not recorded in `origins`: a finding names the files a fact was stated in, not the cache.
            self.quads.extend(read_quads(inferred))
            self.inferred = inferred

    def graph_names(self) -> set[str]:
        return {q.graph_name.value for q in self.quads if isinstance(q.graph_name, ox.NamedNode)}

    def to_dataset(self) -> Dataset:
        """An rdflib Dataset whose default graph is the union of the named graphs."""
        dataset = bind_prefixes(Dataset(default_union=True))
        graphs: dict[str, object] = {}
        for quad in self.quads:
            name = quad.graph_name.value
            if name not in graphs:
                graphs[name] = dataset.graph(URIRef(name))
            graphs[name].add(to_rdflib_triple(quad))
        return dataset

    def to_oxigraph(self, store: ox.Store | None = None) -> ox.Store:
        store = store if store is not None else ox.Store()
        store.extend(self.quads)
        return store


def inferred_file(files: list[KnowledgeFile], quads: list[ox.Quad] | None = None) -> KnowledgeFile | None:
    """The file of facts the ontology entails from the files' quads (None: no ontology among them).

    Computed once per version of the files (owlrl's closure takes seconds) and kept in the cache;
    `quads` are the files' quads if the caller has read them already.
    """
    if not any(file.graph == str(ONTOLOGY_GRAPH) for file in files):
        return None
    path = inference.cached_path(files_version(files))
    if not path.is_file():
        if quads is None:
            quads = [quad for file in files for quad in read_quads(file)]
        inference.write_cached(path, quads)
    return KnowledgeFile(path)


def load(files: Iterable[KnowledgeFile] | None = None, *, infer: bool = True) -> LoadedKnowledge:
    """Read the given files (default: the whole knowledge base) and, unless `infer` is False, what the
    ontology entails from them (the named graph `ozgg:inferred`; see `inference`)."""
    files = list(knowledge_files() if files is None else files)
    knowledge = LoadedKnowledge()
    for file in files:
        knowledge.add_file(file)
    if infer:
        knowledge.add_inferred(files)
    return knowledge
