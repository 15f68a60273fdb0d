"""The synthetic data written as N-Quads: pyoxigraph terms and quads, serialised by pyoxigraph, one
batch per municipality so that millions of quads never sit in memory (see `ozgkg.features.generate`)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import BinaryIO

import pyoxigraph as ox

from ozgkg.features.generate.model import (
    GENERATOR_VERSION,
    META_GRAPH,
    SERVICE_COUNT,
    SHARE_HIGH,
    SHARE_LOW,
    SOURCE,
    SYNTHETIC_GRAPH,
    LandRef,
    Model,
    Plan,
    Service,
    regional_keys,
)
from ozgkg.namespaces import CV, DCTERMS, ID, ORG, OZG, PROV, RDF, RDFS, SKOS

QUADS_PER_GRAPH_DESCRIPTION = 3


# --- the terms, made once -------------------------------------------------------------------------

N = ox.NamedNode
A = N(str(RDF.type))
LABEL = N(str(SKOS.prefLabel))
TITLE = N(str(DCTERMS.title))
DESCRIPTION = N(str(DCTERMS.description))
IDENTIFIER = N(str(DCTERMS.identifier))
COMMENT = N(str(RDFS.comment))
DERIVED = N(str(PROV.wasDerivedFrom))
MEMBER_OF = N(str(ORG.memberOf))
HAS_CHANNEL = N(str(CV.hasChannel))
T_KOMMUNE = N(str(OZG.Kommune))
T_GROUP = N(str(OZG.MunicipalityGroup))
T_SERVICE = N(str(OZG.OZGService))
T_PORTAL = N(str(OZG.ServicePortal))
T_ONLINE_SERVICE = N(str(OZG.OnlineService))
T_PROVIDER = N(str(OZG.ITServiceProvider))
T_REUSE = N(str(OZG.ReuseArrangement))
T_SOURCED_GRAPH = N(str(OZG.SourcedGraph))
T_REFERENCE_SOURCE = N(str(OZG.ReferenceSource))
REGIONAL_KEY = N(str(OZG.regionalKey))
IN_LAND = N(str(OZG.inLand))
THEMENFELD = N(str(OZG.themenfeld))
OPERATED_BY = N(str(OZG.operatedBy))
BUILT_BY = N(str(OZG.builtBy))
OFFERED_TO = N(str(OZG.offeredTo))
REUSABLE_SOLUTION = N(str(OZG.reusableSolution))
REUSE_PROVIDER = N(str(OZG.reuseProvider))
REUSE_OPERATOR = N(str(OZG.reuseOperator))
LOCATOR = N(str(OZG.locator))
# Proposed terms (not yet in the contract): the availability matrix.
T_OFFER = N(str(OZG.ServiceOffer))
OFFERED_BY = N(str(OZG.offeredBy))
OFFERS_SERVICE = N(str(OZG.offersService))
THROUGH_PORTAL = N(str(OZG.throughPortal))
REUSED_THROUGH = N(str(OZG.reusedThrough))

SOURCE_T = N(SOURCE)
META_G = N(META_GRAPH)


def _de(text: str) -> ox.Literal:
    return ox.Literal(text, language="de")


def _graph(path: str) -> ox.NamedNode:
    return N(SYNTHETIC_GRAPH + path)


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


# A batch of statements in one graph: (subject, predicate, object) for `_in`.
Triples = list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]


def _in(graph: ox.NamedNode, triples: Triples) -> list[ox.Quad]:
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]


class _Out:
    """Writes batches of quads with pyoxigraph's N-Quads serialiser and counts them."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.count = 0

    def write(self, quads: list[ox.Quad]) -> None:
        ox.serialize(quads, self.stream, ox.RdfFormat.N_QUADS)
        self.count += len(quads)


def _describe(graph: ox.NamedNode, locator: str) -> Triples:
    return [(graph, A, T_SOURCED_GRAPH), (graph, DERIVED, SOURCE_T), (graph, LOCATOR, _de(locator))]


