"""Does the plan fit the data? The prior predictive check that decides the headline.

Reference values are Monte Carlo draws from the prior predictive at high precision (nothing
is published for this exact check), drawn by sampling λ and the count, not by our formulas.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from exitanalysis.models.recruitment import HEDGING_GRID, prior_check


def _monte_carlo(m: int, n: int, big_t: float, t: float, grid: np.ndarray, draws: int,
                 seed: int) -> tuple[float, float]:
    """P(π(X) ≤ π(m)) by simulation: P ~ the grid, λ ~ Gamma(nP, TP), X ~ Poisson(λt)."""
    rng = np.random.default_rng(seed)
    p = rng.choice(grid, size=draws)
    x = rng.poisson(t * rng.gamma(n * p, 1.0 / (big_t * p)))
    support = np.arange(max(x.max(), m) + 1)
    density = stats.nbinom.pmf(support[None, :], (n * grid)[:, None],
                               (big_t * grid / (big_t * grid + t))[:, None]).mean(axis=0)
    hits = density[x] <= density[m] * (1 + 1e-12)
    share = float(hits.mean())
    return share, float(np.sqrt(share * (1 - share) / draws))


@pytest.mark.parametrize(("m", "weight"), [(40, 0.5), (27, 0.5), (64, 1.0), (10, "hedging")])
def test_the_p_value_matches_simulation_from_the_prior(m: int, weight: object) -> None:
    # Tolerance: 4 Monte Carlo standard errors (a false failure about once in 16,000 runs).
    grid = HEDGING_GRID if weight == "hedging" else np.array([float(weight)])
    draws = 200_000 if weight == "hedging" else 1_000_000
    simulated, se = _monte_carlo(m, 100, 24.0, 12.0, grid, draws, seed=m)
    exact = prior_check(target=100, duration=24, elapsed=12, recruited=m,
                        prior_weight=weight).p_value  # type: ignore[arg-type]
    assert exact is not None and abs(exact - simulated) <= 4 * se + 1e-6, (exact, simulated)


def test_the_exitpakke_figure_is_far_outside_what_the_plan_allows() -> None:
    # Lower tail alone, by the negative binomial cdf (scipy): P(X <= 64) = 6.3e-24 under
    # P = 0.5 (the independent figure); both tails together are of the same order.
    lower = stats.nbinom.cdf(64, 232.5, 0.5)
    check = prior_check(target=465, duration=48, elapsed=24, recruited=64, prior_weight=0.5)
    assert lower == pytest.approx(6.3e-24, rel=0.01)
    assert check.conflict and lower < check.p_value < 10 * lower


def test_no_plan_prior_means_nothing_to_check() -> None:
    check = prior_check(target=465, duration=48, elapsed=24, recruited=64, prior_weight=0)
    assert check.p_value is None and not check.conflict
    assert check.to_dict()["method"].startswith("none")


def test_programmes_on_plan_are_rarely_called_in_conflict() -> None:
    # Calibration off the prior: programmes recruiting exactly at the planned pace (a fixed
    # rate, not drawn from the prior). A false conflict should come at most 1% of the time;
    # allowed: 1% plus 3 binomial standard errors over 4,000 programmes at each look.
    rng = np.random.default_rng(7)
    for month in (3, 12, 24, 36):
        counts = rng.poisson(465 / 48 * month, size=4000)
        conflicts = np.mean([prior_check(target=465, duration=48, elapsed=month, recruited=int(c))
                             .conflict for c in counts])
        assert conflicts <= 0.01 + 3 * np.sqrt(0.01 * 0.99 / 4000), (month, conflicts)


@pytest.mark.parametrize(("pace", "month", "power"), [(0.3, 6, 0.99), (0.5, 12, 0.95),
                                                      (0.8, 36, 0.35)])
def test_programmes_far_behind_plan_are_called_in_conflict(pace: float, month: int,
                                                           power: float) -> None:
    # The check's power: at 30% of plan it is certain by month 6; at 80% it is weak even by
    # month 36, and the plan prior then stays in the headline (a known limitation, stated).
    rng = np.random.default_rng(11)
    counts = rng.poisson(pace * 465 / 48 * month, size=1000)
    found = np.mean([prior_check(target=465, duration=48, elapsed=month, recruited=int(c))
                     .conflict for c in counts])
    assert found >= power, (pace, month, found)
