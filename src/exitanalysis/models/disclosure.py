"""Disclosure control for public reports: small counts of persons that cannot be read or
recomputed.

With ``audience: public`` every published count is a count of distinct persons, and no set of
persons with fewer than ``min_cell`` members (other than none) may be read or worked out from
what a report publishes. A set is *revealed* when everything published pins its size to
between 1 and ``min_cell - 1``: "exactly 3", or "between 2 and 4", both tell a reader that a
handful of identifiable people are in it.

:func:`suppress_counts` does this for one two-way table with margins:

1. **Primary suppression**: every cell, margins included, with 0 < count < ``min_cell``.
2. **Secondary suppression**: no row or column (margins included) may hold exactly one
   suppressed cell, since it would equal the total minus the rest; and where a line's total
   is published, its suppressed cells together (the total minus the rest: the grey segment of
   a bar) must hold none or at least ``min_cell`` persons. The smallest published non-zero
   cell of a line that breaks either rule is suppressed too, until none does.
3. **Audit**: for every suppressed cell, linear programming finds the smallest and largest
   value consistent with everything published (all cells ≥ 0, rows and columns adding up).
   More cells are suppressed until no small cell is revealed.

:func:`safe_cumulative_points` does the same job for a cumulative series (recruitment month by
month): it publishes only the points between which at least ``min_cell`` persons came, so no
small monthly count can be recovered by differencing.

:func:`audit_counts` checks a whole report at once, the way a reader would attack it: every
published count is a set of persons (or of aggregate cells), and a small count can hide in
the difference of two pages ("60 included" on one, "57 included" on the other). It finds the
sets a reader can pin down by combining all published counts, by integer programming, and
names the counts that reveal them (:mod:`exitanalysis.assess.release` applies it to a report).

Why not ``acro`` (SACRO's output-checking package, evaluated 2026-11-27): it checks and
suppresses primary cells (thresholds, dominance) for tables it computes itself from the raw
data, and leaves margins to a human checker (status "review"); it does no secondary
suppression, records sessions for trusted research environments, pins ``pandas<=2.3.3`` (which
would hold back our move to pandas 3) and pulls in rdflib, lxml and tabulate. Our tables come
from result objects, are small, and need secondary suppression with an audit, which is this
short module.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Sequence
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

    @functools.cached_property
    def intervals(self) -> dict[tuple[str, str], tuple[float, float]]:
        """For each suppressed cell, the (smallest, largest) value consistent with what is
        published."""
        values, hidden = self.counts.to_numpy(), self.suppressed.to_numpy()
        unknown, a_eq, b_eq = _system(values, hidden)
        return {(str(self.counts.index[i]), str(self.counts.columns[j])):
                _solve_range(a_eq, b_eq, len(unknown), k)
                for k, (i, j) in enumerate(unknown)}

    def shown_columns(self) -> set[str]:
        """Columns whose total over the rows is published and not zero."""
        margin = self.suppressed.loc["total"]
        return {str(c) for c in margin.index if c != "total" and not margin[c]
                and self.counts.loc["total", c] > 0}

    def shown_rows(self) -> set[str]:
        """Rows whose every cell is published."""
        inner = self.suppressed.drop(index="total", columns="total", errors="ignore")
        return {str(r) for r in inner.index if not inner.loc[r].any()}

    def published(self) -> pd.DataFrame:
        """The counts with suppressed cells missing (``NaN``)."""
        return self.counts.where(~self.suppressed).astype(float)

    def to_frame(self) -> pd.DataFrame:
        """Same as :meth:`published`."""
        return self.published()

    @property
    def n_suppressed(self) -> int:
        return int(self.suppressed.to_numpy().sum())


def suppress_counts(table: pd.DataFrame, min_cell: int, *, total_label: str = "total",
                    force: Collection[tuple[object, object]] = ()) -> SuppressedTable:
    """Suppress small counts of a two-way table and whatever would reveal them.

    Parameters
    ----------
    table
        Counts of distinct persons, without margins (rows × columns, whole numbers ≥ 0).
    min_cell
        The smallest count that may be shown (analysis.min_cell).
    total_label
        Label of the margin row and column that are added.
    force
        (row, column) labels to suppress as well, margins included (what a report-wide
        audit withholds); they are protected like small cells.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [2, 10], "b": [8, 9]}, index=["x", "y"])
    >>> safe = suppress_counts(t, 5)
    >>> bool(pd.isna(safe.published().loc["x", "a"]))  # suppressed
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
    for row, column in force:
        i, j = counts.index.get_loc(row), counts.columns.get_loc(column)
        primary[i, j] = values[i, j] > 0
    suppressed = primary.copy()
    rows, cols = values.shape
    # Each constraint: a line of cells adding to its total (the last cell of the line).
    lines = [[(i, j) for j in range(cols)] for i in range(rows)] + \
            [[(i, j) for i in range(rows)] for j in range(cols)]
    while True:
        _protect_lines(values, suppressed, lines, min_cell)
        weak = _revealed_cells(values, suppressed, primary, min_cell)
        if not weak:
            break
        if not _add_partner(values, suppressed, weak[0], rows, cols):
            break  # everything in reach is already suppressed
    frame = pd.DataFrame(suppressed, index=counts.index, columns=counts.columns)
    first = pd.DataFrame(primary, index=counts.index, columns=counts.columns)
    return SuppressedTable(counts, frame, first, min_cell)


