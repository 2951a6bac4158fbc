"""Was the target realistic, what target would be, and what would new initiatives buy?

Three views of one question, each a seeded Monte Carlo whose error is reported with every
number it gives:

* :func:`funnel_check`: the persons a programme could include at all, as a product of
  factors (a population, the share selling in the area, turnover, the share wishing to
  leave, eligible, reached, taking the offer up), each a :class:`Range` with its source.
  How likely is the product to reach the target, and which factor matters most?
* :func:`reference_class`: what comparable programmes achieved, pooled with a normal–normal
  hierarchical model of log monthly rates whose between-programme spread is integrated over,
  never plugged in: with one to three programmes it cannot be estimated.
* :func:`simulate_scenarios`: the status quo's contact rate (a Gamma posterior), and what
  new initiatives (more outreach in one channel, better conversion, a safe-conduct scheme
  bringing new people forward) would add, each effect a :class:`Range` of multipliers.
  All scenarios share their random numbers, so their differences are not noise.

Every random stream is derived from ``seed`` and, where draws belong to a named factor or
scenario, from its name: results do not depend on the order in which factors or scenarios
are given, and adding a scenario does not change the others.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import ArgumentError
from .checks import finite, whole

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Row names :func:`simulate_scenarios` gives itself; no scenario may take them.
STATUS_QUO = "status quo"
ALL = "all"
#: The level of every Monte Carlo interval (of a quantile, of a reachable target).
MC_LEVEL = 0.95


# --- small pieces -------------------------------------------------------------------------


class MonteCarloEstimate(NamedTuple):
    """A simulated number and its Monte Carlo standard error (unpacks as ``p, se``)."""

    value: float
    se: float


class ReachableTarget(NamedTuple):
    """The largest target reached with the stated assurance, and its Monte Carlo error: the
    larger distance from it to the ends of its Monte Carlo 95 % interval (unpacks as
    ``target, mc_error``)."""

    target: int
    mc_error: float


def _assurance(value: object) -> float:
    return finite("assurance", value, above=0.0, below=1.0)


def _stream(seed: int, role: int, name: str = "") -> np.random.Generator:
    """The random stream of one role (and one named factor or scenario) of a seed."""
    data = name.encode("utf-8")
    return np.random.default_rng([seed, role, len(data), *data])


def _largest_reached(ordered: np.ndarray, assurance: float) -> float:
    """The largest t with (share of draws ≥ t) ≥ assurance, from sorted draws.

    With n draws sorted x₍₁₎ ≤ … ≤ x₍ₙ₎, that is x₍ₖ₎ with k = ⌊n·(1 − assurance)⌋ + 1.
    """
    n = len(ordered)
    k = min(math.floor(n * (1.0 - assurance)) + 1, n)
    return float(ordered[k - 1])


def _order_interval(ordered: np.ndarray, assurance: float,
                    level: float = MC_LEVEL) -> tuple[float, float]:
    """Distribution-free interval of the (1 − assurance) quantile: x₍ₗ₎ to x₍ᵤ₎ with l, u
    the binomial quantiles of the number of draws below it (David & Nagaraja 2003, Order
    Statistics, §7.1)."""
    n = len(ordered)
    p = 1.0 - assurance
    tail = (1.0 - level) / 2.0
    lo = int(stats.binom.ppf(tail, n, p))
    hi = int(stats.binom.ppf(1.0 - tail, n, p)) + 1
    estimate = _largest_reached(ordered, assurance)
    low = float(ordered[min(max(lo, 1), n) - 1])
    high = float(ordered[min(max(hi, 1), n) - 1])
    return min(low, estimate), max(high, estimate)


def _percent(x: float) -> str:
    """A share as a percentage, to two significant digits within 1 % of 0 or 1 (0.017 %,
    0.30 %, 99.970 %)."""
    small = min(x, 1.0 - x)
    if small <= 0:
        return f"{x * 100:g} %"
    digits = max(1, 1 - math.floor(math.log10(small * 100)))
    return f"{x * 100:.{digits}f} %"


def _share(p: float, se: float, draws: int) -> str:
    """A simulated probability in words, with its Monte Carlo error."""
    if p == 0.0:
        return f"below {_percent(3.0 / draws)} (none of {draws:,} draws; 95 % bound)"
    if p == 1.0:
        return f"above {_percent(1.0 - 3.0 / draws)} (all of {draws:,} draws; 95 % bound)"
    return f"{_percent(p)} (Monte Carlo SE {_percent(se)})"


def _html(summary: str, frame: pd.DataFrame) -> str:
    paragraphs = "".join(f"<p>{html.escape(s)}</p>" for s in summary.splitlines())
    return paragraphs + frame.to_html(index=False, float_format=lambda x: f"{x:.4g}")


# --- ranges -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """An uncertain number as a range with its source.

    Attributes
    ----------
    low, high
        The range; ``low == high`` is a known constant.
    mode
        The most likely value: the draws are triangular on [low, high] with this mode;
        ``None``: uniform on [low, high].
    source
        Where the range comes from (a publication, a register, or ``"assumption"``).

    Examples
    --------
    >>> Range(100, 300).central, Range(100, 300, mode=150).central
    (200.0, 150.0)
    >>> Range(0.5, 0.4)
    Traceback (most recent call last):
    ...
    exitanalysis.errors.ArgumentError: Range: expected low ≤ high, got low=0.5, high=0.4
    """

    low: float
    high: float
    mode: float | None = None
    source: str = "assumption"

    def __post_init__(self) -> None:
        low = finite("Range.low", self.low)
        high = finite("Range.high", self.high)
        if low > high:
            raise ArgumentError("Range", f"expected low ≤ high, got low={low:g}, high={high:g}")
        if self.mode is not None:
            mode = finite("Range.mode", self.mode)
            if not low <= mode <= high:
                raise ArgumentError("Range", f"expected low ≤ mode ≤ high, got low={low:g}, "
                                             f"mode={mode:g}, high={high:g}")
        if not isinstance(self.source, str):
            raise ArgumentError("Range.source", "expected text")

    @property
    def midpoint(self) -> float:
        """The middle of the range."""
        return (self.low + self.high) / 2.0

    @property
    def central(self) -> float:
        """The mode when given, else the middle of the range."""
        return self.midpoint if self.mode is None else float(self.mode)

    @property
    def mean(self) -> float:
        """The mean of the draws: (low + high)/2, or (low + mode + high)/3 when triangular."""
        if self.mode is None:
            return self.midpoint
        return (self.low + float(self.mode) + self.high) / 3.0

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """The values at probabilities ``u`` (the inverse of the distribution function).

        Increasing in ``u`` and in ``low``, ``mode`` and ``high``: draws made from the same
        uniforms keep their order when a range is moved up.
        """
        u = np.asarray(u, dtype=float)
        a, b = float(self.low), float(self.high)
        if a == b:
            return np.full(u.shape, a)
        if self.mode is None:
            return a + (b - a) * u
        c = float(self.mode)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < (c - a) / (b - a), left, right)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws: uniform on [low, high], triangular when a mode is given,
        constant when low == high (by inversion of ``rng.random(n)``)."""
        return self.ppf(rng.random(whole("n", n)))


