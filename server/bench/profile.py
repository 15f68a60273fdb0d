"""Where our endpoint's time goes: py-spy samples every process of `ozg-kg serve` (the gunicorn web
worker and the query workers) while one query is sent over and over, for a lookup and an aggregate.

py-spy sees Python frames only: time inside Oxigraph's Rust code is charged to the Python call that
entered it (`Store.query`, `serialize`). Idle threads are not sampled, so the shares are of busy time.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from .data import Dataset
from .measure import HttpClient
from .queries import mix
from .servers import OzgKg

SECONDS = 15
QUERIES = ("lookup-iri", "agg-land")
_FRAME = re.compile(
    r'(?:[^;"]|"[^"]*")+'
)  # frames are split at ";", but a process's command line may hold one
_LINE = re.compile(r":\d+\)$")  # frames are counted per function, not per line


def summarise(collapsed: str, top: int = 15) -> str:
    """Busy samples per process, the frames most often on top of the stack (self time), and the
    project's own functions with everything they called (inclusive time)."""
    processes: Counter[str] = Counter()
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    # A spawned worker's command line holds a newline; py-spy writes it as is, continued on a line
    # that starts with a space.
    for line in collapsed.replace("\n ", " ").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        stack_frames = [_LINE.sub(")", frame) for frame in _FRAME.findall(stack)]
        # With --subprocesses each process is a frame above its children's: the last one is the sampled one.
        last = max(i for i, frame in enumerate(stack_frames) if frame.startswith("process "))
        process, frames = stack_frames[last], stack_frames[last + 1 :]
        samples = int(count)
        total += samples
        kind = "query workers" if "multiprocessing-fork" in process else "gunicorn (master and web worker)"
        processes[kind] += samples
        if frames:
            own[frames[-1]] += samples
        for frame in set(frames):
            if "ozgkg/" in frame or "pyoxigraph" in frame:
                inclusive[frame] += samples
    lines = [f"{total} busy samples", "", "per process:"]
    lines += [f"{100 * n / total:5.1f}%  {kind}" for kind, n in processes.most_common()]
    for title, counter in (("self time", own), ("inclusive, the project's functions", inclusive)):
        lines += ["", f"top {top} frames, {title}:"]
        lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in counter.most_common(top)]
    return "\n".join(lines) + "\n"


def run(dataset: Dataset, store: str, results: Path, workdir: Path) -> None:
    server = OzgKg(workdir, 30.0, store)
    server.start(dataset)
    try:
        client = HttpClient(server.endpoint, timeout=60)
        for name in QUERIES:
            (query,) = mix([name])
            stop = threading.Event()

            def load(query=query, stop=stop) -> None:
                while not stop.is_set():
                    client.ask(query)

            sender = threading.Thread(target=load, daemon=True)
            sender.start()
            time.sleep(1)  # the first answers warm the workers up
            raw = workdir / f"profile-{name}.txt"
            subprocess.run(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--subprocesses",
                    "--duration",
                    str(SECONDS),
                    "--format",
                    "raw",
                    "--output",
                    str(raw),
                    "--nonblocking",
                ],
                check=True,
                capture_output=True,
            )
            stop.set()
            sender.join()
            summary = summarise(raw.read_text())
            (results / f"profile-{name}.txt").write_text(f"py-spy, {dataset.quads} quads, {name}\n{summary}")
    finally:
        server.stop()
