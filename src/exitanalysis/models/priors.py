"""The prior weight of the Gamma–Poisson accrual model: how much of the plan to believe.

A number P in [0, 1] (how many "periods' worth" of belief in the plan to add to the data),
``accelerated`` (P = 1 − m/n) or ``hedging`` (an average over P weighted by how well each P
predicted the data). The config, the command line and every model read it with
:func:`parse_prior_weight`, so all three accept the same values.
"""

from __future__ import annotations

from typing import Any, Literal

PriorWeight = float | Literal["accelerated", "hedging"]
PRIOR_WEIGHT_WORDS = ("accelerated", "hedging")


def parse_prior_weight(value: Any) -> PriorWeight:
    """A number in [0, 1], ``'accelerated'`` or ``'hedging'``; anything else is an error."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in PRIOR_WEIGHT_WORDS:
            return word  # type: ignore[return-value]
        try:
            value = float(word)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError("expected a number in [0, 1], 'accelerated' or 'hedging'")
    return float(value)


def prior_key(prior: PriorWeight | str) -> str:
    """The key of a prior weight in replay and sensitivity tables: ``P = 0.5``, ``hedging``.

    A key passes through unchanged.
    """
    if isinstance(prior, str) and prior.startswith("P = "):
        prior = float(prior[4:])
    if isinstance(prior, str):
        return prior
    return f"P = {prior:g}"


__all__ = ["PRIOR_WEIGHT_WORDS", "PriorWeight", "parse_prior_weight", "prior_key"]
