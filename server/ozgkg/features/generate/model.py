"""The synthetic data's model: what the generator reads of the real graph (Länder, municipality groups,
Themenfelder and their leads) and what it draws once per seed (services, EfA arrangements, portals,
regional keys). `ozgkg.features.generate` sizes a run and writes it; see its docstring for what is written.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from ozgkg.knowledge.load import KnowledgeFile, knowledge_files, load
from ozgkg.namespaces import GRAPH, ID, sparql_prologue

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


@dataclass(frozen=True)
class Plan:
    municipalities: dict[str, int]  # state key -> number of synthetic municipalities
    scale: float  # multiplies each municipality's share of services offered

    @property
    def total_municipalities(self) -> int:
        return sum(self.municipalities.values())


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
