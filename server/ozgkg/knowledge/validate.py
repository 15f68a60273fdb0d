"""Run the SHACL shapes over the loaded knowledge and report the results readably.

pyshacl takes seconds on the shipped graph (and half a second to import), so `serve` keeps the report
of a conforming graph in the cache directory (`inference.cache_dir()`), keyed by exactly what decides
it: the content of every validated file, the shapes, this package's, pyshacl's and rdflib's versions
(`validated_report`). A start with unchanged files reads it back instead of validating again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from ozgkg import paths
from ozgkg.knowledge import inference
from ozgkg.knowledge.load import KnowledgeFile, LoadedKnowledge, files_version, load, read_graph
from ozgkg.namespaces import SH, bind_prefixes
from ozgkg.rdf.labels import pick_label
from ozgkg.rdf.prefixes import short_name

_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def shape_files() -> list[Path]:
    return sorted(paths.shapes_dir().glob("*.ttl"))


def shapes_graph(files: list[Path] | None = None) -> Graph:
    """All shapes in one graph. Shape files are plain Turtle, read with the same loader."""
    graph = bind_prefixes(Graph())
    for path in shape_files() if files is None else files:
        graph += read_graph(path)
    return graph


@dataclass(frozen=True)
class Finding:
    """One SHACL result, with what a reader needs to find and fix it."""

    severity: str
    focus: str
    focus_label: str | None
    path: str | None
    message: str
    value: str | None
    shape: str | None
    files: tuple[str, ...]

    def render(self, shorten) -> str:
        label = f' "{self.focus_label}"' if self.focus_label else ""
        lines = [f"{self.severity}: {shorten(self.focus)}{label}"]
        if self.path:
            lines.append(f"  path:    {shorten(self.path)}")
        if self.value:
            lines.append(f"  value:   {shorten(self.value)}")
        lines.append(f"  message: {self.message}")
        if self.files:
            lines.append(f"  file:    {', '.join(self.files)}")
        return "\n".join(lines)


@dataclass
class ValidationResult:
    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    report_graph: Graph = field(default_factory=Graph)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    def render(self) -> str:
        """A plain-text report: violations first, then warnings, then a one-line summary."""
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        findings = sorted(self.findings, key=lambda f: (order[f.severity], f.focus))
        body = [f.render(short_name) for f in findings]
        summary = (
            f"{'conforms' if self.conforms else 'does NOT conform'}: "
            f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        )
        return "\n\n".join([*body, summary])


def _label(dataset: Dataset, node: URIRef, language: str) -> str | None:
    return pick_label((o for p in (SKOS.prefLabel, RDFS.label) for o in dataset.objects(node, p)), language)


def _restore_languages(messages: list[Literal], templates: list[Literal]) -> list[Literal]:
    """Give SPARQL-constraint messages back the language of the sh:message they were made from.

    pyshacl fills in the {?var} placeholders of a SPARQL constraint's messages and drops their language
    tags on the way; matching each filled-in message against its templates recovers the language.
    """
    restored = []
    for message in messages:
        if message.language is None:
            for template in templates:
                parts = re.split(r"\{[?$]\w+\}", str(template))
                pattern = ".*".join(re.escape(part) for part in parts)
                if template.language and re.fullmatch(pattern, str(message), flags=re.DOTALL):
                    message = Literal(str(message), lang=template.language)
                    break
        restored.append(message)
    return restored


def validate(
    knowledge: LoadedKnowledge | None = None,
    shapes: Graph | None = None,
    language: str = "en",
) -> ValidationResult:
    """Validate the knowledge (default: the whole knowledge base) against the shapes."""
    import pyshacl  # imported here: a start that reads a kept report never needs it

    knowledge = knowledge if knowledge is not None else load()
    dataset = knowledge.to_dataset()
    shapes = shapes if shapes is not None else shapes_graph()
    conforms, report, _ = pyshacl.validate(
        dataset,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    bind_prefixes(report)
    findings = []
    root = paths.data_root()
    for result in report.subjects(predicate=None, object=SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        templates = [m for m in shapes.objects(report.value(result, SH.sourceConstraint), SH.message)]
        messages = _restore_languages(
            [m for m in report.objects(result, SH.resultMessage) if isinstance(m, Literal)], templates
        )
        path_node = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        files = sorted(
            str(p.relative_to(root)) if p.is_relative_to(root) else str(p)
            for p in knowledge.origins.get(str(focus), ())
        )
        findings.append(
            Finding(
                severity=_SEVERITY_NAMES.get(report.value(result, SH.resultSeverity), "Violation"),
                focus=str(focus),
                focus_label=_label(dataset, focus, language) if isinstance(focus, URIRef) else None,
                path=str(path_node) if isinstance(path_node, URIRef) else None,
                message=pick_label(messages, language) or "(no message)",
                value=str(value) if value is not None else None,
                shape=str(report.value(result, SH.sourceShape)),
                files=tuple(files),
            )
        )
    return ValidationResult(conforms=bool(conforms), findings=findings, report_graph=report)


# The layout of a kept report; a change of it makes older ones unreadable, so they are validated again.
_REPORT_LAYOUT = 1


def report_key(files: list[KnowledgeFile], language: str = "en") -> str:
    """What decides the report of validating `files` against the shipped shapes: the files' names and
    content with this package's version (`files_version`), the shapes' names and content, the versions
    of pyshacl and of rdflib (whose terms it compares), the report's language and layout."""
    digest = hashlib.sha256(files_version(files).encode())
    for path in shape_files():
        digest.update(f"\x1e{path.name}\x1f".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    versions = f"pyshacl {package_version('pyshacl')}\x1frdflib {package_version('rdflib')}"
    digest.update(f"\x1e{versions}\x1f{language}\x1f{_REPORT_LAYOUT}".encode())
    return digest.hexdigest()


def report_path(key: str) -> Path:
    return inference.cache_dir() / f"validation-{key[:32]}.json"


def _kept(path: Path) -> ValidationResult | None:
    """The conforming report kept at `path`; None if there is none, it is unreadable or it does not
    conform (only conforming reports are written, but a file in the cache is not trusted for that)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        findings = [Finding(**{**f, "files": tuple(f["files"])}) for f in record["findings"]]
        report = bind_prefixes(Graph()).parse(data=record["report"], format="nt")
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):
        return None
    result = ValidationResult(conforms=record.get("conforms") is True, findings=findings, report_graph=report)
    return result if result.conforms and not result.violations else None


def validated_report(
    knowledge: LoadedKnowledge, files: list[KnowledgeFile], language: str = "en"
) -> tuple[ValidationResult, bool]:
    """The report of validating `knowledge`, the quads read from `files` (its inferred file among
    them): kept from an earlier run if one validated exactly these files, else made now and kept if
    the graph conforms. True with a kept report. A report that does not conform is never kept, so a
    graph that does not conform is validated (and refused) on every start."""
    path = report_path(report_key(files, language))
    kept = _kept(path)
    if kept is not None:
        return kept, True
    result = validate(knowledge, language=language)
    if result.conforms:
        record = {
            "conforms": True,
            "findings": [asdict(f) for f in result.findings],
            "report": result.report_graph.serialize(format="nt"),
        }
        inference.write_atomically(path, lambda file: file.write(json.dumps(record).encode("utf-8")))
    return result, False
