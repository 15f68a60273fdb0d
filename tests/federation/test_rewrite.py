"""`ozgkg.sparql.federation` without a server: where the SERVICE clauses are, how remote rows become VALUES,
and how the HTTP client keeps its limits (against small servers in this process)."""

from __future__ import annotations

import http.server
import json
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from ozgkg.cli import read_serve_config
from ozgkg.rdf.lexer import group_end, service_clauses
from ozgkg.sparql import federation
from ozgkg.sparql.safety import Limits, Refused

LIMITS = Limits(service_timeout=2.0, service_max_rows=3, service_max_bytes=2000)
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


@pytest.fixture(autouse=True)
def deep_recursion() -> Iterator[None]:
    # rdflib's grammar recurses per pattern; the query workers raise the limit the same way.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    yield
    sys.setrecursionlimit(limit)


# status, headers, body; a body given as a list of chunks is sent a chunk every 0.3 s
Reply = tuple[int, dict[str, str], bytes | list[bytes]]


@pytest.fixture
def remote() -> Iterator[Callable[[Callable[[str, str], Reply]], str]]:
    """A loopback HTTP server answering with `answer(path, query)`; gives its /sparql URL."""
    servers = []

    def start(answer: Callable[[str, str], Reply]) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                form = self.rfile.read(int(self.headers["Content-Length"])).decode()
                query = dict(p.split("=", 1) for p in form.split("&"))["query"]
                status, headers, body = answer(self.path, query)
                chunks = body if isinstance(body, list) else [body]
                self.send_response(status)
                for name, value in {"Content-Length": str(sum(map(len, chunks))), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                for index, chunk in enumerate(chunks):
                    if index:
                        time.sleep(0.3)
                    self.wfile.write(chunk)
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def results(variables: list[str], bindings: list[dict]) -> Reply:
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}).encode()
    return 200, {"Content-Type": "application/sparql-results+json; charset=utf-8"}, body


def test_clauses_are_found_past_comments_strings_iris_and_names() -> None:
    query = """PREFIX ex: <http://e/#service>
        # SERVICE <http://not/> { in a comment
        SELECT * WHERE {
          ?service ex:service "SERVICE { }" , '''}''' , ex:a.service .
          SERVICE SILENT # SILENT after a comment still counts
            <http://a/> { ?s ?p "}" FILTER (?s != <http://x/#no-comment>) { ?x ?y ?z } }
          ?a ?b ?c .SERVICE<http://b/>{?d ?e ?f}
        }"""
    clauses = service_clauses(query)
    assert [(query[c.start : c.start + 7], c.silent, c.endpoint) for c in clauses] == [
        ("SERVICE", True, "http://a/"),
        ("SERVICE", False, "http://b/"),
    ]
    assert query[clauses[0].body : group_end(query, clauses[0].body)].endswith("{ ?x ?y ?z } }")
    assert query[clauses[1].body : group_end(query, clauses[1].body)] == "{?d ?e ?f}"


def test_a_service_keyword_written_with_escapes_is_refused(remote: Callable) -> None:
    url = remote(lambda path, query: results([], [{}]))
    with pytest.raises(Refused) as refusal:
        federation.resolve(
            f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ }} }}", frozenset({url}), LIMITS, None
        )
    assert refusal.value.status == 400 and "\\u escapes" in refusal.value.message


def test_remote_rows_round_trip_through_values() -> None:
    bindings = [
        {"a": {"type": "uri", "value": "http://e/x"}, "b": {"type": "literal", "value": 'q"uote\\u0041\n\\'}},
        {
            "a": {"type": "bnode", "value": "n1"},
            "b": {"type": "literal", "value": "Bayern", "xml:lang": "de"},
        },
        {
            "a": {"type": "bnode", "value": "n1"},
            "b": {"type": "typed-literal", "value": "5", "datatype": XSD_INTEGER},
        },
        {"b": {"type": "literal", "value": "ohne a"}},
    ]
    rows = federation.inline_rows("http://r/", json.dumps({"head": {"vars": ["a", "b"]},
        "results": {"bindings": bindings}}).encode(), 10)  # fmt: skip
    answer = list(ox.Store().query(f"SELECT ?a ?b WHERE {rows}"))
    values = [(s["a"], s["b"]) for s in answer]
    assert values[0] == (ox.NamedNode("http://e/x"), ox.Literal('q"uote\\u0041\n\\'))
    assert values[1][1] == ox.Literal("Bayern", language="de")
    assert values[2][1] == ox.Literal("5", datatype=ox.NamedNode(XSD_INTEGER))
    # A remote blank node is one skolem IRI throughout its answer, and a new one in the next answer.
    assert values[1][0] == values[2][0] and values[1][0].value.startswith(federation.GENID)
    again = federation.inline_rows("http://r/", json.dumps({"head": {"vars": ["a"]},
        "results": {"bindings": [bindings[1]]}}).encode(), 10)  # fmt: skip
    assert values[1][0].value not in again
    assert values[3] == (None, ox.Literal("ohne a"))


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"<sparql/>", "not SPARQL 1.1 JSON results"),
        (b'{"head": {"vars": ["a b"]}, "results": {"bindings": []}}', "the variable 'a b'"),
        (b'{"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "uri", "value": "x y"}}]}}',
         "the IRI 'x y'"),
        (b'{"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "triple", "value": ""}}]}}',
         "a term of type 'triple'"),
        (b'{"head": {"vars": ["a"]}, "results": {"bindings": [{}, {}, {}, {}]}}', "more than 3 rows"),
    ],
)  # fmt: skip
def test_answers_that_cannot_be_joined_are_502(answer: bytes, reason: str) -> None:
    with pytest.raises(federation.RemoteFailed) as failure:
        federation.inline_rows("http://r/", answer, 3)
    assert failure.value.status == 502
    assert (
        failure.value.message.startswith("SERVICE <http://r/> failed: ") and reason in failure.value.message
    )


