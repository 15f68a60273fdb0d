"""The Flask application: `create_app(config)` wires the served state (`web.extension`), the
blueprints and the HTTP rules. Every blueprint imports downward only; this module sits on top."""

from __future__ import annotations

from flask import Flask

from ozgkg.web import dumps, graph_export, graph_store, http, meta, pages, sparql, ui
from ozgkg.web.extension import Endpoint, EndpointConfig, endpoint, init_app

__all__ = ["Endpoint", "EndpointConfig", "create_app", "endpoint"]

BLUEPRINTS = (sparql, graph_store, meta, pages, ui, graph_export, dumps)


def create_app(config: EndpointConfig) -> Flask:
    """The WSGI app; cheap to build (the ontology's documentation is written on its first request)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.limits.max_body_bytes
    app.json.ensure_ascii = False
    init_app(app, config)
    http.install(app)
    for module in BLUEPRINTS:
        app.register_blueprint(module.blueprint)
    return app
