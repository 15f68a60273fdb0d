"""The reference data (Länder, Themenfelder, vocabularies, documents, bodies) is complete, right and sourced.

The expected values come from `tests/data/laender.csv` (the facts of `shared/reference/laender.csv`)
or are written out here from `shared/reference/domain.md` (rows with status V), never from the
graph, so that a wrong, missing or unverified triple fails.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS, XSD
from rdflib.term import Node
from reference import LAENDER_CSV, REFERENCE, require

from ozgkg import paths
from ozgkg.knowledge.load import KnowledgeFile, load
from ozgkg.namespaces import GRAPH, ID, ONTOLOGY_IRI, OZG, SCHEMA, WD

REFERENCE_FILES = (
    "vocabularies.trig",
    "sources.trig",
    "reference-laender.trig",
    "reference-themenfelder.trig",
    "reference-bodies.trig",
    "reference-efa-services.trig",
    "reference-efa-nachnutzung-laender.trig",
    "reference-after-2022.trig",
)
DCAT_AP_DE_STATE = "http://dcat-ap.de/def/politicalGeocoding/stateKey/"

# domain.md §2, rows with status V: Themenfeld -> lead Länder (state keys) and lead federal ministries.
EXPECTED_LEAD_LAENDER = {
    "arbeit-und-ruhestand": {"05"},
    "bauen-und-wohnen": {"13"},
    "bildung": {"15"},
    "ein-und-auswanderung": {"12"},
    "engagement-und-hobby": {"05"},
    "familie-und-kind": {"04"},
    "mobilitaet-und-reisen": {"08", "06"},
    "recht-und-ordnung": {"14"},
    "umwelt": {"07", "01"},
    "unternehmensfuehrung-und-entwicklung": {"02"},
}
EXPECTED_LEAD_MINISTRIES = {
    "arbeit-und-ruhestand": {"bmas"},
    "bauen-und-wohnen": {"bmwsb", "bmi"},
    "bildung": {"bmbf"},
    "ein-und-auswanderung": {"auswaertiges-amt", "bmi"},
    "engagement-und-hobby": {"bmi"},
    "familie-und-kind": {"bmfsfj"},
    "mobilitaet-und-reisen": {"bmvi", "bmdv"},
    "recht-und-ordnung": {"bmi", "bmj"},
    "umwelt": {"bmuv"},
    "unternehmensfuehrung-und-entwicklung": {"bmwk"},
}
# W or U in domain.md: no lead may be asserted.
WITHOUT_LEAD = {"gesundheit", "steuern-und-zoll", "forschung-und-foerderung", "querschnitt"}
THEMENFELDER = {
    "arbeit-und-ruhestand": "Arbeit & Ruhestand",
    "bauen-und-wohnen": "Bauen & Wohnen",
    "bildung": "Bildung",
    "ein-und-auswanderung": "Ein- & Auswanderung",
    "engagement-und-hobby": "Engagement & Hobby",
    "familie-und-kind": "Familie & Kind",
    "forschung-und-foerderung": "Forschung & Förderung",
    "gesundheit": "Gesundheit",
    "mobilitaet-und-reisen": "Mobilität & Reisen",
    "querschnitt": "Querschnitt",
    "recht-und-ordnung": "Recht & Ordnung",
    "steuern-und-zoll": "Steuern & Zoll",
    "umwelt": "Umwelt",
    "unternehmensfuehrung-und-entwicklung": "Unternehmensführung & -entwicklung",
}
# The only source URLs domain.md gives for the Themenfelder.
_DV = "https://www.digitale-verwaltung.de/Webs/DV/DE/onlinezugangsgesetz/ozg-foederal/themenfelder/"
ALLOWED_SOURCE_URLS = {
    _DV + "themenfelder-node.html",
    _DV + "arbeit_und_ruhestand/arbeit-und-ruhestand-node.html",
    _DV + "recht-und-ordnung/recht-und-ordnung-node.html",
    # domain.md §7 names this page (current article and its older -node version); both copies were read.
    "https://digitale-verwaltung.de/Webs/DV/DE/aktuelles-service/kommunen/efa-nachnutzung-laender/efa-nachnutzung-laender.html",
    "https://www.digitale-verwaltung.de/Webs/DV/DE/aktuelles-service/kommunen/efa-nachnutzung-laender/efa-nachnutzung-laender-node.html",
}

# Pages opened (stored copies) to confirm the candidate facts of domain.md §7 (status S) before they entered
# reference-after-2022.trig; each is the source of its graph.
CONFIRMED_SECTION_7_URLS = {
    "https://www.kommune21.de/?p=127168",
    "https://www.egovernment.de/efa-leistungen-wenn-nachnutzung-einfach-waere-a-b8f8c77f0fd37a33d89dc423a69b4fed",
    "https://vdz.org/it-landschaft-markt-kooperationen/wenn-efa-wirken-soll-muessen-wir-es-den-kommunen-so-einfach-wie",
    "https://www.egovernment.de/efa-im-fokus-a-cf7dab599c72fa16f683d3fe699743df/?cflt=rel",
    "http://uo.f1f37a1bf7b548e2bdb62f666ac0ec20.bodycote-enr.zeta-sw.com/recht/allgemei/z24_0245.htm",
    "https://nwb-experten-blog.de/update-onlinezugangs-aenderungsgesetz-ozgaendg-vermittlungsausschuss-beschliesst-einigungsvorschlag",
    "https://www.digitale-verwaltung.de/Webs/DV/DE/onlinezugangsgesetz/rahmenarchitektur/ozg-rahmenarchitektur/ozg-rahmenarchitektur.html",
    "https://digitale-verwaltung.de/SharedDocs/kurzmeldungen/Webs/DV/DE/2024/11_zielbild_rahmenarchitektur.html",
    "https://www.kommunales-sachsen-anhalt.de/St%C3%A4dte-und-Gemeindebund/Verbandsinformationen/Aktuelles/index.php?La=1&NavID=39.68&object=tx%7C2348.6513.1",
}

# The modelling contract's SKOS schemes and their concept slugs.
VOCABULARIES = {
    "amount-qualifier": {"exact", "up-to", "about", "almost", "more-than", "expected", "at-least"},
    "amount-basis": {"total", "per-year", "per-municipality", "per-project", "total-for-period"},
    "amount-kind": {"budget", "cap", "investment"},
    "legal-form": {"aoer", "zweckverband", "gmbh", "landesbetrieb", "kdoer", "eg"},
    "funds-origin": {"fag", "sondervermoegen-pandemie", "ozg-kommunal"},
    "financing-model": {"state-funded", "free-of-charge", "operation-pro-rata", "fachressort"},
    "modality": {"planned", "intended", "pilot", "in-operation", "not-in-force"},
    "information-status": {
        "stated",
        "linked-document",
        "not-yet-available",
        "not-relevant",
        "go-live-pending",
    },
}

# domain.md §4, V parts only.
EXPECTED_LEGAL_FORMS = {
    "kdn": "zweckverband",
    "d-nrw": "aoer",
    "ekom21": "kdoer",
    "sakd": "aoer",
    "ego-saar": "zweckverband",
    "regio-it": "gmbh",
    "fitko": "aoer",
    "it-niedersachsen": "landesbetrieb",
    "govconnect": "gmbh",
    "ldi-rlp": "landesbetrieb",
    "itv-sh": "aoer",
    "dataport": "aoer",
    "akdb": "aoer",
}
EXPECTED_SEATS = {
    "ekom21": "Gießen",
    "regio-it": "Aachen",
    "fitko": "Frankfurt am Main",
    "ldi-rlp": "Mainz",
    "itv-sh": "Kiel",
    "dataport": "Altenholz",
    "akdb": "München",
}
# Seats that domain.md marks W or U.
SEATS_NOT_VERIFIED = {"kdn", "d-nrw", "sakd", "ego-saar", "it-niedersachsen", "govconnect"}

# bibliographic record (shared/sources/README.md): document -> (publisher slug, issued, identifier)
EXPECTED_DOCUMENTS = {
    "landtag-nrw-vorlage-17-4771": ("mwide-nrw", Literal("2021-03-08", datatype=XSD.date), "Vorlage 17/4771"),
    "ozg-plattform-kommunale-foerderprogramme": ("bmi", None, None),
    "ozg-plattform-foerderprogramme-nrw": ("bmi", None, None),
    "regioit-virtuelle-veranstaltung-ozg": ("regio-it", Literal("2021-05-03", datatype=XSD.date), None),
    "ratsinfo-vorlage-043-2020-onlinezugangsgesetz": (
        "unnamed-nrw-municipality-ratsinfo-043-2020",
        Literal("2020-03", datatype=XSD.gYearMonth),
        "043/2020",
    ),
}

# Graphs of these files derived from something other than an ozg:ReferenceSource, and why.
DERIVED_FROM_CONTRACT = {GRAPH["vocabularies"], GRAPH["reference/structure"]}
# domain.md cites the source documents themselves for the CCD KDN row.
DERIVED_FROM_DOCUMENTS = {GRAPH["reference/body-ccd-kdn"]}
META = GRAPH["meta"]


@cache
def dataset() -> Dataset:
    return load().to_dataset()


@cache
def reference_graph_names() -> frozenset[URIRef]:
    """The named graphs that the reference files fill (without ozgg:meta)."""
    files = [KnowledgeFile(paths.graph_dir() / name) for name in REFERENCE_FILES]
    return frozenset(URIRef(g) for g in load(files).graph_names()) - {META}


def laender_rows() -> list[dict[str, str]]:
    with LAENDER_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def values(subject: Node, predicate: URIRef) -> set[str]:
    return {str(o) for o in dataset().objects(subject, predicate)}


def labels(subject: Node, language: str) -> list[str]:
    return [str(o) for o in dataset().objects(subject, SKOS.prefLabel) if o.language == language]


def slug_of(iri: Node, kind: str) -> str:
    """`themenfeld/umwelt` -> `umwelt` for kind `themenfeld/`; a foreign IRI stays whole (and fails)."""
    return str(iri).removeprefix(str(ID[kind]))


def sources_of(graph: URIRef) -> set[Node]:
    return set(dataset().graph(META).objects(graph, PROV.wasDerivedFrom))


def graphs_stating(triple: tuple[Node, Node, Node]) -> set[URIRef]:
    return {g for *_, g in dataset().quads((*triple, None))} - {META}


# ---------------------------------------------------------------- Länder


@pytest.mark.parametrize("row", laender_rows(), ids=lambda row: row["iso_3166_2"])
def test_land_matches_reference_table(row: dict[str, str]) -> None:
    land = ID["land/" + row["ars"]]
    ds = dataset()
    assert (land, RDF.type, OZG.Land) in ds
    assert labels(land, "de") == [row["name_de"]]
    assert labels(land, "en") == [row["name_en"]]
    assert values(land, OZG.stateKey) == {row["ars"]}
    assert values(land, OZG.isoCode) == {row["iso_3166_2"]}
    assert set(ds.objects(land, OWL.sameAs)) == {WD[row["wikidata"]]}
    assert URIRef(DCAT_AP_DE_STATE + row["ars"]) in set(ds.objects(land, DCTERMS.spatial))

    group = ID["kommunen/" + row["ars"]]
    assert (group, RDF.type, OZG.MunicipalityGroup) in ds
    assert (group, OZG.inLand, land) in ds
    assert labels(group, "de") == [f"Kommunen in {row['name_de']}"]
    assert labels(group, "en") == [f"Municipalities in {row['name_en']}"]


def test_reference_table_covers_sixteen_laender() -> None:
    assert sorted(row["ars"] for row in laender_rows()) == [f"{n:02d}" for n in range(1, 17)]


def test_laender_table_matches_the_checked_reference() -> None:
    """tests/data/laender.csv holds the facts of shared/reference/laender.csv, unchanged."""
    with require(REFERENCE / "laender.csv").open(encoding="utf-8") as reference:
        checked = [
            {k: row[k] for k in ("name_de", "name_en", "iso_3166_2", "ars", "wikidata")}
            for row in csv.DictReader(reference)
        ]
    assert laender_rows() == checked


def test_exactly_sixteen_laender_with_one_label_per_language() -> None:
    laender = set(dataset().subjects(RDF.type, OZG.Land))
    assert laender == {ID[f"land/{n:02d}"] for n in range(1, 17)}
    for land in laender:
        assert len(labels(land, "de")) == 1, land
        assert len(labels(land, "en")) == 1, land


def test_bremen_is_the_land_not_the_city() -> None:
    ds = dataset()
    assert (ID["land/04"], OWL.sameAs, WD.Q1209) in ds
    city = [s for s in ds.subjects(OWL.sameAs, WD.Q24879) if (s, RDF.type, OZG.Land) in ds]
    assert city == []
    assert "Freie Hansestadt Bremen" in values(ID["land/04"], SKOS.altLabel)


def test_bund_is_defined() -> None:
    ds = dataset()
    assert (ID["bund"], RDF.type, OZG.Bund) in ds
    assert labels(ID["bund"], "de") == ["Bund"]
    assert labels(ID["bund"], "en") == ["Federation"]


@pytest.mark.parametrize(
    ("predicate", "source_identifier"),
    [
        (OZG.stateKey, "schiersner/government-helper-tables: tables/tbl_Bundeslaender.sql"),
        (
            OZG.isoCode,
            "hl7germany/basisprofil-de-r4: resources/input/fsh/codesystems/CodeSystemISO31662DE.fsh",
        ),
        (
            DCTERMS.spatial,
            "GovDataOfficial/DCAT-AP.de: Releases/DCAT-AP.de V2.0/implRules/020_conventions_dataset.md",
        ),
        (OWL.sameAs, "xeilian/gemeindewappen: 01_get list of german municipalities.py"),
    ],
)
def test_land_facts_lie_in_a_graph_of_their_source(predicate: URIRef, source_identifier: str) -> None:
    ds = dataset()
    source = next(s for s, o in ds.subject_objects(DCTERMS.identifier) if str(o) == source_identifier)
    for n in range(1, 17):
        land = ID[f"land/{n:02d}"]
        for value in ds.objects(land, predicate):
            graphs = graphs_stating((land, predicate, value))
            assert any(source in sources_of(g) for g in graphs), (land, predicate, value)


# ---------------------------------------------------------------- Themenfelder


def test_fourteen_themenfelder_in_their_scheme() -> None:
    ds = dataset()
    themenfelder = set(ds.subjects(RDF.type, OZG.Themenfeld))
    assert themenfelder == {ID["themenfeld/" + slug] for slug in THEMENFELDER}
    assert (ID["themenfelder"], RDF.type, SKOS.ConceptScheme) in ds
    for slug, name in THEMENFELDER.items():
        concept = ID["themenfeld/" + slug]
        assert (concept, SKOS.inScheme, ID["themenfelder"]) in ds
        assert labels(concept, "de") == [name]
        assert len(labels(concept, "en")) == 1
    # No source numbers the Themenfelder: no skos:notation may suggest an official number.
    assert all(not values(ID["themenfeld/" + s], SKOS.notation) for s in THEMENFELDER)


def test_leads_exactly_for_verified_rows() -> None:
    ds = dataset()
    lands: dict[str, set[str]] = defaultdict(set)
    for themenfeld, land in ds.subject_objects(OZG.leadLand):
        lands[slug_of(themenfeld, "themenfeld/")].add(slug_of(land, "land/"))
    ministries: dict[str, set[str]] = defaultdict(set)
    for themenfeld, body in ds.subject_objects(OZG.leadMinistry):
        ministries[slug_of(themenfeld, "themenfeld/")].add(slug_of(body, "body/"))
    assert dict(lands) == EXPECTED_LEAD_LAENDER
    assert dict(ministries) == EXPECTED_LEAD_MINISTRIES
    assert not WITHOUT_LEAD & (lands.keys() | ministries.keys())
    for ministry in set().union(*EXPECTED_LEAD_MINISTRIES.values()):
        assert (ID["body/" + ministry], RDF.type, OZG.Ministry) in ds


def test_source_urls_are_only_those_domain_md_gives() -> None:
    ds = dataset()
    urls = {str(u) for s in ds.subjects(RDF.type, OZG.ReferenceSource) for u in ds.objects(s, SCHEMA.url)}
    assert urls <= ALLOWED_SOURCE_URLS | CONFIRMED_SECTION_7_URLS


# ---------------------------------------------------------------- vocabularies


@pytest.mark.parametrize("scheme_slug", sorted(VOCABULARIES))
def test_vocabulary_concepts_have_labels_and_definitions(scheme_slug: str) -> None:
    ds = dataset()
    scheme = ID[scheme_slug]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ds
    assert {slug_of(c, scheme_slug + "/") for c in ds.subjects(SKOS.inScheme, scheme)} == VOCABULARIES[
        scheme_slug
    ]
    for slug in VOCABULARIES[scheme_slug]:
        concept = ID[f"{scheme_slug}/{slug}"]
        assert (concept, RDF.type, SKOS.Concept) in ds
        assert (concept, SKOS.topConceptOf, scheme) in ds
        assert values(concept, SKOS.notation) == {slug}
        for language in ("de", "en"):
            assert len(labels(concept, language)) == 1, (concept, language)
            definitions = [d for d in ds.objects(concept, SKOS.definition) if d.language == language]
            assert len(definitions) == 1, (concept, language)


# ---------------------------------------------------------------- documents


@pytest.mark.parametrize("stem", sorted(EXPECTED_DOCUMENTS))
def test_document_matches_bibliographic_record(stem: str) -> None:
    ds = dataset()
    publisher_slug, issued, identifier = EXPECTED_DOCUMENTS[stem]
    doc = ID["doc/" + stem]
    assert (doc, RDF.type, OZG.SourceDocument) in ds
    assert len(values(doc, DCTERMS.title)) == 1
    assert set(ds.objects(doc, DCTERMS.publisher)) == {ID["body/" + publisher_slug]}
    assert set(ds.objects(doc, DCTERMS.issued)) == ({issued} if issued else set())
    assert values(doc, DCTERMS.identifier) == ({identifier} if identifier else set())
    assert values(doc, SCHEMA.encodingFormat) == {"text/plain"}
    assert (doc, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/de")) in ds
    if issued is None:
        assert "undated (content from 2021/2022)" in values(doc, SKOS.note)


# ---------------------------------------------------------------- bodies


def test_legal_forms_and_seats_of_bodies() -> None:
    ds = dataset()
    for slug, form in EXPECTED_LEGAL_FORMS.items():
        assert set(ds.objects(ID["body/" + slug], OZG.legalForm)) == {ID["legal-form/" + form]}, slug
    for slug, seat in EXPECTED_SEATS.items():
        assert values(ID["body/" + slug], OZG.seat) == {seat}, slug
    for slug in SEATS_NOT_VERIFIED:
        assert values(ID["body/" + slug], OZG.seat) == set(), slug


def test_fitko_is_owned_by_bund_and_all_laender_and_runs_the_fit_store() -> None:
    ds = dataset()
    owners = set(ds.objects(ID["body/fitko"], OZG.ownedBy))
    assert owners == {ID["bund"]} | {ID[f"land/{n:02d}"] for n in range(1, 17)}
    assert (ID["solution/fit-store"], OZG.operatedBy, ID["body/fitko"]) in ds


def test_dachabkommen_parties_and_start_come_from_the_reference_row() -> None:
    """domain.md §3: the 16 Länder and the Bund signed, in force 30.1.2021; the Landtag names no Land."""
    ds = dataset()
    agreement = ID["agreement/dachabkommen"]
    parties = set(ds.objects(agreement, OZG.party))
    assert parties == {ID["bund"]} | {ID[f"land/{n:02d}"] for n in range(1, 17)}
    assert values(agreement, SCHEMA.startDate) == {"2021-01-30"}
    land_parties = {(agreement, OZG.party, ID[f"land/{n:02d}"]) for n in range(1, 17)}
    assert all(graphs_stating(t) == {GRAPH["reference/dachabkommen"]} for t in land_parties)


# ---------------------------------------------------------------- provenance and labels


def test_every_reference_graph_is_derived_from_its_source() -> None:
    ds = dataset()
    meta = ds.graph(META)
    assert reference_graph_names(), "the reference files define no graphs"
    for graph in reference_graph_names():
        assert (graph, RDF.type, OZG.SourcedGraph) in meta, graph
        assert len([o for o in meta.objects(graph, OZG.locator) if o.language == "de"]) == 1, graph
        sources = sources_of(graph)
        assert sources, graph
        if graph in DERIVED_FROM_CONTRACT:
            assert sources == {URIRef(ONTOLOGY_IRI)}, graph
        elif graph in DERIVED_FROM_DOCUMENTS:
            assert all((s, RDF.type, OZG.SourceDocument) in ds for s in sources), graph
        else:
            for source in sources:
                assert (source, RDF.type, OZG.ReferenceSource) in meta, (graph, source)
                assert set(meta.objects(source, DCTERMS.title)), source


def test_entities_of_reference_graphs_have_one_label_per_language() -> None:
    ds = dataset()
    typed = {s for g in reference_graph_names() for s in ds.graph(g).subjects(RDF.type, None)}
    for entity in typed:
        for language in ("de", "en"):
            assert len(labels(entity, language)) == 1, (entity, language, labels(entity, language))


# ---------------------------------------------------------------- EfA (domain.md §3b, status V)


def test_leika_keys_only_those_the_ewa_checklist_gives() -> None:
    """domain.md §3b: the LeiKa keys of the eWA connection checklist (V); no other key is asserted."""
    ds = dataset()
    keys = {str(o) for o in ds.objects(None, OZG.leikaKey)}
    assert keys == {
        "99115005104000",
        "99115005104001",
        "99115003012000",
        "99008001011001",
        "99008004011002",
        "99008005011001",
        "99085001011001",
    }
    for service in ds.subjects(OZG.leikaKey, None):
        assert (service, URIRef("http://data.europa.eu/m8g/hasChannel"), ID["solution/ewa"]) in ds


def test_efa_services_provider_and_operator() -> None:
    ds = dataset()
    expected = {
        "wohngeld-digital": ({"land/01"}, {"body/dataport"}),
        "digitaler-bauantrag": ({"land/13"}, set()),
        "unterhaltsvorschuss-online": ({"land/04"}, {"body/dataport"}),
        "ewa": ({"land/02", "body/bmi"}, set()),
        "bafoeg-digital": ({"land/15", "body/bmbf"}, set()),  # operator U
        "online-wache": ({"land/14"}, set()),  # operator U
        "jagdschein-digital": ({"land/07", "body/mkuem-rlp"}, set()),  # operator U
    }
    for slug, (providers, operators) in expected.items():
        solution = ID["solution/" + slug]
        assert {slug_of(p, "") for p in ds.objects(solution, OZG.providedBy)} == providers, slug
        assert {slug_of(o, "") for o in ds.objects(solution, OZG.operatedBy)} == operators, slug
    assert (ID["solution/ewa"], OZG.builtBy, ID["body/dataport"]) in ds
    assert (ID["solution/digitaler-bauantrag"], OZG.builtBy, ID["body/brain-scc"]) in ds