def test_an_answer_nested_too_deep_is_502() -> None:
    sys.setrecursionlimit(1000)  # the web process's (the fixture raised it as a worker does; it restores it)
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = b'{"head": {"vars": ["a"]}, "results": {"bindings": [{"a": ' + deep + b"}]}}"
    with pytest.raises(federation.RemoteFailed) as failure:
        federation.inline_rows("http://r/", answer, 3)
    assert failure.value.status == 502 and "not SPARQL 1.1 JSON results" in failure.value.message


def test_no_rows_and_empty_rows() -> None:
    store = ox.Store()
    none = federation.inline_rows(
        "http://r/", json.dumps({"head": {"vars": ["a"]}, "results": {"bindings": []}}).encode(), 3
    )
    assert list(store.query(f"SELECT * WHERE {none}")) == []
    two = federation.inline_rows(
        "http://r/", json.dumps({"head": {"vars": []}, "results": {"bindings": [{}, {}]}}).encode(), 3
    )
    assert len(list(store.query(f"SELECT * WHERE {two}"))) == 2


def test_the_remote_gets_the_pattern_with_prologue_base_and_row_limit(remote: Callable) -> None:
    seen = []
    url = remote(
        lambda path, query: (
            seen.append(query) or results(["x"], [{"x": {"type": "uri", "value": "http://e/1"}}])
        )
    )
    text = f"PREFIX ex: <http://e/>\nSELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ex:p <rel> }} }}"
    rewritten = federation.resolve(text, frozenset({url}), LIMITS, "http://our/sparql")
    assert "SERVICE" not in rewritten and "<http://e/1>" in rewritten
    [sent] = seen
    assert urllib.parse.unquote_plus(sent) == (
        "BASE <http://our/sparql>\nPREFIX ex: <http://e/>\nSELECT * WHERE { ?x ex:p <rel> }\nLIMIT 4"
    )


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ((500, {"Content-Type": "text/plain"}, b"Internal\n error"),
         "it answered HTTP 500 Internal Server Error: Internal error"),
        ((200, {"Content-Type": "text/html"}, b"<html/>"),
         "it answered with text/html, not application/sparql-results+json"),
        ((200, {"Content-Type": "application/json"}, b"x" * 3000), "larger than the limit of 2000 bytes"),
        ((302, {"Location": "/sparql"}, b""), "more than 3 redirects"),
        ((307, {"Location": "https://127.0.0.1/sparql"}, b""), "only redirects on the same host and port"),
    ],
)  # fmt: skip
def test_remote_failures_are_502_naming_the_endpoint(remote: Callable, reply: Reply, reason: str) -> None:
    url = remote(lambda path, query: reply)
    with pytest.raises(federation.RemoteFailed) as failure:
        federation.fetch(url, "ASK {}", LIMITS)
    assert failure.value.status == 502 and failure.value.message.startswith(f"SERVICE <{url}> failed: ")
    assert reason in failure.value.message


@pytest.mark.parametrize("kind", ["silent", "trickling"])
def test_a_slow_remote_is_cut_at_the_call_deadline(remote: Callable, kind: str) -> None:
    def silent(path: str, query: str) -> Reply:
        time.sleep(LIMITS.service_timeout + 1)
        return results([], [])

    def trickling(path: str, query: str) -> Reply:  # every wait is short, all of them together are not
        return 200, {"Content-Type": "application/json"}, [b" "] * 20

    url = remote(silent if kind == "silent" else trickling)
    started = time.monotonic()
    with pytest.raises(federation.RemoteFailed) as failure:
        federation.fetch(url, "ASK {}", LIMITS)
    assert failure.value.status == 504 and "no answer within 2 s" in failure.value.message
    assert time.monotonic() - started < LIMITS.service_timeout + 0.5


@pytest.mark.parametrize(
    "url", ["ftp://a/sparql", "http:///sparql", "https://a/sparql#x", "http://a/ b", "sparql"]
)
def test_allowlist_entries_must_be_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match="http\\(s\\) URL"):
        federation.endpoint_url(url)


def test_config_file_errors_name_the_file(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text('allow_service = ["https://query.wikidata.org/sparql"]\nservice_timout = 5\n')
    with pytest.raises(ValueError, match="unknown setting 'service_timout'"):
        read_serve_config(config)
    config.write_text('allow_service = "https://query.wikidata.org/sparql"\n')
    with pytest.raises(ValueError, match="allow_service has the wrong type"):
        read_serve_config(config)
    example = Path(__file__).parents[2] / "server" / "federation.example.toml"
    assert read_serve_config(example)["allow_service"] == [
        "https://query.wikidata.org/sparql",
        "https://www.govdata.de/sparql",
    ]
