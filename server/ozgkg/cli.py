"""The `ozg-kg` command: a thin layer over load, validate, query, serve and export."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ozgkg import __version__

# The commands import what they use when they run. A process that `serve` spawns (the store writer, the
# query workers) imports this module again as its main module: it must cost them nothing.
if TYPE_CHECKING:
    from ozgkg.knowledge.load import LoadedKnowledge
    from ozgkg.store import Store


def _knowledge(args: argparse.Namespace) -> tuple[LoadedKnowledge, str]:
    """The files loaded, and their version (what a persistent store records)."""
    from ozgkg.knowledge.load import extra_file, files_version, knowledge_files, load
    from ozgkg.store import split_spec

    split_spec(args.store, args.store_gsp)  # a wrong store is told before the files are read
    files = [*knowledge_files(), *(extra_file(p) for p in args.data)]
    knowledge = load(files)
    return knowledge, files_version([*files, *([knowledge.inferred] if knowledge.inferred else [])])


def _store(args: argparse.Namespace, knowledge: LoadedKnowledge, version: str) -> Store:
    """The chosen store, holding the files: loaded now, or already (a directory or remote kept them)."""
    from ozgkg.store import open_store

    store = open_store(args.store, gsp=args.store_gsp)
    store.fill(knowledge.quads, version)
    return store


def cmd_validate(args: argparse.Namespace) -> int:
    from ozgkg.knowledge.validate import validate

    knowledge, version = _knowledge(args)
    result = validate(knowledge, language=args.lang)
    print(result.render())
    if not result.conforms:
        return 1
    # Files that conform go into the store, so that a later `serve --store` finds them loaded.
    _store(args, knowledge, version).close()
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from ozgkg.sparql import query

    if args.file:
        sparql = args.file.read_text(encoding="utf-8")
    elif args.sparql:
        sparql = args.sparql
    else:
        print("ozg-kg query: give a SPARQL query or --file FILE", file=sys.stderr)
        return 2
    store = _store(args, *_knowledge(args))
    text = query.answer(store, sparql, args.format)
    # Serialisations end with their own line break (CSV with CRLF): add one only where none is.
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from ozgkg.features.generate import generate  # imported here: only this command needs it

    stats = generate(args.output, seed=args.seed, municipalities=args.municipalities, triples=args.triples)
    # The summary goes to stderr so that `--output` left out streams clean N-Quads to stdout.
    print(f"ozg-kg generate: {stats.summary()}", file=sys.stderr)
    return 0


_T = TypeVar("_T")
ALLOW_SERVICE_ENV = "OZGKG_ALLOW_SERVICE"
_CONFIG_KEYS = {"allow_service": list, "service_timeout": (int, float), "service_max_rows": int}


def read_serve_config(path: Path | None) -> dict:
    """The federation settings of a TOML file (`allow_service = [...]`, `service_timeout`,
    `service_max_rows`); an unknown key is an error, so that a misspelt one is not silently ignored."""
    if path is None:
        return {}
    with path.open("rb") as file:
        try:
            config = tomllib.load(file)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"{path}: {error}") from None
    for key, value in config.items():
        kind = _CONFIG_KEYS.get(key)
        if kind is None:
            raise ValueError(f"{path}: unknown setting {key!r}; known: {', '.join(_CONFIG_KEYS)}")
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{path}: {key} has the wrong type ({type(value).__name__})")
    return config


def _first(*values: _T | None) -> _T:
    return next(v for v in values if v is not None)


def cmd_serve(args: argparse.Namespace) -> int:
    from ozgkg.serve import CannotServe, InvalidGraph, ServeOptions, serve  # only this command needs them
    from ozgkg.sparql.federation import endpoint_url
    from ozgkg.sparql.safety import Limits
    from ozgkg.store import split_spec

    config = read_serve_config(args.config)
    # The allowlist is the union of the three places; a single value comes from the command line
    # first, then the file.
    allowlist = frozenset(
        endpoint_url(str(url))
        for url in (
            *args.allow_service,
            *config.get("allow_service", []),
            *os.environ.get(ALLOW_SERVICE_ENV, "").split(),
        )
    )
    defaults = Limits()
    # Unless set, a SERVICE call gets at most half the query's deadline, to fail with its own message.
    service_timeout = _first(
        args.service_timeout, config.get("service_timeout"), min(defaults.service_timeout, args.timeout / 2)
    )
    service_max_rows = _first(
        args.service_max_rows, config.get("service_max_rows"), defaults.service_max_rows
    )
    if args.timeout <= 0 or args.workers < 1 or args.result_cache < 0 or args.worker_memory < 0:
        print(
            "ozg-kg serve: --timeout must be positive, --workers at least 1, --result-cache not negative, "
            "--worker-memory not negative",
            file=sys.stderr,
        )
        return 2
    if not 0 < service_timeout < args.timeout or service_max_rows < 1:
        print(
            "ozg-kg serve: the SERVICE timeout must be positive and below --timeout, the row cap at least 1",
            file=sys.stderr,
        )
        return 2
    public_base = urllib.parse.urlsplit(args.public_base or "")
    if args.public_base is not None and (
        public_base.scheme not in {"http", "https"}
        or not public_base.netloc
        or public_base.query
        or public_base.fragment
    ):
        print("ozg-kg serve: --public-base must be an http(s) URL without query or fragment", file=sys.stderr)
        return 2
    split_spec(args.store, args.store_gsp)  # a wrong store is told before the graph is validated
    options = ServeOptions(
        host=args.host,
        port=args.port,
        store=args.store,
        store_gsp=args.store_gsp,
        data=tuple(args.data),
        validate_extra=not args.no_validate_extra,
        service_allowlist=allowlist,
        workers=args.workers,
        limits=Limits(
            timeout=args.timeout, service_timeout=float(service_timeout), service_max_rows=service_max_rows
        ),
        public_base=args.public_base.rstrip("/") if args.public_base else None,
        result_cache_bytes=int(args.result_cache * 1024 * 1024),
        worker_memory_mib=args.worker_memory or None,
    )
    try:
        serve(options)
    except CannotServe as error:
        print(f"ozg-kg serve: {error}", file=sys.stderr)
        return 1
    except InvalidGraph as error:
        print(error.result.render())
        print("ozg-kg serve: not serving an invalid graph; fix the violations above", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ozgkg.features import export  # imported here: only this command needs networkx

    store = _store(args, *_knowledge(args))
    sparql = args.query.read_text(encoding="utf-8") if args.query else None
    network = export.export_network(store, sparql, language=args.lang)
    written = export.write(export.serialise(network, args.format), args.output, sys.stdout.buffer)
    where = f" -> {', '.join(map(str, written))}" if written else ""
    print(f"ozg-kg export: {export.statistics(network)}{where}", file=sys.stderr)
    return 0


def data_file(value: str) -> Path:
    """A --data argument: an existing, readable file (told before anything is loaded)."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory; give the RDF files in it one by one")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"{value} cannot be read (permission denied)")
    return path


