"""Recruitment forecasts: how far off track, and how sure (CONTRACT §5).

Predictive models of the count still to come, all in closed form or exact numerics (no
simulation):

* :func:`forecast_recruitment`: the Gamma–Poisson accrual model of Gajewski, Simon & Carlson
  (2008). Recruitment is a Poisson process with rate λ; λ ~ Gamma(n·P, T·P) a priori, so after
  m recruits by t, λ ~ Gamma(n·P + m, T·P + t); the count still to come over a further time r
  is negative binomial and the time to k more is a scaled beta-prime.
* :func:`forecast_overdispersed`: the same prior, but outreach that comes in clusters: the
  rate itself varies month to month as a gamma process with shape ``k`` per month, so counts
  per month are negative binomial. Its intervals are wider when the months vary more than a
  Poisson process allows. The dispersion ``k`` is estimated by maximum marginal likelihood.
* :func:`exitanalysis.models.partners.fit_partners`: the Poisson–Gamma multi-centre model,
  whose total forecast is the same result type.

Every model is a mixture of components over which the increment is negative binomial
(:mod:`exitanalysis.models.predictive`); the forecast object (:class:`RecruitmentForecast`)
derives every number from that one source.
Times are in any consistent unit (months in the pipeline).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import ArgumentError
from .checks import check_plan, finite, probabilities, whole
from .checks import counts as check_counts
from .predictive import GammaProcessMixture, GammaRateMixture, Predictive
from .priors import PriorWeight, parse_prior_weight, prior_key

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The quantiles a forecast reports (CONTRACT §4: q025, q05, q50, q95, q975).
QUANTILES: tuple[float, ...] = (0.025, 0.05, 0.5, 0.95, 0.975)
#: The grid of prior weights the hedging prior averages over: P = 1/1000, ..., 1, as in the
#: R package accrual (Jiang et al. 2016), with a uniform hyperprior on P.
HEDGING_GRID: np.ndarray = np.arange(1, 1001) / 1000.0
_NEGLIGIBLE = 1e-12
#: The dispersion k (gamma-process shape per month) that the clustered-months model averages
#: over, log-uniform from very clustered (0.05) to practically Poisson (10⁴).
DISPERSION_GRID: np.ndarray = np.geomspace(0.05, 1e4, 41)


def quantile_key(q: float) -> str:
    """``0.025`` → ``q025``; ``0.5`` → ``q50``; ``0.95`` → ``q95``."""
    text = f"{q:.3f}".rstrip("0")[2:]
    return "q" + (text if len(text) > 1 else text + "0")


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
        qs = probabilities("q", q)
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
        count = self.target if count is None else whole("count", count, low=0)
        qs = probabilities("q", q)
        more = count - self.recruited
        if more <= 0:
            return np.full(len(qs), float(self.elapsed))
        return self.elapsed + self.predictive.time_quantiles(qs, more)

    def _ahead(self, at: float | None) -> float:
        if at is None:
            return self.horizon - self.elapsed
        when = finite("at", at)
        if when < self.elapsed:
            raise ArgumentError("at", f"{when:g} is before elapsed ({self.elapsed:g}); "
                                      "forecasts look ahead")
        return when - self.elapsed

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
        from ..figures.shortfall import plot_forecast_fan

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
        :func:`exitanalysis.models.history.exposure_by_month`).

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
    [212]
    """
    weight = _prior_weight(prior_weight)
    target, duration, elapsed, recruited = check_plan(target=target, duration=duration,
                                                      elapsed=elapsed, recruited=recruited)
    horizon = duration if horizon is None else finite("horizon", horizon, low=elapsed)
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
        raise ArgumentError("prior_weight", "0 (the data alone) needs at least one recruit: "
                                            "with none, the data say nothing about the rate")
    predictive = GammaRateMixture(weights=posterior, shapes=shapes, rates=rates)
    return RecruitmentForecast(
        target=int(target), duration=float(duration), elapsed=float(elapsed),
        recruited=int(recruited), prior_weight=weight, effective_prior_weight=effective,
        predictive=predictive, horizon=horizon, model="poisson-gamma", details=details,
    )


def _prior_weight(value: PriorWeight | str) -> PriorWeight:
    try:
        return parse_prior_weight(value)
    except ValueError as exc:
        raise ArgumentError("prior_weight", str(exc)) from None


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray,
                        q: Sequence[float]) -> list[float]:
    cumulative = np.cumsum(weights)
    positions = np.minimum(np.searchsorted(cumulative, np.asarray(q)), len(values) - 1)
    return [float(values[int(i)]) for i in positions]


