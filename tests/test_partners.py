"""Partners: the hierarchical Poisson–Gamma model with its hyperparameters integrated over.

References: adaptive quadrature of the same posterior (scipy.integrate, a different
numerical method from the model's grid) and Monte Carlo draws from the fitted model.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special

import exitanalysis as xa
from exitanalysis.models.partners import PartnerSum, fit_partners


def _log_posterior(log_mu: float, log_c: float, k: np.ndarray, tau: np.ndarray) -> float:
    """log p(μ, c | data) on (log μ, log c), up to a constant: flat log μ, half-Cauchy c."""
    mu, c = np.exp(log_mu), np.exp(log_c)
    a = 1 / c**2
    b = a / mu
    lik = np.sum(special.gammaln(a + k) - special.gammaln(a) - special.gammaln(k + 1)
                 + a * np.log(b / (b + tau)) + k * np.log(tau / (b + tau)))
    return float(lik + np.log(c) - np.log1p(c**2))


def test_partner_rates_match_adaptive_quadrature() -> None:
    # Posterior mean of partner a's rate and the spread's posterior median, by dblquad over
    # (log μ, log c) in the model's own limits; tolerance 1% (the grid has 40 × 30 points).
    k, tau = np.array([12.0, 7.0, 3.0]), np.array([12.0, 12.0, 12.0])
    fit = fit_partners(k, tau, names=list("abc"))
    limits = (np.log(0.01), np.log(5.0), np.log(0.02), np.log(20.0))

    def integrand(g):
        return lambda log_c, log_mu: np.exp(_log_posterior(log_mu, log_c, k, tau) + 40) * g(
            np.exp(log_mu), np.exp(log_c))

    def integral(g) -> float:
        return integrate.dblquad(integrand(g), limits[2], limits[3], limits[0], limits[1],
                                 epsabs=0, epsrel=1e-7)[0]

    norm = integral(lambda mu, c: 1.0)
    rate_a = integral(lambda mu, c: (1 / c**2 + 12) / (1 / c**2 / mu + 12)) / norm
    assert fit.to_frame().set_index("partner").loc["a", "rate"] == pytest.approx(rate_a,
                                                                                  rel=0.01)
    below = integral(lambda mu, c: float(c <= fit.spread["median"])) / norm
    assert below == pytest.approx(0.5, abs=0.05)


def test_the_total_matches_simulation_from_the_fitted_model() -> None:
    # Unequal exposures (the exact convolution path): draw grid points by their weights, then
    # the partners' rates and counts; 200,000 draws, tolerance 5 standard errors.
    fit = fit_partners([12, 7, 3], [12.0, 9.0, 4.0], names=["a", "b", "c"])
    total = fit.forecast(target=45, duration=24, elapsed=12, horizon=24)
    assert isinstance(total.predictive, PartnerSum)
    rng = np.random.default_rng(11)
    grid = fit.grid.iloc[rng.choice(len(fit.grid), size=200_000, p=fit.grid["weight"])]
    a = 1 / grid["spread"].to_numpy() ** 2
    b = a / grid["mean_rate"].to_numpy()
    draws = sum(rng.poisson(rng.gamma(a + row.recruited, 1 / (b + row.exposure)) * 12)
                for row in fit.to_frame().itertuples(index=False))
    p_mc = float(np.mean(22 + draws >= 45))
    assert total.p_reach_target == pytest.approx(p_mc, abs=5 * np.sqrt(p_mc * (1 - p_mc)
                                                                         / 200_000))
    assert total.count_quantiles([0.5])[0] == np.quantile(22 + draws, 0.5, method="inverted_cdf")


def test_equal_exposures_give_the_same_total_in_closed_form() -> None:
    fit = fit_partners([29, 15, 15], [40.0, 40.0, 40.0])
    closed = fit.forecast(target=465, duration=48, elapsed=40, horizon=46)
    shapes, rates = fit._posterior()
    convolved = PartnerSum(weights=fit.grid["weight"].to_numpy(), shapes=shapes, rates=rates)
    for q in ([0.025, 0.5, 0.975]):
        assert closed.predictive.increment_quantiles(np.array(q, ndmin=1), 6.0) == \
            pytest.approx(convolved.increment_quantiles(np.array(q, ndmin=1), 6.0))
    assert closed.predictive.increment_sf(40, 6.0) == pytest.approx(
        convolved.increment_sf(40, 6.0), rel=1e-6)


def test_partners_that_do_not_differ_are_as_uncertain_as_pooling_them() -> None:
    # Three partners at 2 a month for 24 months. The plug-in fit gave a 95% interval for the
    # final total less than half as wide as pooling them (259-318 against 227-357, the
    # review's figures); integrating over how much they differ must not be narrower than
    # pooling.
    fit = fit_partners([48, 48, 48], [24.0, 24.0, 24.0])
    assert fit.equal_rates_plausible
    total = fit.forecast(target=400, duration=48, elapsed=24)
    pooled = xa.forecast_recruitment(target=400, duration=48, elapsed=24, recruited=144,
                                     prior_weight=0.0)
    lo, hi = total.count_quantiles([0.025, 0.975])
    plo, phi = pooled.count_quantiles([0.025, 0.975])
    assert hi - lo >= 0.95 * (phi - plo)


def test_partners_that_differ_are_told_apart() -> None:
    fit = fit_partners([60, 20, 5], [24.0, 24.0, 24.0], names=["a", "b", "c"])
    assert not fit.equal_rates_plausible and fit.spread["median"] > 0.5
    table = fit.to_frame().set_index("partner")
    assert table["rate"].is_monotonic_decreasing
    # Shrinkage: each rate lies between its own and the pooled mean.
    own, pooled = table["observed_rate"], 85 / 72
    assert np.all((table["rate"] - own) * (table["rate"] - pooled) <= 1e-12)
    assert (table["rate_low"] < table["rate"]).all() and (table["rate"] < table["rate_high"]).all()


def test_degenerate_partners_are_refused() -> None:
    with pytest.raises(xa.ExitanalysisError, match="two or more partners"):
        fit_partners([5], [12.0])
    with pytest.raises(xa.ExitanalysisError, match="no partner has recruited anyone"):
        fit_partners([0, 0, 0], [12.0, 12.0, 12.0])


def test_the_spread_of_partner_rates_is_recovered() -> None:
    # Known truth: rates ~ Gamma(2, 0.5), so a coefficient of variation of 1/sqrt(2) = 0.71
    # and a mean of 4 a month; 40 centres open 6 to 24 months, 12 programmes (fixed seeds). A
    # 95% interval should hold the truth about 11 times in 12; 8 or fewer has probability
    # 0.002.
    covered = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        tau = rng.uniform(6, 24, size=40)
        fit = fit_partners(rng.poisson(rng.gamma(2.0, 1 / 0.5, size=40) * tau), tau)
        covered += fit.spread["low"] <= 1 / np.sqrt(2) <= fit.spread["high"]
    assert covered >= 9, covered