def _source_triples(model: Model, run: Plan) -> Triples:
    parameters = (
        f"generator ozgkg.features.generate version {GENERATOR_VERSION}; seed {model.seed}; "
        f"municipalities {run.total_municipalities}; services {SERVICE_COUNT}; "
        f"availability scale {run.scale:.6f}"
    )
    s = SOURCE_T
    return [
        (s, A, T_REFERENCE_SOURCE),
        (s, TITLE, _de("Generator synthetischer Testdaten (ozg-kg)")),
        (s, TITLE, ox.Literal("Synthetic test data generator (ozg-kg)", language="en")),
        (s, DESCRIPTION, _de("synthetische Testdaten, keine Fakten")),
        (s, DESCRIPTION, ox.Literal("synthetic test data, not facts", language="en")),
        (s, COMMENT, ox.Literal(parameters)),
    ]


def _service_triples(model: Model) -> Triples:
    triples: Triples = []
    for service in model.services:
        s = N(service_iri(service))
        name = _de(f"OZG-Leistung {service.number:03d} (synthetisch)")
        triples += [
            (s, A, T_SERVICE),
            (s, IDENTIFIER, ox.Literal(service.slug)),
            (s, TITLE, name),
            (s, LABEL, name),
            (s, THEMENFELD, N(service.themenfeld.iri)),
        ]
    return triples


def _portal_triples(model: Model) -> Triples:
    triples: Triples = []
    for land in model.real.lands:
        operator, land_iri = N(operator_iri(land.key)), N(land.iri)
        triples += [
            (operator, A, T_PROVIDER),
            (operator, LABEL, _de(f"IT-Dienstleister {land.key} (synthetisch)")),
            (operator, IN_LAND, land_iri),
        ]
        if not land.group_stated:
            # The contract names the group `ozgid:kommunen/NN`; declare it where the real graph does not.
            group = N(land.group)
            triples += [
                (group, A, T_GROUP),
                (group, LABEL, _de(f"Kommunen in {land.label}")),
                (group, IN_LAND, land_iri),
            ]
        for number in range(1, model.portals[land.key] + 1):
            portal = N(portal_iri(land.key, number))
            triples += [
                (portal, A, T_PORTAL),
                (portal, LABEL, _de(f"Serviceportal {land.key}-{number} (synthetisch)")),
                (portal, IN_LAND, land_iri),
                (portal, OPERATED_BY, operator),
                (portal, OFFERED_TO, N(land.group)),
            ]
    return triples


def _efa_triples(model: Model) -> Triples:
    triples: Triples = []
    for service in model.services:
        if service.efa_provider is None:
            continue
        provider = model.land(service.efa_provider)
        solution, arrangement = N(online_service_iri(service)), N(arrangement_iri(service))
        operator, provider_iri = N(operator_iri(provider.key)), N(provider.iri)
        number = f"{service.number:03d}"
        triples += [
            (N(service_iri(service)), HAS_CHANNEL, solution),
            (solution, A, T_ONLINE_SERVICE),
            (solution, LABEL, _de(f"Onlinedienst zu OZG-Leistung {number} (synthetisch)")),
            (solution, BUILT_BY, provider_iri),
            (solution, OPERATED_BY, operator),
            (arrangement, A, T_REUSE),
            (arrangement, LABEL, _de(f"EfA-Nachnutzung OZG-Leistung {number} (synthetisch)")),
            (arrangement, REUSABLE_SOLUTION, solution),
            (arrangement, REUSE_PROVIDER, provider_iri),
            (arrangement, REUSE_OPERATOR, operator),
            (arrangement, DERIVED, SOURCE_T),
        ]
    return triples


def _static_quads(model: Model) -> list[ox.Quad]:
    """Services, portals, operators, EfA solutions and arrangements, and undeclared groups."""
    return [
        *_in(_graph("services"), _service_triples(model)),
        *_in(_graph("portals"), _portal_triples(model)),
        *_in(_graph("efa"), _efa_triples(model)),
    ]


