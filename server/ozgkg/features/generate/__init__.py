"""Synthetic, Germany-scale test data that extends the real graph, streamed to disk as N-Quads.

What it writes, all of it invented and marked so:

- municipalities `ozgid:kommune/<ARS>` (ozg:Kommune) under the real Länder `ozgid:land/NN`, each with a
  12-digit regional key that starts with its Land's real state key, member of the real group
  `ozgid:kommunen/NN`;
- 575 OZG-Leistungen `ozgid:service/synthetic-NNN` spread over the 14 real Themenfelder;
- a few service portals per Land, run by one synthetic IT service provider per Land;
- for part of the services an EfA online service of a Themenfeld's lead Land (as the real graph states
  the leads) with an `ozg:ReuseArrangement`;
- the availability matrix: `ozgid:availability/<ARS>-synthetic-NNN`, an `ozg:ServiceOffer` saying that a
  municipality offers a service online through a portal, reused under an arrangement or not.

Every synthetic fact lies in a named graph under `https://w3id.org/ozgkg/graph/synthetic/`; the meta
graph describes each of them as an `ozg:SourcedGraph` derived from `ozgid:refsource/synthetic-generator`,
an `ozg:ReferenceSource` that says "synthetic test data, not facts" and records the seed and parameters.
No amount, count or identifier of the real graph is copied into the output.

The package: `model` (what is read of the real graph and drawn per seed), `nquads` (the writer:
pyoxigraph quads through pyoxigraph's N-Quads serialiser), and here the sizing and the entry point.

Determinism: all randomness comes from `random.Random` instances seeded with strings derived from the
seed (str seeds are hashed with SHA-512, so they do not depend on PYTHONHASHSEED), one stream per part,
so the services, portals and EfA arrangements of a seed do not change when the number of municipalities
does. Nothing time- or machine-dependent is written. Memory: only the small static parts (575 services,
portals, arrangements) are held; municipalities and their offers are written as they are drawn.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ozgkg.features.generate.model import (
    DEFAULT_MUNICIPALITIES,
    GENERATOR_VERSION,
    MAX_SCALE,
    MEAN_SHARE,
    MIN_SCALE,
    SERVICE_COUNT,
    SOURCE,
    SYNTHETIC_GRAPH,
    Model,
    Plan,
    RealGraph,
    build_model,
    read_real_graph,
    regional_keys,
)
from ozgkg.features.generate.nquads import QUADS_PER_GRAPH_DESCRIPTION, Stats, static_quad_count, write

__all__ = [
    "GENERATOR_VERSION",
    "SERVICE_COUNT",
    "SOURCE",
    "SYNTHETIC_GRAPH",
    "RealGraph",
    "Stats",
    "allocate",
    "generate",
    "plan",
    "read_real_graph",
    "regional_keys",
    "write",
]


# --- sizing ---------------------------------------------------------------------------------------


QUADS_PER_KOMMUNE = 5
QUADS_PER_OFFER = 5  # type, offeredBy, offersService, throughPortal, wasDerivedFrom; +1 when reused


def allocate(real: RealGraph, total: int) -> dict[str, int]:
    """Split `total` over the Länder in proportion to their weights (largest remainder).

    From 16 municipalities on, every Land gets at least one, so every Land appears in the data.
    """
    lands = real.lands
    base = {land.key: 1 if total >= len(lands) else 0 for land in lands}
    rest = total - sum(base.values())
    weight_sum = sum(real.weight(land) for land in lands)
    quotas = {land.key: rest * real.weight(land) / weight_sum for land in lands}
    result = {key: base[key] + int(quotas[key]) for key in base}
    left = total - sum(result.values())
    by_remainder = sorted(lands, key=lambda land: (-(quotas[land.key] % 1), land.key))
    for land in by_remainder[:left]:
        result[land.key] += 1
    return result


def _offer_weight(model: Model, key: str) -> float:
    """Expected quads of one municipality's offers in Land `key` at scale 1."""
    quads = sum(s.popularity * (QUADS_PER_OFFER + (1 if key in s.joined else 0)) for s in model.services)
    return MEAN_SHARE * quads


def expected_quads(model: Model, plan: Plan) -> float:
    """The expected size of the output for a plan (the actual size is random around it)."""
    fixed = static_quad_count(model) + QUADS_PER_GRAPH_DESCRIPTION * 2 * sum(
        1 for n in plan.municipalities.values() if n
    )
    return fixed + sum(
        n * (QUADS_PER_KOMMUNE + plan.scale * _offer_weight(model, key))
        for key, n in plan.municipalities.items()
    )


def plan(model: Model, municipalities: int | None = None, triples: int | None = None) -> Plan:
    """How many municipalities, and how dense the availability matrix, to hit a target size.

    With only `triples`: the default density and as many municipalities as fit (at least 16, one per
    Land, with a lower density if even those would overshoot). With only `municipalities`: the default
    density. With both: that many municipalities and the density that hits the target (capped).
    """
    if municipalities is not None and municipalities < 0:
        raise ValueError("the number of municipalities cannot be negative")
    if triples is None:
        count = DEFAULT_MUNICIPALITIES if municipalities is None else municipalities
        return Plan(allocate(model.real, count), 1.0)
    if municipalities is None:
        shares = allocate(model.real, 1_000_000)
        per_kommune = sum(
            n * (QUADS_PER_KOMMUNE + _offer_weight(model, key)) for key, n in shares.items()
        ) / sum(shares.values())
        room = triples - static_quad_count(model) - QUADS_PER_GRAPH_DESCRIPTION * 2 * len(shares)
        count = round(room / per_kommune)
        if count >= len(model.real.lands):
            return Plan(allocate(model.real, count), 1.0)
        # Too small for one municipality per Land at the default density: keep one each, thin the matrix.
        municipalities = len(model.real.lands)
    allocation = allocate(model.real, municipalities)
    at_zero = expected_quads(model, Plan(allocation, 0.0))
    per_scale = expected_quads(model, Plan(allocation, 1.0)) - at_zero
    scale = (triples - at_zero) / per_scale if per_scale else MAX_SCALE
    return Plan(allocation, min(MAX_SCALE, max(MIN_SCALE, scale)))


def generate(
    output: Path | None = None,
    *,
    seed: int = 0,
    municipalities: int | None = None,
    triples: int | None = None,
    real: RealGraph | None = None,
) -> Stats:
    """Plan and write a synthetic dataset to `output` (None: standard output)."""
    model = build_model(real if real is not None else read_real_graph(), seed)
    run = plan(model, municipalities, triples)
    if output is None:
        stats = write(model, run, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return stats
    with output.open("wb", buffering=1 << 20) as stream:
        return write(model, run, stream)
