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
from ozgkg.load import load

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
