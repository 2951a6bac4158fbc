"""Disclosure control: no small count of persons can be read or recomputed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from exitanalysis.models.disclosure import safe_count, safe_cumulative_points, suppress_counts


def _integer_range(safe, cell) -> tuple[float, float]:
    """Smallest and largest whole-number value of a hidden cell consistent with what is
    published, by mixed-integer programming (the module itself uses a linear relaxation)."""
    counts = safe.counts.to_numpy().astype(float)
    hidden = list(zip(*np.nonzero(safe.suppressed.to_numpy()), strict=True))
    index = {c: k for k, c in enumerate(hidden)}
    rows, cols = counts.shape
    lines = [[(r, c) for c in range(cols)] for r in range(rows)] + \
            [[(r, c) for r in range(rows)] for c in range(cols)]
    a, b = [], []
    for line in lines:
        *parts, total = line
        row = np.zeros(len(hidden))
        rhs = 0.0
        for c in parts:
            if c in index:
                row[index[c]] += 1
            else:
                rhs -= counts[c]
        if total in index:
            row[index[total]] -= 1
        else:
            rhs += counts[total]
        if row.any():
            a.append(row)
            b.append(rhs)
    objective = np.zeros(len(hidden))
    objective[index[cell]] = 1
    constraint = LinearConstraint(np.array(a), np.array(b), np.array(b))
    integrality = np.ones(len(hidden))
    bounds = Bounds(0, np.inf)
    low = milp(objective, constraints=constraint, integrality=integrality, bounds=bounds)
    high = milp(-objective, constraints=constraint, integrality=integrality, bounds=bounds)
    return low.fun, -high.fun


@pytest.mark.parametrize("seed", range(30))
def test_no_small_cell_can_be_recomputed(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 5)), int(rng.integers(2, 6)))
    table = pd.DataFrame(rng.integers(0, 12, size=shape))
    safe = suppress_counts(table, 5)
    published = safe.published()
    counts = safe.counts
    # Every small count (other than a true zero) is hidden.
    small = (counts > 0) & (counts < 5)
    assert published[small].isna().all().all()
    hidden = list(zip(*np.nonzero(safe.suppressed.to_numpy()), strict=True))
    for cell in hidden:
        if counts.to_numpy()[cell] == 0:
            continue
        low, high = _integer_range(safe, cell)
        assert high > low, (table, cell)


def test_primary_and_secondary_suppression() -> None:
    table = pd.DataFrame({"street": [2, 10, 0], "venue": [8, 9, 3], "online": [7, 1, 12]},
                         index=["a", "b", "c"])
    safe = suppress_counts(table, 5)
    assert safe.primary.to_numpy().sum() == 3  # 2, 1, 3
    published = safe.published()
    # no line holds exactly one hidden cell
    hidden = safe.suppressed
    assert ((hidden.sum(axis=1) != 1).all()) and ((hidden.sum(axis=0) != 1).all())
    assert published.loc["total", "total"] == 52 and published.loc["c", "street"] == 0
    for low, high in safe.intervals.values():
        assert high - low >= 1


def test_small_totals_are_suppressed_too() -> None:
    table = pd.DataFrame({"x": [3, 0], "y": [0, 7]}, index=["a", "b"])
    safe = suppress_counts(table, 5)
    assert np.isnan(safe.published().loc["a", "total"])
    assert np.isnan(safe.published().loc["total", "x"])


def test_nothing_suppressed_when_all_counts_are_large_or_zero() -> None:
    table = pd.DataFrame({"x": [5, 0], "y": [12, 9]}, index=["a", "b"])
    safe = suppress_counts(table, 5)
    assert safe.n_suppressed == 0


def test_cumulative_points_hide_small_differences() -> None:
    increments = [0, 0, 2, 3, 1, 0, 6, 1, 1]
    safe = safe_cumulative_points(increments, 5)
    cumulative = np.cumsum(increments)
    shown = cumulative[safe]
    assert np.all(np.diff(np.concatenate([[0], shown]))[1:] >= 5)
    assert not safe[-1]  # the last two persons would be recoverable: the tail is cut
    assert safe_count(3, 5) is None and safe_count(0, 5) == 0 and safe_count(7, 5) == 7


def test_a_forced_total_with_a_small_cell_does_not_break_the_check() -> None:
    # The report-wide audit may withhold a table's grand total. With the total hidden and a
    # small cell suppressed, the cells around it are bounded by nothing: the range of a
    # hidden cell is unbounded above, which pins nothing (it raised OverflowError on
    # math.floor(inf) when a public run met it).
    table = pd.DataFrame([[3, 8], [9, 7]], index=["a", "b"], columns=["x", "y"])
    safe = suppress_counts(table, 5, force=[("total", "total")])
    assert safe.suppressed.loc["total", "total"] and safe.suppressed.loc["a", "x"]
    assert not safe.counts.isna().any().any()
