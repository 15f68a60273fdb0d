"""Fixtures for every test folder: the store backend the servers under test run on."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from endpoint.conftest import STORE_ENV, TEST_STORES, oxigraph_server, virtuoso_server
from playwright.sync_api import Playwright, sync_playwright


@pytest.fixture(scope="session")
def store_options(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """The `--store` the endpoint under test runs on, chosen by $OZGKG_TEST_STORE."""
    store = os.environ.get(STORE_ENV, "oxigraph")
    if store not in TEST_STORES:
        pytest.fail(f"${STORE_ENV} must be one of {', '.join(TEST_STORES)}, not {store!r}")
    if store == "virtuoso":
        with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
            yield ["--store", f"sparql+{url}"]
        return
    if store != "oxigraph-server":
        yield ["--store", store]
        return
    # What a killed worker left running there goes on (the runaway query test's COUNT keeps both
    # cores busy until the session ends): Oxigraph server's --timeout-s does not stop it.
    with oxigraph_server(tmp_path_factory.mktemp("remote") / "store") as url:
        yield ["--store", f"sparql+{url}"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the session: its sync API allows a single one per thread."""
    with sync_playwright() as driver:
        yield driver