def _range(name: str, value: object, *, low: float = 0.0, high: float | None = None) -> Range:
    if not isinstance(value, Range):
        raise ArgumentError(name, "expected a Range")
    if value.low < low or (high is not None and value.high > high):
        bound = f"within [{low:g}, {high:g}]" if high is not None else f"≥ {low:g}"
        raise ArgumentError(name, f"expected a range {bound}, got {value.low:g} to "
                                  f"{value.high:g}")
    return value


# --- 1. the funnel ------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelCheck:
    """The persons a programme could include, as a product of uncertain factors.

    Attributes
    ----------
    factors
        Name → :class:`Range`, in the order of the funnel: the first a number of persons,
        the rest shares or multipliers.
    target
        The persons the programme was to include.
    assurance
        The probability with which :meth:`summary` reports the reachable target.
    draws, seed
        Monte Carlo draws and the seed they come from.
    factor_draws
        The draws, one row per factor in the order of ``factors``; every number derives from
        them (:attr:`values` is their product).
    """

    factors: dict[str, Range]
    target: float
    assurance: float
    draws: int
    seed: int
    factor_draws: np.ndarray = field(repr=False, compare=False)

    @cached_property
    def values(self) -> np.ndarray:
        """The includable persons of each draw: the product of the factors."""
        return np.prod(self.factor_draws, axis=0)

    @cached_property
    def _ordered(self) -> np.ndarray:
        return np.sort(self.values)

    @property
    def p_reach(self) -> float:
        """P(includable persons ≥ target), the share of draws that reach it."""
        return float(np.mean(self.values >= self.target))

    @property
    def p_reach_se(self) -> float:
        """Monte Carlo standard error of :attr:`p_reach`: √(p(1 − p)/draws) (0 when p is 0
        or 1; then p is below 3/draws or above 1 − 3/draws with 95 % confidence)."""
        p = self.p_reach
        return math.sqrt(p * (1.0 - p) / self.draws)

    def quantiles(self, q: Sequence[float] | float) -> np.ndarray:
        """Quantiles of the includable persons at levels ``q`` (in [0, 1])."""
        levels = np.atleast_1d(np.asarray(q, dtype=float))
        if not np.all(np.isfinite(levels)) or np.any((levels < 0) | (levels > 1)):
            raise ArgumentError("q", "expected levels between 0 and 1")
        return np.quantile(self.values, levels)

    def reachable(self, assurance: float | None = None) -> float:
        """The largest target reached with probability ≥ ``assurance`` (default: the
        result's): the (1 − assurance) quantile of the includable persons."""
        a = self.assurance if assurance is None else _assurance(assurance)
        return _largest_reached(self._ordered, a)

    def reachable_interval(self, assurance: float | None = None) -> tuple[float, float]:
        """Monte Carlo 95 % interval of :meth:`reachable`, from binomial order statistics."""
        a = self.assurance if assurance is None else _assurance(assurance)
        return _order_interval(self._ordered, a)

    def tornado(self) -> pd.DataFrame:
        """How much each factor moves the answer.

        Columns: ``factor``, ``low``, ``high`` (its range), ``low_value``, ``high_value``
        (the median of the includable persons with the factor fixed at its low or high end
        and the other factors drawn, from the same draws), ``swing`` (high_value −
        low_value); the largest swing first.
        """
        rows = []
        for i, (name, rng) in enumerate(self.factors.items()):
            others = np.prod(np.delete(self.factor_draws, i, axis=0), axis=0)
            low_value = float(np.median(rng.low * others))
            high_value = float(np.median(rng.high * others))
            rows.append({"factor": name, "low": float(rng.low), "high": float(rng.high),
                         "low_value": low_value, "high_value": high_value,
                         "swing": high_value - low_value})
        frame = pd.DataFrame(rows)
        order = np.argsort(-frame["swing"].abs().to_numpy(), kind="stable")
        return frame.iloc[order].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per factor: ``factor``, ``low``, ``high``, ``mode`` (NaN for uniform),
        ``source``."""
        return pd.DataFrame([{"factor": name, "low": float(r.low), "high": float(r.high),
                              "mode": math.nan if r.mode is None else float(r.mode),
                              "source": r.source} for name, r in self.factors.items()])

    def summary(self) -> str:
        """The check in sentences."""
        q05, q50, q95 = self.quantiles([0.05, 0.5, 0.95])
        low, high = self.reachable_interval()
        top = self.tornado().iloc[0]
        assumed = [name for name, r in self.factors.items() if r.source == "assumption"]
        lines = [
            f"Includable persons, the product of {len(self.factors)} factors "
            f"({' × '.join(self.factors)}; {self.draws:,} draws, seed {self.seed}): median "
            f"{q50:,.0f} (90 % range {q05:,.0f} to {q95:,.0f}).",
            f"Probability of reaching the target of {self.target:,.0f}: "
            f"{_share(self.p_reach, self.p_reach_se, self.draws)}.",
            f"The largest target reached with {self.assurance * 100:g} % assurance: "
            f"{self.reachable():,.0f} (Monte Carlo 95 % interval {low:,.0f} to {high:,.0f}).",
            f"The factor that moves the answer most: {top['factor']} (median "
            f"{top['low_value']:,.0f} at its low end, {top['high_value']:,.0f} at its high end).",
        ]
        if assumed:
            lines.append("Assumed without a source: " + ", ".join(assumed) + ".")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html(self.summary(), self.tornado())

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """The funnel: each factor's range and the includable persons against the target."""
        from ..figures.realism import funnel_figure

        return funnel_figure(self, ax=ax, **kwargs)


