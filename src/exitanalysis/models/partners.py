"""Partners recruiting side by side: the Poisson–Gamma multi-centre model, fully Bayesian.

:func:`fit_partners` fits the model of Anisimov & Fedorov (2007): each partner has its own
rate, drawn from a common Gamma distribution. With a handful of partners that distribution
cannot be treated as known (a maximum-likelihood fit of it runs to its bounds and gives
intervals narrower than pooling the partners would), so its two parameters get a weakly
informative prior and are integrated over on a grid. The total forecast sums the partners'
predictive distributions exactly, for every point of that grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special, stats

from ..errors import ArgumentError
from .checks import counts
from .predictive import GammaRateMixture, integer_quantiles, root_expanding
from .recruitment import RecruitmentForecast

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Grid of the between-partner coefficient of variation of the rates, c = 1/√α: from
#: practically equal rates (0.01) to rates that differ several-fold (5).
SPREAD_GRID: np.ndarray = np.geomspace(0.01, 5.0, 30)
#: Scale of the half-Cauchy prior on c (Gelman 2006's weakly informative prior for a
#: hierarchical scale, here on the scale of a coefficient of variation).
SPREAD_SCALE = 1.0
_NEGLIGIBLE = 1e-10


@dataclass(frozen=True)
class PartnerSum:
    """The programme total over partners: Σᵢ NegBin(shapeᵢ, rateᵢ/(rateᵢ + r)) for each point
    of the hyperparameters' grid, mixed with the grid's posterior weights.

    ``shapes`` and ``rates`` are (grid points × partners); given a grid point, partner i's
    rate is Gamma(shapeᵢ, rateᵢ), and the partners are independent.
    """

    weights: np.ndarray
    shapes: np.ndarray
    rates: np.ndarray
    _cache: dict[tuple[float, int], np.ndarray] = field(default_factory=dict, repr=False,
                                                        compare=False)

    def _upper(self, r: float) -> int:
        p = self.rates / (self.rates + r)
        return int(stats.nbinom.isf(1e-13, self.shapes, p).sum(axis=1).max()) + 2

    def _parts(self, r: float, upper: int) -> list[np.ndarray]:
        grid = np.arange(upper + 1)
        return [stats.nbinom.pmf(grid[None, :], self.shapes[:, i, None],
                                 (self.rates[:, i] / (self.rates[:, i] + r))[:, None])
                for i in range(self.shapes.shape[1])]

    def _pmf(self, r: float, upper: int) -> np.ndarray:
        """P(total increment = 0..upper) over time r, by FFT: accurate to about 1e-15 in
        absolute terms, which is all that quantiles need (tails use :meth:`_tail`)."""
        key = (float(r), upper)
        if key not in self._cache:
            parts = self._parts(r, upper)
            size = 1 << int(np.ceil(np.log2(len(parts) * (upper + 1))))  # no wrap-around
            product = np.prod([np.fft.rfft(part, size, axis=1) for part in parts], axis=0)
            total = np.clip(np.fft.irfft(product, size, axis=1)[:, : upper + 1], 0.0, None)
            self._cache.clear()  # one time at a time: the cache serves repeated quantiles
            self._cache[key] = self.weights @ total
        return self._cache[key]

    def _tail(self, x: int, r: float) -> float:
        """P(total increment > x), exact in the far tail: with Sₖ the sum of the first k
        partners, P(Sₖ > x) = P(Sₖ₋₁ > x) + Σ_{s ≤ x} P(Sₖ₋₁ = s)·P(Bₖ > x − s), a sum of
        positive terms (no 1 − cdf cancellation)."""
        grid = np.arange(x + 1)
        p = self.rates / (self.rates + r)
        below = stats.nbinom.pmf(grid[None, :], self.shapes[:, :1], p[:, :1])
        tail = stats.nbinom.sf(x, self.shapes[:, 0], p[:, 0])
        for i in range(1, self.shapes.shape[1]):
            shape, prob = self.shapes[:, i, None], p[:, i, None]
            tail = tail + (below * stats.nbinom.sf(x - grid[None, :], shape, prob)).sum(axis=1)
            below = _convolve_rows(below, stats.nbinom.pmf(grid[None, :], shape, prob))
        return float(self.weights @ tail)

    def increment_cdf(self, values: ArrayLike, r: float) -> np.ndarray:
        # The probabilities up to the largest value asked for are exact without the rest of
        # the support: only smaller counts of each partner add up to them.
        x = np.floor(np.atleast_1d(np.asarray(values, dtype=float)))
        upper = max(int(np.max(x, initial=0)), 0)
        cdf = np.minimum(np.cumsum(self._pmf(r, upper)), 1.0)
        return np.where(x < 0, 0.0, cdf[np.clip(x, 0, upper).astype(int)])

    def increment_sf(self, x: float, r: float) -> float:
        if x < 0:
            return 1.0
        if r <= 0:
            return 0.0
        rough = 1.0 - float(self.increment_cdf([x], r)[0])
        return rough if rough > 1e-9 else self._tail(math.floor(x), r)

    def increment_mean(self, r: float) -> float:
        return float(self.weights @ (self.shapes / self.rates).sum(axis=1)) * r

    def increment_quantiles(self, q: np.ndarray, r: float) -> np.ndarray:
        upper = self._upper(r)
        return integer_quantiles(lambda x: self.increment_cdf(x, r), q, 0, upper)

    def time_cdf(self, k: float, times: ArrayLike) -> np.ndarray:
        w = np.atleast_1d(np.asarray(times, dtype=float))
        return np.array([self.increment_sf(k - 1, wi) if wi > 0 else 0.0 for wi in w])

    def time_quantiles(self, q: np.ndarray, k: float) -> np.ndarray:
        rate = max(self.increment_mean(1.0), 1e-12)
        # To a hundredth of a time unit: each step convolves every grid point's partners.
        return np.array([
            root_expanding(lambda w, qi=qi: float(self.time_cdf(k, w)[0]) - qi, k / rate,
                           xtol=1e-2)
            for qi in q
        ])


def _convolve_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise convolution of two (rows × n) arrays, truncated to n columns (exact sums)."""
    n = a.shape[1]
    out = np.zeros_like(a)
    for j in range(n):
        out[:, j:] += a[:, j:j + 1] * b[:, : n - j]
    return out


