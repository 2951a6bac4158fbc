"""The recruitment forecast models: reference values, exact special cases, invariants,
calibration and known-truth recovery."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import exitanalysis as xa
from exitanalysis.models.partners import fit_partners
from exitanalysis.models.recruitment import (
    QUANTILES,
    dispersion_test,
    forecast_inclusions,
    forecast_overdispersed,
)
from exitanalysis.report.outputs import json_safe

# --- reference values ---------------------------------------------------------------------
# Source: the R package accrual (Jiang et al. 2016, Trials 17:336; CRAN 'accrual'), functions
# accrual.n.inform and accrual.T.inform, whose first list element is exact. Evaluated with
# mpmath at 50 digits by tests/reference/accrual_reference.py (R is not reachable here), which
# shares no code with exitanalysis or scipy.


def test_count_quantiles_match_accrual_n_inform() -> None:
    # R: accrual.n.inform(n=300, TT=36, P=0.5, m=100, tm=10, Tp=36)[[1]] -> 292 332 375
    f = xa.forecast_recruitment(target=300, duration=36, elapsed=10, recruited=100,
                                prior_weight=0.5)
    assert f.count_quantiles([0.025, 0.5, 0.975]).tolist() == [292, 332, 375]  # exact integers


def test_time_quantiles_match_accrual_t_inform() -> None:
    # R: accrual.T.inform(n=300, TT=36, P=0.5, m=100, tm=10, np=300)[[1]]
    # -> 28.5766582929805 32.3925278580454 36.9575822681397; tolerance 1e-9 relative
    # (scipy's betaincinv is accurate to ~1e-13).
    f = xa.forecast_recruitment(target=300, duration=36, elapsed=10, recruited=100,
                                prior_weight=0.5)
    expected = [28.5766582929805, 32.3925278580454, 36.9575822681397]
    assert f.time_quantiles([0.025, 0.5, 0.975]) == pytest.approx(expected, rel=1e-9)


def test_contract_example() -> None:
    # CONTRACT §4 shape example (n=465, T=48, t=24, m=64, P=0.5); mpmath tail sum
    # 3.21230929995354e-39 and quantiles 184 188 212 237 242 (the contract prints these too).
    f = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                prior_weight=0.5)
    d = f.to_dict()
    assert d["p_reach_target"] == pytest.approx(3.21230929995354e-39, rel=1e-9)
    assert [d["final_count"][k] for k in ("q025", "q05", "q50", "q95", "q975")] == \
        [184, 188, 212, 237, 242]
    # mpmath: 79.9090077946266, 88.9364022343864, 99.5065023395 (the contract's 80.1, 89.0,
    # 100.2 illustrate the shape only)
    assert [d["time_to_target"][k] for k in ("q025", "q50", "q975")] == \
        pytest.approx([79.909, 88.936, 99.507], abs=1e-3)
    assert (d["observed_rate"], d["required_rate"]) == pytest.approx((64 / 24, 401 / 24))
    assert d["pace_ratio"] == pytest.approx(64 / (465 * 24 / 48))


def test_hedging_prior_matches_the_exact_mixture() -> None:
    # accrual.T.hedging's grid and likelihood (P = 1/1000..1, uniform), mixture evaluated
    # exactly in mpmath: posterior mean P 0.487245087979669, P(count at 36 >= 300)
    # 0.946600066052439. Tolerance 1e-9 relative (we drop weights below 1e-12 of the largest).
    f = xa.forecast_recruitment(target=300, duration=36, elapsed=10, recruited=100,
                                prior_weight="hedging")
    assert f.effective_prior_weight == pytest.approx(0.487245087979669, rel=1e-9)
    assert f.p_reach_target == pytest.approx(0.946600066052439, rel=1e-9)


# --- exact special cases (derivable by hand) -----------------------------------------------


def test_geometric_special_case() -> None:
    # P = 0, one recruit in 2 months: λ ~ Gamma(1, 2); over 4 more months the count to come is
    # NegBin(1, 2/6): geometric, P(X >= j) = (2/3)^j. Time to one more: 2·BetaPrime(1, 1),
    # whose median is 2.
    f = xa.forecast_recruitment(target=4, duration=6, elapsed=2, recruited=1, prior_weight=0)
    assert f.p_reach_target == pytest.approx((2 / 3) ** 3, rel=1e-12)
    assert f.count_mean() == pytest.approx(1 + 1 * 4 / 2)
    assert f.time_quantiles([0.5], count=2)[0] == pytest.approx(2 + 2, rel=1e-12)
    assert f.count_quantiles([0.5]).tolist() == [2.0]  # P(X <= 0) = 1/3, P(X <= 1) = 5/9


def test_count_and_time_are_two_views_of_one_distribution() -> None:
    f = xa.forecast_recruitment(target=120, duration=24, elapsed=9, recruited=31,
                                prior_weight=0.3)
    for q in (0.1, 0.5, 0.9):
        s = f.time_quantiles([q])[0]
        # P(time <= s) = P(count at s >= target) = q
        at = xa.forecast_recruitment(target=120, duration=24, elapsed=9, recruited=31,
                                     prior_weight=0.3, horizon=s)
        assert at.p_reach_target == pytest.approx(q, rel=1e-8)


# --- invariants ------------------------------------------------------------------------------


@pytest.mark.parametrize("prior", [0, 0.25, 0.5, 1, "accelerated", "hedging"])
def test_more_recruits_never_lower_the_chance(prior: object) -> None:
    chances = [xa.forecast_recruitment(target=200, duration=36, elapsed=12, recruited=m,
                                       prior_weight=prior).p_reach_target
               for m in range(1, 200, 7)]
    assert all(b >= a - 1e-15 for a, b in zip(chances, chances[1:], strict=False))


@pytest.mark.parametrize("prior", [0, 0.5, 1, "hedging"])
@pytest.mark.parametrize("m, t", [(3, 2.0), (40, 12.0), (150, 30.0)])
def test_quantiles_are_ordered_and_inside_the_support(prior: object, m: int, t: float) -> None:
    f = xa.forecast_recruitment(target=200, duration=36, elapsed=t, recruited=m,
                                prior_weight=prior)
    counts, times = f.count_quantiles(QUANTILES), f.time_quantiles(QUANTILES)
    assert np.all(np.diff(counts) >= 0) and counts[0] >= m
    assert np.all(np.diff(times) > 0) and times[0] > t
    assert counts.dtype == float and np.all(counts == np.round(counts))


def test_prior_weight_zero_is_the_data_only_posterior() -> None:
    zero = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                   prior_weight=0)
    tiny = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                   prior_weight=1e-12)
    assert tiny.p_reach_target == pytest.approx(zero.p_reach_target, rel=1e-6)
    # data only: λ ~ Gamma(64, 24), so the mean count to come over 24 months is 64
    assert zero.count_mean() == pytest.approx(128.0)


def test_accelerated_is_one_minus_the_share_recruited() -> None:
    a = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                prior_weight="accelerated")
    b = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                prior_weight=1 - 64 / 465)
    assert a.effective_prior_weight == pytest.approx(1 - 64 / 465)
    assert a.p_reach_target == pytest.approx(b.p_reach_target, rel=1e-12)


def test_target_already_reached() -> None:
    f = xa.forecast_recruitment(target=50, duration=12, elapsed=10, recruited=55)
    assert f.p_reach_target == 1.0 and f.time_quantiles([0.5]).tolist() == [10.0]
    assert f.to_dict()["required_rate"] == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"recruited": 0, "prior_weight": 0},
         "prior_weight: 0 (the data alone) needs at least one recruit"),
        ({"elapsed": 50}, "elapsed: expected a number ≤ 48"),
        ({"elapsed": 0}, "elapsed: is 0, but there are recruits"),
        ({"elapsed": float("nan")}, "elapsed: expected a finite number"),
        ({"duration": float("inf")}, "duration: expected a finite number"),
        ({"target": 0}, "target: expected a whole number between 1 and 1,000,000"),
        ({"target": 10**9, "prior_weight": "hedging"}, "target: expected a whole number between"),
        ({"target": 465.5}, "target: expected a whole number"),
        ({"recruited": 64.5}, "recruited: expected a whole number"),
        ({"recruited": -1}, "recruited: expected a whole number ≥ 0"),
        ({"prior_weight": 1.5}, "expected a number in [0, 1], 'accelerated' or 'hedging'"),
        ({"prior_weight": float("nan")}, "prior_weight: expected a number in [0, 1]"),
        ({"horizon": 3}, "horizon: expected a number ≥ 24"),
    ],
)
def test_invalid_input_is_refused_with_a_message(kwargs: dict, message: str) -> None:
    args = {"target": 465, "duration": 48, "elapsed": 24, "recruited": 64,
            "prior_weight": 0.5} | kwargs
    with pytest.raises(xa.ExitanalysisError) as caught:  # also a ValueError, exit code 2
        xa.forecast_recruitment(**args)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError) and caught.value.exit_code == 2


@pytest.mark.parametrize(("call", "message"), [
    (lambda f: f.count_quantiles([0.0]), "q: expected levels strictly between 0 and 1"),
    (lambda f: f.count_quantiles([1.0]), "q: expected levels strictly between 0 and 1"),
    (lambda f: f.time_quantiles([float("nan")]), "q: expected levels strictly between 0 and 1"),
    (lambda f: f.count_quantiles([0.5], at=float("inf")), "at: expected a finite number"),
    (lambda f: f.time_quantiles([0.5], count=10.5), "count: expected a whole number"),
    (lambda f: forecast_overdispersed([1, 2, 3], target=465, duration=48, dispersion=0),
     "dispersion: expected a number > 0"),
    (lambda f: forecast_overdispersed([1, 2.5], target=465, duration=48),
     "counts: expected whole numbers ≥ 0"),
    (lambda f: fit_partners([0, 0, 0], [24, 24, 24]), "recruited: no partner has recruited"),
    (lambda f: fit_partners([1, 2], [24, float("nan")]), "exposure: expected finite times > 0"),
])
def test_degenerate_requests_are_refused(call, message: str) -> None:
    f = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64)
    with pytest.raises(xa.ExitanalysisError, match=re.escape(message)):
        call(f)


def test_no_nan_reaches_a_result() -> None:
    # Results and the manifest pass through json_safe: null, never NaN or Infinity (not JSON).
    d = xa.forecast_recruitment(target=465, duration=48, elapsed=47, recruited=0,
                                prior_weight=0.001).to_dict()
    assert "NaN" not in json.dumps(d, allow_nan=False)
    assert json_safe({"a": [float("nan"), 1.5], "b": float("inf"), "c": "x"}) == {
        "a": [None, 1.5], "b": None, "c": "x"}


def test_result_views_agree() -> None:
    f = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64)
    frame = f.to_frame()
    assert frame["time"].iloc[0] == 24 and frame["time"].iloc[-1] == 48
    last = frame.iloc[-1]
    d = f.to_dict(at=36)
    assert (last["q025"], last["q50"], last["q975"]) == (
        d["final_count"]["q025"], d["final_count"]["q50"], d["final_count"]["q975"])
    assert d["count_at"]["time"] == 36 and d["count_at"]["q50"] == \
        frame.loc[frame["time"] == 36, "q50"].item()
    assert "Probability of reaching the target" in f.summary()
    for column in ("q05", "q25", "q75", "q95"):
        assert (frame[column].diff().dropna() >= 0).all()


# --- calibration ---------------------------------------------------------------------------


def test_the_predictive_arithmetic_matches_draws_from_the_prior() -> None:
    # This checks the arithmetic, not the model: programmes drawn from the model's own prior
    # must land in its intervals exactly as often as its own probabilities say, so a wrong
    # quantile or horizon fails here. (Drawn from the prior, it says nothing about whether the
    # model fits real programmes: that is tests/test_calibration.py, off the prior.)
    # Discreteness makes each interval's nominal coverage a little above 90 %, so the realised
    # coverage is compared with the mean nominal one, within 3 Monte Carlo standard errors.
    rng = np.random.default_rng(20200101)
    n, T, t, P, sims = 200, 36.0, 12.0, 0.5, 2000
    lam = rng.gamma(n * P, 1 / (T * P), size=sims)
    m = rng.poisson(lam * t)
    final = m + rng.poisson(lam * (T - t))
    covered, nominal = [], []
    for mi, fi in zip(m, final, strict=True):
        f = xa.forecast_recruitment(target=n, duration=T, elapsed=t, recruited=int(mi),
                                    prior_weight=P)
        low, high = f.count_quantiles([0.05, 0.95])
        covered.append(low <= fi <= high)
        cdf = f.predictive.increment_cdf(np.array([high - mi, low - mi - 1]), T - t)
        nominal.append(cdf[0] - cdf[1])
    rate, expected = float(np.mean(covered)), float(np.mean(nominal))
    se = np.sqrt(expected * (1 - expected) / sims)
    assert 0.9 <= expected <= 0.93
    assert abs(rate - expected) <= 3 * se, (rate, expected, se)


def test_over_dispersed_model_is_honest_when_months_scatter() -> None:
    # Known truth off the prior: a fixed rate of 3 a month (not drawn from any prior; the
    # plan of 200 in 36 months expects 5.6), with months scattered as a gamma process with
    # k = 1 (variance = μ + μ²), independently from month to month. The negative-binomial
    # forecast from the data alone keeps close to 90 % coverage; the Poisson one, which
    # assumes steady months, covers far less.
    rng = np.random.default_rng(7)
    n, T, months, k, sims, mu = 200, 36, 12, 1.0, 200, 3.0
    hits_nb, hits_poisson = [], []
    for _ in range(sims):
        rates = rng.gamma(k, mu / k, size=T)
        counts = rng.poisson(rates)
        past, final = counts[:months], counts.sum()
        nb = forecast_overdispersed(past, target=n, duration=T, prior_weight=0.0)
        po = xa.forecast_recruitment(target=n, duration=T, elapsed=months,
                                     recruited=int(past.sum()), prior_weight=0.0)
        lo, hi = nb.count_quantiles([0.05, 0.95])
        hits_nb.append(lo <= final <= hi)
        lo, hi = po.count_quantiles([0.05, 0.95])
        hits_poisson.append(lo <= final <= hi)
    assert np.mean(hits_nb) >= 0.83  # 0.90 nominal; 3 s.e. with 200 programmes is 0.064
    assert np.mean(hits_poisson) < np.mean(hits_nb) - 0.15


def test_over_dispersed_equals_poisson_when_months_do_not_vary() -> None:
    counts = np.full(24, 4)
    nb = forecast_overdispersed(counts, target=300, duration=48, prior_weight=0.5)
    po = xa.forecast_recruitment(target=300, duration=48, elapsed=24, recruited=96,
                                 prior_weight=0.5)
    # No over-dispersion: the dispersion's posterior sits towards the Poisson end.
    assert nb.details["dispersion"] > 300 and nb.details["dispersion_interval"][0] > 10
    assert nb.count_quantiles([0.025, 0.5, 0.975]) == pytest.approx(
        po.count_quantiles([0.025, 0.5, 0.975]), abs=1)


def test_the_dispersion_test_by_hand() -> None:
    # Counts 2, 5, 1, 8 in equal months: mean 4, X² = (4 + 1 + 9 + 16) / 4 = 7.5 on 3 df;
    # R: pchisq(7.5, 3, lower.tail = FALSE) = 0.05755 (tolerance: the 4 digits printed).
    test = dispersion_test([2, 5, 1, 8])
    assert (test.statistic, test.df) == (7.5, 3)
    assert test.p_value == pytest.approx(0.05755, abs=5e-5) and not test.detected
    # A closed month adds no information; half a month expects half the count.
    assert dispersion_test([2, 5, 0, 1, 8], [1, 1, 0, 1, 1]).statistic == 7.5
    assert dispersion_test([2, 2], [1, 0.5]).statistic == pytest.approx(
        (2 - 8 / 3) ** 2 / (8 / 3) + (2 - 4 / 3) ** 2 / (4 / 3))


def test_uncertainty_about_the_dispersion_widens_the_forecast() -> None:
    # Twelve uneven months: integrating over the dispersion gives a wider interval than
    # plugging in its posterior median, which treated an estimate as known.
    counts = [0, 7, 1, 0, 9, 2, 0, 1, 12, 0, 3, 5]
    integrated = forecast_overdispersed(counts, target=200, duration=36, prior_weight=0.5)
    plug_in = forecast_overdispersed(counts, target=200, duration=36, prior_weight=0.5,
                                     dispersion=integrated.details["dispersion"])
    lo, hi = integrated.count_quantiles([0.025, 0.975])
    plo, phi = plug_in.count_quantiles([0.025, 0.975])
    assert hi - lo > phi - plo
    assert dispersion_test(counts).detected


def test_a_few_bursty_months_without_a_prior_are_refused() -> None:
    with pytest.raises(xa.ExitanalysisError, match="the data do not bound the rate"):
        forecast_overdispersed([0, 0, 12, 0], target=465, duration=48, prior_weight=0)
    # With some weight on the plan, the same months give a forecast.
    assert forecast_overdispersed([0, 0, 12, 0], target=465, duration=48,
                                  prior_weight=0.25).p_reach_target < 1


def test_over_dispersed_with_closed_months() -> None:
    # A closed month (exposure 0) neither counts as a month of failed recruitment nor adds data.
    counts = [5, 3, 0, 4, 6]
    closed = forecast_overdispersed(counts, exposure=[1, 1, 0, 1, 1], target=100,
                                    duration=20, prior_weight=0.5, dispersion=5.0)
    without = forecast_overdispersed([5, 3, 4, 6], target=100, duration=20, prior_weight=0.5,
                                     dispersion=5.0, horizon=4 + 15)
    assert closed.elapsed == 4
    assert closed.p_reach_target == pytest.approx(without.p_reach_target, rel=1e-9)


def test_inclusions_carry_the_conversion_and_its_uncertainty() -> None:
    # Reference: 400,000 draws of the conversion, the rate, today's inclusions among the 64
    # contacted and the thinned contacts to come; quantiles must agree to one person, the
    # mean to 4 standard errors.
    contacts = xa.forecast_recruitment(target=465, duration=48, elapsed=24, recruited=64,
                                       prior_weight=0)
    inclusions = forecast_inclusions(contacts, included=59, contacted=115)
    rng = np.random.default_rng(1)
    q = rng.beta(59.5, 56.5, 400_000)
    draws = rng.binomial(64, q) + rng.poisson(rng.gamma(64, 1 / 24, 400_000) * q * 24)
    for level, key in ((0.025, "q025"), (0.5, "q50"), (0.975, "q975")):
        assert abs(inclusions.final[key] - np.quantile(draws, level)) <= 1
    assert inclusions.final["mean"] == pytest.approx(draws.mean(), abs=4 * draws.std() / 632)
    with pytest.raises(xa.ExitanalysisError, match="included: must not exceed contacted"):
        forecast_inclusions(contacts, included=120, contacted=115)
