"""/metrics (issue 16 item 6): what happens shows in the counts, in Prometheus' text format."""

from __future__ import annotations

import urllib.parse

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .conftest import InProcess
from .test_hostile import RUNAWAY


@pytest.fixture(scope="module")
def server(app_server: InProcess) -> InProcess:
    return app_server


def samples(server: InProcess) -> dict[tuple[str, frozenset], float]:
    reply = server.get("/metrics")
    assert reply.status == 200 and reply.media_type == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(reply.text)
        for sample in family.samples
    }


def grew(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_requests_refusals_cache_deadlines_and_restarts_are_counted(server: InProcess) -> None:
    before = samples(server)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # metrics test"
    assert server.query(query).status == 200
    assert server.query(query).headers["x-cache"] == "hit"
    bomb = "SELECT * WHERE { " + " UNION ".join(["{}"] * 2000) + " }"
    assert server.request("POST", "/sparql", bomb, {"Content-Type": "application/sparql-query"}).status == 400
    assert server.get("/no/such/page").status == 404
    stopped = server.get("/sparql?" + urllib.parse.urlencode({"query": RUNAWAY, "timeout": "1"}))
    assert stopped.status == 503
    after = samples(server)
    assert grew(before, after, "ozgkg_http_requests_total", route="/sparql", method="GET", status="200") == 2
    assert grew(before, after, "ozgkg_http_requests_total", route="/sparql", method="POST", status="400") == 1
    assert (
        grew(before, after, "ozgkg_http_requests_total", route="unmatched", method="GET", status="404") == 1
    )
    assert grew(before, after, "ozgkg_http_request_duration_seconds_count", route="/sparql") == 4
    assert grew(before, after, "ozgkg_result_cache_lookups_total", outcome="hit") == 1
    assert grew(before, after, "ozgkg_result_cache_lookups_total", outcome="miss") >= 1
    assert grew(before, after, "ozgkg_query_refusals_total", reason="shape") == 1
    assert grew(before, after, "ozgkg_query_deadlines_total") == 1
    assert grew(before, after, "ozgkg_worker_restarts_total", cause="deadline") == 1
