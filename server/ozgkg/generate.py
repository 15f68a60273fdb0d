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

Determinism: all randomness comes from `random.Random` instances seeded with strings derived from the
seed (str seeds are hashed with SHA-512, so they do not depend on PYTHONHASHSEED), one stream per part,
so the services, portals and EfA arrangements of a seed do not change when the number of municipalities
does. Nothing time- or machine-dependent is written. Memory: only the small static parts (575 services,
portals, arrangements) are held; municipalities and their offers are written as they are drawn.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from .load import KnowledgeFile, knowledge_files, load
from .namespaces import CV, DCTERMS, GRAPH, ID, ORG, OZG, PROV, RDF, RDFS, SKOS, sparql_prologue

# Bump when the output for a given seed and parameters changes, so that recorded benchmarks and
# files can be matched to the generator that wrote them.
GENERATOR_VERSION = "1"

SERVICE_COUNT = 575  # the size of the OZG catalogue (Vorlage 043/2020); the services themselves are invented
SYNTHETIC_GRAPH = str(GRAPH) + "synthetic/"
META_GRAPH = str(GRAPH["meta"])
SOURCE = str(ID["refsource/synthetic-generator"])

# Share of the services a municipality offers online: drawn per municipality from U(LOW, HIGH), times a
# scale factor that `plan` lowers when a small target size leaves little room. Each service has a
# popularity in [POPULARITY_LOW, POPULARITY_HIGH] (mean 1) that multiplies it; scale is capped so that
# the product stays a probability.
SHARE_LOW, SHARE_HIGH = 0.10, 0.60
MEAN_SHARE = (SHARE_LOW + SHARE_HIGH) / 2
POPULARITY_LOW, POPULARITY_HIGH = 0.5, 1.5
MAX_SCALE = 1 / (SHARE_HIGH * POPULARITY_HIGH)
MIN_SCALE = 0.0001
# Of the services in a Themenfeld with a lead Land, this share gets an EfA online service; each other
# Land joins an arrangement with probability JOIN_SHARE (the provider's own Land always does).
EFA_SHARE = 0.6
JOIN_SHARE = 0.7
DEFAULT_MUNICIPALITIES = 100

# How municipalities are spread over the Länder. If the real graph states `ozg:numberOfMunicipalities`
# for the group `ozgid:kommunen/NN` of every Land, those sourced numbers are the weights (as proportions
# only: the synthetic counts are scaled to N). Otherwise a neutral weighting is used, because
# shared/reference/domain.md gives no per-Land municipality counts: every Flächenland weighs the same
# and the three city-states (Hamburg, Bremen, Berlin, Länder that are themselves a city) a tenth of
# that. These are NOT real shares; they keep only the one skew that is structural.
NEUTRAL_WEIGHT = 10.0
CITY_STATE_WEIGHT = 1.0
CITY_STATE_KEYS = frozenset({"02", "04", "11"})

# ARS digit 3 (Regierungsbezirk) of every synthetic key, fixed so that synthetic keys form a block of
# their own, apart from the real municipalities the graph may hold. (That no real key uses 9 there was
# not checked against the official key list; the "(synthetisch)" labels and graphs mark them anyway.)
SYNTHETIC_RB_DIGIT = "9"


# --- the parts of the real graph the generator builds on ---------------------------------------------


@dataclass(frozen=True)
class LandRef:
    key: str  # two-digit state key
    iri: str
    label: str
    group: str  # IRI of the Land's municipality group
    group_stated: bool  # whether the real graph declares the group (else the generator declares it)
    stated_municipalities: int | None  # the group's ozg:numberOfMunicipalities, if the graph states one

    @property
    def neutral_weight(self) -> float:
        return CITY_STATE_WEIGHT if self.key in CITY_STATE_KEYS else NEUTRAL_WEIGHT


@dataclass(frozen=True)
class ThemenfeldRef:
    iri: str
    label: str
    lead_keys: tuple[str, ...]  # state keys of the lead Länder the graph states (may be empty)


