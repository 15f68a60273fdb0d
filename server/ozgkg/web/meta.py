"""`/health`, `/.well-known/void` and `/dataset`: what monitors and catalogues read."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, url_for

from .. import __version__
from ..store import split_spec
from . import http
from .extension import endpoint

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
    return http.description_response(
        url_for("sparql.query", _external=True), frozenset({"void", "dcat"}), http.format_values()
    )


@blueprint.route("/dataset")
def dataset() -> Response:
    return http.description_response(
        url_for("sparql.query", _external=True), frozenset({"dcat"}), http.format_values()
    )
