"""The one SPARQL lexer of the package: the grammar's terminals (SPARQL 1.1 Query §19.8), read
the way Oxigraph's parser reads them, for the checks that must see a query as the engine will.

It is no parser: it finds the prologue, the parts of the text that are query syntax rather than an
IRI, a string, a comment or a name, and the SERVICE clauses. Oxigraph's parser is scannerless, so
a keyword needs no space around it: `1SERVICE <x> {}`, `trueSERVICE`, `SERVICEsilent` and
`SERVICE:x` (the prefixed name `:x` as endpoint) are all SERVICE clauses to it. So every
occurrence of the letters `service` in query syntax is taken as a possible keyword, whatever stands
before it; the check fails closed (a false alarm refuses a query, a miss would open a connection).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

IRIREF = re.compile(f'<((?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*)>')
PNAME = re.compile(f"({_PN_PREFIX})?:({_PN_LOCAL})?")
VAR = re.compile(f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BLANK_NODE = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
_STRING = re.compile(
    r"""'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*\""""
)
_SPACE = re.compile(r"(?:\s+|#[^\n\r]*)*")
_WORD = re.compile(r"[A-Za-z]+")
_SERVICE = re.compile("service", re.IGNORECASE)
_SILENT = re.compile("silent", re.IGNORECASE)
_ESCAPE = re.compile(_UCHAR)
_PLX_ESCAPE = re.compile(r"\\(.)")


class LexError(ValueError):
    """The text cannot be read far enough to decide; `position` is a 0-based character offset."""

    def __init__(self, message: str, position: int):
        super().__init__(message)
        self.position = position


def decode_escapes(text: str) -> str:
    """`\\uXXXX` and `\\UXXXXXXXX` replaced by their characters, as SPARQL §19.2 describes."""
    return _ESCAPE.sub(lambda m: chr(int(m[0][2:], 16)), text)


@dataclass(frozen=True)
class Prologue:
    end: int  # where the query form or update operation starts
    base: str | None
    prefixes: dict[str, str]


def resolve_iri(reference: str, base: str | None, position: int) -> str:
    """An IRI reference resolved against the base (RFC 3986); LexError when it stays relative."""
    iri = urllib.parse.urljoin(base, reference) if base else reference
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise LexError(f"the relative IRI <{reference}> has no base to resolve against", position)
    return iri


def skip_space(text: str, position: int) -> int:
    """Past white space and comments."""
    return _SPACE.match(text, position).end()


def read_prologue(text: str, base_iri: str | None = None) -> Prologue:
    """The BASE and PREFIX declarations at the start of the text, with the base and prefixes they set."""
    base, prefixes = base_iri, {}
    position = skip_space(text, 0)
    while (word := _WORD.match(text, position)) and word[0].upper() in {"BASE", "PREFIX"}:
        at = skip_space(text, word.end())
        name = None
        if word[0].upper() == "PREFIX":
            declared = PNAME.match(text, at)
            if not declared or declared[2]:
                break
            name, at = declared[1] or "", skip_space(text, declared.end())
        iri = IRIREF.match(text, at)
        if not iri:
            break
        value = resolve_iri(decode_escapes(iri[1]), base, at)
        if name is None:
            base = value
        else:
            prefixes[name] = value
        position = skip_space(text, iri.end())
    return Prologue(position, base, prefixes)


def first_keyword(text: str) -> str | None:
    """The query form or update operation the text starts with (upper case), past its prologue."""
    word = _WORD.match(text, read_prologue(text).end)
    return word[0].upper() if word else None


def syntax_spans(text: str) -> Iterator[tuple[int, int]]:
    """The parts of the text that are query syntax: everything but white space, comments, IRIs,
    strings, variables, blank node labels and the local part of prefixed names."""
    position, start = 0, 0
    length = len(text)
    while position < length:
        char = text[position]
        match = None
        if char.isspace() or char == "#":
            match = _SPACE.match(text, position)
        elif char == "<":
            match = IRIREF.match(text, position)
        elif char in "'\"":
            match = _STRING.match(text, position)
        elif char in "?$":
            match = VAR.match(text, position)
        elif char == "_":
            match = _BLANK_NODE.match(text, position)
        elif char == ":" or (char.isalpha() and (position == 0 or not _is_name_char(text[position - 1]))):
            name = PNAME.match(text, position)
            if name:  # the prefix is syntax (SERVICE:x is SERVICE <...x>), the local part a name
                colon = name.start() + len(name[1] or "")
                if colon > start:
                    yield start, colon
                position = start = name.end()
                continue
        if match and match.end() > position:
            if position > start:
                yield start, position
            position = start = match.end()
        else:
            position += 1
    if length > start:
        yield start, length


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char in "_-.\u00b7"