@dataclass(frozen=True)
class PartnerRates:
    """Each partner's recruitment rate under the hierarchical Poisson–Gamma model.

    Attributes
    ----------
    table
        One row per partner: ``partner``, ``recruited``, ``exposure``, ``observed_rate``
        (recruited/exposure), ``rate`` (posterior mean, drawn towards the partners' common
        mean as much as the data allow), ``rate_low``, ``rate_high`` (95 % interval).
    spread
        The between-partner coefficient of variation of the rates, c = 1/√α: posterior
        median and 95 % interval (``median``, ``low``, ``high``).
    grid
        The hyperparameters' posterior: ``mean_rate`` (μ = α/β), ``spread`` (c), ``weight``.
    """

    table: pd.DataFrame
    spread: dict[str, float]
    grid: pd.DataFrame = field(repr=False)

    @property
    def equal_rates_plausible(self) -> bool:
        """Whether the data are consistent with (nearly) equal rates: c's 95 % interval
        reaches below 0.05."""
        return self.spread["low"] < 0.05

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def rate_intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Each partner's posterior interval of its rate at ``level``: ``partner``, ``low``,
        ``high`` (the table holds the 95 % one)."""
        shapes, rates = self._posterior()
        w = self.grid["weight"].to_numpy()
        return pd.DataFrame({
            "partner": self.table["partner"],
            "low": _mixture_gamma_quantiles(w, shapes, rates, (1 - level) / 2),
            "high": _mixture_gamma_quantiles(w, shapes, rates, (1 + level) / 2)})

    def _posterior(self) -> tuple[np.ndarray, np.ndarray]:
        """Shapes and rates (grid points × partners) of the partners' Gamma posteriors."""
        alpha, beta = _shape_rate(self.grid["mean_rate"].to_numpy(),
                                  self.grid["spread"].to_numpy())
        k = self.table["recruited"].to_numpy(dtype=float)
        tau = self.table["exposure"].to_numpy(dtype=float)
        return alpha[:, None] + k[None, :], beta[:, None] + tau[None, :]

    def forecast(self, *, target: int, duration: float, elapsed: float,
                 horizon: float | None = None) -> RecruitmentForecast:
        """Total forecast: the sum of every partner's predictive count (exact convolution),
        mixed over the posterior of the partners' common distribution.

        ``elapsed`` is the programme's elapsed time; each partner's own exposure (shorter for
        a late starter) conditions its rate.
        """
        shapes, rates = self._posterior()
        k = self.table["recruited"].to_numpy(dtype=float)
        weights = self.grid["weight"].to_numpy()
        predictive: PartnerSum | GammaRateMixture
        if np.allclose(rates, rates[:, :1]):
            # Equal exposures: every partner's rate has the same Gamma rate β + τ, so their
            # sum is Gamma(Σ(α + kᵢ), β + τ) exactly, and the total a negative binomial.
            predictive = GammaRateMixture(weights=weights, shapes=shapes.sum(axis=1),
                                          rates=rates[:, 0])
        else:
            predictive = PartnerSum(weights=weights, shapes=shapes, rates=rates)
        return RecruitmentForecast(
            target=int(target), duration=float(duration), elapsed=float(elapsed),
            recruited=int(k.sum()), prior_weight=0.0, effective_prior_weight=0.0,
            predictive=predictive, horizon=float(duration if horizon is None else horizon),
            model="partners", details={"spread": dict(self.spread)},
        )

    def summary(self) -> str:
        """The fit in a few lines (a report's sentences come from
        :func:`exitanalysis.assess.shortfall.partner_sentences`)."""
        s = self.spread
        lines = [f"Hierarchical Poisson–Gamma fit across {len(self.table)} partners: rates vary "
                 f"by a coefficient of variation of {s['median']:.2f} (95 % {s['low']:.2f} to "
                 f"{s['high']:.2f})."]
        lines += [f"{row.partner}: {row.rate:.2f} per time unit (95 % {row.rate_low:.2f} to "
                  f"{row.rate_high:.2f}); {row.recruited} in {row.exposure:g}."
                  for row in self.table.itertuples(index=False)]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_partner_rates

        return plot_partner_rates(self, ax=ax)


