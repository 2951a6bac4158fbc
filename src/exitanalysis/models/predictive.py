"""Predictive distributions of the count still to come, and of the time to reach a count.

Every recruitment model of :mod:`exitanalysis.models` ends in one of these: a mixture of
components over which the increment is negative binomial. They are computed in closed form
or by exact numerics (no simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special, stats


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
        return integer_quantiles(lambda x: self.increment_cdf(x, r), q, lows.min(), highs.max())

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        """P(time to k more recruits ≤ w)."""
        w = np.atleast_1d(np.asarray(times, dtype=float))
        total = w[None, :] + self.rates[:, None]
        x = np.divide(w[None, :], total, out=np.zeros_like(total), where=total > 0)
        return np.asarray(self.weights @ special.betainc(k, self.shapes[:, None], x))

    def time_quantiles(self, levels: ArrayLike, k: float) -> np.ndarray:
        q = np.atleast_1d(np.asarray(levels, dtype=float))
        x = special.betaincinv(k, self.shapes[:, None], q[None, :])
        with np.errstate(divide="ignore"):  # x = 1: the count is never reached (infinity)
            single = self.rates[:, None] * x / (1.0 - x)
        if len(self.weights) == 1:
            return np.asarray(single[0])
        out = []
        for i, qi in enumerate(q):
            def gap(w: float, qi: float = qi) -> float:
                return float(self.time_cdf(k, w)[0]) - qi
            low, high = single[:, i].min(), single[:, i].max()
            out.append(root(gap, low, high) if np.isfinite(high) else root_expanding(gap, low))
        return np.array(out)


@dataclass(frozen=True)
class GammaProcessMixture:
    """Clustered recruitment: over time r the rate integrates to μ·G(r), G a gamma process
    with shape k·r and mean r, and (μ, k) ~ Σ wⱼ·δ(μⱼ, kⱼ) (a grid posterior).

    Given μ and k, the increment over r is NegBin(k·r, k/(k + μ)): counts per month are
    negative binomial with variance μ + μ²/k, and as k → ∞ the model becomes the Poisson one.
    Each component has its own dispersion k, so the uncertainty about it reaches the forecast.
    """

    weights: np.ndarray
    means: np.ndarray
    dispersions: np.ndarray

    def increment_cdf(self, values: ArrayLike, r: float) -> np.ndarray:
        x = np.floor(np.atleast_1d(np.asarray(values, dtype=float)))
        k = self.dispersions
        p = k / (k + self.means)
        cdf = special.betainc((k * r)[:, None], np.maximum(x, 0)[None, :] + 1, p[:, None])
        cdf = np.where(x[None, :] < 0, 0.0, cdf)
        return np.asarray(self.weights @ cdf)

    def increment_sf(self, x: float, r: float) -> float:
        if x < 0:
            return 1.0
        if r <= 0:
            return 0.0
        q = self.means / (self.dispersions + self.means)
        return float(self.weights @ special.betainc(math.floor(x) + 1, self.dispersions * r, q))

    def increment_mean(self, r: float) -> float:
        return float(self.weights @ self.means) * r

    def increment_quantiles(self, q: np.ndarray, r: float) -> np.ndarray:
        k = self.dispersions
        p = k / (k + self.means)
        lows = stats.nbinom.ppf(q.min(), k * r, p)
        highs = stats.nbinom.ppf(q.max(), k * r, p)
        return integer_quantiles(lambda x: self.increment_cdf(x, r), q, lows.min(), highs.max())

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        w = np.atleast_1d(np.asarray(times, dtype=float))
        return np.array([self.increment_sf(k - 1, wi) for wi in w])

    def time_quantiles(self, q: np.ndarray, k: float) -> np.ndarray:
        mean = max(float(self.weights @ self.means), 1e-12)
        return np.array([
            root_expanding(lambda w, qi=qi: float(self.time_cdf(k, w)[0]) - qi, k / mean)
            for qi in q
        ])


class Predictive(Protocol):
    """What every model's distribution of the count still to come offers (the two mixtures
    here, and the partners' sum of :mod:`exitanalysis.models.partners`)."""

    def increment_cdf(self, values: ArrayLike, r: float, /) -> np.ndarray: ...

    def increment_sf(self, x: float, r: float, /) -> float: ...

    def increment_mean(self, r: float, /) -> float: ...

    def increment_quantiles(self, q: np.ndarray, r: float, /) -> np.ndarray: ...

    def time_cdf(self, k: float, times: ArrayLike, /) -> np.ndarray: ...

    def time_quantiles(self, q: np.ndarray, k: float, /) -> np.ndarray: ...


def integer_quantiles(cdf: Any, q: np.ndarray, low: float, high: float) -> np.ndarray:
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


def root(fn: Any, low: float, high: float, xtol: float = 1e-9) -> float:
    if high <= low:
        return float(low)
    return float(optimize.brentq(fn, low, high, xtol=xtol, rtol=1e-12))


def root_expanding(fn: Any, guess: float, xtol: float = 1e-9) -> float:
    low, high = 0.0, max(guess, 1e-6)
    while fn(high) < 0:
        low, high = high, high * 2
        if high > 1e9:
            return math.inf
    return root(fn, low, high, xtol)


__all__ = ["GammaProcessMixture", "GammaRateMixture", "Predictive",
           "integer_quantiles", "root", "root_expanding"]
