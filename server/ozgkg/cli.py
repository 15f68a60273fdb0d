"""The `ozg-kg` command: a thin layer over load, validate, query, serve and export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, query
from .load import LoadedKnowledge, LoadError, extra_file, knowledge_files, load
from .store import QueryError, Store, open_store
from .validate import validate


def _knowledge(extra: list[Path]) -> LoadedKnowledge:
    return load([*knowledge_files(), *(extra_file(p) for p in extra)])


def _store(knowledge: LoadedKnowledge, spec: str) -> Store:
    store = open_store(spec)
    store.add_quads(knowledge.quads)
    return store


def cmd_validate(args: argparse.Namespace) -> int:
    knowledge = _knowledge(args.data)
    result = validate(knowledge, language=args.lang)
    print(result.render())
    return 0 if result.conforms else 1


def cmd_query(args: argparse.Namespace) -> int:
    if args.file:
        sparql = args.file.read_text(encoding="utf-8")
    elif args.sparql:
        sparql = args.sparql
    else:
        print("ozg-kg query: give a SPARQL query or --file FILE", file=sys.stderr)
        return 2
    store = _store(_knowledge(args.data), args.store)
    print(query.answer(store, sparql, args.format))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ozg-kg", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ozg-kg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument(
            "--data",
            action="append",
            type=Path,
            default=[],
            metavar="FILE",
            help="further RDF file to load beside the graph, in a named graph of its own (repeatable)",
        )
        command.add_argument(
            "--store", default="oxigraph", help="store backend (default: oxigraph in memory)"
        )
        return command

    validate_cmd = with_data(commands.add_parser("validate", help="check the graph against the SHACL shapes"))
    validate_cmd.add_argument("--lang", default="en", choices=["en", "de"], help="language of the messages")
    validate_cmd.set_defaults(run=cmd_validate)

    query_cmd = with_data(commands.add_parser("query", help="run a SPARQL query on the graph"))
    query_cmd.add_argument("sparql", nargs="?", help="the query text")
    query_cmd.add_argument("--file", type=Path, help="read the query from this file")
    query_cmd.add_argument("--format", default="table", choices=query.OUTPUT_FORMATS)
    query_cmd.set_defaults(run=cmd_query)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except LoadError as error:
        print(f"ozg-kg: cannot load {error}", file=sys.stderr)
        return 2
    except QueryError as error:
        print(f"ozg-kg: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"ozg-kg: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
