"""Disclosure control for public reports: small counts of persons that cannot be read or
recomputed.

With ``audience: public`` every published count is a count of distinct persons, and no cell
below ``min_cell`` (other than a true zero) may be read or recomputed from the other cells and
the margins. :func:`suppress_counts` does this for a two-way table with margins:

1. **Primary suppression**: every cell, margins included, with 0 < count < ``min_cell``.
2. **Secondary suppression**: no row or column (margins included) may hold exactly one
   suppressed cell, since it would equal the total minus the rest; the smallest published
   non-zero cell of such a line is suppressed too, until no line has a single one.
3. **Audit**: for every suppressed cell, linear programming finds the smallest and largest
   value consistent with everything published (all cells ≥ 0, rows and columns adding up).
   A cell whose interval is a single value is recomputable; more cells are suppressed until
   none is.

:func:`safe_cumulative_points` does the same job for a cumulative series (recruitment month by
month): it publishes only the points between which at least ``min_cell`` persons came, so no
small monthly count can be recovered by differencing.

Why not ``acro`` (SACRO's output-checking package, evaluated 2026-11-27): it checks and
suppresses primary cells (thresholds, dominance) for tables it computes itself from the raw
data, and leaves margins to a human checker (status "review"); it does no secondary
suppression, records sessions for trusted research environments, pins ``pandas<=2.3.3`` (which
would hold back our move to pandas 3) and pulls in rdflib, lxml and tabulate. Our tables come
from result objects, are small, and need secondary suppression with an audit, which is this
short module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table of person counts made safe to publish.

    Attributes
    ----------
    counts
        The table with its margins (last row and column, labelled ``total_label``); exact.
    suppressed
        Same shape: True where the count must not be published.
    primary
        True where the count itself is small (0 < count < ``min_cell``).
    min_cell
        The smallest count that may be shown.
    intervals
        For each suppressed cell, the (smallest, largest) value consistent with what is
        published: never a single value.
    """

    counts: pd.DataFrame
    suppressed: pd.DataFrame
    primary: pd.DataFrame
    min_cell: int
    intervals: dict[tuple[str, str], tuple[float, float]]

    def published(self) -> pd.DataFrame:
        """The counts with suppressed cells missing (``NaN``)."""
        return self.counts.where(~self.suppressed).astype(float)

    def to_frame(self) -> pd.DataFrame:
        """Same as :meth:`published`."""
        return self.published()

    @property
    def n_suppressed(self) -> int:
        return int(self.suppressed.to_numpy().sum())


def suppress_counts(table: pd.DataFrame, min_cell: int, *,
                    total_label: str = "total") -> SuppressedTable:
    """Suppress small counts of a two-way table and whatever would reveal them.

    Parameters
    ----------
    table
        Counts of distinct persons, without margins (rows × columns, whole numbers ≥ 0).
    min_cell
        The smallest count that may be shown (analysis.min_cell).
    total_label
        Label of the margin row and column that are added.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [2, 10], "b": [8, 9]}, index=["x", "y"])
    >>> safe = suppress_counts(t, 5)
    >>> safe.published().loc["x", "a"] != safe.published().loc["x", "a"]  # NaN: suppressed
    True
    """
    inner = table.astype(int)
    if (inner.to_numpy() < 0).any():
        raise ValueError("counts must not be negative")
    counts = inner.copy()
    counts[total_label] = inner.sum(axis=1)
    counts.loc[total_label] = counts.sum(axis=0)
    values = counts.to_numpy()
    primary = (values > 0) & (values < min_cell)
    suppressed = primary.copy()
    rows, cols = values.shape
    # Each constraint: a line of cells adding to its total (the last cell of the line).
    lines = [[(i, j) for j in range(cols)] for i in range(rows)] + \
            [[(i, j) for i in range(rows)] for j in range(cols)]
    while True:
        _protect_lines(values, suppressed, lines)
        weak = _recomputable(values, suppressed, rows, cols)
        if not weak:
            break
        if not _add_partner(values, suppressed, weak[0], rows, cols):
            break  # everything in reach is already suppressed
    intervals = {
        (str(counts.index[i]), str(counts.columns[j])): _bounds(values, suppressed, i, j)
        for i, j in zip(*np.nonzero(suppressed), strict=True)
    }
    frame = pd.DataFrame(suppressed, index=counts.index, columns=counts.columns)
    first = pd.DataFrame(primary, index=counts.index, columns=counts.columns)
    return SuppressedTable(counts, frame, first, min_cell, intervals)