def _shape_rate(mean_rate: np.ndarray, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1.0 / spread**2
    return alpha, alpha / mean_rate


def fit_partners(recruited: Sequence[int] | np.ndarray, exposure: Sequence[float] | np.ndarray,
                 names: Sequence[str] | None = None,
                 spread_scale: float = SPREAD_SCALE) -> PartnerRates:
    """Fit the hierarchical Poisson–Gamma multi-centre model across partners.

    Parameters
    ----------
    recruited
        Persons recruited by each partner (at least two partners, one recruit in all).
    exposure
        Time each partner has been recruiting (months open).
    names
        Partner names (default ``0, 1, ...``).
    spread_scale
        Scale of the half-Cauchy prior on the between-partner coefficient of variation.

    Returns
    -------
    PartnerRates

    Notes
    -----
    Partner i's count kᵢ over exposure τᵢ is Poisson(λᵢτᵢ) with λᵢ ~ Gamma(α, β), so given
    (α, β), kᵢ ~ NegBin(α, β/(β + τᵢ)) and λᵢ | kᵢ ~ Gamma(α + kᵢ, β + τᵢ) (Anisimov &
    Fedorov 2007, Stat Med 26:4958). The common distribution is parametrised by its mean
    μ = α/β and coefficient of variation c = 1/√α, with p(μ) ∝ 1/μ (the data alone, as P = 0
    in the single-rate model) and c ~ half-Cauchy(0, ``spread_scale``) (Gelman 2006,
    Bayesian Analysis 1:515). The posterior of (μ, c) is computed on a grid (40 × 30
    points) and every result (partner rates, the spread, the total forecast) is a mixture
    over it, so the uncertainty about how much partners differ reaches the forecast.
    """
    k = counts("recruited", recruited)
    tau = np.asarray(exposure, dtype=float)
    if tau.shape != k.shape or k.size < 2:
        raise ArgumentError("exposure", "expected one exposure per partner, for two or more "
                                        "partners")
    if not np.all(np.isfinite(tau)) or np.any(tau <= 0):
        raise ArgumentError("exposure", "expected finite times > 0")
    if k.sum() == 0:
        raise ArgumentError("recruited", "no partner has recruited anyone: the partners' "
                                         "rates cannot be told from zero")
    names = list(names) if names is not None else [str(i) for i in range(len(k))]
    if len(names) != len(k):
        raise ArgumentError("names", "expected one name per partner")
    pooled = stats.gamma(k.sum(), scale=1.0 / tau.sum())
    mean_rate = np.geomspace(pooled.ppf(1e-8) / 4, pooled.ppf(1 - 1e-8) * 4, 40)
    mu, c, weight = _posterior_grid(mean_rate, SPREAD_GRID, k, tau, spread_scale)
    # A second, finer grid over where the posterior is: with many partners it is narrow.
    held = weight > _NEGLIGIBLE * weight.max()
    mu, c, weight = _posterior_grid(
        np.geomspace(mu[held].min(), mu[held].max(), 40),
        np.geomspace(c[held].min(), min(c[held].max(), SPREAD_GRID[-1]), 30),
        k, tau, spread_scale)
    # The smallest set of grid points that holds all but 1e-10 of the posterior.
    order = np.argsort(weight)[::-1]
    keep = np.zeros(len(weight), dtype=bool)
    keep[order[: int(np.searchsorted(np.cumsum(weight[order]), 1 - _NEGLIGIBLE)) + 1]] = True
    grid = pd.DataFrame({"mean_rate": mu[keep], "spread": c[keep],
                         "weight": weight[keep] / weight[keep].sum()})
    w = grid["weight"].to_numpy()
    order = np.argsort(grid["spread"].to_numpy())
    cumulative = np.cumsum(w[order])
    spread = {name: float(grid["spread"].to_numpy()[order][
        min(np.searchsorted(cumulative, q), len(order) - 1)])
        for name, q in (("median", 0.5), ("low", 0.025), ("high", 0.975))}
    table = pd.DataFrame({"partner": names, "recruited": k.astype(int), "exposure": tau,
                          "observed_rate": k / tau})
    fit = PartnerRates(table=table, spread=spread, grid=grid)
    shapes, rates = fit._posterior()
    intervals = fit.rate_intervals(0.95)
    table["rate"] = w @ (shapes / rates)
    table["rate_low"] = intervals["low"].to_numpy()
    table["rate_high"] = intervals["high"].to_numpy()
    return fit


def _posterior_grid(mean_rate: np.ndarray, spread: np.ndarray, k: np.ndarray,
                    tau: np.ndarray, scale: float) -> tuple[np.ndarray, ...]:
    """The posterior of (μ, c) on the product of two log-spaced grids: μ, c, weights."""
    mu, c = (g.ravel() for g in np.meshgrid(mean_rate, spread, indexing="ij"))
    alpha, beta = _shape_rate(mu, c)
    log_lik = (special.gammaln(alpha[:, None] + k) - special.gammaln(alpha)[:, None]
               - special.gammaln(k + 1) + alpha[:, None] * np.log(beta[:, None]
                                                                  / (beta[:, None] + tau))
               + k * np.log(tau / (beta[:, None] + tau))).sum(axis=1)
    # Priors as densities on the log grids (log μ flat; c half-Cauchy, times c for log c).
    log_post = log_lik + np.log(c) - np.log1p((c / scale) ** 2)
    weight = np.exp(log_post - log_post.max())
    return mu, c, weight / weight.sum()


def _mixture_gamma_quantiles(weights: np.ndarray, shapes: np.ndarray, rates: np.ndarray,
                             q: float) -> np.ndarray:
    """The q-quantile of Σⱼ wⱼ·Gamma(shapeⱼᵢ, rateⱼᵢ) for every partner i (columns), by
    bisection on the mixture's cdf, all partners at once."""
    single = stats.gamma.ppf(q, shapes, scale=1 / rates)
    low, high = single.min(axis=0), single.max(axis=0)
    for _ in range(40):  # the bracket shrinks 10¹² times
        mid = 0.5 * (low + high)
        below = weights @ special.gammainc(shapes, mid[None, :] * rates) < q
        low, high = np.where(below, mid, low), np.where(below, high, mid)
    return 0.5 * (low + high)


__all__ = ["SPREAD_GRID", "SPREAD_SCALE", "PartnerRates", "PartnerSum", "fit_partners"]