def _protect_lines(values: np.ndarray, suppressed: np.ndarray,
                   lines: list[list[tuple[int, int]]], min_cell: int) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            *parts, total = line
            hidden = [c for c in line if suppressed[c]]
            # What the line's published total minus its published cells gives away.
            remainder = (sum(int(values[c]) for c in parts if suppressed[c])
                         if not suppressed[total] else 0)
            single, small_rest = len(hidden) == 1, 0 < remainder < min_cell
            if not (single or small_rest):
                continue
            candidates = [c for c in (line if single else parts)
                          if not suppressed[c] and values[c] > 0]
            if not candidates and small_rest:
                candidates = [total]
            if not candidates:
                continue
            pick = min(candidates, key=lambda c: (values[c], c))
            suppressed[pick] = True
            changed = True


def _revealed_cells(values: np.ndarray, suppressed: np.ndarray, primary: np.ndarray,
                    min_cell: int) -> list[tuple[int, int]]:
    """Suppressed cells a reader can still pin down: a small cell to a small range, any other
    to one value."""
    unknown, a_eq, b_eq = _system(values, suppressed)
    truth = np.array([float(values[c]) for c in unknown])
    known = [truth]  # solutions found so far: the true cells first
    out = []
    for k, (i, j) in enumerate(unknown):
        if values[i, j] == 0:
            continue
        small = bool(primary[i, j])
        sizes = np.array([x[k] for x in known])
        # Safe when some solution differs (another cell) or is 0 or ≥ min_cell (a small one).
        if (small and ((sizes <= 1e-7).any() or (sizes >= min_cell - 1e-7).any())) or \
                (not small and (np.abs(sizes - truth[k]) >= 1 - 1e-7).any()):
            continue
        low, high = _solve_range(a_eq, b_eq, len(unknown), k, known)
        if _pinned(low, high) or (small and _small(low, high, min_cell)):
            out.append((int(i), int(j)))
    return out


def _pinned(low: float, high: float) -> bool:
    # An unbounded range (a cell whose margins are hidden too) pins nothing.
    return math.isfinite(high) and math.floor(high + 1e-7) <= math.ceil(low - 1e-7)


def _small(low: float, high: float, min_cell: int) -> bool:
    """A whole-number range inside 1 .. min_cell - 1: a reader learns a small, non-zero
    count."""
    return (math.isfinite(high) and math.ceil(low - 1e-7) >= 1
            and math.floor(high + 1e-7) < min_cell)


