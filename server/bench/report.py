"""Tables (CSV, Markdown), the target checks and the plots, from the results document."""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from pathlib import Path

MIB = 2**20
BASELINE = "oxigraph-server"
SLOWEST = "rdflib-endpoint"
VIRTUOSO = "virtuoso"  # the fastest on aggregates
OURS = "ozg-kg[oxigraph]"  # the default store, with the result cache off
WARM = "ozg-kg[oxigraph+cache]"  # the same with its result cache: repetitions are answered from it
BESIDE = [
    ("ozg-kg[oxigraph-server]", "ours on a remote Oxigraph"),
    ("ozg-kg[memory]", "ours on memory"),
    (VIRTUOSO, "Virtuoso"),
    (SLOWEST, "rdflib-endpoint"),
]
# Outcomes of `answers.compare` that are the same rows, and how the report counts them.
EQUIVALENT = {
    "same": "identical",
    "same set": "the same rows, some more often (a triple in several named graphs: once in a union"
    " default graph that is a set, once per graph in one that is not)",
    "same up to GROUP_CONCAT order": "the same up to GROUP_CONCAT's order",
}


def _ours(server: str) -> bool:
    return server.startswith("ozg-kg")


def _phase(query: dict, concurrency: int) -> dict:
    return next((p for p in query.get("phases", []) if p["concurrency"] == concurrency), {})


def _p50(query: dict | None, concurrency: int = 1) -> float | None:
    return _phase(query, concurrency).get("p50_ms") if query else None


def _qps(query: dict | None) -> float | None:
    return _phase(query, 8).get("throughput_qps") if query else None


