"""A bad file never costs the good data (issue 16 item 5): on both local stores with a directory,
a file that fails to parse late or holds nothing leaves the store, its data and its marker, as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from ozgkg.knowledge.load import LoadError, extra_file, files_version
from ozgkg.serve import _write_store
from ozgkg.store import open_store

from .conftest import UMLAUT_DATA, W3C_DATA


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_a_bad_extra_file_leaves_the_store_as_it_was(backend: str, tmp_path: Path) -> None:
    spec = f"{backend}:{tmp_path / 'store'}"
    good = [extra_file(UMLAUT_DATA), extra_file(W3C_DATA)]
    _write_store(spec, None, good, files_version(good), good)
    before = open_store(spec, read_only=True)
    quads, version = before.quad_count(), before.version()
    before.close()
    broken = tmp_path / "late-error.trig"
    broken.write_text(
        "GRAPH <http://g> { <http://a> <http://b> <http://c> . }\n<a> <b> .\n", encoding="utf-8"
    )
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix ex: <http://x/> .\n", encoding="utf-8")
    for bad, words in ((broken, "syntax error"), (empty, "holds no triples")):
        files = [*good, extra_file(bad)]
        with pytest.raises(LoadError, match=words):
            _write_store(spec, None, files, files_version(files), files)
        after = open_store(spec, read_only=True)
        assert (after.quad_count(), after.version()) == (quads, version)
        after.close()
