"""Each competency question in graph/queries/ gives the answer the source documents give.

The expected answers are written here from reading the documents in shared/sources (and, for the
Länder and Themenfelder, shared/reference), not from the graph: a wrong or missing fact fails.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg import paths
from ozgkg.knowledge.load import load

ID = "https://w3id.org/ozgkg/id/"
M = Decimal(1_000_000)


@cache
def store() -> ox.Store:
    return load().to_oxigraph()


def run(name: str) -> list[dict[str, object]]:
    """The rows of one competency question, values as Python strings, Decimals or ints."""
    (path,) = paths.queries_dir().glob(f"{name}-*.rq")
    solutions = store().query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    rows = []
    for solution in solutions:
        row: dict[str, object] = {}
        for variable in solutions.variables:
            term = solution[variable]
            if term is None:
                continue
            if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#decimal", "#double")):
                row[variable.value] = Decimal(term.value).normalize()
            elif isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
                row[variable.value] = int(term.value)
            else:
                row[variable.value] = term.value
        rows.append(row)
    return rows


def ids(rows: list[dict[str, object]], column: str) -> set[str]:
    return {str(r[column]).removeprefix(ID) for r in rows if column in r}


def test_there_are_at_least_twenty_questions() -> None:
    queries = sorted(paths.queries_dir().glob("cq*.rq"))
    assert len(queries) >= 20
    for query in queries:
        head = query.read_text(encoding="utf-8").splitlines()[:2]
        assert all(line.startswith("# ") for line in head), f"{query.name} lacks its question (de, en)"


def test_cq01_who_coordinates_the_municipal_ozg() -> None:
    pairs = {(str(r["land"]).removeprefix(ID), str(r["body"]).removeprefix(ID)) for r in run("cq01")}
    assert pairs == {
        ("land/01", "body/itv-sh"),  # "Koordination der kommunalen Anforderungen ... IT-Verbund SH"
        ("land/05", "body/ccd-kdn"),  # "koordiniert alle Aktivitäten ... auf kommunaler Ebene"
        ("land/06", "body/koordinierungsstelle-ozg-kommunal-hessen"),
        (
            "land/10",
            "body/ego-saar",
        ),  # "koordiniert als Zweckverband die Digitalisierung sämtlicher ... Kommunen"
        ("land/14", "body/sakd"),  # Fördervertrag finances "die Koordinierung der OZG-Anforderungen"
    }


def test_cq02_main_contact() -> None:
    rows = run("cq02")
    assert {(str(r["body"]).removeprefix(ID), str(r["group"]).removeprefix(ID)) for r in rows} == {
        ("body/ozg-koordinierungsstelle-nrw", "kommunen/05")
    }
    assert rows[0]["host"] == ID + "body/d-nrw"


def test_cq03_hessen_amounts() -> None:
    rows = run("cq03")
    values = {r.get("value") for r in rows} | {r.get("maxValue") for r in rows}
    assert {17 * M, 4 * M, 16 * M, 64 * M, Decimal(25000), Decimal(100000), Decimal("2.5") * M} <= values
    by_value = {r.get("value"): r for r in rows}
    assert by_value[17 * M]["qualifier"] == "almost"  # "fast 17 Mio. Euro"
    civento = by_value[4 * M]
    assert (civento["basis"], civento["from"][:4], civento["through"][:4]) == ("per-year", "2020", "2024")
    phase2 = by_value[64 * M]
    assert (phase2["basis"], phase2["from"][:4], phase2["through"][:4]) == (
        "total-for-period",
        "2021",
        "2024",
    )


def test_cq04_nrw_per_period() -> None:
    rows = run("cq04")
    got = {(str(r["measure"]).removeprefix(ID), r["value"], r["period"]) for r in rows}
    assert got == {
        ("measure/nw/ccd-kdn-finanzierung", Decimal("6.4") * M, "2020-2022"),
        ("measure/nw/kommunale-projekte", Decimal("6.7") * M, "2020"),
        ("measure/nw/kommunale-projekte", Decimal("6.1") * M, "2021-2022"),
        ("measure/nw/kommunalportal-finanzierung", 2 * M, "2020"),
        ("measure/nw/kommunalportal-finanzierung", Decimal("7.72") * M, "2021-2022"),
    }
    documents = {r["value"]: set(str(r["documents"]).split()) for r in rows}
    everywhere = {
        "landtag-nrw-vorlage-17-4771",
        "ozg-plattform-kommunale-foerderprogramme",
        "ozg-plattform-foerderprogramme-nrw",
    }
    assert documents[Decimal("7.72") * M] == everywhere
    assert documents[Decimal("6.4") * M] == everywhere
    qualifiers = {r["value"]: r.get("qualifier") for r in rows}
    assert qualifiers[Decimal("6.7") * M] == "about"  # "rund 6,7 Mio. Euro"
    assert qualifiers[Decimal("6.4") * M] == "about"  # the Landtag report says "ca. 6,4 Mio. Euro"


def test_cq05_nrw_per_year_without_double_counting() -> None:
    totals = {r["period"]: r["total"] for r in run("cq05")}
    assert totals == {
        "2020": Decimal("8.7") * M,  # 6,7 Mio. projects + 2 Mio. Kommunalportal
        "2020-2022": Decimal("6.4") * M,  # CCD KDN
        "2021-2022": Decimal("13.82") * M,  # 6,1 Mio. projects + 7,72 Mio. Kommunalportal
    }


def test_cq06_free_of_charge() -> None:
    pairs = {(str(r["land"]).removeprefix(ID), str(r["solution"]).removeprefix(ID)) for r in run("cq06")}
    assert {
        ("land/09", "solution/bayernportal"),  # "wird den Kommunen kostenfrei zur Verfügung gestellt"
        ("land/09", "solution/bayernid"),  # "bietet seinen Kommunen die BayernID kostenfrei an"
        ("land/06", "solution/civento"),  # "Kostenlose Bereitstellung der Digitalisierungsplattform civento"
        ("land/05", "solution/bauportal-nrw"),  # "für Nutzende und Kommunen kostenfrei"
    } <= pairs


def test_cq07_reuse() -> None:
    rows = {str(r["arrangement"]).removeprefix(ID): r for r in run("cq07")}
    nrw = rows["reuse/nrw-kommunalportal"]
    assert "Kommunalportal.NRW" in str(nrw.get("channels", "")) + str(nrw.get("solutions", ""))
    assert "Kommunen in Nordrhein-Westfalen" in str(nrw["reusers"])
    hessen = [r for r in rows.values() if "Kommunen in Hessen" in str(r.get("reusers", ""))]
    assert any("civento" in str(r.get("solutions", "")) + str(r.get("channels", "")) for r in hessen)


def test_cq08_digital_pilots() -> None:
    assert ids(run("cq08"), "land") == {"land/03", "land/09", "land/14"}


def test_cq09_zweckverbaende() -> None:
    assert ids(run("cq09"), "body") == {"body/ego-saar", "body/kdn"}


def test_cq10_document_supports() -> None:
    facts = {(r["subject"], r["predicate"], r["object"]) for r in run("cq10")}
    assert (
        ID + "solution/kommunalportal-nrw",
        "https://w3id.org/ozgkg/def#basedOn",
        ID + "solution/regio-it-serviceportal",
    ) in facts
    assert all(r["locator"] for r in run("cq10"))


def test_cq11_which_document_says() -> None:
    rows = run("cq11")
    assert ids(rows, "document") == {
        "doc/landtag-nrw-vorlage-17-4771",
        "doc/ozg-plattform-kommunale-foerderprogramme",
        "doc/ozg-plattform-foerderprogramme-nrw",
    }
    assert all(r["locator"] for r in rows)


def test_cq12_stated_funding_per_land() -> None:
    sums = {(str(r["land"]).removeprefix(ID), r["basis"]): r["sum"] for r in run("cq12")}
    assert sums == {
        # Bayern: Digitallotse 1 Mio. in total, Digital.Campus 760.000, OZG-kommunal 125.000 (2021)
        # and expected 200.000 (2022); BayernApp and BayernID/ePayBL are investments, 20.000 a cap.
        ("land/09", "total"): Decimal(2_085_000),
        # Hessen: fast 17 Mio. (Vereinbarung), 16 Mio. in 2020 (Starke Heimat I); 64 Mio. 2021-2024
        # (Starke Heimat II, its 16 Mio. per year are part of it); civento 4 Mio. per year 2020-2024.
        ("land/06", "total"): 33 * M,
        ("land/06", "total-for-period"): 64 * M,
        ("land/06", "per-year"): 4 * M,
        # NRW: 6,7 Mio. and 2 Mio. in 2020; 6,4 + 6,1 + 7,72 Mio. for periods.
        ("land/05", "total"): Decimal("8.7") * M,
        ("land/05", "total-for-period"): Decimal("20.22") * M,
        # Rheinland-Pfalz: 500.000 per year lump sum plus ca. 300.000 per year personnel costs.
        ("land/07", "per-year"): Decimal(800_000),
        # Saarland: 17 Mio. from the Sondervermögen Pandemie.
        ("land/10", "total"): 17 * M,
        # Sachsen: 3 Mio. per year (SAKD) and 1,1 Mio. per year 2021/2022 (Digital-Lotsen; the
        # 561.000 from the FAG are part of it).
        ("land/14", "per-year"): Decimal("4.1") * M,
    }


def test_cq13_saarland_focus_areas() -> None:
    rows = run("cq13")
    assert len({r["component"] for r in rows}) == 5
    assert any("Binnendigitalisierung" in str(r["componentName"]) for r in rows)


def test_cq14_starke_heimat_phases() -> None:
    rows = run("cq14")
    assert ids(rows, "phase") == {"measure/he/starke-heimat-phase-1", "measure/he/starke-heimat-phase-2"}
    phase2 = {r.get("value") for r in rows if str(r["phase"]).endswith("phase-2")}
    assert 64 * M in phase2


def test_cq15_funding_rates() -> None:
    pairs = {(r.get("landName"), r["percent"]) for r in run("cq15")}
    assert {
        ("Bayern", Decimal(80)),
        ("Bayern", Decimal(90)),
        ("Thüringen", Decimal(80)),
        ("Thüringen", Decimal(100)),
        ("Thüringen", Decimal(50)),
    } <= pairs


def test_cq16_application_deadlines() -> None:
    rows = run("cq16")
    assert {(str(r["measure"]).removeprefix(ID), r["deadline"]) for r in rows} == {
        ("measure/he/starke-heimat-phase-1", "2020-08-31")
    }


def test_cq17_legal_basis() -> None:
    rows = run("cq17")
    assert {(str(r["measure"]).removeprefix(ID), str(r["law"]).removeprefix(ID)) for r in rows} == {
        ("measure/he/starke-heimat-phase-2", "law/lho-hessen")
    }


def test_cq18_kommunalportal() -> None:
    rows = run("cq18")
    assert {r.get("basisName") for r in rows} == {"Serviceportal der regio iT"}
    assert {r.get("commissionerName") for r in rows} == {"Nordrhein-Westfalen"}
    assert {r.get("contractorName") for r in rows} == {"KDN – Dachverband kommunaler IT-Dienstleister"}
    assert "Nordrhein-Westfalen" in {r.get("funderName") for r in rows}


def test_cq19_portal_network() -> None:
    pairs = {(str(r["solution"]).removeprefix(ID), str(r["network"]).removeprefix(ID)) for r in run("cq19")}
    assert {
        ("solution/bayernportal", "solution/portalverbund"),
        ("solution/portalverbund-nrw", "solution/portalverbund"),
    } <= pairs


def test_cq20_themenfeld_leads() -> None:
    rows = run("cq20")
    assert len({r["themenfeld"] for r in rows}) == 14
    leads = {(r["themenfeldName"], r["landName"]) for r in rows if "landName" in r}
    assert leads == {
        ("Arbeit & Ruhestand", "Nordrhein-Westfalen"),
        ("Bauen & Wohnen", "Mecklenburg-Vorpommern"),
        ("Bildung", "Sachsen-Anhalt"),
        ("Ein- & Auswanderung", "Brandenburg"),
        ("Engagement & Hobby", "Nordrhein-Westfalen"),
        ("Familie & Kind", "Bremen"),
        ("Mobilität & Reisen", "Baden-Württemberg"),
        ("Mobilität & Reisen", "Hessen"),
        ("Recht & Ordnung", "Sachsen"),
        ("Umwelt", "Rheinland-Pfalz"),
        ("Umwelt", "Schleswig-Holstein"),
        ("Unternehmensführung & -entwicklung", "Hamburg"),
    }


def test_cq21_laender_overview() -> None:
    rows = run("cq21")
    assert [r["key"] for r in rows] == [f"{n:02d}" for n in range(1, 17)]
    measures = {r["key"]: r["measures"] for r in rows}
    # The article covers ten Länder; the six others have no programme in the sources, and none is invented.
    assert all(measures[key] == 0 for key in ("02", "08", "11", "12", "13", "15"))
    assert all(measures[key] > 0 for key in ("05", "06", "09", "10", "14", "16"))
    assert {r["key"]: r["wikidata"] for r in rows}["04"] == "http://www.wikidata.org/entity/Q1209"


def test_cq22_standards() -> None:
    rows = run("cq22")
    assert ("Technische Standards der Arbeitsgruppe Technik NRW", "EfA-Mindestanforderungen") in {
        (r["standardName"], r.get("fedIntoName")) for r in rows
    }


def test_cq23_ozg_frame() -> None:
    (row,) = run("cq23")
    assert (row["deadline"], row["services"], row["themenfelder"]) == ("2022-12-31", 575, 14)


def test_cq24_implementing_bodies() -> None:
    rows = run("cq24")
    implemented = {str(r["body"]).removeprefix(ID) for r in rows if r["role"] == "implementedBy"}
    assert {"body/it-niedersachsen", "body/govconnect"} <= implemented


def test_cq25_units_and_hosts() -> None:
    pairs = {(r["bodyName"], r["relation"], r["otherName"]) for r in run("cq25")}
    assert (
        "Competence Center Digitalisierung NRW beim KDN (CCD KDN)",
        "unitOf",
        "KDN – Dachverband kommunaler IT-Dienstleister",
    ) in pairs
    assert ("OZG-Koordinierungsstelle NRW", "hostedBy", "d-NRW AöR") in pairs


@pytest.mark.parametrize("path", sorted(Path(paths.queries_dir()).glob("cq*.rq")), ids=lambda p: p.stem)
def test_every_question_has_an_answer(path: Path) -> None:
    assert run(path.stem.split("-")[0]), f"{path.name} returns no rows"


# ---------------------------------------------------------------- the cookbook (kb*.rq)
# Everyday questions served in the UI's example list. The expected answers come from the sources:
# domain.md §3b (EfA services, status V), the federal page "EfA-Nachnutzung in den Ländern" (two stored
# copies), the pages opened to confirm domain.md §7, and the five documents.

LAENDER = {f"land/{n:02d}" for n in range(1, 17)}


def test_cookbook_has_fifteen_questions_with_german_and_english_titles() -> None:
    queries = sorted(paths.queries_dir().glob("kb*.rq"))
    assert len(queries) >= 15
    for query in queries:
        de, en = query.read_text(encoding="utf-8").splitlines()[:2]
        assert de.startswith("# ") and en.startswith("# ") and de != en, query.name


def test_kb01_efa_services_and_providers() -> None:
    rows = {str(r["service"]).removeprefix(ID): r for r in run("kb01")}
    assert set(rows) == {
        "solution/wohngeld-digital",  # Schleswig-Holstein
        "solution/digitaler-bauantrag",  # Mecklenburg-Vorpommern, Bauen & Wohnen
        "solution/unterhaltsvorschuss-online",  # Bremen, Familie & Kind
        "solution/ewa",  # Hamburg with the BMI
        "solution/bafoeg-digital",  # Sachsen-Anhalt with the BMBF, Bildung
        "solution/online-wache",  # Sachsen, Recht & Ordnung
        "solution/jagdschein-digital",  # Rheinland-Pfalz (MKUEM), Umwelt
    }
    assert rows["solution/digitaler-bauantrag"]["providers"] == "Mecklenburg-Vorpommern"
    assert rows["solution/digitaler-bauantrag"]["themenfeld"] == "Bauen & Wohnen"
    assert rows["solution/unterhaltsvorschuss-online"]["themenfeld"] == "Familie & Kind"
    assert "Hamburg" in str(rows["solution/ewa"]["providers"])
    assert "themenfeld" not in rows["solution/wohngeld-digital"]  # U in domain.md: left out
    assert "themenfeld" not in rows["solution/ewa"]


def test_kb02_who_reuses_the_digital_building_permit() -> None:
    # domain.md §3b: MV + BW, BY, HB, HH, NI, NW, RP, SL, ST, SN, SH, TH (13 in total)
    assert ids(run("kb02"), "reuser") == {
        f"land/{k}" for k in ("08", "09", "04", "02", "03", "05", "07", "10", "15", "14", "01", "16")
    }


def test_kb03_own_solutions_instead() -> None:
    # domain.md §3b: BE, BB, HE use their own solutions
    assert {(str(r["land"]).removeprefix(ID), str(r["service"]).removeprefix(ID)) for r in run("kb03")} == {
        ("land/11", "solution/digitaler-bauantrag"),
        ("land/12", "solution/digitaler-bauantrag"),
        ("land/06", "solution/digitaler-bauantrag"),
    }


def test_kb04_what_nrw_reuses() -> None:
    pairs = {(str(r["service"]).removeprefix(ID), str(r["provider"]).removeprefix(ID)) for r in run("kb04")}
    assert pairs == {
        ("solution/wohngeld-digital", "land/01"),  # taken over with KDN / d-NRW
        ("solution/digitaler-bauantrag", "land/13"),
        ("solution/bafoeg-digital", "land/15"),  # "in all Länder"
    }


def test_kb05_bodies_behind_reused_services() -> None:
    pairs = {(str(r["body"]).removeprefix(ID), str(r["service"]).removeprefix(ID)) for r in run("kb05")}
    assert {
        ("body/dataport", "solution/wohngeld-digital"),  # operator
        ("body/dataport", "solution/unterhaltsvorschuss-online"),  # operator (OSI platform)
        ("body/dataport", "solution/ewa"),  # builder
        ("body/brain-scc", "solution/digitaler-bauantrag"),  # technical basis
    } <= pairs
    assert "body/fitko" not in {body for body, _ in pairs}


def test_kb06_pilots() -> None:
    rows = run("kb06")
    pilots = {(str(r["service"]).removeprefix(ID), str(r["municipality"]).removeprefix(ID)) for r in rows}
    assert {m for s, m in pilots if s == "solution/wohngeld-digital"} == {
        f"body/{s}-sh" for s in ("kiel", "flensburg", "luebeck", "neumuenster", "pinneberg", "reinbek")
    }
    assert {m for s, m in pilots if s == "solution/unterhaltsvorschuss-online"} == {
        "body/stadtgemeinde-bremen",
        "body/hamburg-wandsbek",
        "body/rhein-kreis-neuss",
        "body/wuppertal",
    }
    starts = {str(r["service"]).removeprefix(ID): r["start"] for r in rows}
    assert starts["solution/wohngeld-digital"] == "2019-12-18"
    assert starts["solution/unterhaltsvorschuss-online"] == "2021-05-05"
    assert starts["solution/digitaler-bauantrag"] == "2021-01-01"


def test_kb07_contact_points_per_land() -> None:
    rows = {str(r["land"]).removeprefix(ID): r for r in run("kb07")}
    # Thüringen's entry is cut off in the stored copy: no row; every other Land has one.
    assert set(rows) == LAENDER - {"land/16"}
    assert set(str(rows["land/08"]["contacts"]).split("; ")) == {
        "Gemeindetag BW",
        "Landkreistag BW",
        "Städtetag BW",
    }
    assert (
        rows["land/09"]["contacts"] == "BayKommun" and rows["land/09"]["emails"] == "projekt@baykommun.bayern"
    )
    assert rows["land/11"]["emails"] == "ozg@senatskanzlei.berlin.de"
    assert (
        rows["land/02"]["emails"] == "ozg@sk.hamburg.de" and rows["land/02"]["statusName"] == "nicht relevant"
    )
    assert rows["land/13"]["statusName"] == "noch nicht verfügbar"
    linked = {"01", "03", "04", "05", "06", "07", "10", "12", "14", "15"}
    assert {k for k, r in rows.items() if r["statusName"] == "in einem verlinkten Dokument"} == {
        f"land/{k}" for k in linked
    }


def test_kb08_information_not_yet_available() -> None:
    assert {(str(r["land"]).removeprefix(ID), str(r["status"]).removeprefix(ID)) for r in run("kb08")} == {
        ("land/13", "information-status/not-yet-available"),
        ("land/02", "information-status/not-relevant"),
    }


def test_kb09_where_reusable_services_are_listed() -> None:
    rows = run("kb09")
    assert ids([r for r in rows if str(r["land"]).endswith("/08")], "listing") == {
        "catalogue/bw-onlinedienstgesamtliste",
        "solution/service-bw",
    }
    assert [r["listingStatusName"] for r in rows if str(r["land"]).endswith("/09")] == [
        "Freischaltung angekündigt"
    ]


def test_kb10_marketplaces() -> None:
    rows = {str(r["marketplace"]).removeprefix(ID): r for r in run("kb10")}
    assert {
        "solution/fit-store",
        "solution/marktplatz-efa-leistungen",
        "solution/marktplatz-der-zukunft",
    } <= set(rows)
    market = rows["solution/marktplatz-efa-leistungen"]
    assert (market["operator"], market["since"], market["mandatoryFrom"], market["state"]) == (
        "govdigital eG",
        "2022-12",
        "2024-04-01",
        "in Betrieb",
    )
    assert rows["solution/fit-store"]["operator"] == "FITKO (Föderale IT-Kooperation)"
    assert rows["solution/marktplatz-der-zukunft"]["state"] == "beabsichtigt"


def test_kb11_budget_per_land_and_year_with_source() -> None:
    rows = run("kb11")
    assert all(r.get("document") and r.get("where") for r in rows)
    found = {(str(r["land"]).removeprefix(ID), r.get("period"), r["value"]) for r in rows}
    assert {
        ("land/05", "2020", 2 * M),  # Kommunalportal 2020
        ("land/05", "2020", Decimal("6.7") * M),  # municipal projects 2020
        ("land/05", "2021-2022", Decimal("7.72") * M),
        ("land/06", "2020", 16 * M),  # Starke Heimat I
        ("land/09", "2021", Decimal(125_000)),
        ("land/09", "2022", Decimal(200_000)),  # "voraussichtlich"
    } <= found
    # The NRW Kommunalportal 2020 amount is stated by three documents: three rows, three sources.
    assert len({r["document"] for r in rows if r["value"] == 2 * M}) == 3


def test_kb12_running_programmes_leave_out_planned_ones() -> None:
    programmes = ids(run("kb12"), "programme")
    assert "measure/rp/geplantes-foerderprogramm" not in programmes  # "geplant, vorbehaltlich ..."
    assert {
        "measure/by/digitales-rathaus",
        "measure/he/starke-heimat",
        "measure/sl/digitalisierungsoffensive-kommunen",
    } <= programmes


def test_kb13_planned_or_not_in_force() -> None:
    assert ids(run("kb13"), "thing") == {
        "measure/rp/geplantes-foerderprogramm",
        "reuse/nrw-kommunalportal",  # "sollen ... betrieben werden"
        "reuse/nrw-digitale-modellregionen",  # "sollen ... nachnutzbar werden"
        "solution/marktplatz-der-zukunft",  # "sollen ... aufgehen"
        "agreement/noots-staatsvertrag",  # needs 11 ratifications
    }


def test_kb14_portals_of_nrw() -> None:
    rows = {str(r["solution"]).removeprefix(ID): r for r in run("kb14")}
    assert {"solution/kommunalportal-nrw", "solution/servicekonto-nrw", "solution/portalverbund-nrw"} <= set(
        rows
    )
    assert "KDN" in str(rows["solution/kommunalportal-nrw"]["runOrCommissionedBy"])


def test_kb15_framework_after_2022() -> None:
    dates = {str(r["thing"]).removeprefix(ID): r["date"] for r in run("kb15")}
    assert dates == {
        "solution/marktplatz-efa-leistungen": "2022-12",
        "law/ozgaendg": "2024-07-19",
        "standard/zielbild-ozg-rahmenarchitektur": "2024-11-13",
        "agreement/noots-staatsvertrag": "2024-12-11",
    }


def test_kb16_noots_ratifications() -> None:
    rows = run("kb16")
    assert ids(rows, "land") == {"land/15", "land/02", "land/11", "land/08"}
    assert {r["needed"] for r in rows} == {11}


def test_every_sparql_block_of_the_readmes_runs_as_written() -> None:
    import re

    root = paths.queries_dir().parents[1]
    blocks = [
        block
        for readme in (root / "README.md", root / "ontology" / "README.md")
        for block in re.findall(r"```sparql\n(.*?)```", readme.read_text(encoding="utf-8"), re.S)
    ]
    assert blocks
    for block in blocks:
        assert list(store().query(block, use_default_graph_as_union=True)), block


def test_kb17_efa_overview_per_land() -> None:
    rows = {str(r["land"]).removeprefix(ID): r for r in run("kb17")}
    assert set(rows) == LAENDER
    provides = {k: r.get("provides") for k, r in rows.items() if r.get("provides")}
    assert provides == {
        "land/01": "Wohngeld digital",
        "land/13": "Digitaler Bauantrag",
        "land/04": "Unterhaltsvorschuss Online (UVO)",
        "land/02": "eWA – elektronische Wohnsitzanmeldung",
        "land/15": "BAföG Digital",
        "land/14": "Online-Wache (Online-Anzeige)",
        "land/07": "Jagdschein digital",
    }
    assert {k for k, r in rows.items() if r.get("ownSolutionInsteadOf")} == {"land/11", "land/12", "land/06"}
    assert "reuseRules" not in rows["land/16"]  # cut off in the stored copy
