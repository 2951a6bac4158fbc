"""Who the programme reaches, by where they sell, against where the population sells.

If the people reached are mostly those who sell on the street or in venues while selling has
moved online, outreach is not following the population (the memo's lesson). The share of the
persons reached who sell in each arena comes with its Wilson interval; the population's share
is rarely published, so it is a range with its source (``analysis.population_shares``), the
evaluator's stated assumption when nothing is published. The comparison says only what the
two ranges allow: reached below the population's range, above it, or not distinguishable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .conversion import wilson_interval

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Categories that say nothing about where a person sells: left out of the shares.
UNKNOWN = ("unknown",)


@dataclass(frozen=True)
class PopulationShare:
    """A population share as a range with its source (a published figure or an assumption)."""

    low: float
    high: float
    source: str


@dataclass(frozen=True)
class Reach:
    """Persons reached by where they sell, against the population.

    Attributes
    ----------
    by
        The category column (``sales_channel``).
    table
        One row per category: ``category``, ``persons``, ``share`` of the persons with a known
        category, ``low``, ``high`` (Wilson, 95 %), ``population_low``, ``population_high``,
        ``population_source`` (NaN / empty without one), ``verdict``: ``below`` (the whole
        interval under the population's range), ``above``, ``not distinguishable``, or
        ``no population figure``.
    unknown
        Persons whose category is unknown (not in the shares).
    """

    by: str
    table: pd.DataFrame
    unknown: int

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def has_population(self) -> bool:
        return bool(self.table["population_low"].notna().any())

    def summary(self) -> str:
        lines = [f"Persons reached by {self.by} (Wilson 95% intervals; {self.unknown} unknown "
                 "left out):"]
        for r in self.table.itertuples(index=False):
            line = f"{r.category}: {r.persons} ({r.share:.0%}, {r.low:.0%} to {r.high:.0%})"
            if not math.isnan(r.population_low):
                line += (f" against {r.population_low:.0%} to {r.population_high:.0%} of the "
                         f"population ({r.population_source}): {r.verdict}")
            lines.append(line)
        if not self.has_population:
            lines.append("No population shares are given, so reach cannot be compared with "
                         "where the population sells.")
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.reach import plot_reach

        return plot_reach(self, ax=ax)


def reach_by(persons: pd.DataFrame, by: str = "sales_channel", *,
             population: Mapping[str, PopulationShare] | None = None,
             level: float = 0.95) -> Reach:
    """The share of persons reached in each category, with Wilson intervals, against the
    population's share where one is given.

    Parameters
    ----------
    persons
        One row per person contacted, with the ``by`` column.
    population
        Category → the population's share as a range with its source.

    Examples
    --------
    >>> persons = pd.DataFrame({"sales_channel": ["street"] * 30 + ["online"] * 10})
    >>> reach = reach_by(persons, population={"online": PopulationShare(0.5, 0.6, "assumed")})
    >>> reach.table.set_index("category").loc["online", "verdict"]
    'below'
    """
    known = persons[by].dropna().astype(str)
    unknown = int(known.isin(UNKNOWN).sum()) + int(persons[by].isna().sum())
    known = known[~known.isin(UNKNOWN)]
    counts = known.value_counts(sort=True)
    total = int(counts.sum())
    table = pd.DataFrame({"category": counts.index.astype(str), "persons": counts.to_numpy()})
    table["share"] = table["persons"] / total if total else math.nan
    low, high = wilson_interval(table["persons"].to_numpy(), total, level)
    table["low"], table["high"] = low, high
    given = population or {}
    table["population_low"] = [given[c].low if c in given else math.nan
                               for c in table["category"]]
    table["population_high"] = [given[c].high if c in given else math.nan
                                for c in table["category"]]
    table["population_source"] = [given[c].source if c in given else ""
                                  for c in table["category"]]
    table["verdict"] = [_verdict(r.low, r.high, r.population_low, r.population_high)
                        for r in table.itertuples(index=False)]
    return Reach(by, table, unknown)


@dataclass(frozen=True)
class Counterfactual:
    """How many more persons would have been reached in one arena at another arena's rate.

    Attributes
    ----------
    arena, at_rate_of
        The arena whose persons are counted (``online``) and the arena whose rate of reach
        they are given (``street``).
    reached
        Persons reached in ``arena``.
    extra
        Median of the additional persons, and its interval (``low``, ``high``).
    assumptions
        What the number rests on, in words.
    """

    arena: str
    at_rate_of: str
    reached: int
    extra: float
    low: float
    high: float
    level: float
    assumptions: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"arena": self.arena, "at_rate_of": self.at_rate_of,
                              "reached": self.reached, "extra": self.extra, "low": self.low,
                              "high": self.high}])

    def summary(self) -> str:
        return (f"Had persons selling {self.arena} been reached at the rate of those selling "
                f"{self.at_rate_of}, about {self.extra:.0f} more would have been reached "
                f"({self.level:.0%} interval {self.low:.0f} to {self.high:.0f}), against "
                f"{self.reached} reached. Assumes: " + "; ".join(self.assumptions) + ".")


def counterfactual_reach(reach: Reach, population_size: tuple[float, float] | None = None, *,
                         arena: str = "online", at_rate_of: str = "street",
                         draws: int = 20_000, level: float = 0.95,
                         seed: int = 20200101) -> Counterfactual:
    """Additional persons reached had ``arena`` been reached at ``at_rate_of``'s rate.

    The rate of reach in an arena is persons reached there over the people selling there
    (the population size N times the arena's share s). At the other arena's rate,
    N·s_arena·reached_other/(N·s_other) would have been reached: N cancels, and the extra is
    s_arena/s_other · reached_other − reached_arena. Given ``population_size``, the extra is
    capped at the people selling in ``arena`` who were not reached. Uncertainty: the reached
    counts as Poisson (a Gamma(k + ½) posterior, Jeffreys), the shares uniform over their
    ranges, N uniform over its range; a seeded Monte Carlo of ``draws``.

    Parameters
    ----------
    reach
        From :func:`reach_by`, with population shares for both arenas.
    population_size
        The number of people selling sex in the programme's area, as a range; only caps the
        extra (nobody is reached twice).
    """
    table = reach.table.set_index("category")
    for name in (arena, at_rate_of):
        if name not in table.index or np.isnan(table.loc[name, "population_low"]):
            raise ValueError(f"{name!r}: needs persons reached and a population share")
    rng = np.random.default_rng(seed)
    share = {name: rng.uniform(table.loc[name, "population_low"],
                               table.loc[name, "population_high"], draws)
             for name in (arena, at_rate_of)}
    reached = {name: rng.gamma(float(table.loc[name, "persons"]) + 0.5, 1.0, draws)
               for name in (arena, at_rate_of)}
    extra = share[arena] / share[at_rate_of] * reached[at_rate_of] - reached[arena]
    size_words = "not given (no cap)"
    if population_size is not None:
        size = rng.uniform(population_size[0], population_size[1], draws)
        extra = np.minimum(extra, size * share[arena] - reached[arena])
        size_words = f"{population_size[0]:.0f} to {population_size[1]:.0f}"
    tail = (1 - level) / 2
    low, median, high = np.quantile(extra, [tail, 0.5, 1 - tail])
    assumptions = (
        f"the people selling {arena} are as reachable as those selling {at_rate_of} "
        "(no harder to find, no less willing)",
        f"the population's shares ({table.loc[arena, 'population_source']}; "
        f"{table.loc[at_rate_of, 'population_source']}) hold; its size: {size_words}",
        "reaching more online takes outreach that was not funded; the figure says what was "
        "missed, not what it would have cost",
    )
    return Counterfactual(arena, at_rate_of, int(table.loc[arena, "persons"]), float(median),
                          float(low), float(high), level, assumptions)


def _verdict(low: float, high: float, population_low: float, population_high: float) -> str:
    if math.isnan(population_low):
        return "no population figure"
    if high < population_low:
        return "below"
    if low > population_high:
        return "above"
    return "not distinguishable"


__all__ = ["Counterfactual", "PopulationShare", "Reach", "counterfactual_reach", "reach_by"]