@dataclass(frozen=True)
class RealGraph:
    lands: tuple[LandRef, ...]
    themenfelder: tuple[ThemenfeldRef, ...]

    @property
    def weights_are_stated(self) -> bool:
        return all(land.stated_municipalities for land in self.lands)

    def weight(self, land: LandRef) -> float:
        """Relative number of municipalities of `land` (see NEUTRAL_WEIGHT for when it is neutral)."""
        if self.weights_are_stated:
            return float(land.stated_municipalities or 0)
        return land.neutral_weight


_LANDS_QUERY = """
SELECT ?land ?key (SAMPLE(?l) AS ?label) (SAMPLE(?g) AS ?group) (MAX(?n) AS ?count) WHERE {
  ?land a ozg:Land ; ozg:stateKey ?key .
  OPTIONAL { ?land skos:prefLabel ?l FILTER(langMatches(lang(?l), "de")) }
  OPTIONAL { ?g a ozg:MunicipalityGroup ; ozg:inLand ?land .
             OPTIONAL { ?g ozg:numberOfMunicipalities ?n } }
} GROUP BY ?land ?key ORDER BY ?key
"""
_THEMENFELDER_QUERY = """
SELECT ?tf (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT ?key; separator=" ") AS ?leads) WHERE {
  ?tf a ozg:Themenfeld ; skos:inScheme ozgid:themenfelder .
  OPTIONAL { ?tf skos:prefLabel ?l FILTER(langMatches(lang(?l), "de")) }
  OPTIONAL { ?tf ozg:leadLand ?lead . ?lead a ozg:Land ; ozg:stateKey ?key }
} GROUP BY ?tf ORDER BY ?tf
"""


def read_real_graph(files: Iterable[KnowledgeFile] | None = None) -> RealGraph:
    """The Länder, their municipality groups and the Themenfelder with their lead Länder, from the graph."""
    store = load(knowledge_files() if files is None else files).to_oxigraph()

    def select(sparql: str) -> list[ox.QuerySolution]:
        return list(store.query(sparql_prologue() + sparql, use_default_graph_as_union=True))

    lands = []
    for row in select(_LANDS_QUERY):
        key = row["key"].value
        group = row["group"]
        count = row["count"]
        lands.append(
            LandRef(
                key=key,
                iri=row["land"].value,
                label=row["label"].value if row["label"] else f"Land {key}",
                group=group.value if group else str(ID[f"kommunen/{key}"]),
                group_stated=group is not None,
                stated_municipalities=int(count.value) if count else None,
            )
        )
    themenfelder = [
        ThemenfeldRef(
            iri=row["tf"].value,
            label=row["label"].value if row["label"] else row["tf"].value.rsplit("/", 1)[-1],
            lead_keys=tuple(sorted(row["leads"].value.split())) if row["leads"] else (),
        )
        for row in select(_THEMENFELDER_QUERY)
    ]
    if len(lands) != 16 or len(themenfelder) != 14:
        raise ValueError(
            f"the real graph states {len(lands)} Länder and {len(themenfelder)} Themenfelder; "
            "the generator extends the real graph and needs all 16 and all 14"
        )
    return RealGraph(tuple(lands), tuple(themenfelder))


# --- the static parts, small enough to hold --------------------------------------------------------


@dataclass(frozen=True)
class Service:
    number: int
    themenfeld: ThemenfeldRef
    popularity: float
    efa_provider: str | None  # state key of the EfA provider Land, if the service has an EfA solution
    joined: frozenset[str]  # state keys of the Länder whose municipalities reuse the EfA solution

    @property
    def slug(self) -> str:
        return f"synthetic-{self.number:03d}"


@dataclass(frozen=True)
class Model:
    """Everything drawn once per seed: services with their EfA arrangements, portals per Land."""

    real: RealGraph
    seed: int
    services: tuple[Service, ...]
    portals: dict[str, int]  # state key -> number of synthetic portals

    def land(self, key: str) -> LandRef:
        return next(land for land in self.real.lands if land.key == key)


