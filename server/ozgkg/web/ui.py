"""The web UI: `/`, a SPARQL editor (YASGUI) preloaded with the competency questions, and `/explore`, an
interactive drawing (Cytoscape.js) of a CONSTRUCT query's result or of an entity's neighbourhood.

The two browser libraries are npm packages pinned in the repository's package.json; `server/dev.sh`
installs them into node_modules/ (never committed) and this blueprint serves the few files the pages
load, by name from a whitelist, so that the UI works offline and no CDN sees its users.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for

from ozgkg import paths
from ozgkg.namespaces import ID, PREFIXES
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.web import http

blueprint = Blueprint("ui", __name__, static_folder="ui_static", static_url_path="/static/ui")

# The browser files: inside an installed wheel (server/hatch_build.py put them there), else in the
# checkout's node_modules/ (npm ci). vendor.json names them once for both.
PACKAGED_VENDOR = Path(__file__).resolve().parent / "vendor"
NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"
VENDOR_FILES: dict[str, str] = json.loads(
    (Path(__file__).parent / "vendor.json").read_text(encoding="utf-8")
)["files"]
VENDOR_MAX_AGE = 24 * 3600
GRAPH_EXAMPLES = Path(__file__).parent / "graph_examples"
# The whole graph's exports offered on `/`: format, name, the tools that read it.
DOWNLOADS = (
    ("graphml", "GraphML", "yEd, Gephi, Cytoscape"),
    ("gexf", "GEXF", "Gephi"),
    ("dot", "DOT", "Graphviz"),
    ("cytoscape", "Cytoscape.js JSON", "Cytoscape, Cytoscape.js"),
    ("csv", "CSV node and edge lists (zip)", "spreadsheets, Gephi"),
)


@dataclass(frozen=True)
class Example:
    """A query file whose first two comment lines are its question in German and in English."""

    name: str  # the file name without .rq, e.g. cq01-municipal-ozg-coordination
    tab: str  # the short name of its editor tab, e.g. CQ01
    de: str
    en: str
    query: str


def read_examples(folder: Path) -> list[Example]:
    """The folder's .rq files in name order (the competency questions, or the graph view's examples)."""
    examples = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        de, en = (line.removeprefix("#").strip() for line in lines[:2])
        examples.append(Example(path.stem, path.stem.split("-", 1)[0].upper(), de, en, text))
    return examples


def _parameter(name: str) -> str:
    values = http.parameter_values(name)
    if len(values) > 1:
        raise ProtocolError(400, f"give at most one {name}=")
    return values[0] if values else ""


def _urls() -> dict[str, str]:
    """Where the pages' scripts send requests (relative to this server, wherever it is mounted)."""
    return {
        "sparql": url_for("sparql.query"),
        "export": url_for("graph_export.export_graph"),
        "describe": url_for("pages.describe_iri"),
        "prefixes": url_for("ui.prefixes"),
        "entities": str(ID),
    }


def _render(template: str, config: dict[str, object], **context: object) -> str:
    """A UI page, with the URLs its scripts call in its config and the browser files that are missing."""
    return render_template(
        template, config={"urls": _urls(), **config}, missing_vendor=missing_vendor_files(), **context
    )


@blueprint.route("/")
def query_page() -> str:
    questions = read_examples(paths.queries_dir())
    config = {"examples": [asdict(q) for q in questions], "prefixes": PREFIXES}
    return _render("ui_query.html", config, questions=questions, downloads=DOWNLOADS)


@blueprint.route("/graph")
def old_graph_page() -> Response:
    """The graph view's former address, kept for bookmarks and links (`?iri=`, `?query=` included):
    `/graph/...` now dereferences the provenance graphs' IRIs (`pages.named_graph`)."""
    query = request.query_string.decode("latin-1")  # percent-encoded as the client sent it
    return redirect(url_for("ui.graph_page") + (f"?{query}" if query else ""), 301)


@blueprint.route("/explore")
def graph_page() -> str:
    iri, query = _parameter("iri"), _parameter("query")
    if iri and query:
        raise ProtocolError(
            400, "draw one thing: an entity's neighbourhood (iri=) or a query's result (query=)"
        )
    examples = read_examples(GRAPH_EXAMPLES)
    asked = bool(iri or query)
    if not asked:
        query = examples[0].query
    example = next((e for e in examples if not iri and e.query == query), None)
    config = {"examples": [asdict(e) for e in examples]}
    return _render(
        "ui_graph.html", config, iri=iri, query=query, asked=asked, example=example, examples=examples
    )


@blueprint.route("/ui/prefixes.json")
def prefixes() -> Response:
    """The project's prefixes, for the editor's PREFIX completion (in place of an online service)."""
    return Response(json.dumps(PREFIXES), content_type="application/json")


@blueprint.route("/static/vendor/<name>")
def vendor(name: str) -> Response:
    if name not in VENDOR_FILES:
        raise ProtocolError(404, f"{name} is not one of the browser libraries served here")
    path = vendor_file(name)
    if path is None:
        raise ProtocolError(404, MISSING_VENDOR)
    return send_file(path, max_age=VENDOR_MAX_AGE)


MISSING_VENDOR = (
    "the web UI's browser libraries are not installed: in a checkout run `npm ci` "
    "(bash server/dev.sh serve does); a wheel built with npm at hand carries them"
)


def vendor_file(name: str) -> Path | None:
    """Where the browser file `name` is: in the installed package, else in the checkout."""
    for path in (PACKAGED_VENDOR / name, NODE_MODULES / VENDOR_FILES[name]):
        if path.is_file():
            return path
    return None


def missing_vendor_files() -> list[str]:
    return [name for name in VENDOR_FILES if vendor_file(name) is None]
