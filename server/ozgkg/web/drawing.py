"""The entity page's drawing, as SVG geometry: the entity in the middle, what points at it in a
column on the left, what it points at on the right (templates/entity.html draws it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDF

from ozgkg.features.describe import Description
from ozgkg.rdf.prefixes import short_name

NEIGHBOURS_DRAWN = 20


@dataclass(frozen=True)
class DrawnEdge:
    """A neighbour on the drawing and the line to it, shortened so that arrowheads stay visible."""

    node: URIRef
    x: float
    y: float
    line: tuple[float, float, float, float]
    text: tuple[float, float, str]  # where the neighbour's label starts, and its text-anchor
    properties: str
    outward: bool  # the entity points at the neighbour
    inward: bool  # the neighbour points at the entity


# The drawing in SVG user units: the entity in the middle, what points at it in a column on the left,
# what it points at on the right, one row each, so that no two labels can overlap.
WIDTH, COLUMN_X, ROW_HEIGHT, MARGIN = 1000, 220, 32, 24


def _column(
    nodes: list[URIRef], left: bool, links: dict[URIRef, tuple[set[str], set[bool]]], centre_y: float
) -> list[DrawnEdge]:
    x = WIDTH / 2 + (-COLUMN_X if left else COLUMN_X)
    top = centre_y - (len(nodes) - 1) * ROW_HEIGHT / 2
    edges = []
    for index, node in enumerate(nodes):
        y = top + index * ROW_HEIGHT
        dx, dy = x - WIDTH / 2, y - centre_y
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        line = (WIDTH / 2 + 16 * ux, centre_y + 16 * uy, x - 10 * ux, y - 10 * uy)
        text = (x - 12, y + 4, "end") if left else (x + 12, y + 4, "start")
        names, directions = links[node]
        properties = ", ".join(sorted(names))
        edges.append(DrawnEdge(node, x, y, line, text, properties, True in directions, False in directions))
    return edges


def neighbourhood(description: Description) -> tuple[list[DrawnEdge], int, float]:
    """The drawing's edges (up to NEIGHBOURS_DRAWN a side), the number of neighbours, the height."""
    links: dict[URIRef, tuple[set[str], set[bool]]] = {}
    terms, iri = description.terms, description.iri
    for statement, other, outward in (
        *((s, s.object, True) for s in description.outgoing if s.predicate != RDF.type),
        *((s, s.subject, False) for s in description.incoming),
    ):
        # Provenance is left out: a document's passages are listed below the drawing.
        if isinstance(other, URIRef) and other != iri and not statement.provenance:
            names, directions = links.setdefault(other, (set(), set()))
            names.add(short_name(str(statement.predicate)))
            directions.add(outward)
    ordered = sorted(links, key=lambda n: terms.label(n).casefold())
    # A neighbour linked both ways goes right, with arrowheads at both ends.
    left = [n for n in ordered if True not in links[n][1]][:NEIGHBOURS_DRAWN]
    right = [n for n in ordered if True in links[n][1]][:NEIGHBOURS_DRAWN]
    height = max(len(left), len(right), 3) * ROW_HEIGHT + 2 * MARGIN
    edges = _column(left, True, links, height / 2) + _column(right, False, links, height / 2)
    return edges, len(links), height
