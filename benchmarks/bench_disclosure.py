"""The public release (assess.release): how long the report-wide audit takes, and what its
linear relaxation may miss against a reader who searches whole numbers.

Run: .venv/bin/python benchmarks/bench_disclosure.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

import exitanalysis as xa
from exitanalysis.assess import release as module
from exitanalysis.models import disclosure

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_release import _random_programme  # noqa: E402


def integer_gaps(release: module.PublicRelease) -> tuple[int, int]:
    """(small sets checked, those an exact whole-number search pins to 1..min_cell-1 although
    the linear relaxation does not) on the final release."""
    members = np.column_stack([c.members for c in release.counts])
    patterns, inverse = np.unique(members, axis=0, return_inverse=True)
    sizes = np.bincount(inverse.ravel(), minlength=len(patterns)).astype(float)
    sets = patterns[sizes > 0].T.astype(float)
    sizes = sizes[sizes > 0]
    value = sets @ sizes
    checked = missed = 0
    captured: list[np.ndarray] = []
    original = disclosure._revealed_range

    def spy(s, v, chosen, k, known):  # type: ignore[no-untyped-def]
        captured.append(chosen)
        return original(s, v, chosen, k, known)

    disclosure._revealed_range = spy
    try:
        disclosure.audit_counts(members, release.min_cell,
                                groups=[c.group for c in release.counts])
    finally:
        disclosure._revealed_range = original
    k = release.min_cell
    for chosen in captured:
        checked += 1
        objective = chosen.astype(float)
        constraint = [LinearConstraint(sets, value, value)]
        options = dict(integrality=np.ones(len(objective)), bounds=Bounds(0, np.inf))
        low = milp(objective, constraints=constraint, **options).fun
        high = milp(-objective, constraints=constraint, **options)
        highest = round(-high.fun) if high.status == 0 else np.inf  # the solver's 2.9999…
        if round(low) >= 1 and highest < k:
            missed += 1
    return checked, missed


def main() -> None:
    config = xa.load_config(ROOT / "configs/exitpakke.yaml").with_overrides(audience="public")
    programme = xa.load_programme(config)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        release = module._build_release(programme)
        times.append(time.perf_counter() - start)
    print(f"default run: release in {min(times):.2f} s (best of 3), {len(release.counts)} "
          f"counts, {release.audit.checked} small sets checked, {release.rounds} rounds, "
          f"{len(release.withheld)} counts withheld")
    checked, missed = integer_gaps(release)
    print(f"default run: {missed} of {checked} sets pinned by a whole-number search only")
    total_checked = total_missed = 0
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(12):
            path = _random_programme(Path(folder) / f"p{seed}", seed, (3, 5, 10)[seed % 3])
            start = time.perf_counter()
            release = module._build_release(xa.load_programme(xa.load_config(path)))
            seconds = time.perf_counter() - start
            checked, missed = integer_gaps(release)
            total_checked += checked
            total_missed += missed
            print(f"  random programme {seed:2d}: {seconds:.2f} s, {len(release.withheld)} "
                  f"withheld, {missed} of {checked} pinned by whole numbers only")
    print(f"random programmes: {total_missed} of {total_checked} sets pinned by a "
          "whole-number search only")


if __name__ == "__main__":
    main()
