"""The ontology as served at `/ontology`: its graph, and its HTML documentation written by pyLODE."""

from __future__ import annotations

import functools
import logging

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS

from ozgkg import paths
from ozgkg.knowledge.load import read_graph
from ozgkg.namespaces import bind_prefixes


@functools.cache
def ontology_graph() -> Graph:
    graph = bind_prefixes(Graph())
    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        graph += read_graph(path)
    return graph


def ontology_documentation() -> str:
    """The ontology's HTML documentation, written by pyLODE (run it in a process of its own)."""
    from pylode import OntPub  # imported here: only a throwaway process may import it

    logging.getLogger().setLevel(logging.WARNING)  # quiet the DEBUG level pyLODE gave this process
    graph = Graph()
    graph += ontology_graph()  # a copy: pyLODE adds its inferences to the graph it is given
    # pyLODE runs all of a term's titles together ("Nachnutzungreuse arrangement"): give it one.
    for term in set(graph.subjects(RDFS.label, None)) | set(graph.subjects(SKOS.prefLabel, None)):
        names: dict[str, str] = {}
        for prop in (DCTERMS.title, SKOS.prefLabel, RDFS.label):
            for name in graph.objects(term, prop):
                if isinstance(name, Literal):
                    names.setdefault(name.language or "", str(name))
                    graph.remove((term, prop, name))
        ordered = [names.pop(language) for language in ("de", "en") if language in names] + list(
            names.values()
        )
        graph.add((term, DCTERMS.title, Literal(" / ".join(ordered))))
    return OntPub(graph, sort_subjects=True).make_html()
