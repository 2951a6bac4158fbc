"""Partners recruiting side by side: the Poisson–Gamma multi-centre model.

:func:`fit_partners` fits the model of Anisimov & Fedorov (2007): each partner has its own
rate, drawn from a Gamma(α, β) fitted across partners by maximum likelihood; the total
forecast sums the partners' predictive distributions (an exact convolution).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..errors import ArgumentError
from .checks import counts
from .predictive import GammaRateMixture, IndependentSum
from .recruitment import RecruitmentForecast

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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

    def summary(self) -> str:
        """The fit in a few lines (a report's sentences come from
        :func:`exitanalysis.assess.shortfall.partner_sentences`)."""
        lines = [f"Poisson–Gamma fit across {len(self.table)} partners: α = {self.alpha:.3g}, "
                 f"β = {self.beta:.3g}" + (" (α at its bound)." if self.at_bound else ".")]
        lines += [f"{row.partner}: {row.rate:.2f} per time unit (95 % {row.rate_low:.2f} to "
                  f"{row.rate_high:.2f}); {row.recruited} in {row.exposure:g}."
                  for row in self.table.itertuples(index=False)]
        return "\n".join(lines)

    def plot(self, ax: Axes | None = None) -> Axes:
        from ..figures.shortfall import plot_partner_rates

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
    k = counts("recruited", recruited)
    tau = np.asarray(exposure, dtype=float)
    if tau.shape != k.shape or k.size == 0:
        raise ArgumentError("exposure", "expected one exposure per partner")
    if not np.all(np.isfinite(tau)) or np.any(tau <= 0):
        raise ArgumentError("exposure", "expected finite times > 0")
    if k.sum() == 0:
        raise ArgumentError("recruited", "no partner has recruited anyone: the partners' "
                                         "rates cannot be told from zero")
    names = list(names) if names is not None else [str(i) for i in range(len(k))]
    if len(names) != len(k):
        raise ArgumentError("names", "expected one name per partner")

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


__all__ = ["PartnerRates", "fit_partners"]
