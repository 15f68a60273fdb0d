"""Run the SHACL shapes over the loaded knowledge and report the results readably."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from . import paths
from .load import LoadedKnowledge, load, read_graph
from .namespaces import SH, bind_prefixes

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
        namespace_manager = self.report_graph.namespace_manager

        def shorten(iri: str) -> str:
            try:
                return URIRef(iri).n3(namespace_manager) if iri.startswith(("http", "urn")) else iri
            except Exception:
                return iri

        order = {"Violation": 0, "Warning": 1, "Info": 2}
        body = [f.render(shorten) for f in sorted(self.findings, key=lambda f: (order[f.severity], f.focus))]
        summary = (
            f"{'conforms' if self.conforms else 'does NOT conform'}: "
            f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        )
        return "\n\n".join([*body, summary])


def _pick_language(literals: list[Literal], language: str) -> str:
    for wanted in (language, "en", None):
        for literal in literals:
            if literal.language == wanted:
                return str(literal)
    return str(literals[0]) if literals else ""


def _label(dataset: Dataset, node: URIRef, language: str) -> str | None:
    labels = [
        o for p in (SKOS.prefLabel, RDFS.label) for o in dataset.objects(node, p) if isinstance(o, Literal)
    ]
    return _pick_language(labels, language) or None


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
                message=_pick_language(messages, language) or "(no message)",
                value=str(value) if value is not None else None,
                shape=str(report.value(result, SH.sourceShape)),
                files=tuple(files),
            )
        )
    return ValidationResult(conforms=bool(conforms), findings=findings, report_graph=report)
