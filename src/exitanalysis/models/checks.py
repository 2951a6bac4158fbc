"""Checks of the arguments the models take: each names the argument and what was expected
(:class:`~exitanalysis.errors.ArgumentError`), so that NaN, infinities, fractions of persons
or probabilities outside (0, 1) stop at the boundary instead of coming out as ``nan``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ArgumentError

if TYPE_CHECKING:
    import pandas as pd

#: Largest target accepted: far above any programme's recruitment target, low enough that a
#: typing error (a budget in kroner, a population) is caught.
MAX_TARGET = 1_000_000


def finite(name: str, value: object, *, low: float | None = None, high: float | None = None,
           above: float | None = None, below: float | None = None) -> float:
    """``value`` as a float that is finite and within ``[low, high]`` (or ``> above``,
    ``< below``); ``True`` and ``False`` are not numbers here."""
    if isinstance(value, bool):
        raise ArgumentError(name, "expected a number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ArgumentError(name, "expected a number") from None
    if not math.isfinite(number):
        raise ArgumentError(name, "expected a finite number (not NaN or infinity)")
    if above is not None and not number > above:
        raise ArgumentError(name, f"expected a number > {above:g}")
    if below is not None and not number < below:
        raise ArgumentError(name, f"expected a number < {below:g}")
    if low is not None and number < low:
        raise ArgumentError(name, f"expected a number ≥ {low:g}")
    if high is not None and number > high:
        raise ArgumentError(name, f"expected a number ≤ {high:g}")
    return number


def whole(name: str, value: object, *, low: int = 0, high: int | None = None) -> int:
    """``value`` as a whole number (``3.0`` passes, ``3.5`` does not) within ``[low, high]``."""
    number = finite(name, value)
    if number != math.floor(number):
        raise ArgumentError(name, "expected a whole number")
    if number < low or (high is not None and number > high):
        bound = f"between {low:,} and {high:,}" if high is not None else f"≥ {low}"
        raise ArgumentError(name, f"expected a whole number {bound}")
    return int(number)


def probabilities(name: str, values: Sequence[float] | float) -> np.ndarray:
    """Levels of quantiles: finite and strictly between 0 and 1."""
    levels = np.atleast_1d(np.asarray(values, dtype=float))
    if levels.ndim != 1 or not len(levels):
        raise ArgumentError(name, "expected one or more levels between 0 and 1")
    if not np.all(np.isfinite(levels)) or np.any((levels <= 0) | (levels >= 1)):
        raise ArgumentError(name, "expected levels strictly between 0 and 1 (a quantile at 0 "
                                  "or 1 is not a count the forecast can give)")
    return levels


def counts(name: str, values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Whole numbers ≥ 0, as floats."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ArgumentError(name, "expected a sequence of counts")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array != np.floor(array)):
        raise ArgumentError(name, "expected whole numbers ≥ 0")
    return array


def check_plan(*, target: object, duration: object, elapsed: object,
               recruited: object) -> tuple[int, float, float, int]:
    """The four numbers of every recruitment forecast (CONTRACT §5), checked together."""
    n = whole("target", target, low=1, high=MAX_TARGET)
    big_t = finite("duration", duration, above=0.0)
    t = finite("elapsed", elapsed, low=0.0, high=big_t)
    m = whole("recruited", recruited)
    if t == 0 and m > 0:
        raise ArgumentError("elapsed", "is 0, but there are recruits: no time has passed in "
                                       "which they could have been recruited")
    return n, big_t, t, m


def summary_html(summary: str, table: pd.DataFrame | None = None, *,
                 index: bool = False) -> str:
    """A result as a notebook shows it: each line of its summary a paragraph, then its
    table (empty cells blank)."""
    import html

    text = "".join(f"<p>{html.escape(line)}</p>" for line in summary.splitlines())
    return text if table is None else text + table.to_html(index=index, na_rep="")


__all__ = ["MAX_TARGET", "check_plan", "counts", "finite", "probabilities", "summary_html",
           "whole"]
