"""Where the tests find the development reference: `shared/` beside the checkout, with the five
source documents (`sources/`) and the checked reference tables (`reference/`). CI and developers
have it; a public clone does not. A test that compares the graph with it skips, saying so, where it
is absent; what every run needs is in the repository (`tests/data/`)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].joinpath("shared")
SOURCES = SHARED / "sources"
REFERENCE = SHARED / "reference"
DATA = Path(__file__).parent / "data"
# The 16 Länder (names, ISO 3166-2, regional key, Wikidata item): the facts of the checked
# reference table, without its source notes; `test_reference_data` checks it still matches.
LAENDER_CSV = DATA / "laender.csv"


def require(path: Path) -> Path:
    """`path` if the development reference holds it; else the test is skipped with the reason."""
    if not path.exists():
        pytest.skip(
            f"{path.relative_to(SHARED.parent)} is not beside the checkout (a public clone has no shared/)"
        )
    return path
