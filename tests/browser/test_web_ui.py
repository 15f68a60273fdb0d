"""The web UI as a person uses it, in headless Chromium: run a competency question in the editor and read
its rows, draw graphs (a CONSTRUCT result, an entity's neighbourhood) and follow them into the entity
pages. What the pages should show is read from the same server's /sparql and /export, so the tests
follow the graph as it grows. Screenshots: tests/artifacts/ui-*.png.
"""

from __future__ import annotations

import re
import urllib.parse

from endpoint.conftest import Server
from playwright.sync_api import Page, expect

from ozgkg import paths
from ozgkg.web.ui import GRAPH_EXAMPLES, read_examples

from .conftest import screenshot, screenshot_path

ID = "https://w3id.org/ozgkg/id/"
CCD_KDN = ID + "body/ccd-kdn"
KDN = ID + "body/kdn"
CQ01 = next(q for q in read_examples(paths.queries_dir()) if q.name.startswith("cq01-"))
ACTIVE_TAB = ".tabPanel.active"
# What the graph view drew: counts, and the colour of each type on the canvas and in the legend.
DRAWN = r"""container => {
  const cy = container.cy;
  const colours = {};
  const rgb = text => text.replace(/\s/g, "");
  cy.nodes().forEach(node => { colours[node.data("type")] = rgb(node.style("background-color")); });
  const legend = {};
  container.querySelectorAll(".legend li").forEach(item => {
    const swatch = item.querySelector(".swatch");
    legend[item.children[1].textContent] = rgb(getComputedStyle(swatch).backgroundColor);
  });
  return {nodes: cy.nodes().length, edges: cy.edges().length, colours, legend};
}"""

expect.set_options(timeout=30_000)


def exported(site: Server, **source: str) -> tuple[int, int, set[str]]:
    """Nodes, edges and types of /export's Cytoscape.js JSON: what the view must draw."""
    elements = site.get("/export", format="cytoscape", **source).json()["elements"]
    types = {node["data"]["type"] for node in elements["nodes"]}
    return len(elements["nodes"]), len(elements["edges"]), types


def check_drawing(page: Page, selector: str, expected: tuple[int, int, set[str]]) -> None:
    container = page.locator(selector)
    page.wait_for_function("container => container.cy", arg=container.element_handle())
    drawn = container.evaluate(DRAWN)
    assert (drawn["nodes"], drawn["edges"], set(drawn["colours"])) == expected
    assert drawn["legend"] == drawn["colours"], "each type's legend colour is the colour of its nodes"
    expect(container.locator(".legend li")).to_have_count(len(expected[2]))


def run_in_editor(page: Page) -> None:
    page.locator(f"{ACTIVE_TAB} .yasqe_queryButton").click()


def test_competency_question_runs_in_the_editor_and_shows_its_rows(page: Page, site: Server) -> None:
    page.goto("/")
    page.select_option("#question-picker", CQ01.name)
    expect(page.locator("#question-en")).to_have_text(CQ01.en)
    expect(page.locator("#question-de")).to_have_text(CQ01.de)
    expect(page.locator(f"{ACTIVE_TAB} .CodeMirror")).to_contain_text("coordinatesMunicipalOZGIn")
    run_in_editor(page)
    rows = page.locator(f"{ACTIVE_TAB} .yasr table.dataTable tbody tr")
    expect(rows.first).to_be_visible()
    expected = site.query(CQ01.query).json()["results"]["bindings"]
    expect(rows).to_have_count(len(expected))
    expect(page.locator(f"{ACTIVE_TAB} .yasr table.dataTable")).to_contain_text("CCD KDN")
    # Our entities link to their pages on this server, not to the w3id IRI.
    link = page.locator(f"{ACTIVE_TAB} .yasr a", has_text="body:ccd-kdn")
    expect(link).to_have_attribute("href", "/describe?" + urllib.parse.urlencode({"iri": CCD_KDN}))
    screenshot(page, "ui-query-cq01")


