"""The default run against the naive loop, side by side.

Usage: .venv/bin/python benchmarks/bench_run.py [--repeat R] [--json]

Three ways to build every report of ``configs/exitpakke.yaml``, each timed from a fresh
process (wall clock, the command's whole life):

- ``exitanalysis run --jobs 1`` and ``--jobs 2`` (validation, execution, rendering,
  publishing);
- the naive loop: for each notebook, papermill then nbconvert (HTML without code), one
  notebook after another, in one process, with the same parameters.

Each is run once cold (an empty matplotlib cache, so its font cache is rebuilt, and a fresh
output folder) and ``--repeat`` times warm; the script reports the median and range of the
warm runs and the ratios to the naive loop's median, measured in the same session.
Target (issue 14): ``--jobs 2`` at most 0.5 of the naive loop's time on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from exitanalysis.data.paths import project_root

CONFIG = project_root() / "configs" / "exitpakke.yaml"
MODES = ("jobs 1", "jobs 2", "naive loop")


def naive_loop(out: Path) -> None:
    """papermill, then nbconvert, for each notebook in turn (what a user would script)."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    from exitanalysis.report.pipeline import select_notebooks

    out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(exclude_input=True)
    for notebook in select_notebooks(project_root() / "notebooks", None):
        executed = out / notebook.name
        papermill.execute_notebook(
            str(notebook), str(executed), cwd=str(notebook.parent), progress_bar=False,
            parameters={"config_path": str(CONFIG), "figures_dir": str(out / "figures"),
                        "tables_dir": str(out / "tables")})
        body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
        (out / f"{notebook.stem}.html").write_text(body, encoding="utf-8")


def _command(mode: str, out: Path) -> list[str]:
    if mode == "naive loop":
        return [sys.executable, __file__, "--naive", str(out)]
    jobs = mode.split()[1]
    return [sys.executable, "-m", "exitanalysis", "run", str(CONFIG), "--out", str(out),
            "--jobs", jobs]


def timed(mode: str, *, cold: bool) -> float:
    with tempfile.TemporaryDirectory(prefix="xa-bench-run-") as tmp:
        env = dict(os.environ)
        if cold:
            env["MPLCONFIGDIR"] = str(Path(tmp) / "mpl")
        started = time.perf_counter()
        subprocess.run(_command(mode, Path(tmp) / "out"), check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started


def run(repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for mode in MODES:
        cold = timed(mode, cold=True)
        warm = [timed(mode, cold=False) for _ in range(repeat)]
        results[mode] = {"cold": cold, "warm_median": statistics.median(warm),
                         "warm_min": min(warm), "warm_max": max(warm), "runs": repeat}
    naive = results["naive loop"]["warm_median"]
    for mode in MODES:
        results[mode]["ratio_to_naive"] = results[mode]["warm_median"] / naive
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--naive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive:
        naive_loop(Path(args.naive))
        return
    results = run(args.repeat)
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for mode, r in results.items():
        print(f"{mode:>10}: cold {r['cold']:.1f} s; warm median {r['warm_median']:.1f} s "
              f"({r['warm_min']:.1f}–{r['warm_max']:.1f}, {r['runs']} runs); "
              f"{r['ratio_to_naive']:.2f} of the naive loop")


if __name__ == "__main__":
    main()