def build_parser() -> argparse.ArgumentParser:
    from ozgkg.sparql import query
    from ozgkg.sparql.executor import DEFAULT_WORKER_MEMORY_MIB
    from ozgkg.sparql.result_cache import DEFAULT_BYTES
    from ozgkg.store import SPECS

    parser = argparse.ArgumentParser(prog="ozg-kg", description=__doc__)
    parser.add_argument("--version", action="version", version=f"ozg-kg {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    def with_data(command: argparse.ArgumentParser) -> argparse.ArgumentParser:
        command.add_argument(
            "--data",
            action="append",
            type=data_file,
            default=[],
            metavar="FILE",
            help="further RDF file to load beside the graph, in a named graph of its own (repeatable)",
        )
        command.add_argument(
            "--store",
            default="oxigraph",
            metavar="STORE",
            help=f"where the graph is held and queried: {SPECS} (default: oxigraph, in memory; "
            "with a DIRECTORY it is kept there and not loaded again while the files are unchanged)",
        )
        command.add_argument(
            "--store-gsp",
            metavar="URL",
            help="a remote store's Graph Store Protocol URL, to which the graph is written "
            "(default: `store` beside the query endpoint's path, as Oxigraph server has it)",
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

    generate_cmd = commands.add_parser(
        "generate", help="write synthetic test data (N-Quads) that extends the graph, for benchmarks"
    )
    generate_cmd.add_argument("--municipalities", type=int, metavar="N", help="number of municipalities")
    generate_cmd.add_argument("--triples", type=int, metavar="T", help="approximate number of quads to write")
    generate_cmd.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate_cmd.add_argument("--output", type=Path, metavar="PATH", help="N-Quads file (default: stdout)")
    generate_cmd.set_defaults(run=cmd_generate)

    serve_cmd = with_data(
        commands.add_parser("serve", help="serve the graph as a read-only SPARQL 1.1 endpoint (gunicorn)")
    )
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve_cmd.add_argument(
        "--no-validate-extra", action="store_true", help="serve --data files without validating them"
    )
    serve_cmd.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="URL",
        help="allow SERVICE to this endpoint IRI (repeatable; also the config file's allow_service and "
        f"the space-separated ${ALLOW_SERVICE_ENV}; by default SERVICE is refused)",
    )
    serve_cmd.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="TOML file with allow_service = [URL, ...], service_timeout and service_max_rows "
        "(example: server/federation.example.toml)",
    )
    serve_cmd.add_argument(
        "--service-timeout",
        type=float,
        metavar="SECONDS",
        help="deadline of one SERVICE call, below --timeout (default 10)",
    )
    serve_cmd.add_argument(
        "--service-max-rows",
        type=int,
        metavar="N",
        help="most rows one SERVICE call may return; more is an error (default 10000)",
    )
    serve_cmd.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="query deadline (default 30)"
    )
    serve_cmd.add_argument(
        "--workers", type=int, default=2, metavar="N", help="query evaluation processes (default 2)"
    )
    serve_cmd.add_argument(
        "--worker-memory",
        type=int,
        default=DEFAULT_WORKER_MEMORY_MIB,
        metavar="MIB",
        help="memory (address space) one query may take in a query worker beyond what the open store "
        "needs; a query that needs more is stopped with 422 "
        f"(default {DEFAULT_WORKER_MEMORY_MIB}; 0: no limit)",
    )
    serve_cmd.add_argument(
        "--result-cache",
        type=float,
        default=DEFAULT_BYTES / 1024 / 1024,
        metavar="MIB",
        help="memory for repeated queries' answers, kept while the graph is served "
        f"(default {DEFAULT_BYTES // 1024 // 1024}; 0 evaluates every query)",
    )
    serve_cmd.add_argument(
        "--public-base",
        metavar="URL",
        help="URL the server is reached at from outside, for the links of the entity pages "
        "(default: the host each request names)",
    )
    serve_cmd.set_defaults(run=cmd_serve)

    export_cmd = with_data(
        commands.add_parser("export", help="write the graph, or a CONSTRUCT query's result, for graph tools")
    )
    export_cmd.add_argument("--format", required=True, choices=["graphml", "gexf", "dot", "cytoscape", "csv"])
    export_cmd.add_argument("--query", type=Path, metavar="FILE", help="CONSTRUCT or DESCRIBE query (.rq)")
    export_cmd.add_argument("--output", type=Path, metavar="PATH", help="file (csv: folder); default stdout")
    export_cmd.add_argument("--lang", default="de", choices=["de", "en"], help="language of the node labels")
    export_cmd.set_defaults(run=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ozgkg.knowledge.load import LoadError
    from ozgkg.store import QueryError, StoreUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except LoadError as error:
        print(f"ozg-kg: cannot load {error}", file=sys.stderr)
        return 2
    except QueryError as error:
        print(f"ozg-kg: {error}", file=sys.stderr)
        return 2
    except StoreUnavailable as error:
        print(f"ozg-kg: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"ozg-kg: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