def _geomean(values: list[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def _fmt(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}" if value < 100 else f"{value:.0f}"


def _by_scale(runs: list[dict]) -> dict[int, dict[str, dict]]:
    scales: dict[int, dict[str, dict]] = defaultdict(dict)
    for run in runs:
        scales[run["scale"]][run["server"]] = run
    return dict(sorted(scales.items()))


def _queries(run: dict | None) -> dict[str, dict]:
    return {q["query"]: q for q in (run or {}).get("queries", [])}


def write_csv(runs: list[dict], folder: Path) -> None:
    with (folder / "servers.csv").open("w", newline="") as out:
        fields = [
            "scale",
            "quads",
            "server",
            "ready_s",
            "load_s",
            "validation_s",
            "load_peak_rss",
            "peak_rss",
            "disk_bytes",
            "skipped",
        ]
        writer = csv.DictWriter(out, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(runs)
    with (folder / "latency.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        stats = ["n", "errors", "p50_ms", "p95_ms", "p99_ms", "throughput_qps"]
        writer.writerow(
            ["scale", "quads", "server", "query", "class", "cold_ms", "rows", "answer", "error"]
            + [f"c{c}_{s}" for c in (1, 8) for s in stats]
        )
        for run in runs:
            for q in run.get("queries", []):
                row = [run["scale"], run["quads"], run["server"], q["query"], q["class"], q["cold_ms"]]
                row += [q.get("rows"), q.get("answer", ""), q.get("error", "")]
                row += [_phase(q, c).get(s) for c in (1, 8) for s in stats]
                writer.writerow(row)


def targets(scale_runs: dict[str, dict]) -> dict[str, dict]:
    """Per ozg-kg store: the geometric mean and worst of the p50 ratios to Oxigraph's server, and the
    lowest ratio of throughput at concurrency 8 to rdflib-endpoint's (the expensive query left out)."""
    base, slow = _queries(scale_runs.get(BASELINE)), _queries(scale_runs.get(SLOWEST))
    fastest_on_aggregates = _queries(scale_runs.get(VIRTUOSO))
    checks = {}
    for server, run in scale_runs.items():
        if not _ours(server):
            continue
        ratios, throughput = {}, {}
        for name, q in _queries(run).items():
            ours, theirs = _p50(q), _p50(base.get(name))
            if ours and theirs:
                ratios[name] = ours / theirs
            if _qps(q) and _qps(slow.get(name)):
                throughput[name] = _qps(q) / _qps(slow[name])
        worst = max(ratios, key=ratios.get) if ratios else None
        lowest = min(throughput, key=throughput.get) if throughput else None
        checks[server] = {
            "geomean_ratio": _geomean(list(ratios.values())),
            "worst": (worst, ratios[worst]) if worst else None,
            "over_3x": sorted(n for n, r in ratios.items() if r > 3),
            "lowest_throughput_ratio": (lowest, throughput[lowest]) if lowest else None,
            "below_5x": sorted(n for n, r in throughput.items() if r < 5),
            "aggregates_to_virtuoso": {
                n: _p50(q) / _p50(fastest_on_aggregates[n])
                for n, q in _queries(run).items()
                if q["class"] == "aggregate" and _p50(q) and _p50(fastest_on_aggregates.get(n))
            },
        }
    return checks


def _cell(query: dict | None, statistic: str = "p50_ms") -> str:
    """A latency at concurrency 1; the expensive query's single answer; the time a failure took;
    '–' if not run."""
    if not query:
        return "–"
    if query.get("error"):
        return f"{_fmt(query['cold_ms'])} (failed)"
    if query["class"] == "expensive":
        return _fmt(query["cold_ms"])
    return _fmt(_phase(query, 1).get(statistic))


def _ratio(a: float | None, b: float | None, digits: int = 2) -> str:
    return _fmt(a / b, digits) if a and b else "–"


def beside(scale_runs: dict[str, dict]) -> list[str]:
    """One row per query: our default endpoint (cold, p50/p95/p99, warm from the result cache) beside
    Oxigraph's server, our other stores and the peers, with the ratios the targets are about."""
    ours = _queries(scale_runs.get(OURS))
    if not ours:
        return []
    base, warm, slow = (_queries(scale_runs.get(s)) for s in (BASELINE, WARM, SLOWEST))
    others = [(label, _queries(scale_runs.get(s))) for s, label in BESIDE if _queries(scale_runs.get(s))]
    header = ["query", "ours cold", "ours p50", "p95", "p99", "Oxigraph server p50", "**ours / Oxigraph**"]
    header += ["ours warm p50", "**warm / Oxigraph**"] if warm else []
    header += [f"{label} p50" for label, _ in others] + ["ours qps at 8"]
    header += ["rdflib-endpoint qps at 8", "**ours / rdflib-endpoint**"] if slow else []
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for name, q in ours.items():
        row = [name, _fmt(q["cold_ms"]), _cell(q), _cell(q, "p95_ms"), _cell(q, "p99_ms")]
        row += [_cell(base.get(name)), _ratio(_p50(q), _p50(base.get(name)))]
        if warm:
            row += [_cell(warm.get(name)), _ratio(_p50(warm.get(name)), _p50(base.get(name)))]
        row += [_cell(queries.get(name)) for _, queries in others]
        row.append(_fmt(_qps(q), 1))
        if slow:
            row += [_fmt(_qps(slow.get(name)), 1), _ratio(_qps(q), _qps(slow.get(name)), 1)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def markdown(document: dict) -> str:
    runs = document["runs"]
    lines = [f"Command: `{c['command']}` ({c['seconds']} s)" for c in document["commands"]] + [""]
    m = document["machine"]
    lines += [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB, {m['os']}; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, {m['virtuoso']}",
        "",
    ]
    lines += [
        "### Loading and memory",
        "",
        "| quads | server | ready s | load s | validation s | peak RSS at load MiB | peak RSS MiB "
        "| disk MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        if run.get("skipped"):
            reason = " ".join(run["skipped"].split())[:160].replace("|", "/")  # one table cell
            lines.append(f"| {run['quads']} | {run['server']} | {reason} | | | | | |")
            continue
        mib = {k: run[k] / MIB if run.get(k) else None for k in ("load_peak_rss", "peak_rss", "disk_bytes")}
        lines.append(
            f"| {run['quads']} | {run['server']} | {_fmt(run.get('ready_s'))} | {_fmt(run.get('load_s'))} | "
            f"{_fmt(run.get('validation_s'))} | {_fmt(mib['load_peak_rss'], 0)} | "
            f"{_fmt(mib['peak_rss'], 0)} | {_fmt(mib['disk_bytes'], 1)} |"
        )
    for _scale, scale_runs in _by_scale(runs).items():
        servers = [s for s, r in scale_runs.items() if r.get("queries")]
        servers.sort(key=lambda s: (not _ours(s), s != BASELINE, s))
        ours = [s for s in servers if _ours(s)]
        quads = next(iter(scale_runs.values()))["quads"]
        if table_beside := beside(scale_runs):
            lines += ["", f"### {quads} quads: ours beside the others (ms; queries/s at concurrency 8)", ""]
            lines += table_beside
        lines += ["", f"### {quads} quads: p50 latency (ms) at concurrency 1", ""]
        lines.append(
            "| query | class | "
            + " | ".join(f"{s} cold | {s}" if _ours(s) else s for s in servers)
            + "".join(f" | {s} / {BASELINE}" for s in ours)
            + " |"
        )
        lines.append("|---|---|" + "---:|" * (len(servers) + 2 * len(ours)))
        table = {s: _queries(scale_runs[s]) for s in servers}
        names = list(table[servers[0]]) if servers else []
        for name in names:
            cells = []
            for s in servers:
                q = table[s].get(name)
                cells += [_fmt(q["cold_ms"]) if q else "–", _cell(q)] if _ours(s) else [_cell(q)]
            for s in ours:
                cells.append(_ratio(_p50(table[s].get(name)), _p50(table.get(BASELINE, {}).get(name))))
            lines.append(f"| {name} | {table[servers[0]][name]['class']} | " + " | ".join(cells) + " |")
        lines += ["", f"### {quads} quads: throughput (queries/s) at concurrency 8", ""]
        http = [s for s in servers if s in scale_runs and any(_phase(q, 8) for q in table[s].values())]
        lines.append("| query | " + " | ".join(http) + "".join(f" | {s} / {SLOWEST}" for s in ours) + " |")
        lines.append("|---|" + "---:|" * (len(http) + len(ours)))
        for name in names:
            cells = [_fmt(_qps(table[s].get(name)), 1) for s in http]
            for s in ours:
                cells.append(_ratio(_qps(table[s].get(name)), _qps(table.get(SLOWEST, {}).get(name)), 1))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        outcomes = Counter(
            q["answer"] if q["answer"] in EQUIVALENT else "differs"
            for s in servers
            for q in table[s].values()
            if "answer" in q
        )
        mismatches = [
            f"{s} {n}: {q['answer']}"
            for s in servers
            for n, q in table[s].items()
            if q.get("answer", "same") not in EQUIVALENT
        ]
        errors = [
            f"{s} {n}: {' '.join(q['error'].split())}"
            for s in servers
            for n, q in table[s].items()
            if q.get("error")
        ]
        lines += [
            "",
            "Answers compared with pyoxigraph in-process: "
            + ", ".join(f"{outcomes[o]} {EQUIVALENT[o]}" for o in EQUIVALENT if outcomes[o])
            + f"; {len(mismatches)} differ"
            + (":" if mismatches else "."),
        ]
        lines += [f"- {m}" for m in mismatches]
        lines += ["", f"Errors and timeouts: {len(errors)}" + (":" if errors else ".")]
        lines += [f"- {e}" for e in errors]
        for server, check in targets(scale_runs).items():
            worst = check["worst"]
            lowest = check["lowest_throughput_ratio"]
            lines += [
                "",
                f"Targets, {server}: p50 ratio to {BASELINE}, geometric mean {_fmt(check['geomean_ratio'])}"
                + (f", worst {worst[0]} {_fmt(worst[1])}" if worst else "")
                + f", over 3×: {', '.join(check['over_3x']) or 'none'}"
                + f"; throughput at concurrency 8 vs {SLOWEST}: "
                + (f"lowest {lowest[0]} {_fmt(lowest[1], 1)}×" if lowest else "not measured")
                + f", below 5×: {', '.join(check['below_5x']) or 'none'}"
                + f"; aggregates, p50 ratio to {VIRTUOSO}: "
                + (", ".join(f"{n} {_fmt(r)}" for n, r in check["aggregates_to_virtuoso"].items()) or "–")
                + ".",
            ]
    return "\n".join(lines) + "\n"


def plots(runs: list[dict], folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    measured = [r for r in runs if r.get("queries")]
    servers = sorted({r["server"] for r in measured})
    classes = sorted({q["class"] for r in measured for q in r["queries"] if q["class"] != "expensive"})
    columns = 4
    rows = math.ceil(len(classes) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis, kind in zip(axes.flat, classes, strict=False):
        for server in servers:
            points = []
            for run in sorted((r for r in measured if r["server"] == server), key=lambda r: r["quads"]):
                values = [_p50(q) for q in run["queries"] if q["class"] == kind and _p50(q)]
                if values:
                    points.append((run["quads"], _geomean(values)))
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=server)
        ours = [line for line in axis.get_lines() if _ours(line.get_label())]
        if ours:  # a line proportional to the quads, through our first point: "at most linear" is below it
            x, y = ours[0].get_data()
            axis.plot(x, [y[0] * q / x[0] for q in x], ls="--", color="grey", label="∝ quads")
        axis.set(title=kind, xscale="log", yscale="log", xlabel="quads", ylabel="p50 ms (geometric mean)")
    for axis in list(axes.flat)[len(classes) :]:
        axis.axis("off")
    axes.flat[0].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(folder / "latency-by-class.png", dpi=80)
    plt.close(figure)

    figure, (memory, ready) = plt.subplots(1, 2, figsize=(10, 3.8))
    for server in servers:
        # The larger of the load step's peak (Oxigraph's and Virtuoso's loaders) and the server's.
        points = sorted(
            (r["quads"], max(r["peak_rss"], r.get("load_peak_rss") or 0) / MIB, r.get("ready_s"))
            for r in measured
            if r["server"] == server
        )
        memory.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=server)
        ready.plot([p[0] for p in points], [p[2] for p in points], marker="o", label=server)
    memory.set(
        title="peak RSS of the process tree, load included",
        xscale="log",
        yscale="log",
        xlabel="quads",
        ylabel="MiB",
    )
    ready.set(
        title="from nothing to the first answer", xscale="log", yscale="log", xlabel="quads", ylabel="s"
    )
    memory.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(folder / "memory-and-load.png", dpi=80)
    plt.close(figure)


def write(document: dict, folder: Path) -> None:
    write_csv(document["runs"], folder)
    (folder / "report.md").write_text(markdown(document), encoding="utf-8")
    plots(document["runs"], folder)