def test_construct_result_is_drawn_in_the_editors_graph_view(page: Page, site: Server) -> None:
    example = read_examples(GRAPH_EXAMPLES)[-1]
    page.goto("/")
    page.locator(f"{ACTIVE_TAB} .CodeMirror").evaluate(
        "(editor, query) => editor.CodeMirror.setValue(query)", example.query
    )
    run_in_editor(page)
    check_drawing(page, f"{ACTIVE_TAB} .yasr .graph", exported(site, query=example.query))
    expect(page.locator(f"{ACTIVE_TAB} .yasr .caption")).to_contain_text("nodes")
    screenshot(page, "ui-query-construct-graph")


def test_graph_view_colours_nodes_by_type_with_a_legend(page: Page, site: Server) -> None:
    example = read_examples(GRAPH_EXAMPLES)[0]
    page.goto("/explore")
    expect(page.locator("h2.caption")).to_have_text(example.en)
    check_drawing(page, "[data-graph]", exported(site, query=example.query))
    screenshot(page, "ui-graph-example")


def test_neighbourhood_graph_shows_a_node_on_hover_and_opens_its_page_on_click(
    page: Page, site: Server
) -> None:
    page.goto("/explore?" + urllib.parse.urlencode({"iri": CCD_KDN}))
    check_drawing(page, "[data-graph]", exported(site, iri=CCD_KDN))
    expect(page.locator("#graph-caption")).to_contain_text(
        "Neighbourhood of Competence Center Digitalisierung"
    )
    x, y = page.locator("[data-graph]").evaluate(
        """(container, iri) => {
          const node = container.cy.getElementById(iri);
          const box = container.cy.container().getBoundingClientRect();
          return [box.x + node.renderedPosition("x"), box.y + node.renderedPosition("y")];
        }""",
        KDN,
    )
    page.mouse.move(x, y)
    details = page.locator("[data-graph] .info dl")
    expect(details).to_contain_text("KDN – Dachverband kommunaler IT-Dienstleister")
    expect(details).to_contain_text(KDN)
    screenshot(page, "ui-graph-neighbourhood")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/describe\?iri=" + re.escape(urllib.parse.quote(KDN, safe=""))))
    expect(page.locator("h1")).to_contain_text("KDN – Dachverband kommunaler IT-Dienstleister")


def test_entity_page_links_to_kdn(page: Page) -> None:
    """Needs the entity pages (`/describe`, `/id/...`) of the web UI's linked-data part."""
    response = page.goto("/describe?" + urllib.parse.urlencode({"iri": CCD_KDN}))
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text("Competence Center Digitalisierung NRW beim KDN (CCD KDN)")
    screenshot(page, "ui-entity-ccd-kdn")
    page.get_by_role("link", name=re.compile(r"^KDN – Dachverband")).first.click()
    expect(page.locator("h1")).to_have_text("KDN – Dachverband kommunaler IT-Dienstleister")
    assert "body/kdn" in urllib.parse.unquote(page.url)
    screenshot(page, "ui-entity-kdn")


# Every kind of page, which all share templates/layout.html and its stylesheet site.css.
EVERY_PAGE = {
    "query": ("/", "Query"),
    "graph": ("/explore", "Graph"),
    "entity": ("/id/body/ccd-kdn", None),
    "search": ("/search?q=kdn", None),
    "validation": ("/validation", "Validation"),
}
HEADER = """header => ({
  links: [...header.querySelectorAll("a")].map(a => [a.textContent, a.getAttribute("href")]),
  current: [...header.querySelectorAll("nav a[aria-current=page]")].map(a => a.textContent),
  background: getComputedStyle(header).backgroundColor,
  height: header.getBoundingClientRect().height,
  search: header.querySelector("input[type=search]").getBoundingClientRect().width,
})"""


def test_every_page_shows_the_same_header(page: Page) -> None:
    seen = {}
    for name, (path, current) in EVERY_PAGE.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        header = page.locator("header.site")
        drawn = header.evaluate(HEADER)
        assert drawn.pop("current") == ([current] if current else []), name
        seen[name] = drawn
        header.screenshot(path=str(screenshot_path(f"ui-header-{name}")))
        if name in ("search", "validation"):
            screenshot(page, f"ui-{name}")
    first = seen["query"]
    assert first["background"] == "rgb(243, 246, 249)", "site.css is applied"
    assert all(drawn == first for drawn in seen.values()), seen
