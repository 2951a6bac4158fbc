"""Recruitment forecasts: how far off track, and how sure (CONTRACT §5).

Three predictive models of the count still to come, all in closed form or exact numerics
(no simulation):

* :func:`forecast_recruitment`: the Gamma–Poisson accrual model of Gajewski, Simon & Carlson
  (2008). Recruitment is a Poisson process with rate λ; λ ~ Gamma(n·P, T·P) a priori, so after
  m recruits by t, λ ~ Gamma(n·P + m, T·P + t); the count still to come over a further time r
  is negative binomial and the time to k more is a scaled beta-prime.
* :func:`forecast_overdispersed`: the same prior, but outreach that comes in clusters: the
  rate itself varies month to month as a gamma process with shape ``k`` per month, so counts
  per month are negative binomial. Its intervals are wider when the months vary more than a
  Poisson process allows. The dispersion ``k`` is estimated by maximum marginal likelihood.
* :func:`fit_partners`: the Poisson–Gamma multi-centre model of Anisimov & Fedorov (2007):
  each partner has its own rate, drawn from a Gamma(α, β) fitted across partners by maximum
  likelihood; the total forecast sums the partners' predictive distributions.

Every model is a mixture of components over which the increment is negative binomial; the
forecast object (:class:`RecruitmentForecast`) derives every number from that one source.
Times are in any consistent unit (months in the pipeline).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special, stats

from .config import PRIOR_WEIGHT_WORDS, PriorWeight, parse_prior_weight
from .text import Language, label, number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The quantiles a forecast reports (CONTRACT §4: q025, q05, q50, q95, q975).
QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.5, 0.95, 0.975)
#: The grid of prior weights the hedging prior averages over: P = 1/1000, ..., 1, as in the
#: R package accrual (Jiang et al. 2016), with a uniform hyperprior on P.
HEDGING_GRID: np.ndarray = np.arange(1, 1001) / 1000.0
_NEGLIGIBLE = 1e-12


def quantile_key(q: float) -> str:
    """``0.025`` → ``q025``; ``0.5`` → ``q50``; ``0.95`` → ``q95``."""
    text = f"{q:.3f}".rstrip("0")[2:]
    return "q" + (text if len(text) > 1 else text + "0")


# --- predictive distributions of the count still to come ----------------------------------


@dataclass(frozen=True)
class GammaRateMixture:
    """Increment over time r is Poisson(λ·r) with λ ~ Σ wᵢ·Gamma(shapeᵢ, rateᵢ).

    Marginally the increment is Σ wᵢ·NegBin(shapeᵢ, rateᵢ/(rateᵢ + r)), and the time to k
    more recruits is Σ wᵢ·rateᵢ·BetaPrime(k, shapeᵢ) (Gajewski et al. 2008; the R package
    accrual's accrual.T.inform uses the same beta form).
    """

    weights: np.ndarray
    shapes: np.ndarray
    rates: np.ndarray

    def increment_cdf(self, values: ArrayLike, r: float) -> np.ndarray:
        x = np.floor(np.atleast_1d(np.asarray(values, dtype=float)))
        p = self.rates / (self.rates + r)
        # P(X <= x) = I_p(shape, x + 1) for a negative binomial with success probability p.
        cdf = special.betainc(self.shapes[:, None], np.maximum(x, 0)[None, :] + 1, p[:, None])
        cdf = np.where(x[None, :] < 0, 0.0, cdf)
        return np.asarray(self.weights @ cdf)

    def increment_sf(self, x: float, r: float) -> float:
        """P(X > x), exact in the far tail: I_{1-p}(x + 1, shape)."""
        if x < 0:
            return 1.0
        q = r / (self.rates + r)
        return float(self.weights @ special.betainc(math.floor(x) + 1, self.shapes, q))

    def increment_mean(self, r: float) -> float:
        return float(self.weights @ (self.shapes * r / self.rates))

    def increment_quantiles(self, q: np.ndarray, r: float) -> np.ndarray:
        if len(self.weights) == 1:
            p = self.rates[0] / (self.rates[0] + r)
            return np.asarray(stats.nbinom.ppf(q, self.shapes[0], p), dtype=float)
        lows = stats.nbinom.ppf(q.min(), self.shapes, self.rates / (self.rates + r))
        highs = stats.nbinom.ppf(q.max(), self.shapes, self.rates / (self.rates + r))
        return _integer_quantiles(lambda x: self.increment_cdf(x, r), q, lows.min(), highs.max())

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        """P(time to k more recruits ≤ w)."""
        w = np.atleast_1d(np.asarray(times, dtype=float))
        x = w[None, :] / (w[None, :] + self.rates[:, None])
        return np.asarray(self.weights @ special.betainc(k, self.shapes[:, None], x))

    def time_quantiles(self, levels: ArrayLike, k: float) -> np.ndarray:
        q = np.atleast_1d(np.asarray(levels, dtype=float))
        x = special.betaincinv(k, self.shapes[:, None], q[None, :])
        single = self.rates[:, None] * x / (1.0 - x)
        if len(self.weights) == 1:
            return np.asarray(single[0])
        return np.array([
            _root(lambda w, qi=qi: float(self.time_cdf(k, w)[0]) - qi, single[:, i].min(),
                  single[:, i].max())
            for i, qi in enumerate(q)
        ])


@dataclass(frozen=True)
class GammaProcessMixture:
    """Clustered recruitment: over time r the rate integrates to μ·G(r), G a gamma process
    with shape ``dispersion``·r and mean r, and μ ~ Σ wⱼ·δ(μⱼ) (a grid posterior).

    Given μ, the increment over r is NegBin(k·r, k/(k + μ)): counts per month are negative
    binomial with variance μ + μ²/k, and as k → ∞ the model becomes the Poisson one.
    """

    weights: np.ndarray
    means: np.ndarray
    dispersion: float

    def increment_cdf(self, values: ArrayLike, r: float) -> np.ndarray:
        x = np.floor(np.atleast_1d(np.asarray(values, dtype=float)))
        k = self.dispersion
        p = k / (k + self.means)
        cdf = special.betainc(k * r, np.maximum(x, 0)[None, :] + 1, p[:, None])
        cdf = np.where(x[None, :] < 0, 0.0, cdf)
        return np.asarray(self.weights @ cdf)

    def increment_sf(self, x: float, r: float) -> float:
        if x < 0:
            return 1.0
        if r <= 0:
            return 0.0
        q = self.means / (self.dispersion + self.means)
        return float(self.weights @ special.betainc(math.floor(x) + 1, self.dispersion * r, q))

    def increment_mean(self, r: float) -> float:
        return float(self.weights @ self.means) * r

    def increment_quantiles(self, q: np.ndarray, r: float) -> np.ndarray:
        k = self.dispersion
        p = k / (k + self.means)
        lows = stats.nbinom.ppf(q.min(), k * r, p)
        highs = stats.nbinom.ppf(q.max(), k * r, p)
        return _integer_quantiles(lambda x: self.increment_cdf(x, r), q, lows.min(), highs.max())

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        w = np.atleast_1d(np.asarray(times, dtype=float))
        return np.array([self.increment_sf(k - 1, wi) for wi in w])

    def time_quantiles(self, q: np.ndarray, k: float) -> np.ndarray:
        mean = max(float(self.weights @ self.means), 1e-12)
        return np.array([
            _root_expanding(lambda w, qi=qi: float(self.time_cdf(k, w)[0]) - qi, k / mean)
            for qi in q
        ])


@dataclass(frozen=True)
class IndependentSum:
    """The sum of independent partners' increments, each a :class:`GammaRateMixture`.

    Its distribution is the exact convolution of the partners' negative binomials.
    """

    parts: tuple[GammaRateMixture, ...]

    def _pmf(self, r: float, upper: int) -> np.ndarray:
        total = np.zeros(1)
        total[0] = 1.0
        grid = np.arange(upper + 1)
        for part in self.parts:
            cdf = part.increment_cdf(grid, r)
            pmf = np.diff(np.concatenate([[0.0], cdf]))
            total = np.convolve(total, pmf)[: upper + 1]
        return total

    def _upper(self, r: float) -> int:
        upper = 0.0
        for part in self.parts:
            p = part.rates / (part.rates + r)
            upper += float(stats.nbinom.ppf(1 - 1e-10, part.shapes, p).max())
        return int(upper) + 1

    def increment_cdf(self, values: ArrayLike, r: float) -> np.ndarray:
        x = np.floor(np.atleast_1d(np.asarray(values, dtype=float)))
        upper = max(self._upper(r), int(np.max(x, initial=0)) + 1)
        cdf = np.minimum(np.cumsum(self._pmf(r, upper)), 1.0)
        return np.where(x < 0, 0.0, cdf[np.clip(x, 0, upper).astype(int)])

    def increment_sf(self, x: float, r: float) -> float:
        """P(X > x): the upper tail of the convolved probabilities (absolute error ~1e-16)."""
        if x < 0:
            return 1.0
        upper = max(self._upper(r), math.floor(x) + 1)
        pmf = self._pmf(r, upper)
        return float(max(pmf[math.floor(x) + 1:].sum(), 0.0))

    def increment_mean(self, r: float) -> float:
        return sum(part.increment_mean(r) for part in self.parts)

    def increment_quantiles(self, q: np.ndarray, r: float) -> np.ndarray:
        upper = self._upper(r)
        cdf = np.cumsum(self._pmf(r, upper))
        return np.array([float(np.searchsorted(cdf, qi - 1e-12)) for qi in q])

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        w = np.atleast_1d(np.asarray(times, dtype=float))
        return np.array([self.increment_sf(k - 1, wi) if wi > 0 else 0.0 for wi in w])

    def time_quantiles(self, q: np.ndarray, k: float) -> np.ndarray:
        rate = sum(float(p.weights @ (p.shapes / p.rates)) for p in self.parts)
        return np.array([
            _root_expanding(lambda w, qi=qi: float(self.time_cdf(k, w)[0]) - qi, k / rate)
            for qi in q
        ])


Predictive = GammaRateMixture | GammaProcessMixture | IndependentSum


def _integer_quantiles(cdf: Any, q: np.ndarray, low: float, high: float) -> np.ndarray:
    """Smallest integers x with cdf(x) ≥ q, by bisection between ``low`` and ``high``."""
    out = []
    for qi in np.atleast_1d(np.asarray(q, dtype=float)):
        lo, hi = int(max(low, 0)) - 1, int(high) + 1
        while float(cdf(hi)[0]) < qi:  # widen when the bracket is not one
            hi = 2 * hi + 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if float(cdf(mid)[0]) >= qi:
                hi = mid
            else:
                lo = mid
        out.append(float(hi))
    return np.array(out)


def _root(fn: Any, low: float, high: float) -> float:
    if high <= low:
        return float(low)
    return float(optimize.brentq(fn, low, high, xtol=1e-9, rtol=1e-12))


def _root_expanding(fn: Any, guess: float) -> float:
    low, high = 0.0, max(guess, 1e-6)
    while fn(high) < 0:
        low, high = high, high * 2
        if high > 1e9:
            return math.inf
    return _root(fn, low, high)


# --- the forecast result ----------------------------------------------------------------


@dataclass(frozen=True)
class RecruitmentForecast:
    """A forecast of recruitment to the end of the period.

    Attributes
    ----------
    target
        Persons to recruit (n).
    duration
        Planned length of the period (T).
    elapsed
        Time observed so far (t).
    recruited
        Persons recruited by ``elapsed`` (m).
    prior_weight
        As given: a number in [0, 1], ``"accelerated"`` or ``"hedging"``.
    effective_prior_weight
        The weight used (accelerated: 1 − m/n; hedging: the posterior mean of P).
    horizon
        The time at which the final count is forecast (default ``duration``; longer than
        ``duration − elapsed`` ahead when closed months were discounted).
    model
        ``poisson-gamma``, ``negative-binomial`` or ``partners``.
    predictive
        The distribution of the count still to come; every number derives from it.
    details
        Model-specific values (posterior of P, dispersion, ...), for the record.
    """

    target: int
    duration: float
    elapsed: float
    recruited: int
    prior_weight: PriorWeight
    effective_prior_weight: float
    predictive: Predictive = field(repr=False)
    horizon: float
    model: str = "poisson-gamma"
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def remaining(self) -> int:
        """Persons still to recruit."""
        return max(self.target - self.recruited, 0)

    @property
    def p_reach_target(self) -> float:
        """P(count at the horizon ≥ target)."""
        if self.remaining == 0:
            return 1.0
        return self.predictive.increment_sf(self.remaining - 1, self.horizon - self.elapsed)

    def count_quantiles(self, q: Sequence[float] | float = QUANTILES,
                        at: float | None = None) -> np.ndarray:
        """Integer quantiles of the count at time ``at`` (default: the horizon)."""
        r = self._ahead(at)
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        if r == 0:
            return np.full(len(qs), float(self.recruited))
        return self.recruited + self.predictive.increment_quantiles(qs, r)

    def count_mean(self, at: float | None = None) -> float:
        """Expected count at time ``at`` (default: the horizon)."""
        return self.recruited + self.predictive.increment_mean(self._ahead(at))

    def time_quantiles(self, q: Sequence[float] | float = QUANTILES,
                       count: int | None = None) -> np.ndarray:
        """Quantiles of the time at which the count reaches ``count`` (default: the target).

        A count already reached gives ``elapsed`` (it was reached by then); a count that can
        never be reached (no recruits and no prior) gives infinity.
        """
        count = self.target if count is None else int(count)
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        more = count - self.recruited
        if more <= 0:
            return np.full(len(qs), float(self.elapsed))
        return self.elapsed + self.predictive.time_quantiles(qs, more)

    def _ahead(self, at: float | None) -> float:
        at = self.horizon if at is None else float(at)
        if at < self.elapsed:
            raise ValueError(f"at={at} is before elapsed={self.elapsed}; forecasts look ahead")
        return at - self.elapsed

    # -- pace ------------------------------------------------------------------------------

    @property
    def observed_rate(self) -> float | None:
        """recruited / elapsed."""
        return self.recruited / self.elapsed if self.elapsed > 0 else None

    @property
    def required_rate(self) -> float | None:
        """(target − recruited) / (duration − elapsed): the rate that would still make it."""
        left = self.horizon - self.elapsed
        return self.remaining / left if left > 0 else None

    @property
    def pace_ratio(self) -> float | None:
        """recruited / (target · elapsed / duration): 1 means on plan."""
        if self.elapsed <= 0:
            return None
        return self.recruited / (self.target * self.elapsed / self.duration)

    # -- views -----------------------------------------------------------------------------

    def to_dict(self, at: float | None = None) -> dict[str, Any]:
        """The keys of ``manifest.json``'s ``headline.forecast`` (CONTRACT §4).

        With ``at``, a key ``count_at`` holds ``time`` and the count's quantiles at that time.
        """
        counts = self.count_quantiles(QUANTILES)
        times = self.time_quantiles(QUANTILES)
        out: dict[str, Any] = {
            "target": self.target,
            "recruited": self.recruited,
            "duration": float(self.duration),
            "elapsed": float(self.elapsed),
            "prior_weight": self.prior_weight,
            "p_reach_target": self.p_reach_target,
            "final_count": {"mean": round(self.count_mean(), 3),
                            **{quantile_key(q): int(c) for q, c in zip(QUANTILES, counts,
                                                                        strict=True)}},
            "time_to_target": {quantile_key(q): _finite(t) for q, t in zip(QUANTILES, times,
                                                                            strict=True)},
            "observed_rate": _rounded(self.observed_rate),
            "required_rate": _rounded(self.required_rate),
            "pace_ratio": _rounded(self.pace_ratio),
            "effective_prior_weight": round(self.effective_prior_weight, 6),
            "model": self.model,
        }
        if self.horizon != self.duration:
            out["horizon"] = float(self.horizon)
        if at is not None:
            at_counts = self.count_quantiles(QUANTILES, at=at)
            out["count_at"] = {"time": float(at), "mean": round(self.count_mean(at), 3),
                               **{quantile_key(q): int(c)
                                  for q, c in zip(QUANTILES, at_counts, strict=True)}}
        return out

    def to_frame(self, step: float = 1.0) -> pd.DataFrame:
        """Predictive count bands from ``elapsed`` to the horizon, every ``step``.

        Columns: ``time``, ``mean``, ``q025``, ``q05``, ``q25``, ``q50``, ``q75``, ``q95``,
        ``q975`` (integer counts except ``mean``).
        """
        levels = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
        times = np.arange(self.elapsed, self.horizon + step / 2, step)
        if times[-1] != self.horizon:
            times = np.append(times, self.horizon)
        rows = []
        for time in times:
            rows.append({"time": float(time), "mean": self.count_mean(time),
                         **{quantile_key(q): int(v) for q, v in
                            zip(levels, self.count_quantiles(levels, at=time), strict=True)}})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """The forecast in sentences."""
        d = self.to_dict()
        final = d["final_count"]
        times = d["time_to_target"]
        lines = [
            f"{self.recruited} of {self.target} recruited after {_num(self.elapsed)} of "
            f"{_num(self.duration)} time units ({self.model} model, prior weight "
            f"{self.prior_weight}).",
            f"Probability of reaching the target by the end: {_probability(self.p_reach_target)}.",
            f"Expected count at the end: {final['mean']:.0f} (95 % interval {final['q025']} to "
            f"{final['q975']}).",
            f"The target is reached at time {_num(times['q50'])} (median; 95 % interval "
            f"{_num(times['q025'])} to {_num(times['q975'])}).",
        ]
        if self.pace_ratio is not None and self.required_rate is not None:
            lines.append(
                f"Pace: {self.pace_ratio:.0%} of plan; {self.observed_rate:.2f} recruited per "
                f"time unit against {self.required_rate:.2f} needed from now on."
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html

        return "".join(f"<p>{html.escape(s)}</p>" for s in self.summary().splitlines())

    def plot(self, ax: Axes | None = None) -> Axes:
        """Fan chart: the count so far, predictive bands to the horizon, the target."""
        from .plotting import plot_forecast_fan

        return plot_forecast_fan(self, ax=ax)


def _finite(value: float) -> float | None:
    return None if not math.isfinite(value) else round(float(value), 3)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _num(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "never"
    return f"{value:.1f}"


def _probability(p: float) -> str:
    if p < 1e-4:
        return f"{p:.1e}"
    return f"{p:.1%}"


# --- the Gamma–Poisson model --------------------------------------------------------------


def hedging_weights(*, target: int, duration: float, elapsed: float,
                    recruited: int, grid: np.ndarray = HEDGING_GRID) -> np.ndarray:
    """Posterior weights of the prior weight P on ``grid`` (uniform hyperprior).

    The weight of each P is proportional to the marginal likelihood of ``recruited`` events in
    ``elapsed`` time under λ ~ Gamma(n·P, T·P): a negative binomial probability, computed
    exactly in logs (the R package accrual uses the same likelihood, then samples from it).
    """
    shape = target * grid
    rate = duration * grid
    log_like = (shape * np.log(rate) - (shape + recruited) * np.log(rate + elapsed)
                + special.gammaln(shape + recruited) - special.gammaln(shape))
    log_like -= log_like.max()
    weights = np.exp(log_like)
    return weights / weights.sum()


def forecast_recruitment(
    *,
    target: int,
    duration: float,
    elapsed: float,
    recruited: int,
    prior_weight: PriorWeight | str = 0.5,
    horizon: float | None = None,
) -> RecruitmentForecast:
    """Forecast recruitment with the Gamma–Poisson accrual model.

    Parameters
    ----------
    target
        Persons to recruit by the end (n ≥ 1).
    duration
        Planned length of the recruitment period (T > 0).
    elapsed
        Time observed so far (0 ≤ t ≤ T, in the same unit).
    recruited
        Persons recruited by ``elapsed`` (m ≥ 0).
    prior_weight
        P in [0, 1]: how many "periods' worth" of belief in the plan to add to the data; 0
        uses the data alone. ``"accelerated"``: P = 1 − m/n. ``"hedging"``: average over
        P = 0.001, ..., 1 weighted by how well each P predicted the data so far.
    horizon
        When the final count is taken (default ``duration``). The prior still uses
        ``duration``; a longer horizon is how closed months are discounted (see
        :func:`exitanalysis.shortfall.exposure_by_month`).

    Returns
    -------
    RecruitmentForecast

    Notes
    -----
    Prior λ ~ Gamma(n·P, T·P) (mean n/T, the planned rate); posterior
    λ ~ Gamma(a, b) with a = n·P + m, b = T·P + t. The count at time s ≥ t is
    m + NegBin(a, b / (b + s − t)) and the time at which it reaches n is
    t + b·BetaPrime(n − m, a) (Gajewski, Simon & Carlson 2008, Stat Med 27:2328;
    Jiang et al. 2016, Trials 17:336, which also gives the hedging prior).

    Examples
    --------
    >>> import exitanalysis as xa
    >>> f = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
    ...                             prior_weight=0.5)
    >>> f.p_reach_target < 1e-6
    True
    >>> [int(c) for c in f.count_quantiles([0.5])]
    [207]
    """
    weight = parse_prior_weight(prior_weight)
    _check(target=target, duration=duration, elapsed=elapsed, recruited=recruited)
    horizon = float(duration if horizon is None else horizon)
    if horizon < elapsed:
        raise ValueError(f"horizon ({horizon}) must not be before elapsed ({elapsed})")
    details: dict[str, Any] = {}
    if weight == "hedging":
        posterior = hedging_weights(target=target, duration=duration, elapsed=elapsed,
                                    recruited=recruited)
        keep = posterior > _NEGLIGIBLE * posterior.max()
        grid, posterior = HEDGING_GRID[keep], posterior[keep] / posterior[keep].sum()
        effective = float(posterior @ grid)
        details["hedging_p_quantiles"] = _weighted_quantiles(grid, posterior, (0.025, 0.5, 0.975))
    else:
        p = (max(1.0 - recruited / target, 0.0) if weight == "accelerated" else float(weight))
        grid, posterior, effective = np.array([p]), np.array([1.0]), p
    shapes = target * grid + recruited
    rates = duration * grid + elapsed
    if np.any(shapes <= 0) or np.any(rates <= 0):
        raise ValueError(
            "no information about the rate: with prior weight 0 there must be at least one "
            "recruit and some elapsed time"
        )
    predictive = GammaRateMixture(weights=posterior, shapes=shapes, rates=rates)
    return RecruitmentForecast(
        target=int(target), duration=float(duration), elapsed=float(elapsed),
        recruited=int(recruited), prior_weight=weight, effective_prior_weight=effective,
        predictive=predictive, horizon=horizon, model="poisson-gamma", details=details,
    )


def _check(*, target: int, duration: float, elapsed: float, recruited: int) -> None:
    problems = []
    if int(target) != target or target < 1:
        problems.append("target must be a whole number ≥ 1")
    if not duration > 0:
        problems.append("duration must be > 0")
    if not 0 <= elapsed <= duration:
        problems.append("elapsed must lie between 0 and duration")
    if int(recruited) != recruited or recruited < 0:
        problems.append("recruited must be a whole number ≥ 0")
    if problems:
        raise ValueError("; ".join(problems))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                        q: Sequence[float]) -> list[float]:
    cumulative = np.cumsum(weights)
    positions = np.minimum(np.searchsorted(cumulative, np.asarray(q)), len(values) - 1)
    return [float(values[int(i)]) for i in positions]


# --- over-dispersed months ----------------------------------------------------------------


def forecast_overdispersed(
    counts: Sequence[int] | np.ndarray,
    *,
    target: int,
    duration: float,
    exposure: Sequence[float] | np.ndarray | None = None,
    prior_weight: PriorWeight | str = 0.5,
    horizon: float | None = None,
    dispersion: float | None = None,
    grid_size: int = 400,
) -> RecruitmentForecast:
    """Forecast from monthly counts when months vary more than a Poisson process allows.

    Parameters
    ----------
    counts
        Persons recruited in each elapsed month, in order.
    target, duration
        As in :func:`forecast_recruitment` (duration in months).
    exposure
        Each month's share of normal recruitment time (1 = a normal month, 0 = closed);
        default all 1. Elapsed time is their sum.
    prior_weight
        A number in [0, 1] or ``"accelerated"`` (hedging is not offered for this model).
    horizon
        Effective time at which the final count is taken (default: elapsed plus the months
        left of ``duration``, each a normal month).
    dispersion
        The gamma-process shape per month, k. Default: its maximum marginal likelihood
        estimate in [0.05, 10 000] from the counts alone (flat prior on log μ); at the upper
        bound the data show no over-dispersion and the forecast equals the Poisson one.
    grid_size
        Points of the grid on which the posterior of the mean rate μ is computed.

    Returns
    -------
    RecruitmentForecast
        With ``model="negative-binomial"`` and ``details`` holding ``dispersion`` and
        ``dispersion_estimated``.

    Notes
    -----
    Month j's count is Poisson(μ·Gⱼ) with Gⱼ ~ Gamma(k·eⱼ, k): negative binomial with mean
    μ·eⱼ and variance μ·eⱼ·(1 + μ/k). The prior on μ is the Gamma(n·P, T·P) of the Poisson
    model (∝ 1/μ when P = 0), so the two models differ only in the dispersion. The posterior of
    μ is computed on a grid; the count still to come over r months is, given μ,
    NegBin(k·r, k/(k + μ)), mixed over the grid.
    """
    y = np.asarray(counts, dtype=float)
    e = np.ones_like(y) if exposure is None else np.asarray(exposure, dtype=float)
    if y.shape != e.shape or y.ndim != 1:
        raise ValueError("counts and exposure must be sequences of the same length")
    if np.any(y < 0) or np.any(y != np.floor(y)) or np.any((e < 0) | (e > 1)):
        raise ValueError("counts must be whole numbers ≥ 0 and exposure in [0, 1]")
    weight = parse_prior_weight(prior_weight)
    if weight == "hedging":
        raise ValueError("prior_weight 'hedging' is offered for the Poisson model only")
    recruited, elapsed = int(y.sum()), float(e.sum())
    _check(target=target, duration=duration, elapsed=min(elapsed, duration), recruited=recruited)
    p = max(1.0 - recruited / target, 0.0) if weight == "accelerated" else float(weight)
    horizon = float(elapsed + max(duration - len(y), 0) if horizon is None else horizon)
    shape0, rate0 = target * p, duration * p
    if shape0 + recruited <= 0 or rate0 + elapsed <= 0:
        raise ValueError("no information about the rate: no recruits and prior weight 0")
    # The grid spans the Poisson posterior widely; over-dispersion widens, never shifts far.
    poisson = stats.gamma(shape0 + recruited, scale=1.0 / (rate0 + elapsed))
    lo, hi = poisson.ppf(1e-9) / 10.0, poisson.ppf(1 - 1e-9) * 10.0
    mu = np.geomspace(max(lo, 1e-6), hi, grid_size)
    d_mu = np.gradient(np.log(mu)) * mu  # the width each grid point stands for
    log_prior = (shape0 - 1) * np.log(mu) - rate0 * mu if p > 0 else -np.log(mu)
    active = e > 0

    def log_post(k: float, prior: np.ndarray) -> np.ndarray:
        a, obs, m = k * e[active][None, :], y[active][None, :], mu[:, None]
        nb = (special.gammaln(a + obs) - special.gammaln(a) - special.gammaln(obs + 1)
              + a * np.log(k / (k + m)) + obs * np.log(m / (k + m)))
        return np.asarray(prior + nb.sum(axis=1) + np.log(d_mu))

    def neg_marginal(log_k: float) -> float:
        # The dispersion is estimated from the data alone (prior ∝ 1/μ): with the plan's prior
        # in the likelihood, a conflict between plan and data would pass for over-dispersion.
        lp = log_post(math.exp(log_k), -np.log(mu))
        top = lp.max()
        return -(top + math.log(np.exp(lp - top).sum()))

    estimated = dispersion is None
    if dispersion is None:
        if int(active.sum()) < 2:
            raise ValueError("estimating the dispersion needs at least two months with exposure")
        fit = optimize.minimize_scalar(neg_marginal, bounds=(math.log(0.05), math.log(1e4)),
                                       method="bounded", options={"xatol": 1e-4})
        dispersion = float(math.exp(fit.x))
    lp = log_post(dispersion, log_prior)
    posterior = np.exp(lp - lp.max())
    posterior /= posterior.sum()
    keep = posterior > _NEGLIGIBLE
    predictive = GammaProcessMixture(weights=posterior[keep] / posterior[keep].sum(),
                                     means=mu[keep], dispersion=dispersion)
    return RecruitmentForecast(
        target=int(target), duration=float(duration), elapsed=elapsed, recruited=recruited,
        prior_weight=weight, effective_prior_weight=p, predictive=predictive, horizon=horizon,
        model="negative-binomial",
        details={"dispersion": dispersion, "dispersion_estimated": estimated,
                 "mean_rate": float(predictive.weights @ predictive.means)},
    )


# --- partners (multi-centre) ----------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRates:
    """Each partner's recruitment rate under the Poisson–Gamma multi-centre model.

    Attributes
    ----------
    table
        One row per partner: ``partner``, ``recruited``, ``exposure``, ``observed_rate``
        (recruited/exposure), ``rate`` (posterior mean, shrunk towards the common mean),
        ``rate_low``, ``rate_high`` (95 % interval).
    alpha, beta
        Maximum likelihood estimates of the Gamma(α, β) distribution of partner rates
        (shape, rate). A large α means the partners do not differ more than chance allows.
    at_bound
        True when α hit its upper bound (no evidence of differences between partners).
    log_likelihood
        At the estimate.
    """

    table: pd.DataFrame
    alpha: float
    beta: float
    at_bound: bool
    log_likelihood: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def forecast(self, *, target: int, duration: float, elapsed: float,
                 horizon: float | None = None) -> RecruitmentForecast:
        """Total forecast: the sum of every partner's predictive count (exact convolution).

        ``elapsed`` is the programme's elapsed time; each partner's own exposure (shorter for
        a late starter) conditions its rate.
        """
        parts = tuple(
            GammaRateMixture(weights=np.array([1.0]), shapes=np.array([self.alpha + k]),
                             rates=np.array([self.beta + tau]))
            for k, tau in zip(self.table["recruited"], self.table["exposure"], strict=True)
        )
        recruited = int(self.table["recruited"].sum())
        return RecruitmentForecast(
            target=int(target), duration=float(duration), elapsed=float(elapsed),
            recruited=recruited, prior_weight=0.0, effective_prior_weight=0.0,
            predictive=IndependentSum(parts),
            horizon=float(duration if horizon is None else horizon), model="partners",
            details={"alpha": self.alpha, "beta": self.beta, "at_bound": self.at_bound},
        )

    def summary(self, language: Language = "en", names: Mapping[str, str] | None = None,
                hidden: set[str] | frozenset[str] = frozenset()) -> str:
        """The partners' rates in sentences; ``hidden`` partners are named without numbers."""
        lines = [label("partners_header", language, alpha=number(self.alpha, language, 2),
                       beta=number(self.beta, language, 2))]
        for row in self.table.itertuples(index=False):
            if row.partner in hidden:
                lines.append(label("partner_line_suppressed", language,
                                   name=(names or {}).get(row.partner, row.partner)))
                continue
            lines.append(label(
                "partner_line", language, name=(names or {}).get(row.partner, row.partner),
                rate=number(row.rate, language, 2), low=number(row.rate_low, language, 2),
                high=number(row.rate_high, language, 2), k=number(row.recruited, language),
                tau=number(row.exposure, language, 1)))
        if self.at_bound:
            lines.append(label("partners_equal", language))
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from .plotting import plot_partner_rates

        return plot_partner_rates(self, ax=ax)


