"""`python -m bench`: run the benchmark and write results/, the plots and the report tables.

bash server/dev.sh bench [--scales 1e4,1e5,1e6] [--quick] [--servers ...] [--stores oxigraph,...]
                         [--report-only]
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from . import data, report
from .answers import compare
from .measure import HttpClient, Settings, measure
from .queries import mix
from .servers import OxigraphServer, OzgKg, RdflibEndpoint, RssSampler, Server, Virtuoso

RESULTS = Path(__file__).parent / "results"
HTTP_PEERS = {"oxigraph-server": OxigraphServer, "virtuoso": Virtuoso, "rdflib-endpoint": RdflibEndpoint}
IN_PROCESS = ("pyoxigraph", "rdflib")
ALL = ("ozg-kg", *HTTP_PEERS, *IN_PROCESS)
# rdflib holds the graph as Python objects: about 1.8 KiB and 30-50 microseconds per quad (at 10^6),
# so by default they are not run past 10^6.
RDFLIB_BASED = {"rdflib-endpoint", "rdflib"}


def _scale(text: str) -> int:
    return int(float(text))  # 1e6 as well as 1000000


def _scales(text: str) -> list[int]:
    return [_scale(s) for s in text.split(",") if s]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bash server/dev.sh bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=_scales, help="total quads per run, e.g. 1e4,1e5,1e6 (default)")
    parser.add_argument("--quick", action="store_true", help="few repetitions, short budgets, 1e4 and 1e5")
    parser.add_argument("--servers", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    parser.add_argument(
        "--stores",
        default="oxigraph",
        help="ozg-kg serve --store values to run our endpoint on, comma-separated",
    )
    parser.add_argument("--queries", help="comma-separated query name prefixes (default: the whole mix)")
    parser.add_argument(
        "--repetitions", type=int, help="timed answers per query and concurrency (default 30)"
    )
    parser.add_argument("--budget", type=float, help="seconds per query and concurrency (default 2)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="query deadline of the servers and client"
    )
    parser.add_argument(
        "--validate-up-to",
        type=_scale,
        default=100_000,
        help="measure start-up validation up to this scale",
    )
    parser.add_argument(
        "--rdflib-up-to", type=_scale, default=1_000_000, help="run rdflib-based servers up to this scale"
    )
    parser.add_argument("--profile", type=_scale, help="py-spy profile of our endpoint at this scale")
    parser.add_argument(
        "--startup",
        type=int,
        metavar="RUNS",
        help="also time RUNS cold and RUNS warm starts of `ozg-kg serve` on the shipped graph",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ozgkg-bench")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--fresh", action="store_true", help="drop earlier results instead of merging per scale and server"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="run nothing: write the tables and plots of results.json"
    )
    args = parser.parse_args(argv)
    args.scales = args.scales or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    args.repetitions = args.repetitions or (5 if args.quick else 30)
    args.budget = args.budget or (0.5 if args.quick else 2.0)
    args.servers = [s for s in args.servers.split(",") if s]
    if unknown := set(args.servers) - set(ALL):
        parser.error(f"unknown servers: {', '.join(sorted(unknown))}")
    args.stores = [s for s in args.stores.split(",") if s]
    args.queries = args.queries.split(",") if args.queries else None
    return args


def run_http(
    server: Server, dataset: data.Dataset, args: argparse.Namespace
) -> tuple[dict, dict[str, Counter]]:
    print(f"  {server.name}: loading {dataset.quads} quads", flush=True)
    try:
        record = {"server": server.name, **server.start(dataset)}
        client = HttpClient(server.endpoint, timeout=args.timeout + 5)
        settings = Settings(args.repetitions, args.budget)
        records, answers = [], {}
        for query in mix(args.queries):
            result, answer = measure(client.ask, query, settings)
            records.append(result)
            if answer is not None:
                answers[query.name] = answer
        record["queries"] = records
        record["rss_after_queries"] = server.memory_now()
    finally:
        record_peak = server.stop()
    record["peak_rss"] = record_peak
    return record, answers


def run_in_process(
    engine: str, dataset: data.Dataset, args: argparse.Namespace
) -> tuple[dict, dict[str, Counter]]:
    print(f"  {engine} in-process: loading {dataset.quads} quads", flush=True)
    out = args.workdir / f"{engine}-{dataset.scale}.json"
    command = [sys.executable, "-m", "bench.inprocess", engine, str(dataset.combined)]
    command += ["--repetitions", str(args.repetitions), "--budget", str(args.budget), "--out", str(out)]
    if args.queries:
        command += ["--queries", *args.queries]
    child = subprocess.Popen(command, cwd=Path(__file__).parent.parent)
    sampler = RssSampler(child.pid)
    if child.wait() != 0:
        raise RuntimeError(f"the in-process run of {engine} failed")
    result = json.loads(out.read_text())
    answers = {name: Counter(dict(rows)) for name, rows in result.pop("answers").items()}
    return {"server": engine, "ready_s": result["load_s"], **result, "peak_rss": sampler.stop()}, answers


def run_ours(store: str, dataset: data.Dataset, args: argparse.Namespace) -> tuple[dict, dict[str, Counter]]:
    record, answers = run_http(OzgKg(args.workdir, args.timeout, store), dataset, args)
    # pyshacl validates the files before any store sees them: its cost is the same on every store.
    if dataset.scale <= args.validate_up_to and store == args.stores[0]:
        record["validation_s"] = measure_validation(dataset, args, store)
    return record, answers


def measure_validation(dataset: data.Dataset, args: argparse.Namespace, store: str) -> float:
    """Seconds our start-up spends validating the generated data: start with and without, compared."""
    times = {}
    for validate_extra in (True, False):
        server = OzgKg(args.workdir, args.timeout, store, validate_extra=validate_extra)
        try:
            times[validate_extra] = server.start(dataset)["ready_s"]
        finally:
            server.stop()
    return round(times[True] - times[False], 3)


def _too_large(name: str, args: argparse.Namespace) -> tuple[str, Callable[[], tuple[dict, dict]]]:
    skipped = ({"server": name, "skipped": f"not run above {args.rdflib_up_to:.0e} quads"}, {})
    return name, lambda: skipped


def _runs(
    scale: int, dataset: data.Dataset, args: argparse.Namespace
) -> list[tuple[str, Callable[[], tuple[dict, dict[str, Counter]]]]]:
    """What to run at this scale, in order, each as a thunk that returns its record and answers."""
    runs = []
    for name in args.servers:
        if name in RDFLIB_BASED and scale > args.rdflib_up_to:
            runs.append(_too_large(name, args))
        elif name == "ozg-kg":
            for store in args.stores:
                ours = f"ozg-kg[{store}]"
                if store.startswith("memory") and scale > args.rdflib_up_to:  # rdflib's engine
                    runs.append(_too_large(ours, args))
                else:
                    runs.append((ours, functools.partial(run_ours, store, dataset, args)))
        elif name in HTTP_PEERS:
            server = HTTP_PEERS[name](args.workdir, args.timeout)
            runs.append((name, functools.partial(run_http, server, dataset, args)))
        else:
            runs.append((name, functools.partial(run_in_process, name, dataset, args)))
    return runs


def run_scale(scale: int, args: argparse.Namespace) -> list[dict]:
    dataset = data.prepare(scale, args.workdir, args.seed)
    print(f"scale {scale}: {dataset.quads} quads ({dataset.real_quads} real)", flush=True)
    runs: list[tuple[dict, dict[str, Counter]]] = []
    for name, run in _runs(scale, dataset, args):
        try:
            runs.append(run())
        except Exception as error:  # one server failing must not lose the others' figures
            print(f"  {name} failed: {error}", flush=True)
            runs.append(({"server": name, "skipped": f"failed: {error}"[:300]}, {}))
    # The reference is pyoxigraph in-process: the engine of Oxigraph's server, with no server between.
    # Without it in the run, answers are not compared.
    reference = next((a for r, a in runs if r["server"] == "pyoxigraph"), {})
    records = []
    for record, answers in runs:
        for query in record.get("queries", []):
            if query["query"] in answers and query["query"] in reference:
                query["answer"] = compare(answers[query["query"]], reference[query["query"]])
        records.append({"scale": scale, "quads": dataset.quads, **record})
    return records


def machine() -> dict:
    import psutil
    import pyoxigraph

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    os_name = next(
        (
            line.split("=", 1)[1].strip('"')
            for line in Path("/etc/os-release").read_text().splitlines()
            if line.startswith("PRETTY_NAME=")
        ),
        platform.platform(),
    )
    # Virtuoso is installed by `dev.sh bench` only; the suite's smallest run goes without it.
    virtuoso = shutil.which("virtuoso-t")
    banner = (
        subprocess.run([virtuoso, "-?"], capture_output=True, text=True, check=False) if virtuoso else None
    )
    return {
        "cpu": cpu,
        "cores": psutil.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": os_name,
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "virtuoso": next(
            (line for line in (banner.stdout + banner.stderr).splitlines() if "Version" in line), "?"
        )
        if banner
        else "not installed",
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.results.mkdir(parents=True, exist_ok=True)
    results_file = args.results / "results.json"
    earlier = {} if args.fresh or not results_file.exists() else json.loads(results_file.read_text())
    if args.report_only:
        report.write(earlier, args.results)
        return 0
    command = " ".join(["bash server/dev.sh bench", *(argv if argv is not None else sys.argv[1:])])
    begin = time.time()
    startup = earlier.get("startup")
    if args.startup:
        from .startup import measure_startup

        print(f"start-up: {args.startup} cold and {args.startup} warm starts", flush=True)
        startup = {**measure_startup(args.startup, args.workdir / "startup"), "command": command}
    runs = []
    for scale in args.scales:
        runs += [{**run, "command": command} for run in run_scale(scale, args)]
    # A server run again at a scale replaces its earlier record; the others' records stay.
    fresh = {(run["scale"], run["server"]) for run in runs}
    runs += [run for run in earlier.get("runs", []) if (run["scale"], run["server"]) not in fresh]
    if args.profile:
        from . import profile

        profile.run(
            data.prepare(args.profile, args.workdir, args.seed), args.stores[0], args.results, args.workdir
        )
    # Merged results keep the commands that produced records still in them.
    kept = {run.get("command") for run in runs}
    commands = [c for c in earlier.get("commands", []) if c["command"] in kept]
    commands.append({"command": command, "scales": args.scales, "seconds": round(time.time() - begin)})
    document = {
        "commands": commands,
        "machine": machine(),
        "runs": sorted(runs, key=lambda r: (r["scale"], r["server"])),
        **({"startup": startup} if startup else {}),
    }
    results_file.write_text(json.dumps(document, indent=1, ensure_ascii=False))
    report.write(document, args.results)
    print(f"results in {args.results}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
