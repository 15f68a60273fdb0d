"""`/dumps/...`: the whole dataset as files to download, and the graph store's whole-store GET.

Three gzipped files: every quad with its graph name as N-Quads and as TriG, and the facts (the union
default graph, each triple once) as Turtle. They are written once per graph version, on the first
request that wants one, by a SELECT through the query workers (any store answers it), and kept on
disk under the graph version, so that every gunicorn worker and every later request serves the same
file; a new graph version writes new files. The ETag is the graph version's.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request, send_file, url_for

from ozgkg.features.dumps import DUMPS, Dump
from ozgkg.namespaces import PREFIXES
from ozgkg.rdf.formats import RDF_BY_MEDIA_TYPE
from ozgkg.rdf.results import Row
from ozgkg.rdf.terms import to_oxigraph
from ozgkg.sparql.protocol import ProtocolError
from ozgkg.web import http
from ozgkg.web.extension import endpoint

blueprint = Blueprint("dumps", __name__)

GZIP = "application/gzip"
# Every quad of the named graphs: the default graph is their union (sd:UnionDefaultGraph), so these
# are all the data there is.
QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


DUMPS_BY_FILE = {d.file_name: d for d in DUMPS}
_lock = threading.Lock()


def download_base() -> str:
    """The URL the dumps' file names are appended to (for the DCAT record and VoID)."""
    return url_for("dumps.download", file_name="x", _external=True).removesuffix("x")


def _directory() -> Path:
    version = endpoint().config.graph_version[:24]
    return Path(tempfile.gettempdir()) / "ozg-kg-dumps" / version


def _quads(rows: list[Row]) -> list[ox.Quad]:
    return [ox.Quad(*(to_oxigraph(row[name]) for name in ("s", "p", "o", "g"))) for row in rows]


def _write_all(directory: Path) -> None:
    """Every dump from one SELECT; each file written beside and renamed, so no reader sees half a file."""
    quads = _quads(endpoint().rows(QUADS))
    facts = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    directory.mkdir(parents=True, exist_ok=True)
    for dump in DUMPS:
        rdf_format = RDF_BY_MEDIA_TYPE[dump.media_type].oxigraph
        data = ox.serialize(quads if dump.graphs else facts, format=rdf_format, prefixes=PREFIXES)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".part-")
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as sink:
            sink.write(data)
        os.replace(temporary, directory / dump.file_name)


def dump_file(dump: Dump) -> Path:
    """The dump's file for the served graph version, written now if it is not there yet."""
    directory = _directory()
    path = directory / dump.file_name
    if not path.is_file():
        with _lock:
            if not all((directory / d.file_name).is_file() for d in DUMPS):
                _write_all(directory)
    return path


def _etag(dump: Dump) -> str:
    return http.make_etag(endpoint().config.graph_version, "dump", dump.file_name)


@blueprint.route("/dumps/<file_name>")
def download(file_name: str) -> Response:
    dump = DUMPS_BY_FILE.get(file_name)
    if dump is None:
        known = ", ".join(DUMPS_BY_FILE)
        raise ProtocolError(404, f"no dump {file_name!r} here; the dumps are: {known}")
    etag = _etag(dump)
    response = http.not_modified(etag)
    if response is None:
        response = send_file(dump_file(dump), mimetype=GZIP, as_attachment=True, download_name=file_name)
    response.headers["ETag"] = etag
    return response


def whole_store(media_type: str) -> Response:
    """The graph store's GET without a graph parameter: the whole store, from the dumps (a quad format
    keeps the graph names; a triple format gives the union default graph), gzip-encoded on the wire
    when the client takes gzip."""
    fmt = RDF_BY_MEDIA_TYPE[media_type]
    dump = next((d for d in DUMPS if d.media_type == media_type), None)
    if dump is None:
        raise ProtocolError(
            406,
            f"the whole store is served as {', '.join(d.media_type for d in DUMPS)}; "
            f"{fmt.media_type} only for one graph (?default or ?graph=IRI)",
        )
    etag = _etag(dump)
    response = http.not_modified(etag)
    if response is None:
        compressed = dump_file(dump).read_bytes()
        response = Response(content_type=http.with_charset(media_type))
        if request.accept_encodings["gzip"] > 0:
            response.set_data(compressed)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response.set_data(gzip.decompress(compressed))
    response.headers["ETag"] = etag
    response.vary.update(("Accept", "Accept-Encoding"))
    return response
