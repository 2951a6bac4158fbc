"""How long reading and validating a programme's tables takes.

Usage: .venv/bin/python benchmarks/bench_loading.py [--repeat N] [--scale K]

``--scale K`` concatenates the synthetic persons K times (with fresh ids) to see how
validation grows with table size.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

import exitanalysis as xa
from exitanalysis.data.paths import project_root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()
    config_path = project_root() / "configs" / "exitpakke.yaml"
    if args.scale > 1:
        config_path = _scaled(config_path, args.scale)
    config = xa.load_config(config_path)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        programme = xa.load_programme(config)
        times.append(time.perf_counter() - started)
    rows = sum(s.rows for s in programme.sources)
    print(f"load_programme: {rows} rows in {len(programme.sources)} tables; "
          f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms "
          f"over {args.repeat} runs")


def _scaled(config_path: Path, scale: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="xa-bench-"))
    persons = pd.read_csv(project_root() / "data/synthetic/persons.csv", dtype=str,
                          keep_default_na=False)
    copies = [persons.assign(person_id=persons["person_id"] + f"-{k}") for k in range(scale)]
    pd.concat(copies).to_csv(folder / "persons.csv", index=False)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["data"] = {"persons": str(folder / "persons.csv")}
    path = folder / "exitpakke.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


if __name__ == "__main__":
    main()