# --- does the plan fit the data? ----------------------------------------------------------


@dataclass(frozen=True)
class PriorCheck:
    """A prior predictive check of the plan used as a prior (Box 1980; Evans & Moshonov 2006).

    Attributes
    ----------
    p_value
        The prior predictive probability of a count no more probable than the one observed,
        P(π(X) ≤ π(m)), with X the count by ``elapsed`` drawn from the prior predictive
        distribution π: both tails, each as improbable as m. ``None`` when there is no plan
        prior to check (P = 0).
    conflict
        ``p_value`` below ``level``: the data reject the plan as a prior.
    expected
        E X = n·t/T, the count the plan expected by then.
    observed
        m, the count observed.
    prior_weight, level
        The prior checked and the level of the check.
    """

    p_value: float | None
    conflict: bool
    expected: float
    observed: int
    prior_weight: PriorWeight
    level: float

    @property
    def method(self) -> str:
        """The check in words, for the manifest."""
        if self.p_value is None:
            return "none: the forecast uses no plan prior (P = 0)"
        return ("prior predictive check (Evans & Moshonov 2006): P(pi(X) <= pi(m)) for the "
                f"count X by now under the plan prior ({prior_key(self.prior_weight)}); "
                f"conflict when below {self.level:g}")

    def to_dict(self) -> dict[str, Any]:
        """``headline.prior_check`` of the manifest (CONTRACT §4)."""
        return {"p_value": self.p_value, "conflict": self.conflict, "method": self.method,
                "expected": round(self.expected, 3), "observed": self.observed,
                "prior_weight": self.prior_weight, "level": self.level}


def prior_check(*, target: int, duration: float, elapsed: float, recruited: int,
                prior_weight: PriorWeight | str = 0.5, level: float = 0.01) -> PriorCheck:
    """Check whether the data are a plausible outcome of the plan used as a prior.

    Parameters
    ----------
    target, duration, elapsed, recruited
        As in :func:`forecast_recruitment`.
    prior_weight
        The prior to check: a number, ``accelerated`` or ``hedging`` (a uniform mixture over
        the hedging grid, before the data weight it).
    level
        Below this p-value the data reject the prior (CONTRACT §4: 0.01).

    Returns
    -------
    PriorCheck

    Notes
    -----
    Under λ ~ Gamma(n·P, T·P) the count by t is negative binomial, NegBin(n·P, T·P/(T·P + t)),
    with mean n·t/T whatever P is; the hedging prior mixes these over its grid of P. The
    p-value is the prior predictive probability of the counts no more probable than the one
    observed, P(π(X) ≤ π(m)) (Evans & Moshonov 2006, Bayesian Analysis 1:893, which refines
    Box 1980, J R Stat Soc A 143:383): both tails, each cut where the predictive is as
    improbable as m. It is exact up to 1e-12 of probability mass beyond the counts summed.
    """
    weight = _prior_weight(prior_weight)
    target, duration, elapsed, recruited = check_plan(target=target, duration=duration,
                                                      elapsed=elapsed, recruited=recruited)
    level = finite("level", level, above=0.0, high=1.0)
    expected = target * elapsed / duration
    if weight == "hedging":
        grid = HEDGING_GRID
    else:
        p = max(1.0 - recruited / target, 0.0) if weight == "accelerated" else float(weight)
        grid = np.array([p])
    if elapsed == 0 or not np.all(grid > 0):
        return PriorCheck(None, False, expected, recruited, weight, level)
    shapes = target * grid
    probs = duration * grid / (duration * grid + elapsed)
    p_value = _as_improbable(recruited, shapes, probs)
    return PriorCheck(p_value, p_value < level, expected, recruited, weight, level)