def _protect_lines(values: np.ndarray, suppressed: np.ndarray,
                   lines: list[list[tuple[int, int]]]) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [c for c in line if suppressed[c]]
            if len(hidden) != 1:
                continue
            candidates = [c for c in line if not suppressed[c] and values[c] > 0]
            if not candidates:
                continue
            pick = min(candidates, key=lambda c: (values[c], c))
            suppressed[pick] = True
            changed = True


def _recomputable(values: np.ndarray, suppressed: np.ndarray, rows: int,
                  cols: int) -> list[tuple[int, int]]:
    out = []
    for i, j in zip(*np.nonzero(suppressed), strict=True):
        if values[i, j] == 0:
            continue
        low, high = _bounds(values, suppressed, int(i), int(j))
        if high - low < 1 - 1e-9:
            out.append((int(i), int(j)))
    return out


def _bounds(values: np.ndarray, suppressed: np.ndarray, i: int, j: int) -> tuple[float, float]:
    """Smallest and largest value of cell (i, j) consistent with the published cells."""
    rows, cols = values.shape
    unknown = [tuple(c) for c in zip(*np.nonzero(suppressed), strict=True)]
    index = {c: k for k, c in enumerate(unknown)}
    equations, rhs = [], []
    for line in ([[(r, c) for c in range(cols - 1)] + [(r, cols - 1)] for r in range(rows)]
                 + [[(r, c) for r in range(rows - 1)] + [(rows - 1, c)] for c in range(cols)]):
        *parts, total = line
        coefficients = np.zeros(len(unknown))
        known: float = 0.0
        for cell in parts:
            if cell in index:
                coefficients[index[cell]] += 1
            else:
                known += float(values[cell])
        if total in index:
            coefficients[index[total]] -= 1
            value = -known
        else:
            value = float(values[total]) - known
        if coefficients.any():
            equations.append(coefficients)
            rhs.append(value)
    target = np.zeros(len(unknown))
    target[index[(i, j)]] = 1
    a_eq = np.array(equations) if equations else None
    b_eq = np.array(rhs) if rhs else None
    bounds = [(0, None)] * len(unknown)
    low = linprog(target, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-target, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    upper = -high.fun if high.status == 0 else float("inf")
    return float(low.fun), float(upper)


def _add_partner(values: np.ndarray, suppressed: np.ndarray, cell: tuple[int, int], rows: int,
                 cols: int) -> bool:
    i, j = cell
    options = [(i, c) for c in range(cols - 1)] + [(r, j) for r in range(rows - 1)]
    candidates = [c for c in options if not suppressed[c] and values[c] > 0]
    if not candidates:
        return False
    suppressed[min(candidates, key=lambda c: (values[c], c))] = True
    return True


def safe_cumulative_points(increments: Sequence[int], min_cell: int) -> np.ndarray:
    """Which points of a cumulative count may be published.

    A point is published when at least ``min_cell`` persons came since the last published
    point (a first stretch of zeros may be published: a true zero). Differences between
    published points are then never small, so no small count can be recovered.

    Returns
    -------
    numpy.ndarray of bool
        One per point of ``increments``.
    """
    safe = np.zeros(len(increments), dtype=bool)
    since = 0
    for k, step in enumerate(increments):
        since += int(step)
        if since >= min_cell or (since == 0 and not safe[:k].any()):
            safe[k] = True
            since = 0
    # A last stretch with fewer than min_cell persons stays hidden: its total would reveal
    # them. The final cumulative count is then published only as the last safe point.
    return safe


def safe_count(value: int, min_cell: int) -> int | None:
    """``value`` if it may be shown, ``None`` if it is small (0 < value < min_cell)."""
    return None if 0 < value < min_cell else int(value)


__all__ = ["SuppressedTable", "safe_count", "safe_cumulative_points", "suppress_counts"]