def _system(values: np.ndarray, suppressed: np.ndarray
            ) -> tuple[list[tuple[int, int]], np.ndarray | None, np.ndarray | None]:
    """The suppressed cells of a table with margins, and the equations a reader has for
    them: each line's cells add up to its total (the line's last cell)."""
    rows, cols = values.shape
    unknown = [(int(i), int(j)) for i, j in zip(*np.nonzero(suppressed), strict=True)]
    index = {c: k for k, c in enumerate(unknown)}
    equations, rhs = [], []
    for line in ([[(r, c) for c in range(cols)] for r in range(rows)]
                 + [[(r, c) for r in range(rows)] for c in range(cols)]):
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
    if not equations:
        return unknown, None, None
    return unknown, np.array(equations), np.array(rhs)


def _solve_range(a_eq: np.ndarray | None, b_eq: np.ndarray | None, n: int, k: int,
                 known: list[np.ndarray] | None = None) -> tuple[float, float]:
    """Smallest and largest value of unknown ``k`` (linear relaxation); the solutions found
    are added to ``known``."""
    target = np.zeros(n)
    target[k] = 1
    low = linprog(target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-target, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if known is not None:
        known.extend(r.x for r in (low, high) if r.status == 0)
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


def safe_cumulative_points(increments: Sequence[int], min_cell: int, *,
                           keep_last: bool = False,
                           withheld: Collection[int] = ()) -> np.ndarray:
    """Which points of a cumulative count may be published.

    A point is published when at least ``min_cell`` persons came since the last published
    point (a first stretch of zeros may be published: a true zero). Differences between
    published points are then never small, so no small count can be recovered.

    Parameters
    ----------
    increments
        Persons per point (month).
    min_cell
        The smallest difference that may be shown.
    keep_last
        Publish the last point (the total a report states elsewhere) whenever it may be
        shown at all: points before it are dropped until at least ``min_cell`` persons came
        after the one before.
    withheld
        Positions that must not be published (what a report-wide audit withholds).

    Returns
    -------
    numpy.ndarray of bool
        One per point of ``increments``.
    """
    steps = np.asarray(increments, dtype=int)
    blocked = np.zeros(len(steps), dtype=bool)
    blocked[[int(k) for k in withheld]] = True
    safe = np.zeros(len(steps), dtype=bool)
    since = 0
    for k, step in enumerate(steps):
        since += int(step)
        if blocked[k]:
            continue
        if since >= min_cell or (since == 0 and not safe[:k].any()):
            safe[k] = True
            since = 0
    # A last stretch with fewer than min_cell persons stays hidden: its total would reveal
    # them. With keep_last, it joins the stretch before instead.
    if keep_last and len(steps) and not safe[-1] and not blocked[-1]:
        cumulative = np.cumsum(steps)
        while True:
            before = np.flatnonzero(safe)
            since = int(cumulative[-1] - (cumulative[before[-1]] if len(before) else 0))
            if since >= min_cell or since == 0:
                safe[-1] = True
                break
            if not len(before):
                break  # the whole total is small: nothing after the start may be shown
            safe[before[-1]] = False
    return safe


@dataclass(frozen=True)
class RevealedSet:
    """A set of persons whose small size a reader can work out from published counts.

    Attributes
    ----------
    counts
        Positions of the published counts that reveal it (for a difference, the larger
        first).
    how
        ``count`` (published as it is), ``difference`` (one count minus another),
        ``intersection`` (in both of two counts), ``remainder`` (a count minus its published
        parts from one table) or ``cell`` (the persons sharing one pattern of membership in
        every count).
    low, high
        The whole-number range a reader can pin its size to: within 1 .. ``min_cell - 1``.
    """

    counts: tuple[int, ...]
    how: str
    low: int
    high: int


@dataclass(frozen=True)
class CountAudit:
    """What a whole release of counts lets a reader work out.

    Attributes
    ----------
    names
        One per published count, as given.
    revealed
        The sets a reader can pin to a small count; empty when the release is safe.
    min_cell
        The smallest count that may be shown.
    checked
        How many small sets were checked (among the published counts, their pairwise
        differences and intersections, remainders, and the cells of their common
        refinement).
    """

    names: tuple[str, ...]
    revealed: tuple[RevealedSet, ...]
    min_cell: int
    checked: int

    @property
    def safe(self) -> bool:
        return not self.revealed

    def to_frame(self) -> pd.DataFrame:
        """One row per revealed set: how, the counts that reveal it, its range."""
        return pd.DataFrame(
            [{"how": r.how, "counts": " | ".join(self.names[i] for i in r.counts),
              "low": r.low, "high": r.high} for r in self.revealed],
            columns=["how", "counts", "low", "high"])

    def summary(self) -> str:
        """Which published counts reveal a small set (never the sizes)."""
        if self.safe:
            return (f"{self.checked} small sets checked: none can be worked out from what is "
                    f"published (minimum {self.min_cell}).")
        lines = [f"{len(self.revealed)} of {self.checked} small sets checked can be worked out "
                 f"from what is published (minimum {self.min_cell}):"]
        lines += [f"  {r.how}: " + " | ".join(self.names[i] for i in r.counts)
                  for r in self.revealed]
        return "\n".join(lines)


def audit_counts(membership: np.ndarray, min_cell: int, *,
                 weights: np.ndarray | None = None, names: Sequence[str] | None = None,
                 groups: Sequence[str] | None = None) -> CountAudit:
    """Find the small sets of persons a reader can pin down from a release of counts.

    Every published count is the size of a set of units (persons, or cells of an aggregate
    table with their sizes). A reader knows the counts, that sizes are whole numbers ≥ 0,
    and that the units fall into the cells of the counts' common refinement (units sharing
    their membership of every count). By integer programming over those cells, the audit
    bounds every small set among: the published counts, the difference and intersection of
    any two, each count minus its published parts from one group (the grey remainder of a
    bar), and each cell of the refinement. A set pinned to a range within
    1 .. ``min_cell - 1`` is revealed. This covers differencing across pages and tables; it
    does not search every union of cells, which is exponential.

    Parameters
    ----------
    membership
        Boolean, units × counts: which units each published count counts.
    min_cell
        The smallest count that may be shown.
    weights
        Persons per unit (default 1: one unit per person).
    names
        One per count, for the report of what reveals what.
    groups
        One per count: counts of one group are disjoint (the cells of one table); a count
        minus its parts from one group is checked as a remainder.

    Returns
    -------
    CountAudit

    Examples
    --------
    >>> import numpy as np
    >>> by_may = np.array([True] * 57 + [False] * 3)  # "57 included by May" on one page
    >>> by_june = np.ones(60, dtype=bool)            # "60 included" on another
    >>> audit = audit_counts(np.column_stack([by_may, by_june]), 5)
    >>> first = audit.revealed[0]
    >>> first.how, first.low, first.high
    ('difference', 3, 3)
    """
    member = np.asarray(membership, dtype=bool)
    if member.ndim != 2:
        raise ValueError("membership must be units × counts")
    units, n = member.shape
    weight = np.ones(units) if weights is None else np.asarray(weights, dtype=float)
    labels = tuple(names) if names is not None else tuple(f"count {i}" for i in range(n))
    if n == 0 or units == 0:
        return CountAudit(labels, (), min_cell, 0)
    patterns, inverse = np.unique(member, axis=0, return_inverse=True)
    cell_size = np.bincount(inverse.ravel(), weights=weight, minlength=len(patterns))
    keep = cell_size > 0
    sets = patterns[keep].T  # counts × cells
    cell_size = cell_size[keep]
    value = sets.astype(float) @ cell_size
    candidates: dict[bytes, tuple[np.ndarray, tuple[int, ...], str]] = {}

    def consider(chosen: np.ndarray, involved: tuple[int, ...], how: str) -> None:
        size = float(cell_size[chosen].sum())
        if 0 < size < min_cell and chosen.tobytes() not in candidates:
            candidates[chosen.tobytes()] = (chosen, involved, how)

    for i in range(n):
        consider(sets[i], (i,), "count")
    both = (sets * cell_size).astype(float) @ sets.T.astype(float)
    only = value[:, None] - both
    pairs = ((only > 0) & (only < min_cell)) | ((both > 0) & (both < min_cell))
    for i, j in zip(*np.nonzero(pairs), strict=True):
        if i == j:
            continue
        consider(sets[i] & ~sets[j], (int(i), int(j)), "difference")
        if i < j:
            consider(sets[i] & sets[j], (int(i), int(j)), "intersection")
    if groups is not None:
        members_of: dict[str, list[int]] = {}
        for j, group in enumerate(groups):
            members_of.setdefault(group, []).append(j)
        for i in range(n):
            for others in members_of.values():
                parts = [j for j in others if j != i and not (sets[j] & ~sets[i]).any()
                         and (sets[j] != sets[i]).any()]
                if not parts:
                    continue
                covered = sets[parts].any(axis=0)
                if int(sets[parts].sum()) == int(covered.sum()):  # disjoint parts only
                    consider(sets[i] & ~covered, (i, *parts), "remainder")
    for c in range(sets.shape[1]):
        chosen = np.zeros(sets.shape[1], dtype=bool)
        chosen[c] = True
        consider(chosen, tuple(int(i) for i in np.flatnonzero(sets[:, c])), "cell")
    revealed = []
    known = [cell_size.astype(float)]
    for chosen, involved, how in candidates.values():
        pinned = _revealed_range(sets, value, chosen, min_cell, known)
        if pinned is not None:
            revealed.append(RevealedSet(involved, how, *pinned))
    return CountAudit(labels, tuple(revealed), min_cell, len(candidates))


def _revealed_range(sets: np.ndarray, value: np.ndarray, chosen: np.ndarray, min_cell: int,
                    known: list[np.ndarray]) -> tuple[int, int] | None:
    """The whole-number range a reader can pin the size of the cells ``chosen`` to, when it
    lies within 1 .. ``min_cell - 1``; ``None`` when it does not.

    By the linear relaxation, rounded inwards to whole numbers, as τ-ARGUS audits tables: a
    reader who searches whole-number solutions may narrow a range further in rare cases
    (``docs/disclosure.md`` gives how rare, and the cost of the exact search). ``known``
    holds solutions found so far (the true cells first): one that puts nobody, or at least
    ``min_cell``, in the set proves it safe without solving anything; new ones are added.
    """
    objective = chosen.astype(float)
    sizes = np.array([x @ objective for x in known])
    if (sizes <= 1e-7).any() or (sizes >= min_cell - 1e-7).any():
        return None
    a_eq = sets.astype(float)
    high = linprog(-objective, A_eq=a_eq, b_eq=value, bounds=(0, None), method="highs")
    if high.status != 0:  # unbounded: nothing caps it
        return None
    known.append(high.x)
    highest = math.floor(-high.fun + 1e-7)
    if highest >= min_cell:
        return None
    low = linprog(objective, A_eq=a_eq, b_eq=value, bounds=(0, None), method="highs")
    known.append(low.x)
    lowest = math.ceil(low.fun - 1e-7)
    return (lowest, highest) if lowest >= 1 else None


def safe_count(value: int, min_cell: int) -> int | None:
    """``value`` if it may be shown, ``None`` if it is small (0 < value < min_cell)."""
    return None if 0 < value < min_cell else int(value)


__all__ = ["CountAudit", "RevealedSet", "SuppressedTable", "audit_counts", "safe_count",
           "safe_cumulative_points", "suppress_counts"]