def _as_improbable(m: int, shapes: np.ndarray, probs: np.ndarray) -> float:
    """P(π(X) ≤ π(m)) for X from the equal-weight mixture of NegBin(shapes, probs)."""
    weight = 1.0 / len(shapes)

    def log_pmf(x: np.ndarray) -> np.ndarray:
        out = np.full(len(x), -np.inf)
        for chunk in range(0, len(shapes), 100):  # bounded memory for the hedging grid
            part = stats.nbinom.logpmf(x[None, :], shapes[chunk:chunk + 100, None],
                                       probs[chunk:chunk + 100, None])
            out = np.logaddexp(out, special.logsumexp(part, axis=0))
        return out + math.log(weight)

    at_m = float(log_pmf(np.array([m]))[0])
    means = shapes * (1 - probs) / probs
    sds = np.sqrt(means / probs)
    upper = int(max(m, float(np.max(means + 20 * sds)))) + 1
    # Far enough that what lies beyond is a negligible share of a tail as improbable as m.
    while log_pmf(np.array([upper]))[0] > at_m - 30 or float(
            weight * stats.nbinom.sf(upper, shapes, probs).sum()) > 1e-12:
        upper *= 2
    x = np.arange(upper + 1)
    log_p = log_pmf(x)
    inside = log_p <= at_m + 1e-9
    beyond = float(weight * stats.nbinom.sf(upper, shapes, probs).sum())
    return float(min(np.exp(log_p[inside]).sum() + beyond, 1.0))



# --- contacts against inclusions ------------------------------------------------------------


@dataclass(frozen=True)
class InclusionForecast:
    """Inclusions by the end, forecast from a forecast of contacts and the share of contacts
    that case data show to be included.

    Attributes
    ----------
    contacts
        The forecast of contacts it derives from.
    conversion
        The share of contacts included: ``estimate`` (included/contacted) and its 95 %
        interval ``low``, ``high`` (Jeffreys), with the counts it rests on.
    final
        Inclusions by the end: ``mean`` and the quantiles of CONTRACT §4's ``final_count``.
    p_reach_target
        P(inclusions by the end ≥ target).
    """

    contacts: RecruitmentForecast
    conversion: dict[str, float]
    final: dict[str, float]
    p_reach_target: float

    def to_dict(self) -> dict[str, Any]:
        return {"measure": "included", "conversion": dict(self.conversion),
                "final_count": dict(self.final), "p_reach_target": self.p_reach_target}


