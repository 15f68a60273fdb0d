"""The SHACL report kept between starts (`validate.validated_report`): read back for exactly the files
and shapes it was made for, made again when either changes, never kept for a graph that does not conform.

The files here are the ontology and one of the shapes' small examples (without the entailed facts), so
that pyshacl is quick; what is counted is whether pyshacl ran (`validate` called), not how long it took.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import ozgkg.knowledge.load
import ozgkg.knowledge.validate
from ozgkg.knowledge.load import KnowledgeFile, knowledge_files, load
from ozgkg.knowledge.validate import ValidationResult, report_key, shape_files, validated_report
from ozgkg.namespaces import ONTOLOGY_GRAPH, PREFIXES

PROLOGUE = "".join(f"@prefix {prefix}: <{iri}> .\n" for prefix, iri in PREFIXES.items())
# The shapes' own examples (see test_shapes.py): the context every example needs (valid on its own),
# and with it a provider without a German label (invalid, a Violation of GermanLabelShape).
EXAMPLES = Path(__file__).parent / "shapes"
CONTEXT = (EXAMPLES / "_context.trig").read_text(encoding="utf-8")
VALID = CONTEXT
INVALID = CONTEXT + (EXAMPLES / "GermanLabelShape" / "invalid-missing.trig").read_text(encoding="utf-8")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("OZGKG_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs of pyshacl (`validate`) that `validated_report` makes."""
    calls: list[int] = []
    real = ozgkg.knowledge.validate.validate

    def counted(*args: object, **kwargs: object) -> ValidationResult:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ozgkg.knowledge.validate, "validate", counted)
    return calls


def graph_file(directory: Path, text: str) -> list[KnowledgeFile]:
    path = directory / "graph.trig"
    path.write_text(PROLOGUE + text, encoding="utf-8")
    ontology = [file for file in knowledge_files() if file.graph == str(ONTOLOGY_GRAPH)]
    return [*ontology, KnowledgeFile(path)]


def report(files: list[KnowledgeFile]) -> tuple[ValidationResult, bool]:
    return validated_report(load(files, infer=False), files)


def test_an_unchanged_graph_reads_the_kept_report(
    tmp_path: Path, cache: Path, validations: list[int]
) -> None:
    files = graph_file(tmp_path, VALID)
    made, kept = report(files)
    assert (made.conforms, kept, len(validations)) == (True, False, 1)
    assert len(list(cache.glob("validation-*.json"))) == 1
    again, kept = report(files)
    assert (kept, len(validations)) == (True, 1)
    assert again.conforms and again.findings == made.findings
    assert len(again.report_graph) == len(made.report_graph) > 0  # /validation serves it in RDF too
    assert again.render() == made.render()


def test_a_changed_file_is_validated_again(tmp_path: Path, cache: Path, validations: list[int]) -> None:
    files = graph_file(tmp_path, VALID)
    report(files)
    graph_file(tmp_path, VALID.replace('"Beispieldokument"@de', '"Ein Beispieldokument"@de'))
    assert report(files)[1] is False
    assert len(validations) == 2


def test_a_changed_shape_is_validated_again(
    tmp_path: Path, cache: Path, validations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    copies = [Path(shutil.copy(path, shapes)) for path in shape_files()]
    monkeypatch.setattr(ozgkg.knowledge.validate, "shape_files", lambda: copies)
    files = graph_file(tmp_path, VALID)
    report(files)
    assert report(files)[1] is True
    with copies[0].open("a", encoding="utf-8") as shape:
        shape.write("\n# a changed shape file\n")
    assert report(files)[1] is False
    assert len(validations) == 2


def test_another_package_version_is_validated_again(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = graph_file(tmp_path, VALID)
    before = report_key(files)
    monkeypatch.setattr(ozgkg.knowledge.load, "__version__", "0.0.0-other")
    assert report_key(files) != before


def test_a_graph_that_does_not_conform_is_never_kept(
    tmp_path: Path, cache: Path, validations: list[int]
) -> None:
    files = graph_file(tmp_path, INVALID)
    first, _ = report(files)
    assert not first.conforms and first.violations
    assert not list(cache.glob("validation-*.json"))
    second, kept = report(files)
    assert (second.conforms, kept, len(validations)) == (False, False, 2)


def test_a_kept_report_that_does_not_conform_is_not_trusted(
    tmp_path: Path, cache: Path, validations: list[int]
) -> None:
    """A report in the cache that says `conforms: false` (or holds a violation) is validated again:
    only pyshacl's own verdict on these files lets the graph be served."""
    files = graph_file(tmp_path, INVALID)
    kept_file = ozgkg.knowledge.validate.report_path(report_key(files))
    for record in (
        {"conforms": False, "findings": [], "report": ""},
        {
            "conforms": True,
            "findings": [
                {
                    "severity": "Violation",
                    "focus": "urn:x",
                    "focus_label": None,
                    "path": None,
                    "message": "m",
                    "value": None,
                    "shape": None,
                    "files": [],
                }
            ],
            "report": "",
        },
        "not a report",
    ):
        kept_file.parent.mkdir(parents=True, exist_ok=True)
        kept_file.write_text(json.dumps(record), encoding="utf-8")
        result, kept = report(files)
        assert (result.conforms, kept) == (False, False)
    assert len(validations) == 3