def funnel_check(factors: Mapping[str, Range], *, target: float, assurance: float = 0.8,
                 draws: int = 100_000, seed: int = 0) -> FunnelCheck:
    """Could the target have been reached at all? The includable persons as a product of
    uncertain factors, against the target.

    Parameters
    ----------
    factors
        Name → :class:`Range`, in the order of the funnel: the first a number of persons
        (the population), the rest shares or multipliers (share selling in the area,
        turnover over the period, wish to leave, eligible, reached, take-up). All ≥ 0.
    target
        The persons the programme was to include.
    assurance
        The probability at which :meth:`FunnelCheck.summary` states the reachable target.
    draws
        Monte Carlo draws.
    seed
        Seed of the draws; each factor's draws come from a stream of ``seed`` and its name.

    Returns
    -------
    FunnelCheck

    Notes
    -----
    Each factor is drawn independently from its range (uniform, or triangular with a mode)
    and the includable number is their product. Independence is itself an assumption: a
    population that turns over faster may hold fewer people who wish to leave. P(reach) is
    the share of draws at or above the target, with binomial Monte Carlo error; the
    reachable target at assurance a is the (1 − a) quantile of the product, with a
    distribution-free interval from order statistics.

    Examples
    --------
    >>> check = funnel_check({"population": Range(2000, 4000), "wish_to_leave": Range(0.1, 0.3),
    ...                       "uptake": Range(0.5, 0.5)}, target=465, draws=10_000)
    >>> round(check.p_reach, 2), round(check.p_reach_se, 3)
    (0.08, 0.003)
    >>> check.tornado()["factor"].tolist()
    ['wish_to_leave', 'population', 'uptake']
    """
    if not isinstance(factors, Mapping) or not factors:
        raise ArgumentError("factors", "expected one or more named ranges")
    checked: dict[str, Range] = {}
    for name, value in factors.items():
        if not isinstance(name, str) or not name:
            raise ArgumentError("factors", "expected names that are non-empty text")
        checked[name] = _range(f"factors['{name}']", value)
    target = finite("target", target, low=0.0)
    assurance = _assurance(assurance)
    draws = whole("draws", draws, low=1)
    seed = whole("seed", seed)
    factor_draws = np.vstack([r.ppf(_stream(seed, 10, name).random(draws))
                              for name, r in checked.items()])
    return FunnelCheck(checked, target, assurance, draws, seed, factor_draws)


# --- 2. the reference class ----------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceProgramme:
    """A comparable programme: the persons it reached in a number of months.

    Attributes
    ----------
    name
        The programme, as its source names it.
    persons
        Persons it counted (≥ 1: a log rate needs one).
    months
        Months over which it counted them.
    source
        Where the figures come from.
    """

    name: str
    persons: int
    months: float
    source: str

    def __post_init__(self) -> None:
        whole(f"ReferenceProgramme '{self.name}': persons", self.persons, low=1)
        finite(f"ReferenceProgramme '{self.name}': months", self.months, above=0.0)

    @property
    def rate(self) -> float:
        """Persons per month."""
        return self.persons / self.months