def fit_partners(recruited: Sequence[int] | np.ndarray, exposure: Sequence[float] | np.ndarray,
                 names: Sequence[str] | None = None, alpha_max: float = 1e4) -> PartnerRates:
    """Fit the Poisson–Gamma multi-centre model across partners by maximum likelihood.

    Parameters
    ----------
    recruited
        Persons recruited by each partner.
    exposure
        Time each partner has been recruiting (months open).
    names
        Partner names (default ``0, 1, ...``).
    alpha_max
        Upper bound of the shape α (at the bound, the partners' rates are equal).

    Returns
    -------
    PartnerRates

    Notes
    -----
    Partner i's count kᵢ over exposure τᵢ is Poisson(λᵢτᵢ) with λᵢ ~ Gamma(α, β), so marginally
    kᵢ ~ NegBin(α, β/(β + τᵢ)); (α, β) maximise the sum of these log-likelihoods (Anisimov &
    Fedorov 2007, Stat Med 26:4958). Given them, λᵢ ~ Gamma(α + kᵢ, β + τᵢ).
    """
    k = np.asarray(recruited, dtype=float)
    tau = np.asarray(exposure, dtype=float)
    if k.shape != tau.shape or k.size == 0 or np.any(tau <= 0) or np.any(k < 0):
        raise ValueError("need one count ≥ 0 and one exposure > 0 per partner")
    names = list(names) if names is not None else [str(i) for i in range(len(k))]

    def log_likelihood(alpha: float, beta: float) -> float:
        return float(np.sum(special.gammaln(alpha + k) - special.gammaln(alpha)
                            - special.gammaln(k + 1) + alpha * np.log(beta / (beta + tau))
                            + k * np.log(tau / (beta + tau))))

    def beta_given(alpha: float) -> float:
        # For fixed α the likelihood in β has one maximum; its log-scale search is bounded by
        # the rates the data allow.
        mean_rate = max(k.sum() / tau.sum(), 1e-9)
        result = optimize.minimize_scalar(
            lambda lb: -log_likelihood(alpha, math.exp(lb)),
            bounds=(math.log(alpha / mean_rate) - 20, math.log(alpha / mean_rate) + 20),
            method="bounded", options={"xatol": 1e-10},
        )
        return float(math.exp(result.x))

    fit = optimize.minimize_scalar(
        lambda la: -log_likelihood(math.exp(la), beta_given(math.exp(la))),
        bounds=(math.log(1e-3), math.log(alpha_max)), method="bounded",
        options={"xatol": 1e-8},
    )
    alpha = float(math.exp(fit.x))
    beta = beta_given(alpha)
    shape, rate = alpha + k, beta + tau
    table = pd.DataFrame({
        "partner": names,
        "recruited": k.astype(int),
        "exposure": tau,
        "observed_rate": k / tau,
        "rate": shape / rate,
        "rate_low": stats.gamma.ppf(0.025, shape, scale=1.0 / rate),
        "rate_high": stats.gamma.ppf(0.975, shape, scale=1.0 / rate),
    })
    return PartnerRates(table=table, alpha=alpha, beta=beta,
                        at_bound=alpha > 0.99 * alpha_max,
                        log_likelihood=log_likelihood(alpha, beta))


PriorChoice = float | Literal["accelerated", "hedging"]

__all__ = [
    "HEDGING_GRID",
    "PRIOR_WEIGHT_WORDS",
    "QUANTILES",
    "PartnerRates",
    "PriorChoice",
    "RecruitmentForecast",
    "fit_partners",
    "forecast_overdispersed",
    "forecast_recruitment",
    "hedging_weights",
]
