"""Start-up of `ozg-kg serve` on the shipped graph: seconds from launch until `/health` answers.

A cold start has an empty cache directory ($OZGKG_CACHE_DIR): the OWL RL closure and the SHACL
validation are computed. A warm start has the cache a previous start left: both are read back.
`python -m bench.startup [--runs N]` prints one line a run and the medians as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from .servers import BIN, _end, free_port

POLL_SECONDS = 0.02  # a finer poll than the servers' 0.1 s: start-up is a figure of seconds
START_LIMIT = 300.0


def time_start(cache: Path, log: Path, extra: list[str] | None = None) -> float:
    """Seconds from launching `ozg-kg serve` (cache directory `cache`) until /health answers 200."""
    port = free_port()
    command = [str(BIN / "ozg-kg"), "serve", "--port", str(port), *(extra or [])]
    env = {**os.environ, "OZGKG_CACHE_DIR": str(cache)}
    begin = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        while time.perf_counter() - begin < START_LIMIT:
            if process.poll() is not None:
                raise RuntimeError(f"ozg-kg serve exited with {process.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - begin
            except OSError:
                pass
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"ozg-kg serve did not answer /health within {START_LIMIT:g} s; see {log}")
    finally:
        _end(process)


def measure_startup(runs: int, workdir: Path) -> dict:
    """`runs` cold starts (each with an empty cache) and `runs` warm ones (the cache of a first start)."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "startup.log"
    cold = []
    for _ in range(runs):
        cache = Path(tempfile.mkdtemp(prefix="cold-cache-", dir=workdir))
        try:
            cold.append(time_start(cache, log))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    cache = Path(tempfile.mkdtemp(prefix="warm-cache-", dir=workdir))
    try:
        time_start(cache, log)  # fills the cache
        warm = [time_start(cache, log) for _ in range(runs)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {
        "runs": runs,
        "cold_s": [round(s, 3) for s in cold],
        "warm_s": [round(s, 3) for s in warm],
        "cold_median_s": round(statistics.median(cold), 3),
        "warm_median_s": round(statistics.median(warm), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ozgkg-startup")
    args = parser.parse_args()
    print(json.dumps(measure_startup(args.runs, args.workdir), indent=2))


if __name__ == "__main__":
    main()
