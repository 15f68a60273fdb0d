"""The dataset's dumps: which files there are, in which format (`ozgkg.web.dumps` writes and serves
them, `ozgkg.features.service_description` lists them as DCAT distributions and VoID data dumps)."""

from __future__ import annotations

from dataclasses import dataclass

from ozgkg.namespaces import BASE
from ozgkg.rdf.formats import N_QUADS, TRIG, TURTLE

FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
AVAILABILITY = "http://publications.europa.eu/resource/authority/planned-availability/EXPERIMENTAL"
IANA = "https://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Dump:
    file_name: str
    media_type: str  # of the content, before gzip
    file_type: str  # the EU file-type authority's code (dct:format in the DCAT record)
    title: str  # English
    title_de: str
    graphs: bool  # graph names kept (a quad format) or the union's triples

    @property
    def iri(self) -> str:
        """The distribution's IRI, in the dataset's IRI space: dataset/dump-nq, dump-trig, dump-facts-ttl."""
        stem = self.file_name.removesuffix(".gz").removeprefix("ozgkg").lstrip("-.").replace(".", "-")
        return f"{BASE}dataset/dump-{stem}"


# The quad dumps keep the graph names (each fact's source passage, `ozgg:inferred`, `ozgg:meta`); the
# Turtle dump is the default graph a query sees: every graph's triples, each once.
DUMPS = (
    Dump(
        "ozgkg.nq.gz",
        N_QUADS,
        "RDF_N_QUADS",
        "all graphs as N-Quads",
        "alle Graphen als N-Quads",
        True,
    ),
    Dump("ozgkg.trig.gz", TRIG, "RDF_TRIG", "all graphs as TriG", "alle Graphen als TriG", True),
    Dump(
        "ozgkg-facts.ttl.gz",
        TURTLE,
        "RDF_TURTLE",
        "the union of the graphs as Turtle",
        "die Vereinigung der Graphen als Turtle",
        False,
    ),
)
