"""The graph as a network for graph tools: GraphML (with yEd's keys), GEXF 1.3, DOT, Cytoscape.js, CSV.

`network` draws the network (nodes, their names for people, typed attributes); `files` writes it.
"""

from ozgkg.features.export.files import FORMATS, MEDIA_TYPES, serialise, write
from ozgkg.features.export.network import (
    GRAPH_ANSWERS,
    QUADS_QUERY,
    ExportError,
    build_network,
    context_query,
    dataset_of,
    export_network,
    fact_triples,
    neighbourhood_query,
    query_triples,
    statistics,
)

__all__ = [
    "FORMATS",
    "GRAPH_ANSWERS",
    "MEDIA_TYPES",
    "QUADS_QUERY",
    "ExportError",
    "build_network",
    "context_query",
    "dataset_of",
    "export_network",
    "fact_triples",
    "neighbourhood_query",
    "query_triples",
    "serialise",
    "statistics",
    "write",
]
