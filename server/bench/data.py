"""The data of each scale: the real graph plus generated quads, as N-Quads files every server can load."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from ozgkg.features.generate import GENERATOR_VERSION, generate
from ozgkg.knowledge.load import load


@dataclass(frozen=True)
class Dataset:
    scale: int  # the target: quads of the real graph and the synthetic part together
    quads: int  # what was written: real + synthetic
    real_quads: int
    synthetic: Path  # the generator's output alone (our server loads the real graph itself)
    combined: Path  # real + synthetic in one file, for the other servers and the in-process engines


def prepare(scale: int, workdir: Path, seed: int) -> Dataset:
    """Write (or reuse, if the generator, seed and scale match) the two N-Quads files of `scale`."""
    stem = workdir / f"ozgkg-{scale}-seed{seed}-gen{GENERATOR_VERSION}"
    stamp = stem.with_suffix(".json")
    if stamp.exists():
        recorded = json.loads(stamp.read_text())
        return Dataset(
            **{**recorded, "synthetic": Path(recorded["synthetic"]), "combined": Path(recorded["combined"])}
        )
    workdir.mkdir(parents=True, exist_ok=True)
    real = load().quads
    synthetic = stem.with_name(stem.name + "-synthetic.nq")
    combined = stem.with_name(stem.name + "-combined.nq")
    # The generator cannot write fewer than its static parts (services, portals): ask for at least one.
    stats = generate(synthetic, seed=seed, triples=max(1, scale - len(real)))
    with combined.open("wb") as out:
        ox.serialize(real, out, format=ox.RdfFormat.N_QUADS)
        with synthetic.open("rb") as part:
            while chunk := part.read(1 << 22):
                out.write(chunk)
    dataset = Dataset(scale, len(real) + stats.quads, len(real), synthetic, combined)
    stamp.write_text(
        json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in asdict(dataset).items()})
    )
    return dataset