def build_model(real: RealGraph, seed: int) -> Model:
    rng = random.Random(f"ozgkg-synthetic:{seed}:services")
    themenfelder = real.themenfelder
    # Every Themenfeld gets at least one service; the rest follow seeded weights, so sizes are uneven
    # as in the real catalogue without copying its real sizes.
    weights = [rng.uniform(0.3, 3.0) for _ in themenfelder]
    assignment = list(themenfelder) + rng.choices(themenfelder, weights, k=SERVICE_COUNT - len(themenfelder))
    rng.shuffle(assignment)
    keys = [land.key for land in real.lands]
    services = []
    for number, themenfeld in enumerate(assignment, start=1):
        popularity = rng.uniform(POPULARITY_LOW, POPULARITY_HIGH)
        provider = None
        joined: frozenset[str] = frozenset()
        if themenfeld.lead_keys and rng.random() < EFA_SHARE:
            provider = rng.choice(themenfeld.lead_keys)
            joined = frozenset(k for k in keys if k == provider or rng.random() < JOIN_SHARE)
        services.append(Service(number, themenfeld, popularity, provider, joined))
    largest = max(real.weight(land) for land in real.lands)
    portal_rng = random.Random(f"ozgkg-synthetic:{seed}:portals")
    # More portals where there are more municipalities: 1 for the lightest Länder, 2 to 4 for the heaviest.
    portals = {
        land.key: round(1 + 3 * real.weight(land) / largest * portal_rng.uniform(0.4, 1.0))
        for land in real.lands
    }
    return Model(real, seed, tuple(services), portals)


# --- sizing ---------------------------------------------------------------------------------------


QUADS_PER_KOMMUNE = 5
QUADS_PER_OFFER = 5  # type, offeredBy, offersService, throughPortal, wasDerivedFrom; +1 when reused
QUADS_PER_GRAPH_DESCRIPTION = 3