@dataclass(frozen=True)
class ServiceClause:
    start: int  # at the keyword
    endpoint: str | None  # None: a variable (both readings, with SILENT or without, name this one)
    silent: bool
    body: int  # at the pattern's opening brace


def _endpoint(text: str, position: int, prologue: Prologue) -> tuple[str | None, int] | None:
    """The endpoint (VarOrIri) at `position` and where it ends, if one stands there."""
    if iri := IRIREF.match(text, position):
        return resolve_iri(decode_escapes(iri[1]), prologue.base, position), iri.end()
    if var := VAR.match(text, position):
        return None, var.end()
    # An undeclared prefix is a syntax error to the engine, which then calls nobody: no reading.
    if (name := PNAME.match(text, position)) and (name[1] or "") in prologue.prefixes:
        local = _PLX_ESCAPE.sub(r"\1", name[2] or "")
        return prologue.prefixes[name[1] or ""] + local, name.end()
    return None


def service_clauses(text: str, base_iri: str | None = None) -> list[ServiceClause]:
    """Every place where the engine may read a SERVICE clause, in text order."""
    prologue = read_prologue(text, base_iri)
    clauses = []
    for start, end in syntax_spans(text):
        for keyword in _SERVICE.finditer(text, start, end):
            # Each reading: an endpoint (VarOrIri), then the group pattern the grammar needs after
            # it; without a `{` there the engine cannot read a SERVICE clause (`service:x ?p ?o`).
            readings: list[tuple[str | None, int, bool]] = []
            after = skip_space(text, keyword.end())
            silent = _SILENT.match(text, after)
            for position, is_silent in (
                (after, False),
                (skip_space(text, silent.end()) if silent else -1, True),
            ):
                found = _endpoint(text, position, prologue) if position >= 0 else None
                if found and text.startswith("{", skip_space(text, found[1])):
                    readings.append((found[0], skip_space(text, found[1]), is_silent))
            if not readings:
                continue  # ServicePortal, Services, service:x ?p ?o: no clause
            if len({endpoint for endpoint, *_ in readings}) > 1:
                raise LexError(
                    "SERVICE SILENT is ambiguous here: write SERVICE SILENT <IRI>", keyword.start()
                )
            endpoint, body, is_silent = readings[0]
            clauses.append(ServiceClause(keyword.start(), endpoint, is_silent, body))
    return clauses


def group_end(text: str, body: int) -> int:
    """Just past the group pattern whose opening brace is at `body` (braces in syntax only)."""
    depth = 0
    for start, end in syntax_spans(text[body:]):
        for index in range(start, end):
            char = text[body + index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return body + index + 1
    raise LexError("the SERVICE pattern has no closing brace", body)


# What the engine's parser and planner fold into a tree one level deeper per occurrence: the keywords
# that join or filter group patterns, the triple separators and the path and expression operators
# (`-`, `+` and `*` are also signs, path modifiers and SELECT *: counted all the same, as the count
# only has to bound the tree's depth). Measured with pyoxigraph 0.5.13: 10,000 of any of UNION,
# OPTIONAL, FILTER, `.`, `;`, `/`, `&&` or `+` overflow its stack (a segfault); 2,500 do not.
_CHAINING = re.compile(r"UNION|OPTIONAL|MINUS|FILTER|\|\||&&|!=|<=|>=|[/|^+\-*=<>.;]", re.IGNORECASE)


def operator_count(text: str) -> int:
    """How many chaining keywords and operators stand in the query's syntax (see `_CHAINING`)."""
    return sum(len(_CHAINING.findall(text, start, end)) for start, end in syntax_spans(text))


def nesting_depth(text: str) -> int:
    """The deepest nesting of braces, parentheses and brackets in the query's syntax."""
    depth = deepest = 0
    for start, end in syntax_spans(text):
        for char in text[start:end]:
            if char in "{([":
                depth += 1
                deepest = max(deepest, depth)
            elif char in "})]":
                depth -= 1
    return deepest
