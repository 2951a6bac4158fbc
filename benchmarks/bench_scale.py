"""How loading, aggregation and the channel model grow with the persons table.

Usage: .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000 1000000] [--json]

For each size, a persons table of that many rows is drawn from the synthetic generator's
persons (rows resampled with replacement, fresh pseudonymous ids, so every column keeps the
generator's joint distribution), written as CSV, and measured in a fresh Python process:

- load: reading and validating the table (``xa.load_programme``);
- aggregate: contacts and inclusions per month and contact channel (the channel report's
  ``channel_months``) and the monthly recruitment history;
- model: the channel count model (negative binomial rate ratios with the lockdown terms,
  ``xa.channel_rate_ratios``), after one untimed fit that pays for lazy imports; it fits the
  month × channel table, whose size does not grow with the persons;

each in seconds, with the process's peak resident memory, and the growth factor per tenfold.
Targets (issue 14): 10⁶ persons in under 20 s and under 3 GB; growth within 20 % of linear.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from exitanalysis.data.paths import project_root
from exitanalysis.data.synth import generate

STAGES = ("load", "aggregate", "model")


def persons_table(rows: int, seed: int = 1) -> Any:
    """``rows`` persons resampled from the generator's programme, with fresh ids."""
    persons = generate(seed=20200101).persons
    rng = np.random.default_rng(seed)
    table = persons.iloc[rng.integers(0, len(persons), size=rows)].reset_index(drop=True)
    table["person_id"] = [f"SYN-{i:07d}" for i in range(rows)]
    return table


def write_case(rows: int, folder: Path) -> Path:
    """The table as CSV and a config that reads it (the default programme's settings)."""
    table = persons_table(rows)
    table.to_csv(folder / "persons.csv", index=False, date_format="%Y-%m-%d")
    config = yaml.safe_load((project_root() / "configs" / "exitpakke.yaml").read_text("utf-8"))
    config["data"] = {"persons": str(folder / "persons.csv")}
    path = folder / "scale.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def measure(config_path: str) -> dict[str, Any]:
    """The three stages in this process (run in a fresh one per size)."""
    import statsmodels.api  # noqa: F401  (imported before the clock starts: not a stage)

    import exitanalysis as xa
    from exitanalysis.assess.cases import recruitment_history
    from exitanalysis.assess.channels import channel_months, lockdown_months

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    programme = xa.load_programme(xa.load_config(config_path))
    seconds["load"] = time.perf_counter() - started
    started = time.perf_counter()
    months = channel_months(programme)
    recruitment_history(programme)
    seconds["aggregate"] = time.perf_counter() - started
    periods = {f"{a} to {b}": (a, b) for a, b in lockdown_months(programme)}
    # One untimed fit first: the first call pays for lazy imports and compiled code paths
    # (about 1.5 s here), which would otherwise swamp the fit at every size.
    xa.channel_rate_ratios(months, periods=periods)
    started = time.perf_counter()
    xa.channel_rate_ratios(months, periods=periods)
    seconds["model"] = time.perf_counter() - started
    # ru_maxrss is in kilobytes on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"rows": len(programme.persons), "seconds": seconds, "peak_mb": peak}


def run(sizes: list[int]) -> list[dict[str, Any]]:
    results = []
    for rows in sizes:
        with tempfile.TemporaryDirectory(prefix="xa-scale-") as tmp:
            config = write_case(rows, Path(tmp))
            out = subprocess.run([sys.executable, __file__, "--child", str(config)],
                                 capture_output=True, text=True, check=True)
            results.append(json.loads(out.stdout))
    for smaller, larger in zip(results, results[1:], strict=False):
        factor = larger["rows"] / smaller["rows"]
        larger["growth"] = {s: larger["seconds"][s] / smaller["seconds"][s] / factor * 10
                            for s in STAGES}
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    results = run(args.sizes)
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for r in results:
        s = r["seconds"]
        growth = r.get("growth")
        grown = (" growth per tenfold: " + ", ".join(f"{k} {v:.1f}x" for k, v in growth.items())
                 if growth else "")
        print(f"{r['rows']:>9,} persons: load {s['load']:.2f} s, aggregate {s['aggregate']:.2f} "
              f"s, model {s['model']:.2f} s; peak {r['peak_mb']:.0f} MB.{grown}")


if __name__ == "__main__":
    main()