_STATIC_GRAPHS = {
    "services": "575 synthetische OZG-Leistungen",
    "portals": "synthetische Serviceportale und IT-Dienstleister je Land",
    "efa": "synthetische EfA-Onlinedienste und Nachnutzungen",
}


def static_quad_count(model: Model) -> int:
    """Quads that do not depend on the municipalities: source, static graphs and their descriptions."""
    return 6 + len(_static_quads(model)) + QUADS_PER_GRAPH_DESCRIPTION * len(_STATIC_GRAPHS)


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


def _meta_triples(model: Model, run: Plan) -> Triples:
    meta = _source_triples(model, run)
    for path, locator in _STATIC_GRAPHS.items():
        meta += _describe(_graph(path), f"{locator} (Seed {model.seed})")
    for land in model.real.lands:
        if run.municipalities.get(land.key):
            meta += _describe(_graph(f"kommunen/{land.key}"), f"synthetische Kommunen in {land.label}")
            meta += _describe(
                _graph(f"availability/{land.key}"), f"synthetisches Online-Angebot in {land.label}"
            )
    return meta


def _write_land(model: Model, run: Plan, land: LandRef, out: _Out, stats: Stats) -> None:
    """The municipalities of one Land and what each offers online, one batch per municipality."""
    count = run.municipalities.get(land.key, 0)
    stats.per_land[land.key] = count
    rng = random.Random(f"ozgkg-synthetic:{model.seed}:land:{land.key}")
    keys = regional_keys(rng, land.key)
    g_kommunen, g_offers = _graph(f"kommunen/{land.key}"), _graph(f"availability/{land.key}")
    land_iri, group = N(land.iri), N(land.group)
    portals = [N(portal_iri(land.key, n)) for n in range(1, model.portals[land.key] + 1)]
    # The first portal stands for the Land's own portal and carries twice the weight of each other.
    portal_weights = [2] + [1] * (len(portals) - 1)
    # Which services reuse the EfA solution here is fixed per Land; precompute it once.
    local = [
        (s, N(service_iri(s)), N(arrangement_iri(s)) if s.efa_provider and land.key in s.joined else None)
        for s in model.services
    ]
    for index in range(1, count + 1):
        ars = next(keys)
        k = N(kommune_iri(ars))
        kommune = [
            (k, A, T_KOMMUNE),
            (k, LABEL, _de(f"Gemeinde {land.key}-{index:05d} (synthetisch)")),
            (k, REGIONAL_KEY, ox.Literal(ars)),
            (k, IN_LAND, land_iri),
            (k, MEMBER_OF, group),
        ]
        portal = rng.choices(portals, portal_weights)[0]
        share = run.scale * rng.uniform(SHARE_LOW, SHARE_HIGH)
        draw = rng.random
        prefix = f"{ID}availability/{ars}-"
        offers: Triples = []
        for service, s_iri, reuse in local:
            if draw() >= share * service.popularity:
                continue
            o = N(prefix + service.slug)
            offers += [
                (o, A, T_OFFER),
                (o, OFFERED_BY, k),
                (o, OFFERS_SERVICE, s_iri),
                (o, THROUGH_PORTAL, portal),
                (o, DERIVED, SOURCE_T),
            ]
            stats.offers += 1
            if reuse:
                offers.append((o, REUSED_THROUGH, reuse))
                stats.reused_offers += 1
        out.write(_in(g_kommunen, kommune) + _in(g_offers, offers))


def write(model: Model, run: Plan, stream: BinaryIO) -> Stats:
    """Stream the synthetic dataset for `run` to `stream` as N-Quads."""
    out = _Out(stream)
    out.write(_in(META_G, _meta_triples(model, run)))
    out.write(_static_quads(model))
    stats = Stats(
        municipalities=run.total_municipalities,
        portals=sum(model.portals.values()),
        efa_services=sum(1 for s in model.services if s.efa_provider),
        scale=run.scale,
    )
    for land in model.real.lands:
        if run.municipalities.get(land.key, 0):
            _write_land(model, run, land, out, stats)
    stats.quads = out.count
    return stats
