"""`/health`, `/.well-known/void` and `/dataset`: what monitors and catalogues read."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, url_for
from rdflib import URIRef

from ozgkg import __version__
from ozgkg.features.service_description import DATASET
from ozgkg.store import split_spec
from ozgkg.web import http
from ozgkg.web.descriptions import description_response
from ozgkg.web.extension import endpoint
from ozgkg.web.pages import public_base, served_path

blueprint = Blueprint("meta", __name__)


@blueprint.route("/health")
def health() -> Response:
    config = endpoint().config
    return jsonify(
        status="ok",
        version=__version__,
        graph_version=config.graph_version[:12],
        triples=config.statistics.union.triples,
        quads=config.statistics.quads,
        graphs=len(config.statistics.graphs),
        store=split_spec(config.store)[0],  # the backend only: a path or a remote's URL stays private
        workers=config.workers,
        timeout=config.limits.timeout,
        result_cache=asdict(endpoint().results.statistics()),
        service={  # federation: whom SERVICE may call, and the limits of one call
            "allowed": sorted(config.service_allowlist),
            "timeout": config.limits.service_timeout,
            "max_rows": config.limits.service_max_rows,
        },
    )


@blueprint.route("/.well-known/void")
def void() -> Response:
    return description_response(
        _endpoint_url(),
        frozenset({"void", "dcat"}),
        http.format_values(),
        document=public_base() + "/.well-known/void",
        heading="VoID description",
    )


@blueprint.route("/dataset")
def dataset() -> Response:
    """The dataset's IRI (https://w3id.org/ozgkg/dataset): its DCAT record."""
    return _dataset_document(DATASET)


@blueprint.route("/dataset/<name>")
def distribution(name: str) -> Response:
    """A distribution's, the data service's or the publisher's IRI: the DCAT record that describes it
    (404 for a name the record does not use)."""
    return _dataset_document(URIRef(f"{DATASET}/{name}"))


def _endpoint_url() -> str:
    return url_for("sparql.query", _external=True)


def _dataset_document(iri: URIRef) -> Response:
    return description_response(
        _endpoint_url(),
        frozenset({"dcat"}),
        http.format_values(),
        document=public_base() + (served_path(str(iri)) or "/dataset"),
        focus=iri,
        heading="Dataset",
    )