@dataclass(frozen=True)
class ReferenceClass:
    """What a new programme's monthly rate could be, predicted from comparable programmes.

    Attributes
    ----------
    programmes
        The reference programmes.
    tau_scale
        Scale of the half-normal prior of τ, the between-programme standard deviation of
        log monthly rates (0.5: programmes' rates typically within a factor of about 1.4 of
        each other, rarely more than 2.7).
    tau_grid, tau_weights
        The grid over τ and its posterior weights (summing to 1).
    mu_hat, mu_var
        Given each τ of the grid: the posterior mean and variance of μ, the mean log rate.

    Notes
    -----
    A new programme's log rate is, given τ, N(μ̂_τ, V_μ(τ) + τ²); its predictive is the
    mixture of these over the posterior of τ (:attr:`predictive_mean`,
    :attr:`predictive_sd`, :attr:`tau_weights`).
    """

    programmes: tuple[ReferenceProgramme, ...]
    tau_scale: float
    tau_grid: np.ndarray = field(repr=False, compare=False)
    tau_weights: np.ndarray = field(repr=False, compare=False)
    mu_hat: np.ndarray = field(repr=False, compare=False)
    mu_var: np.ndarray = field(repr=False, compare=False)

    @property
    def predictive_mean(self) -> np.ndarray:
        """Mean of a new programme's log rate given each τ of the grid."""
        return self.mu_hat

    @property
    def predictive_sd(self) -> np.ndarray:
        """Standard deviation of a new programme's log rate given each τ: √(V_μ + τ²)."""
        return np.sqrt(self.mu_var + self.tau_grid**2)

    @property
    def tau_median(self) -> float:
        """Posterior median of τ."""
        return self.tau_quantiles([0.5])[0]

    def tau_quantiles(self, q: Sequence[float]) -> np.ndarray:
        """Posterior quantiles of τ (from the grid)."""
        cumulative = np.cumsum(self.tau_weights)
        index = np.searchsorted(cumulative, np.asarray(q, dtype=float) - 1e-12)
        return self.tau_grid[np.minimum(index, len(self.tau_grid) - 1)]

    def _log_rate_cdf(self, x: float) -> float:
        return float(self.tau_weights @ stats.norm.cdf((x - self.predictive_mean)
                                                       / self.predictive_sd))

    def rate_quantiles(self, q: Sequence[float] | float) -> np.ndarray:
        """Quantiles of a new programme's monthly rate, exact from the mixture (root-finding
        on its distribution function; no simulation)."""
        levels = np.atleast_1d(np.asarray(q, dtype=float))
        if not np.all(np.isfinite(levels)) or np.any((levels <= 0) | (levels >= 1)):
            raise ArgumentError("q", "expected levels strictly between 0 and 1")
        lo = float(np.min(self.predictive_mean - 40 * self.predictive_sd))
        hi = float(np.max(self.predictive_mean + 40 * self.predictive_sd))
        return np.array([math.exp(optimize.brentq(lambda x, p=p: self._log_rate_cdf(x) - p,
                                                  lo, hi, xtol=1e-10))
                         for p in levels])

    def sample_rate(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` monthly rates of a new programme drawn from the predictive."""
        n = whole("n", n)
        u = rng.random(n)
        component = np.minimum(np.searchsorted(np.cumsum(self.tau_weights), u, side="right"),
                               len(self.tau_weights) - 1)
        z = rng.standard_normal(n)
        return np.exp(self.predictive_mean[component] + self.predictive_sd[component] * z)

    def _tail(self, target: int, months: float, draws: int, seed: int) -> np.ndarray:
        rates = self.sample_rate(np.random.default_rng(seed), draws)
        return stats.poisson.sf(target - 1, rates * months)

    def p_reach(self, target: int, months: float, *, draws: int = 100_000,
                seed: int = 0) -> MonteCarloEstimate:
        """P(a new programme counts ≥ ``target`` persons in ``months``), with its Monte
        Carlo standard error.

        Given a rate drawn from the predictive, the count is Poisson(rate·months) and its
        tail is computed exactly; P is the mean over ``draws`` rates, its SE their standard
        deviation over √draws.
        """
        target = whole("target", target)
        months = finite("months", months, above=0.0)
        draws = whole("draws", draws, low=1)
        tail = self._tail(target, months, draws, whole("seed", seed))
        se = float(tail.std(ddof=1) / math.sqrt(draws)) if draws > 1 else math.nan
        return MonteCarloEstimate(float(tail.mean()), se)

    def target_at(self, assurance: float, months: float, *, draws: int = 100_000,
                  seed: int = 0) -> ReachableTarget:
        """The largest target t with P(count in ``months`` ≥ t) ≥ ``assurance``, and its
        Monte Carlo error.

        P(count ≥ t) is the mean over ``draws`` predictive rates of the exact Poisson tail.
        The Monte Carlo 95 % interval of t runs from the largest t whose P less 1.96 Monte
        Carlo standard errors still reaches ``assurance`` to the largest whose P plus 1.96
        SE does; ``mc_error`` is the larger distance from t to its ends.
        """
        assurance = _assurance(assurance)
        months = finite("months", months, above=0.0)
        draws = whole("draws", draws, low=2)
        means = self.sample_rate(np.random.default_rng(whole("seed", seed)), draws) * months
        z = float(stats.norm.ppf(0.5 + MC_LEVEL / 2))

        @functools.cache
        def moments(t: int) -> tuple[float, float]:
            # Shared by the three searches below: each tail is one pass over the draws.
            tail = stats.poisson.sf(t - 1, means)
            return float(tail.mean()), float(tail.std(ddof=1))

        def reached(t: int, shift: float) -> bool:
            mean, sd = moments(t)
            return bool(mean + shift * sd / math.sqrt(draws) >= assurance)

        def largest(shift: float) -> int:
            lo, hi = 0, int(stats.poisson.isf(1e-12, float(means.max()))) + 2
            while reached(hi, shift):
                lo, hi = hi, 2 * hi
            while hi - lo > 1:  # reached(lo) and not reached(hi)
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if reached(mid, shift) else (lo, mid)
            return lo

        target = largest(0.0)
        error = max(target - largest(-z), largest(z) - target, 0)
        return ReachableTarget(target, float(error))

    def to_frame(self) -> pd.DataFrame:
        """One row per programme: ``name``, ``persons``, ``months``, ``rate`` (persons per
        month), ``rate_low``, ``rate_high`` (exact Poisson 95 % interval), ``source``."""
        rows = []
        for p in self.programmes:
            low = stats.chi2.ppf(0.025, 2 * p.persons) / 2 / p.months
            high = stats.chi2.ppf(0.975, 2 * p.persons + 2) / 2 / p.months
            rows.append({"name": p.name, "persons": p.persons, "months": float(p.months),
                         "rate": p.rate, "rate_low": float(low), "rate_high": float(high),
                         "source": p.source})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The reference class in sentences."""
        q10, q50, q90 = self.rate_quantiles([0.1, 0.5, 0.9])
        t_low, t_high = self.tau_quantiles([0.025, 0.975])
        listed = "; ".join(f"{r.name}: {r.rate:.2f} per month ({r.rate_low:.2f} to "
                           f"{r.rate_high:.2f})" for r in self.to_frame().itertuples())
        lines = [
            f"{len(self.programmes)} reference programme(s): {listed}.",
            f"A new programme's monthly rate, predicted from them: median {q50:.2f} (80 % "
            f"interval {q10:.2f} to {q90:.2f}).",
            f"Spread between programmes (τ, standard deviation of log rates): posterior "
            f"median {self.tau_median:.2f} (95 % {t_low:.2f} to {t_high:.2f}), prior "
            f"half-normal with scale {self.tau_scale:g}.",
        ]
        if len(self.programmes) <= 3:
            lines.append(f"With {len(self.programmes)} programme(s) the spread cannot be "
                         "estimated: it is integrated over its prior, and the prediction's "
                         "width rests on tau_scale.")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html(self.summary(), self.to_frame())

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """The programmes' rates with their intervals, and the predictive for a new one."""
        from ..figures.realism import reference_class_figure

        return reference_class_figure(self, ax=ax, **kwargs)


def _tau_log_posterior(y: np.ndarray, v: np.ndarray, tau: np.ndarray,
                       tau_scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log p(τ | y) up to a constant, μ̂_τ and V_μ(τ) (BDA3 eqs. 5.19–5.21)."""
    w = 1.0 / (v[None, :] + tau[:, None] ** 2)
    mu_var = 1.0 / w.sum(axis=1)
    mu_hat = mu_var * (w * y[None, :]).sum(axis=1)
    log_prior = -0.5 * (tau / tau_scale) ** 2 if tau_scale > 0 else np.zeros_like(tau)
    log_post = (log_prior + 0.5 * np.log(mu_var) + 0.5 * np.log(w).sum(axis=1)
                - 0.5 * (w * (y[None, :] - mu_hat[:, None]) ** 2).sum(axis=1))
    return log_post, mu_hat, mu_var


def reference_class(programmes: Sequence[ReferenceProgramme], *, tau_scale: float = 0.5,
                    grid: int = 400) -> ReferenceClass:
    """What comparable programmes say a new programme's monthly rate could be.

    Parameters
    ----------
    programmes
        One or more comparable programmes with their counts, months and sources.
    tau_scale
        Scale of the half-normal prior of the between-programme standard deviation τ of log
        monthly rates; 0 pools the programmes as if they shared one rate.
    grid
        Points of the grid over τ.

    Returns
    -------
    ReferenceClass

    Notes
    -----
    Normal–normal hierarchical model on log monthly rates (Gelman et al. 2013, Bayesian Data
    Analysis, 3rd ed., §5.4–5.5): programme i's estimate yᵢ = log(personsᵢ/monthsᵢ) has
    sampling variance σᵢ² = 1/personsᵢ (the delta method for a Poisson count); its true log
    rate θᵢ ~ N(μ, τ²); μ has a flat prior and τ a half-normal(tau_scale) one. With
    wᵢ = 1/(σᵢ² + τ²), V_μ = 1/Σwᵢ and μ̂ = V_μ·Σwᵢyᵢ,
    p(τ | y) ∝ p(τ)·V_μ^½·Πᵢ N(yᵢ | μ̂, σᵢ² + τ²), computed on a midpoint grid. A new
    programme's log rate is the mixture over τ of N(μ̂_τ, V_μ(τ) + τ²). τ is never plugged
    in: with one to three programmes the data say little about it, and its posterior is
    close to its prior (with one programme, equal to it).

    Examples
    --------
    >>> ref = reference_class([ReferenceProgramme("A", 120, 36, "report A"),
    ...                        ReferenceProgramme("B", 60, 24, "report B")])
    >>> [round(float(r), 2) for r in ref.rate_quantiles([0.1, 0.5, 0.9])]
    [1.74, 2.95, 4.84]
    """
    programmes = tuple(programmes)
    if not programmes or not all(isinstance(p, ReferenceProgramme) for p in programmes):
        raise ArgumentError("programmes", "expected one or more ReferenceProgramme")
    tau_scale = finite("tau_scale", tau_scale, low=0.0)
    grid = whole("grid", grid, low=2)
    y = np.array([math.log(p.rate) for p in programmes])
    v = np.array([1.0 / p.persons for p in programmes])
    if tau_scale == 0:
        tau = np.zeros(1)
        log_post, mu_hat, mu_var = _tau_log_posterior(y, v, tau, tau_scale)
    else:
        upper = max(6.0 * tau_scale, 2.0 * float(y.max() - y.min()))
        for _ in range(20):  # widen until the posterior has no mass at the top of the grid
            tau = (np.arange(grid) + 0.5) * upper / grid
            log_post, mu_hat, mu_var = _tau_log_posterior(y, v, tau, tau_scale)
            weights = np.exp(log_post - log_post.max())
            if weights[-max(grid // 20, 1):].sum() < 1e-6 * weights.sum():
                break
            upper *= 2.0
    weights = np.exp(log_post - log_post.max())
    return ReferenceClass(programmes, tau_scale, tau, weights / weights.sum(), mu_hat, mu_var)


# --- 3. scenarios -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A new initiative, as multipliers of the status quo.

    Attributes
    ----------
    name
        The scenario, as the committee would name it.
    source
        Where its effects come from (an evaluation elsewhere, or ``"assumption"``).
    channel
        The contact channel whose rate ``contact_rate`` multiplies; ``None``: all channels.
    contact_rate
        Multiplier of the contact rate (of ``channel``, or of all).
    conversion, retention
        Multipliers of the share of contacted persons who are counted (included, and still
        in the programme when counted). They act on everyone the row counts: the status
        quo's contacts and any new seekers alike.
    new_seekers_share
        The share of the area's population that would newly come forward over the period
        (a safe-conduct scheme lifting the fear of sanctions); needs the base's population.
        New seekers are counted at the status quo's conversion and retention (times the
        row's multipliers): a lower take-up among them belongs in this share, not in
        ``conversion``, which would lower the status quo's count too.
    """

    name: str
    source: str = "assumption"
    channel: str | None = None
    contact_rate: Range | None = None
    conversion: Range | None = None
    retention: Range | None = None
    new_seekers_share: Range | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ArgumentError("Scenario.name", "expected non-empty text")
        where = f"Scenario '{self.name}'"
        for effect in ("contact_rate", "conversion", "retention"):
            value = getattr(self, effect)
            if value is not None:
                _range(f"{where}: {effect}", value)
        if self.new_seekers_share is not None:
            _range(f"{where}: new_seekers_share", self.new_seekers_share, high=1.0)
        if self.channel is not None and self.contact_rate is None:
            raise ArgumentError(f"{where}: channel", "a channel needs a contact_rate to act on")
        if all(getattr(self, e) is None for e in _EFFECTS):
            raise ArgumentError(where, "expected at least one effect (contact_rate, "
                                       "conversion, retention or new_seekers_share)")


#: The effects of a scenario, in the order their random numbers are drawn.
_EFFECTS = ("contact_rate", "conversion", "retention", "new_seekers_share")


@dataclass(frozen=True)
class BaseRate:
    """The status quo: the contact rate per month and, optionally, its channels.

    Attributes
    ----------
    shape, rate
        The contact rate per month is Gamma(shape, rate): the posterior after m persons in
        t months (Gamma(m + ½, t) under Jeffreys' prior; see :meth:`from_recruits`).
    channel_counts
        Persons contacted through each channel; the channel shares are
        Dirichlet(counts + ½).
    population
        The number of people selling sex in the area, needed by ``new_seekers_share``.
    """

    shape: float
    rate: float
    channel_counts: Mapping[str, int] | None = None
    population: Range | None = None

    def __post_init__(self) -> None:
        finite("BaseRate.shape", self.shape, above=0.0)
        finite("BaseRate.rate", self.rate, above=0.0)
        if self.channel_counts is not None:
            if not isinstance(self.channel_counts, Mapping) or not self.channel_counts:
                raise ArgumentError("BaseRate.channel_counts",
                                    "expected persons by channel, one or more channels")
            for name, count in self.channel_counts.items():
                whole(f"BaseRate.channel_counts['{name}']", count)
        if self.population is not None:
            _range("BaseRate.population", self.population)

    @classmethod
    def from_recruits(cls, recruited: int, months: float, *,
                      channel_counts: Mapping[str, int] | None = None,
                      population: Range | None = None) -> BaseRate:
        """The Jeffreys posterior Gamma(recruited + ½, months) of the contact rate."""
        recruited = whole("recruited", recruited)
        months = finite("months", months, above=0.0)
        return cls(recruited + 0.5, months, channel_counts, population)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels, sorted (``("all",)`` without channel counts)."""
        return tuple(sorted(self.channel_counts)) if self.channel_counts else (ALL,)


@dataclass(frozen=True)
class ScenarioResults:
    """Persons counted over a period under the status quo and each scenario.

    Attributes
    ----------
    base
        The status quo.
    scenarios
        The scenarios, as given.
    rows
        The rows: ``"status quo"``, each scenario, each combination (``"a + b"``) and
        ``"all"``.
    members
        The scenarios in each row (none for the status quo).
    months, target, assurance
        The period, the persons to count in it, and the probability with which a target
        counts as reachable.
    draws, seed
        Monte Carlo draws and their seed; all rows share them (common random numbers).
    sweep
        The targets of :meth:`sweep_frame`.
    counts, expected
        Per row and draw: the simulated count and its Poisson mean E; every number derives
        from them.
    """

    base: BaseRate
    scenarios: tuple[Scenario, ...]
    rows: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    months: float
    target: int
    assurance: float
    draws: int
    seed: int
    sweep: tuple[int, ...]
    counts: np.ndarray = field(repr=False, compare=False)
    expected: np.ndarray = field(repr=False, compare=False)

    @cached_property
    def _ordered(self) -> np.ndarray:
        return np.sort(self.counts, axis=1)

    def _p(self, target: int) -> np.ndarray:
        below = np.array([np.searchsorted(row, target, side="left") for row in self._ordered])
        return 1.0 - below / self.draws

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario row: ``scenario``, ``p_reach`` (P(count ≥ target)),
        ``p_reach_se`` (its Monte Carlo SE), ``reachable`` (the largest target reached with
        probability ≥ assurance), ``reachable_low``, ``reachable_high`` (its Monte Carlo
        95 % interval, from order statistics), ``expected`` (the mean of E, the expected
        count), ``expected_se`` (its Monte Carlo SE), ``source``."""
        p = self._p(self.target)
        sources = {s.name: s.source for s in self.scenarios}
        rows = []
        for i, name in enumerate(self.rows):
            low, high = _order_interval(self._ordered[i], self.assurance)
            rows.append({
                "scenario": name, "p_reach": float(p[i]),
                "p_reach_se": math.sqrt(p[i] * (1.0 - p[i]) / self.draws),
                "reachable": int(_largest_reached(self._ordered[i], self.assurance)),
                "reachable_low": int(low), "reachable_high": int(high),
                "expected": float(self.expected[i].mean()),
                "expected_se": float(self.expected[i].std() / math.sqrt(self.draws)),
                "source": "; ".join(sorted({sources[m] for m in self.members[i]})) or "data",
            })
        return pd.DataFrame(rows)

    def sweep_frame(self) -> pd.DataFrame:
        """P(count ≥ t) for each row and each target t of :attr:`sweep`: ``scenario``,
        ``target``, ``p_reach``, ``p_reach_se``."""
        parts = []
        for t in self.sweep:
            p = self._p(t)
            parts.append(pd.DataFrame({"scenario": list(self.rows), "target": t,
                                       "p_reach": p,
                                       "p_reach_se": np.sqrt(p * (1 - p) / self.draws)}))
        frame = pd.concat(parts, ignore_index=True)
        order = {name: i for i, name in enumerate(self.rows)}
        return (frame.sort_values(["scenario", "target"], key=lambda c: c.map(order)
                                  if c.name == "scenario" else c, kind="stable")
                .reset_index(drop=True))

    def summary(self) -> str:
        """The scenarios in sentences."""
        lines = [f"Persons counted over {self.months:g} months against a target of "
                 f"{self.target:,} ({self.draws:,} draws, seed {self.seed}, shared by all "
                 f"scenarios):"]
        for r in self.to_frame().itertuples(index=False):
            lines.append(f"{r.scenario}: expected {r.expected:,.0f}; P(reach) "
                         f"{_share(r.p_reach, r.p_reach_se, self.draws)}; reached with "
                         f"{self.assurance * 100:g} % assurance: {r.reachable:,} "
                         f"({r.reachable_low:,} to {r.reachable_high:,}).")
        assumed = [s.name for s in self.scenarios if s.source == "assumption"]
        if assumed:
            lines.append("Effects assumed without a source: " + ", ".join(assumed) + ".")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html(self.summary(), self.to_frame())

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """P(reach) against the target, one curve per scenario row."""
        from ..figures.realism import scenario_sweep_figure

        return scenario_sweep_figure(self, ax=ax, **kwargs)


def simulate_scenarios(base: BaseRate, scenarios: Sequence[Scenario], *, months: float,
                       target: int, assurance: float = 0.8,
                       combinations: Sequence[Sequence[str]] = (), include_all: bool = True,
                       draws: int = 50_000, seed: int = 0,
                       sweep: Sequence[int] | None = None) -> ScenarioResults:
    """What new initiatives would buy: persons counted over a period under the status quo,
    each scenario, chosen combinations and all scenarios together.

    Parameters
    ----------
    base
        The status quo's contact rate (and channels, and population).
    scenarios
        The initiatives, with distinct names.
    months
        The period over which persons are counted (for the rest of a programme: the months
        left).
    target
        The persons to count in it (for the rest of a programme: the persons still to come).
    assurance
        The probability with which a target counts as reachable.
    combinations
        Groups of scenario names to simulate together.
    include_all
        Add the row ``"all"``: every scenario together (only with two or more scenarios).
    draws, seed
        Monte Carlo draws and their seed.
    sweep
        Targets at which :meth:`ScenarioResults.sweep_frame` gives P(reach); default 61
        points from 0 to 1.5 × target.

    Returns
    -------
    ScenarioResults

    Notes
    -----
    Per draw: λ ~ Gamma(shape, rate), the channel shares s ~ Dirichlet(counts + ½), the
    population N from its range, and each scenario's multipliers from their ranges. A row's
    expected count is E = months·λ·Σ_c s_c·m_c·k·r + N·n·k·r, where m_c multiplies the
    contact rates of the row's scenarios acting on channel c (or on all), k and r multiply
    their conversion and retention multipliers, and n adds their new seekers' shares (capped
    at 1). The count is Poisson(E), drawn by inversion of uniforms shared by all rows: a row
    whose multipliers are all ≥ 1 never counts fewer than the status quo in any draw, so its
    P(reach) is never lower (common random numbers; Glasserman 2004, Monte Carlo Methods in
    Financial Engineering, §4.1). λ is drawn by inversion too, so a stochastically larger
    rate never lowers P(reach) either. Without channels the status quo's count is negative
    binomial, NegBin(shape, rate/(rate + months)): the tests check the simulation against it.

    Examples
    --------
    >>> base = BaseRate.from_recruits(64, 24)
    >>> night = Scenario("night outreach", contact_rate=Range(1.2, 1.6))
    >>> res = simulate_scenarios(base, [night], months=24, target=401, draws=10_000)
    >>> res.to_frame()[["scenario", "reachable", "expected"]].round(0)
             scenario  reachable  expected
    0      status quo         55      64.0
    1  night outreach         76      90.0
    """
    if not isinstance(base, BaseRate):
        raise ArgumentError("base", "expected a BaseRate")
    scenarios = tuple(scenarios)
    if not all(isinstance(s, Scenario) for s in scenarios):
        raise ArgumentError("scenarios", "expected Scenario objects")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ArgumentError("scenarios", "expected distinct names")
    for s in scenarios:
        if s.name in (STATUS_QUO, ALL) or " + " in s.name:
            raise ArgumentError("scenarios", f"'{s.name}' is reserved (the names "
                                             f"'{STATUS_QUO}', '{ALL}' and ' + ' in a name "
                                             "name the rows the simulation adds)")
        if s.channel is not None and s.channel not in (base.channel_counts or {}):
            known = ", ".join(base.channels) if base.channel_counts else "none given"
            raise ArgumentError(f"Scenario '{s.name}': channel",
                                f"unknown channel '{s.channel}' (the base rate's channels: "
                                f"{known})")
        if s.new_seekers_share is not None and base.population is None:
            raise ArgumentError(f"Scenario '{s.name}': new_seekers_share",
                                "needs the area's population (BaseRate.population)")
    months = finite("months", months, above=0.0)
    target = whole("target", target)
    assurance = _assurance(assurance)
    draws = whole("draws", draws, low=1)
    seed = whole("seed", seed)
    members: list[tuple[str, ...]] = [(), *((n,) for n in names)]
    rows = [STATUS_QUO, *names]
    for group in combinations:
        if isinstance(group, str):
            raise ArgumentError("combinations", "expected groups of scenario names, e.g. "
                                                "[['a', 'b']], not a single name")
        group = tuple(group)
        unknown = [g for g in group if g not in names]
        if unknown:
            raise ArgumentError("combinations", f"unknown scenario '{unknown[0]}' (known: "
                                                f"{', '.join(names) or 'none'})")
        if not group or len(set(group)) != len(group):
            raise ArgumentError("combinations", "expected each group to name distinct "
                                                "scenarios")
        if " + ".join(group) in rows:
            raise ArgumentError("combinations", f"'{' + '.join(group)}' is given twice")
        members.append(group)
        rows.append(" + ".join(group))
    if include_all and len(scenarios) >= 2:
        members.append(tuple(names))
        rows.append(ALL)
    if sweep is None:
        grid = np.unique(np.round(np.linspace(0, 1.5 * target, 61)).astype(int))
        sweep_targets = tuple(int(t) for t in grid)
    else:
        sweep_targets = tuple(sorted({whole("sweep", t) for t in sweep}))
        if not sweep_targets:
            raise ArgumentError("sweep", "expected one or more targets")
    expected = _expected_counts(base, scenarios, members, months, draws, seed)
    uniforms = _stream(seed, 0).random((3, draws))[2]
    counts = np.where(expected > 0,
                      np.maximum(stats.poisson.ppf(uniforms[None, :], expected), 0), 0)
    return ScenarioResults(base, scenarios, tuple(rows), tuple(members), months, target, assurance,
                           draws, seed, sweep_targets, counts.astype(np.int64), expected)


def _expected_counts(base: BaseRate, scenarios: tuple[Scenario, ...],
                     members: list[tuple[str, ...]], months: float, draws: int,
                     seed: int) -> np.ndarray:
    """E for each row and draw (see :func:`simulate_scenarios`)."""
    stream = _stream(seed, 0)
    u_rate, u_population, _ = stream.random((3, draws))  # the third: the counts' uniforms
    rate = stats.gamma.ppf(u_rate, base.shape, scale=1.0 / base.rate)
    channels = base.channels
    if base.channel_counts:
        alpha = np.array([base.channel_counts[c] for c in channels], dtype=float) + 0.5
        shares = _stream(seed, 1).dirichlet(alpha, draws).T
    else:
        shares = np.ones((1, draws))
    population = (base.population.ppf(u_population) if base.population is not None
                  else np.zeros(draws))
    effects: dict[str, dict[str, np.ndarray]] = {}
    for s in scenarios:
        stream = _stream(seed, 2, s.name)
        u = stream.random((len(_EFFECTS), draws))
        effects[s.name] = {e: getattr(s, e).ppf(u[i]) for i, e in enumerate(_EFFECTS)
                           if getattr(s, e) is not None}
    by_name = {s.name: s for s in scenarios}
    out = np.empty((len(members), draws))
    for row, group in enumerate(members):
        contact = np.ones((len(channels), draws))
        counted = np.ones(draws)
        new = np.zeros(draws)
        for name in group:
            drawn, s = effects[name], by_name[name]
            if "contact_rate" in drawn:
                if s.channel is None:
                    contact *= drawn["contact_rate"][None, :]
                else:
                    contact[channels.index(s.channel)] *= drawn["contact_rate"]
            for e in ("conversion", "retention"):
                if e in drawn:
                    counted *= drawn[e]
            if "new_seekers_share" in drawn:
                new += drawn["new_seekers_share"]
        out[row] = (months * rate * (shares * contact).sum(axis=0)
                    + population * np.minimum(new, 1.0)) * counted
    return out


__all__ = [
    "ALL",
    "STATUS_QUO",
    "BaseRate",
    "FunnelCheck",
    "MonteCarloEstimate",
    "Range",
    "ReachableTarget",
    "ReferenceClass",
    "ReferenceProgramme",
    "Scenario",
    "ScenarioResults",
    "funnel_check",
    "reference_class",
    "simulate_scenarios",
]
