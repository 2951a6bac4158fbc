"""Das Gupta's decomposition of the difference between two rates into factor effects.

A crude rate is a function of factors: most often a sum over categories of a product, such as
persons reached = Σ over channels (people selling there × share reached), or an inclusion
rate = Σ over channels (share of contacts × conversion). Das Gupta (1993, *Standardization
and Decomposition of Rates: A User's Manual*, US Census Bureau P23-186, chapters 2-4) splits
R(b) − R(a) into one effect per factor, symmetrically: each factor's effect averages the
change it makes over every way of taking the other factors from ``a`` or ``b``, weighted so
that no factor goes first. With two factors this is Kitagawa's (1955) split, with any number
the Shapley value of the factors; the effects always add up to the difference exactly, and
swap sign when ``a`` and ``b`` are swapped.

The P-α adjusted rates (the rate of each population "if only α had differed") come with it:
the α-effect is the difference of the two adjusted rates.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: A factor's value in one population: a number, or one number per category.
FactorValue = float | Sequence[float] | np.ndarray
#: The rate as a function of the factors (default: the sum over categories of their product).
RateFunction = Callable[[Mapping[str, np.ndarray]], float]
#: More factors than this would take 2^(P-1) evaluations each; Das Gupta's examples stop at 5.
MAX_FACTORS = 12


def product_sum(factors: Mapping[str, np.ndarray]) -> float:
    """The crude rate Σ over categories of the product of the factors (scalars broadcast)."""
    return float(np.sum(np.prod(np.broadcast_arrays(*factors.values()), axis=0)))


@dataclass(frozen=True)
class RateDecomposition:
    """The difference R(b) − R(a) split into one effect per factor.

    Attributes
    ----------
    factors
        The factors, in the order given.
    effects
        Each factor's contribution to R(b) − R(a); they add up to it exactly.
    adjusted_a, adjusted_b
        Each factor's P-α adjusted rate in ``a`` and in ``b`` (Das Gupta 1993): the rate with
        every other factor averaged over both populations; effect = adjusted_b − adjusted_a.
    crude_a, crude_b
        The crude rates R(a) and R(b).
    """

    factors: tuple[str, ...]
    effects: tuple[float, ...]
    adjusted_a: tuple[float, ...]
    adjusted_b: tuple[float, ...]
    crude_a: float
    crude_b: float

    @property
    def difference(self) -> float:
        """R(b) − R(a)."""
        return self.crude_b - self.crude_a

    def to_frame(self) -> pd.DataFrame:
        """One row per factor: ``effect``, ``share`` (of the difference; NaN when there is
        none), ``adjusted_a``, ``adjusted_b``."""
        difference = self.difference
        return pd.DataFrame({
            "factor": list(self.factors),
            "effect": list(self.effects),
            "share": [e / difference if difference else math.nan for e in self.effects],
            "adjusted_a": list(self.adjusted_a),
            "adjusted_b": list(self.adjusted_b),
        })

    def summary(self) -> str:
        """The decomposition in a few lines of plain text."""
        lines = [f"Crude rate {self.crude_a:.4g} in a, {self.crude_b:.4g} in b: a difference "
                 f"of {self.difference:+.4g}."]
        for row in self.to_frame().itertuples(index=False):
            share = "" if math.isnan(row.share) else f" ({row.share:.0%} of the difference)"
            lines.append(f"{row.factor}: {row.effect:+.4g}{share}")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.decomposition import plot_decomposition

        return plot_decomposition(self, ax=ax)


def decompose_rate(a: Mapping[str, FactorValue], b: Mapping[str, FactorValue], *,
                   rate: RateFunction | None = None) -> RateDecomposition:
    """Das Gupta's symmetric decomposition of R(b) − R(a) into factor effects.

    Parameters
    ----------
    a, b
        The two populations: factor name → a number, or a sequence with one number per
        category (the same categories, in the same order, in both). Both give the same
        factors.
    rate
        The crude rate as a function of the factors (a mapping of name → array); default
        :func:`product_sum`, Σ over categories of the product of the factors.

    Returns
    -------
    RateDecomposition

    Notes
    -----
    The effect of factor α is Σ over the sets S of other factors taken from ``b`` (the rest
    from ``a``) of |S|! (P − |S| − 1)! / P! × [R(α from b, S) − R(α from a, S)], Das Gupta's
    formula (1993, eqs. 3.54-3.55) written for any rate function; P-α adjusted rates use the
    same weights with α fixed at ``a`` or at ``b``.

    Examples
    --------
    Das Gupta (1993), example 2.1: average earnings × share of earners, black and white men.

    >>> d = decompose_rate({"earnings": 10930, "earners": 0.717892},
    ...                    {"earnings": 16591, "earners": 0.825974})
    >>> [round(e, 3) for e in d.effects], round(d.difference, 3)
    ([4369.913, 1487.262], 5857.175)
    """
    names = tuple(a)
    if set(b) != set(names):
        raise ValueError(f"a and b must give the same factors: {sorted(a)} against {sorted(b)}")
    if not names:
        raise ValueError("give at least one factor")
    if len(names) > MAX_FACTORS:
        raise ValueError(f"at most {MAX_FACTORS} factors (the method takes 2^(P-1) rates each)")
    values_a = {n: _as_array(a[n], n) for n in names}
    values_b = {n: _as_array(b[n], n) for n in names}
    for n in names:
        if values_a[n].shape != values_b[n].shape:
            raise ValueError(f"factor {n!r}: {values_a[n].size} categories in a, "
                             f"{values_b[n].size} in b")
    function = rate or product_sum
    p = len(names)
    weight = [math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
              for k in range(p)]
    cache: dict[frozenset[str], float] = {}

    def rate_with(from_b: frozenset[str]) -> float:
        """R with the factors in ``from_b`` taken from b, the rest from a (memoised)."""
        if from_b not in cache:
            cache[from_b] = float(function({n: values_b[n] if n in from_b else values_a[n]
                                            for n in names}))
        return cache[from_b]

    effects, adjusted_a, adjusted_b = [], [], []
    for name in names:
        others = [n for n in names if n != name]
        low = high = 0.0
        for k in range(p):
            for chosen in itertools.combinations(others, k):
                subset = frozenset(chosen)
                low += weight[k] * rate_with(subset)
                high += weight[k] * rate_with(subset | {name})
        adjusted_a.append(low)
        adjusted_b.append(high)
        effects.append(high - low)
    return RateDecomposition(names, tuple(effects), tuple(adjusted_a), tuple(adjusted_b),
                             rate_with(frozenset()), rate_with(frozenset(names)))


def _as_array(value: FactorValue, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim > 1:
        raise ValueError(f"factor {name!r}: a number or one number per category")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"factor {name!r}: every value must be a finite number")
    return array


__all__ = ["MAX_FACTORS", "RateDecomposition", "decompose_rate", "product_sum"]