@dataclass(frozen=True)
class Plan:
    municipalities: dict[str, int]  # state key -> number of synthetic municipalities
    scale: float  # multiplies each municipality's share of services offered

    @property
    def total_municipalities(self) -> int:
        return sum(self.municipalities.values())


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
    fixed = _static_quad_count(model) + QUADS_PER_GRAPH_DESCRIPTION * 2 * sum(
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
        room = triples - _static_quad_count(model) - QUADS_PER_GRAPH_DESCRIPTION * 2 * len(shares)
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


# --- N-Quads writing ------------------------------------------------------------------------------


def _iri(value: str) -> str:
    return f"<{value}>"


def _literal(text: str, language: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"@{language}' if language else f'"{escaped}"'


# Terms, written once as N-Quads tokens.
A = _iri(str(RDF.type))
LABEL = _iri(str(SKOS.prefLabel))
TITLE = _iri(str(DCTERMS.title))
DESCRIPTION = _iri(str(DCTERMS.description))
IDENTIFIER = _iri(str(DCTERMS.identifier))
COMMENT = _iri(str(RDFS.comment))
DERIVED = _iri(str(PROV.wasDerivedFrom))
MEMBER_OF = _iri(str(ORG.memberOf))
HAS_CHANNEL = _iri(str(CV.hasChannel))
IN_SCHEME = _iri(str(SKOS.inScheme))
T_KOMMUNE = _iri(str(OZG.Kommune))
T_GROUP = _iri(str(OZG.MunicipalityGroup))
T_SERVICE = _iri(str(OZG.OZGService))
T_PORTAL = _iri(str(OZG.ServicePortal))
T_ONLINE_SERVICE = _iri(str(OZG.OnlineService))
T_PROVIDER = _iri(str(OZG.ITServiceProvider))
T_REUSE = _iri(str(OZG.ReuseArrangement))
T_SOURCED_GRAPH = _iri(str(OZG.SourcedGraph))
T_REFERENCE_SOURCE = _iri(str(OZG.ReferenceSource))
REGIONAL_KEY = _iri(str(OZG.regionalKey))
IN_LAND = _iri(str(OZG.inLand))
THEMENFELD = _iri(str(OZG.themenfeld))
OPERATED_BY = _iri(str(OZG.operatedBy))
BUILT_BY = _iri(str(OZG.builtBy))
OFFERED_TO = _iri(str(OZG.offeredTo))
REUSABLE_SOLUTION = _iri(str(OZG.reusableSolution))
REUSE_PROVIDER = _iri(str(OZG.reuseProvider))
REUSE_OPERATOR = _iri(str(OZG.reuseOperator))
LOCATOR = _iri(str(OZG.locator))
# Proposed terms (not yet in the contract): the availability matrix.
T_OFFER = _iri(str(OZG.ServiceOffer))
OFFERED_BY = _iri(str(OZG.offeredBy))
OFFERS_SERVICE = _iri(str(OZG.offersService))
THROUGH_PORTAL = _iri(str(OZG.throughPortal))
REUSED_THROUGH = _iri(str(OZG.reusedThrough))

SOURCE_T = _iri(SOURCE)
META_G = _iri(META_GRAPH)


def _graph(path: str) -> str:
    return SYNTHETIC_GRAPH + path


def service_iri(service: Service) -> str:
    return str(ID[f"service/{service.slug}"])


def portal_iri(key: str, number: int) -> str:
    return str(ID[f"solution/synthetic-portal-{key}-{number}"])


def operator_iri(key: str) -> str:
    return str(ID[f"body/synthetic-it-provider-{key}"])


def online_service_iri(service: Service) -> str:
    return str(ID[f"solution/synthetic-onlinedienst-{service.number:03d}"])


def arrangement_iri(service: Service) -> str:
    return str(ID[f"reuse/{service.slug}"])


def kommune_iri(ars: str) -> str:
    return str(ID[f"kommune/{ars}"])


def offer_iri(ars: str, service: Service) -> str:
    return str(ID[f"availability/{ars}-{service.slug}"])


class _Out:
    """Writes quads in one graph and counts them; callers hand over whole batches to keep calls few."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.count = 0

    def write(self, lines: list[str]) -> None:
        self.stream.write("".join(lines))
        self.count += len(lines)


def _describe(lines: list[str], graph: str, locator: str) -> None:
    g = _iri(graph)
    lines += [
        f"{g} {A} {T_SOURCED_GRAPH} {META_G} .\n",
        f"{g} {DERIVED} {SOURCE_T} {META_G} .\n",
        f"{g} {LOCATOR} {_literal(locator, 'de')} {META_G} .\n",
    ]


def _source_lines(model: Model, run: Plan) -> list[str]:
    parameters = (
        f"generator ozgkg.generate version {GENERATOR_VERSION}; seed {model.seed}; "
        f"municipalities {run.total_municipalities}; services {SERVICE_COUNT}; "
        f"availability scale {run.scale:.6f}"
    )
    s, g = SOURCE_T, META_G
    return [
        f"{s} {A} {T_REFERENCE_SOURCE} {g} .\n",
        f"{s} {TITLE} {_literal('Generator synthetischer Testdaten (ozg-kg)', 'de')} {g} .\n",
        f"{s} {TITLE} {_literal('Synthetic test data generator (ozg-kg)', 'en')} {g} .\n",
        f"{s} {DESCRIPTION} {_literal('synthetische Testdaten, keine Fakten', 'de')} {g} .\n",
        f"{s} {DESCRIPTION} {_literal('synthetic test data, not facts', 'en')} {g} .\n",
        f"{s} {COMMENT} {_literal(parameters)} {g} .\n",
    ]


def _static_lines(model: Model) -> list[str]:
    """Services, portals, operators, EfA solutions and arrangements, and undeclared groups."""
    lines: list[str] = []
    g = _iri(_graph("services"))
    for service in model.services:
        s = _iri(service_iri(service))
        lines += [
            f"{s} {A} {T_SERVICE} {g} .\n",
            f"{s} {IDENTIFIER} {_literal(service.slug)} {g} .\n",
            f"{s} {TITLE} {_literal(f'OZG-Leistung {service.number:03d} (synthetisch)', 'de')} {g} .\n",
            f"{s} {LABEL} {_literal(f'OZG-Leistung {service.number:03d} (synthetisch)', 'de')} {g} .\n",
            f"{s} {THEMENFELD} {_iri(service.themenfeld.iri)} {g} .\n",
        ]
    g = _iri(_graph("portals"))
    for land in model.real.lands:
        operator = _iri(operator_iri(land.key))
        lines += [
            f"{operator} {A} {T_PROVIDER} {g} .\n",
            f"{operator} {LABEL} {_literal(f'IT-Dienstleister {land.key} (synthetisch)', 'de')} {g} .\n",
            f"{operator} {IN_LAND} {_iri(land.iri)} {g} .\n",
        ]
        if not land.group_stated:
            # The contract names the group `ozgid:kommunen/NN`; declare it where the real graph does not.
            group = _iri(land.group)
            lines += [
                f"{group} {A} {T_GROUP} {g} .\n",
                f"{group} {LABEL} {_literal(f'Kommunen in {land.label}', 'de')} {g} .\n",
                f"{group} {IN_LAND} {_iri(land.iri)} {g} .\n",
            ]
        for number in range(1, model.portals[land.key] + 1):
            portal = _iri(portal_iri(land.key, number))
            name = f"Serviceportal {land.key}-{number} (synthetisch)"
            lines += [
                f"{portal} {A} {T_PORTAL} {g} .\n",
                f"{portal} {LABEL} {_literal(name, 'de')} {g} .\n",
                f"{portal} {IN_LAND} {_iri(land.iri)} {g} .\n",
                f"{portal} {OPERATED_BY} {operator} {g} .\n",
                f"{portal} {OFFERED_TO} {_iri(land.group)} {g} .\n",
            ]
    g = _iri(_graph("efa"))
    for service in model.services:
        if service.efa_provider is None:
            continue
        provider = model.land(service.efa_provider)
        solution = _iri(online_service_iri(service))
        arrangement = _iri(arrangement_iri(service))
        operator = _iri(operator_iri(provider.key))
        number = f"{service.number:03d}"
        solution_name = _literal(f"Onlinedienst zu OZG-Leistung {number} (synthetisch)", "de")
        arrangement_name = _literal(f"EfA-Nachnutzung OZG-Leistung {number} (synthetisch)", "de")
        lines += [
            f"{_iri(service_iri(service))} {HAS_CHANNEL} {solution} {g} .\n",
            f"{solution} {A} {T_ONLINE_SERVICE} {g} .\n",
            f"{solution} {LABEL} {solution_name} {g} .\n",
            f"{solution} {BUILT_BY} {_iri(provider.iri)} {g} .\n",
            f"{solution} {OPERATED_BY} {operator} {g} .\n",
            f"{arrangement} {A} {T_REUSE} {g} .\n",
            f"{arrangement} {LABEL} {arrangement_name} {g} .\n",
            f"{arrangement} {REUSABLE_SOLUTION} {solution} {g} .\n",
            f"{arrangement} {REUSE_PROVIDER} {_iri(provider.iri)} {g} .\n",
            f"{arrangement} {REUSE_OPERATOR} {operator} {g} .\n",
            f"{arrangement} {DERIVED} {SOURCE_T} {g} .\n",
        ]
    return lines


_STATIC_GRAPHS = {
    "services": "575 synthetische OZG-Leistungen",
    "portals": "synthetische Serviceportale und IT-Dienstleister je Land",
    "efa": "synthetische EfA-Onlinedienste und Nachnutzungen",
}


def _static_quad_count(model: Model) -> int:
    """Quads that do not depend on the municipalities: source, static graphs and their descriptions."""
    return 6 + len(_static_lines(model)) + QUADS_PER_GRAPH_DESCRIPTION * len(_STATIC_GRAPHS)


def regional_keys(rng: random.Random, key: str) -> Iterator[str]:
    """Endless distinct 12-digit ARS of Land `key`: Land 2 + RB 1 + Kreis 2 + Verband 4 + Gemeinde 3.

    Kreise of 15 to 120 Gemeinden, grouped into Verbände of 2 to 8 (so at most 60 per Kreis); after
    Kreis 99 the numbering starts again with Verband numbers raised by 100, which keeps keys distinct.
    """
    kreis_index = 0
    while True:
        kreis, lap = kreis_index % 99 + 1, kreis_index // 99
        if lap > 99:
            raise ValueError(f"more synthetic municipalities in Land {key} than regional keys")
        size = rng.randint(15, 120)
        gemeinde = verband = 0
        while gemeinde < size:
            verband += 1
            for _ in range(min(rng.randint(2, 8), size - gemeinde)):
                gemeinde += 1
                yield f"{key}{SYNTHETIC_RB_DIGIT}{kreis:02d}{lap * 100 + verband:04d}{gemeinde:03d}"
        kreis_index += 1


@dataclass
class Stats:
    quads: int = 0
    municipalities: int = 0
    offers: int = 0
    reused_offers: int = 0
    portals: int = 0
    efa_services: int = 0
    scale: float = 1.0
    per_land: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.quads} quads: {self.municipalities} municipalities, {SERVICE_COUNT} services "
            f"({self.efa_services} with EfA reuse), {self.portals} portals, {self.offers} offers "
            f"({self.reused_offers} reused); availability scale {self.scale:.4f}"
        )


def write(model: Model, run: Plan, stream: TextIO) -> Stats:
    """Stream the synthetic dataset for `run` to `stream` as N-Quads."""
    out = _Out(stream)
    meta: list[str] = _source_lines(model, run)
    for path, locator in _STATIC_GRAPHS.items():
        _describe(meta, _graph(path), f"{locator} (Seed {model.seed})")
    for land in model.real.lands:
        if run.municipalities.get(land.key):
            _describe(meta, _graph(f"kommunen/{land.key}"), f"synthetische Kommunen in {land.label}")
            _describe(
                meta, _graph(f"availability/{land.key}"), f"synthetisches Online-Angebot in {land.label}"
            )
    out.write(meta)
    out.write(_static_lines(model))

    stats = Stats(
        municipalities=run.total_municipalities,
        portals=sum(model.portals.values()),
        efa_services=sum(1 for s in model.services if s.efa_provider),
        scale=run.scale,
    )
    service_terms = [
        (s, _iri(service_iri(s)), _iri(arrangement_iri(s)) if s.efa_provider else None)
        for s in model.services
    ]
    for land in model.real.lands:
        count = run.municipalities.get(land.key, 0)
        if not count:
            continue
        stats.per_land[land.key] = count
        rng = random.Random(f"ozgkg-synthetic:{model.seed}:land:{land.key}")
        keys = regional_keys(rng, land.key)
        g_kommunen = _iri(_graph(f"kommunen/{land.key}"))
        g_offers = _iri(_graph(f"availability/{land.key}"))
        land_iri, group = _iri(land.iri), _iri(land.group)
        portals = [_iri(portal_iri(land.key, n)) for n in range(1, model.portals[land.key] + 1)]
        # The first portal stands for the Land's own portal and carries twice the weight of each other.
        portal_weights = [2] + [1] * (len(portals) - 1)
        # Which services reuse the EfA solution here is fixed per Land; precompute it once.
        local = [(s, iri, reuse if land.key in s.joined else None) for s, iri, reuse in service_terms]
        for index in range(1, count + 1):
            ars = next(keys)
            k = _iri(kommune_iri(ars))
            name = f"Gemeinde {land.key}-{index:05d} (synthetisch)"
            lines = [
                f"{k} {A} {T_KOMMUNE} {g_kommunen} .\n",
                f"{k} {LABEL} {_literal(name, 'de')} {g_kommunen} .\n",
                f"{k} {REGIONAL_KEY} {_literal(ars)} {g_kommunen} .\n",
                f"{k} {IN_LAND} {land_iri} {g_kommunen} .\n",
                f"{k} {MEMBER_OF} {group} {g_kommunen} .\n",
            ]
            portal = rng.choices(portals, portal_weights)[0]
            share = run.scale * rng.uniform(SHARE_LOW, SHARE_HIGH)
            draw = rng.random
            prefix = f"<{ID}availability/{ars}-"
            for service, s_iri, reuse in local:
                if draw() >= share * service.popularity:
                    continue
                o = f"{prefix}{service.slug}>"
                lines += [
                    f"{o} {A} {T_OFFER} {g_offers} .\n",
                    f"{o} {OFFERED_BY} {k} {g_offers} .\n",
                    f"{o} {OFFERS_SERVICE} {s_iri} {g_offers} .\n",
                    f"{o} {THROUGH_PORTAL} {portal} {g_offers} .\n",
                    f"{o} {DERIVED} {SOURCE_T} {g_offers} .\n",
                ]
                stats.offers += 1
                if reuse:
                    lines.append(f"{o} {REUSED_THROUGH} {reuse} {g_offers} .\n")
                    stats.reused_offers += 1
            out.write(lines)
    stats.quads = out.count
    return stats


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
        return write(model, run, sys.stdout)
    with output.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as stream:
        return write(model, run, stream)