def forecast_inclusions(contacts: RecruitmentForecast, *, included: int, contacted: int,
                        nodes: int = 200) -> InclusionForecast:
    """Carry the contact-to-inclusion conversion, with its uncertainty, into a forecast.

    Parameters
    ----------
    contacts
        A forecast of contacts (Gamma–Poisson).
    included, contacted
        From case data: how many of the persons contacted were included.
    nodes
        Points of the quadrature over the conversion's posterior.

    Notes
    -----
    The conversion q has the Jeffreys posterior Beta(i + ½, c − i + ½). Given q, each of the
    m persons contacted so far is included with probability q (Binomial(m, q)), and contacts
    to come are a Poisson process thinned by q: with rate λ ~ Gamma(a, b), its inclusions over
    a further time r are NegBin(a, b/(b + q·r)). The two are added exactly for each q, and q
    is integrated over by midpoints of its quantiles (``nodes`` equal-weight points).
    """
    included = whole("included", included)
    contacted = whole("contacted", contacted, low=1)
    if included > contacted:
        raise ArgumentError("included", "must not exceed contacted")
    predictive = contacts.predictive
    if not isinstance(predictive, GammaRateMixture):
        raise ArgumentError("contacts", "expected a Gamma–Poisson forecast of contacts")
    posterior = stats.beta(included + 0.5, contacted - included + 0.5)
    q = posterior.ppf((np.arange(nodes) + 0.5) / nodes)
    r = contacts.horizon - contacts.elapsed
    m = contacts.recruited
    upper = int(m + stats.nbinom.isf(1e-12, predictive.shapes,
                                     predictive.rates / (predictive.rates + r)).max()) + 1
    x = np.arange(upper + 1)
    total = np.zeros(upper + 1)
    for qi in q:
        now = stats.binom.pmf(x, m, qi)
        p = predictive.rates / (predictive.rates + qi * r)
        future = predictive.weights @ stats.nbinom.pmf(x[None, :], predictive.shapes[:, None],
                                                       p[:, None])
        total += np.convolve(now, future)[: upper + 1]
    total /= nodes
    cdf = np.cumsum(total)
    final: dict[str, float] = {"mean": round(float(x @ total), 3)}
    for level in QUANTILES:
        final[quantile_key(level)] = int(np.searchsorted(cdf, level - 1e-12))
    reach = float(max(1.0 - cdf[contacts.target - 1], 0.0)) if contacts.target <= upper else 0.0
    conversion = {"estimate": included / contacted, "low": float(posterior.ppf(0.025)),
                  "high": float(posterior.ppf(0.975)), "included": included,
                  "contacted": contacted}
    return InclusionForecast(contacts, conversion, final, reach)


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
    """Forecast from monthly counts when months may vary more than a Poisson process allows.

    Parameters
    ----------
    counts
        Persons recruited in each elapsed month, in order.
    target, duration
        As in :func:`forecast_recruitment` (duration in months).
    exposure
        Each month's effective time: its share of normal recruitment time (1 = a normal
        month, 0 = closed), times its plan months when the plan is not steady; default all 1.
        Elapsed time is their sum.
    prior_weight
        A number in [0, 1] or ``"accelerated"`` (hedging is not offered for this model).
    horizon
        Effective time at which the final count is taken (default: elapsed plus the months
        left of ``duration``, each a normal month).
    dispersion
        The gamma-process shape per month, k, if it is to be taken as known. Default: its
        uncertainty is integrated over (see Notes).
    grid_size
        Points of the grid of the mean rate μ.

    Returns
    -------
    RecruitmentForecast
        With ``model="negative-binomial"`` and ``details`` holding the posterior median of the
        dispersion (``dispersion``), its 95 % interval (``dispersion_interval``) and whether it
        was estimated (``dispersion_estimated``).

    Raises
    ------
    ArgumentError
        When the posterior of the rate is not determined by the data (a few bursty months
        with no plan prior): its mass does not vanish towards any sensible upper bound.

    Notes
    -----
    Month j's count is Poisson(μ·Gⱼ) with Gⱼ ~ Gamma(k·eⱼ, k): negative binomial with mean
    μ·eⱼ and variance μ·eⱼ·(1 + μ/k). The dispersion k has a log-uniform prior on
    [0.05, 10⁴] (at the top, the months are Poisson), and its posterior is computed from the
    data alone (a flat prior on log μ): with the plan's prior in it, a conflict between plan
    and data would pass for over-dispersion. Given k, μ has the Gamma(n·P, T·P) prior of the
    Poisson model (∝ 1/μ when P = 0). Both are computed on grids, and the count still to come
    over r months is, given (μ, k), NegBin(k·r, k/(k + μ)), mixed over both grids: the
    uncertainty about k widens the forecast instead of being ignored.
    """
    y = check_counts("counts", counts)
    e = np.ones_like(y) if exposure is None else np.asarray(exposure, dtype=float)
    if y.shape != e.shape:
        raise ArgumentError("exposure", "expected one value per month of counts")
    if not np.all(np.isfinite(e)) or np.any(e < 0):
        raise ArgumentError("exposure", "expected each month's effective time, ≥ 0")
    weight = _prior_weight(prior_weight)
    if weight == "hedging":
        raise ArgumentError("prior_weight", "'hedging' is offered for the Poisson model only")
    recruited, elapsed = int(y.sum()), float(e.sum())
    check_plan(target=target, duration=duration, elapsed=min(elapsed, float(duration)),
               recruited=recruited)
    p = max(1.0 - recruited / target, 0.0) if weight == "accelerated" else float(weight)
    horizon = float(elapsed + max(duration - len(y), 0) if horizon is None else horizon)
    shape0, rate0 = target * p, duration * p
    if shape0 + recruited <= 0 or rate0 + elapsed <= 0:
        raise ArgumentError("prior_weight", "0 (the data alone) needs at least one recruit")
    active = e > 0
    if dispersion is not None:
        ks = np.array([finite("dispersion", dispersion, above=0.0)])
    elif int(active.sum()) < 2:
        raise ArgumentError("counts", "estimating the dispersion needs at least two months "
                                      "with exposure")
    else:
        ks = DISPERSION_GRID
    # The μ grid spans the Poisson posterior widely; over-dispersion widens it, but a posterior
    # that still has mass at the top of this range is not determined by the data.
    poisson = stats.gamma(shape0 + recruited, scale=1.0 / (rate0 + elapsed))
    mu = np.geomspace(max(poisson.ppf(1e-9) / 20.0, 1e-6), poisson.ppf(1 - 1e-9) * 20.0,
                      grid_size)
    log_width = np.log(np.gradient(np.log(mu)) * mu)  # the width each grid point stands for
    a, obs = (ks[:, None, None] * e[active][None, None, :], y[active][None, None, :])
    m, k = mu[None, :, None], ks[:, None, None]
    log_lik = (special.gammaln(a + obs) - special.gammaln(a) - special.gammaln(obs + 1)
               + a * np.log(k / (k + m)) + obs * np.log(m / (k + m))).sum(axis=2)
    # The dispersion's posterior from the data alone (prior ∝ 1/μ on μ, log-uniform on k).
    flat = log_lik - np.log(mu)[None, :] + log_width[None, :]
    log_k = special.logsumexp(flat, axis=1)
    k_weights = np.exp(log_k - log_k.max())
    k_weights /= k_weights.sum()
    # Given k, μ under the chosen prior.
    log_prior = (shape0 - 1) * np.log(mu) - rate0 * mu if p > 0 else -np.log(mu)
    conditional = log_lik + log_prior[None, :] + log_width[None, :]
    conditional = np.exp(conditional - conditional.max(axis=1, keepdims=True))
    conditional /= conditional.sum(axis=1, keepdims=True)
    joint = k_weights[:, None] * conditional
    # 1 % of the posterior at the top of the range would leave the 99th percentile of the
    # rate, and soon the reported 95 % interval, to the range rather than to the data.
    if joint[:, -grid_size // 20:].sum() > 0.01:
        raise ArgumentError(
            "counts", "too few months, and too uneven, for the clustered-months model without "
                      "a plan prior: the data do not bound the rate (give the plan some weight, "
                      "prior_weight > 0, or wait for more months)")
    keep = joint > _NEGLIGIBLE * joint.max()
    predictive = GammaProcessMixture(weights=joint[keep] / joint[keep].sum(),
                                     means=np.broadcast_to(mu[None, :], joint.shape)[keep],
                                     dispersions=np.broadcast_to(ks[:, None], joint.shape)[keep])
    k_median, k_low, k_high = _weighted_quantiles(ks, k_weights, (0.5, 0.025, 0.975))
    return RecruitmentForecast(
        target=int(target), duration=float(duration), elapsed=elapsed, recruited=recruited,
        prior_weight=weight, effective_prior_weight=p, predictive=predictive, horizon=horizon,
        model="negative-binomial",
        details={"dispersion": k_median, "dispersion_interval": (k_low, k_high),
                 "dispersion_estimated": dispersion is None,
                 "mean_rate": float(predictive.weights @ predictive.means)},
    )


@dataclass(frozen=True)
class DispersionTest:
    """Do the months vary more than a steady Poisson process allows?

    Attributes
    ----------
    statistic
        Pearson's X² = Σ (yⱼ − μ̂·eⱼ)² / (μ̂·eⱼ) over months with exposure, μ̂ = Σy / Σe.
    df
        Months with exposure, less one.
    p_value
        P(χ²_df ≥ X²): small when the months vary more than chance allows.
    detected
        ``p_value`` below ``level``.
    level
        The level of the test.
    """

    statistic: float
    df: int
    p_value: float
    detected: bool
    level: float

    @property
    def variance_ratio(self) -> float:
        """X² / df: how many times the Poisson variance the months vary (about 1 if steady)."""
        return self.statistic / self.df


def dispersion_test(counts: Sequence[int] | np.ndarray,
                    exposure: Sequence[float] | np.ndarray | None = None,
                    level: float = 0.05) -> DispersionTest:
    """Pearson's test of over-dispersion of monthly counts against a steady Poisson rate.

    Notes
    -----
    Under a Poisson process with a constant rate and known exposures, X² is approximately
    χ² with J − 1 degrees of freedom (the index-of-dispersion test; Cameron & Trivedi 2013,
    Regression Analysis of Count Data, §5.5). A steady process that varies with the season
    or a trend also inflates X²: the test says the months vary, not why.
    """
    y = check_counts("counts", counts)
    e = np.ones_like(y) if exposure is None else np.asarray(exposure, dtype=float)
    active = e > 0
    if int(active.sum()) < 2 or y.sum() == 0:
        raise ArgumentError("counts", "the test needs at least two months with exposure and "
                                      "one recruit")
    level = finite("level", level, above=0.0, high=0.5)
    rate = y[active].sum() / e[active].sum()
    expected = rate * e[active]
    statistic = float(((y[active] - expected) ** 2 / expected).sum())
    df = int(active.sum()) - 1
    p_value = float(stats.chi2.sf(statistic, df))
    return DispersionTest(statistic, df, p_value, p_value < level, level)


__all__ = [
    "DISPERSION_GRID",
    "HEDGING_GRID",
    "DispersionTest",
    "InclusionForecast",
    "QUANTILES",
    "PriorCheck",
    "RecruitmentForecast",
    "forecast_overdispersed",
    "dispersion_test",
    "forecast_inclusions",
    "forecast_recruitment",
    "hedging_weights",
    "prior_check",
    "quantile_key",
]
