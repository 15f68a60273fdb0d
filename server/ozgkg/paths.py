"""Where the knowledge files live: inside the installed wheel, or in the repository checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGED_DATA = _PACKAGE_DIR / "data"
_REPOSITORY_ROOT = _PACKAGE_DIR.parent.parent


def data_root() -> Path:
    """The folder holding `ontology/`, `graph/` and `shapes/`.

    A wheel carries them under `ozgkg/data/`; an editable install or a checkout reads them
    from the repository root, so that edits to the data take effect without reinstalling.
    """
    if (_PACKAGED_DATA / "graph").is_dir():
        return _PACKAGED_DATA
    return _REPOSITORY_ROOT


def ontology_dir() -> Path:
    return data_root() / "ontology"


def graph_dir() -> Path:
    return data_root() / "graph"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    """Competency questions, one SPARQL file each."""
    return graph_dir() / "queries"
