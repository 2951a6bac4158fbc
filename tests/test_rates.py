"""Rate ratios by channel (models/rates.py): the estimation engine against published R fits of
the quine data, the public function end to end on a channel-shaped quine, interval coverage
in known-truth simulations on and off the model, and the errors a user can cause.

Reference values: published ``MASS::glm.nb`` and quasi-Poisson output for ``MASS::quine``,
reproduced with R 4.2.2 and MASS 7.3-58.2 by tests/reference/rates_quine.R; sources, and why
they are not Venables & Ripley's section 7.4, in tests/reference/rates_quine.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from exitanalysis.errors import ArgumentError
from exitanalysis.models import rates
from exitanalysis.models.rates import channel_rate_ratios

QUINE = Path(__file__).parent / "reference" / "rates_quine.csv"


def _quine() -> pd.DataFrame:
    return pd.read_csv(QUINE)


def _quine_design(quine: pd.DataFrame, terms: list[str]) -> pd.DataFrame:
    """R's treatment contrasts: an intercept and one indicator per level but the first."""
    levels = {"Sex": ["M"], "Eth": ["N"], "Age": ["F1", "F2", "F3"], "Lrn": ["SL"]}
    columns = {"(Intercept)": np.ones(len(quine))}
    for term in terms:
        for level in levels[term]:
            columns[f"{term}{level}"] = (quine[term] == level).to_numpy(dtype=float)
    return pd.DataFrame(columns)


def test_quine_is_masss_quine() -> None:
    # MASS::quine as summary(quine) prints it (both sources of rates_quine.md quote it): the
    # counts of each level and the quartiles of Days, whose mean 16.46 is 2403 / 146.
    quine = _quine()
    assert len(quine) == 146 and quine["Days"].sum() == 2403
    assert quine["Eth"].value_counts().to_dict() == {"N": 77, "A": 69}
    assert quine["Sex"].value_counts().to_dict() == {"F": 80, "M": 66}
    assert quine["Lrn"].value_counts().to_dict() == {"AL": 83, "SL": 63}
    assert quine["Age"].value_counts().sort_index().tolist() == [27, 46, 40, 33]
    assert quine["Days"].quantile([0, .25, .5, .75, 1]).tolist() == [0, 5, 11, 22.75, 81]


@pytest.mark.parametrize("method", ["newton", "bfgs"])
def test_negative_binomial_engine_matches_glm_nb(method: str) -> None:
    """statsmodels' discrete NB2 as the module fits it (Newton, or BFGS when Newton fails;
    alpha estimated) against summary(glm.nb(Days ~ Sex + Eth + Age + Lrn, data = quine)),
    rates_quine.md source 1."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    quine = _quine()
    design = _quine_design(quine, ["Sex", "Eth", "Age", "Lrn"])
    fit = NegativeBinomial(quine["Days"], design, loglike_method="nb2").fit(
        method=method, maxiter=rates.MAX_ITERATIONS, disp=0)
    assert fit.mle_retvals["converged"]
    published = {"(Intercept)": (2.89458, 0.22842), "SexM": (0.08232, 0.15992),
                 "EthN": (-0.56937, 0.15333), "AgeF1": (-0.44843, 0.23975),
                 "AgeF2": (0.08808, 0.23619), "AgeF3": (0.35690, 0.24832),
                 "LrnSL": (0.29211, 0.18647)}
    # R prints five decimals (±5e-6); the optimisers stop within 1e-5 of the optimum:
    # tolerance 2e-5.
    for name, (estimate, _) in published.items():
        assert fit.params[name] == pytest.approx(estimate, abs=2e-5), name
    alpha, se_alpha = fit.params["alpha"], fit.bse["alpha"]
    # theta = 1/alpha, Theta: 1.275, Std. Err.: 0.161 (delta method: SE(alpha)/alpha²);
    # 2 x log-likelihood: -1093.151. Three decimals printed: tolerance 5e-4 and 1e-3.
    assert 1 / alpha == pytest.approx(1.275, abs=5e-4)
    assert se_alpha / alpha**2 == pytest.approx(0.161, abs=5e-4)
    assert 2 * fit.llf == pytest.approx(-1093.151, abs=1e-3)
    # glm.nb's standard errors are the expected information at fixed theta, (X'WX)⁻¹ with
    # W = μ/(1 + αμ): reproduced to the five printed decimals (±5e-6, plus 5e-6 for the
    # optimiser).
    x = design.to_numpy()
    mu = np.exp(x @ fit.params.to_numpy()[:-1])
    expected = np.sqrt(np.diag(np.linalg.inv(x.T @ (x * (mu / (1 + alpha * mu))[:, None]))))
    assert expected == pytest.approx([se for _, se in published.values()], abs=1e-5)
    # statsmodels' (and Stata's) observed information, which the module's intervals use,
    # differs by a few per cent: it keeps the alpha-beta terms whose expectation is 0.
    assert fit.bse.to_numpy()[:-1] == pytest.approx(expected, rel=0.05)


def test_quasi_poisson_engine_matches_r() -> None:
    """GLM Poisson with scale="X2" and t tests against summary(glm(Days ~ ., family =
    quasipoisson, data = quine)), rates_quine.md source 2."""
    import statsmodels.api as sm

    quine = _quine()
    design = _quine_design(quine, ["Eth", "Sex", "Age", "Lrn"])
    fit = sm.GLM(quine["Days"], design, family=sm.families.Poisson()).fit(scale="X2",
                                                                           use_t=True)
    published = {"(Intercept)": (2.7154, 0.2347, None), "EthN": (-0.5336, 0.1520, 0.000602),
                 "SexM": (0.1616, 0.1543, 0.296914), "AgeF1": (-0.3339, 0.2543, 0.191413),
                 "AgeF2": (0.2578, 0.2265, 0.256938), "AgeF3": (0.4277, 0.2456, 0.083831),
                 "LrnSL": (0.3489, 0.1888, 0.066760)}
    for name, (estimate, se, p) in published.items():
        # Four decimals printed (±5e-5), p-values six (±5e-7, plus R's rounding of them).
        assert fit.params[name] == pytest.approx(estimate, abs=5e-5), name
        assert fit.bse[name] == pytest.approx(se, abs=5e-5), name
        if p is not None:
            assert fit.pvalues[name] == pytest.approx(p, abs=2e-6), name
    # Dispersion 13.16691: R takes it from the last IRLS iteration's working residuals,
    # statsmodels from the converged Pearson residuals; they agree to 1e-5 relative.
    assert fit.scale == pytest.approx(13.16691, rel=1e-5)


def _quine_by_channel() -> pd.DataFrame:
    """quine as monthly contacts: age group as the channel, each child a "month" with
    exposure 1; the months are numbered in blocks so that Eth = N (200-399) and Lrn = SL
    (100-299) are month ranges, i.e. period terms. The model is then Days ~ Age + Eth + Lrn."""
    quine = _quine()
    block = {("A", "AL"): 0, ("A", "SL"): 100, ("N", "SL"): 200, ("N", "AL"): 300}
    start = np.array([block[key] for key in zip(quine["Eth"], quine["Lrn"], strict=True)])
    return quine.assign(month=quine.groupby(["Eth", "Lrn", "Age"]).cumcount() + start,
                        children=1)


def test_channel_rate_ratios_reproduce_glm_nb_on_quine_by_channel() -> None:
    """channel_rate_ratios end to end against glm.nb(Days ~ Eth + Age + Lrn, data = quine),
    printed identically by both sources of rates_quine.md; the alpha interval and the
    likelihood-ratio test against rates_quine.R (nothing published has them)."""
    result = channel_rate_ratios(_quine_by_channel(), channel="Age", count="Days",
                                 month="month", reference="F0", exposure="children",
                                 periods={"EthN": (200, 399), "LrnSL": (100, 299)})
    table = result.to_frame().set_index("term")
    published = {"AgeF1": (-0.4703, 0.2363), "AgeF2": (0.1009, 0.2363),
                 "AgeF3": (0.3591, 0.2452), "EthN": (-0.5627, 0.1535),
                 "LrnSL": (0.2848, 0.1848)}
    # The same coefficients to ten digits from rates_quine.R (MASS 7.3-58.2).
    r = {"AgeF1": -0.4702999666, "AgeF2": 0.1008995825, "AgeF3": 0.3591047877,
         "EthN": -0.5627456517, "LrnSL": 0.2848369519}
    z = 1.959963984540054
    for name, (estimate, se) in published.items():
        row = table.loc[name.removeprefix("Age")]
        # Four decimals printed: ±5e-5. Against R's own digits: 1e-6 (both fits converge to
        # about 1e-8).
        assert math.log(row["rate_ratio"]) == pytest.approx(estimate, abs=5e-5), name
        assert math.log(row["rate_ratio"]) == pytest.approx(r[name], abs=1e-6), name
        # Wald intervals from the observed information: within 5 % of R's expected-information
        # standard errors (see test_negative_binomial_engine_matches_glm_nb).
        assert (math.log(row["high"]) - math.log(row["low"])) / (2 * z) == pytest.approx(
            se, rel=0.05), name
    assert table.loc["F0", "rate_ratio"] == 1 and table.loc["F0", "note"] == "reference"
    assert table["contacts"].to_dict() == {"F0": 401, "F2": 842, "F3": 647, "F1": 513,
                                           "EthN": 938, "LrnSL": 1090}
    # Theta: 1.272 (three decimals printed; tolerance 5e-4).
    assert 1 / result.alpha == pytest.approx(1.272, abs=5e-4)
    # rates_quine.R: alpha 0.7861680134, profile interval 0.6160370401 to 1.0105562589 (R's
    # glm refits and uniroot against the module's own Newton steps and Brent's method, each
    # to about 1e-7: tolerance 1e-6), LR 1206.186988 (printed to 1e-6; tolerance 1e-5).
    assert result.alpha == pytest.approx(0.7861680134, abs=1e-6)
    assert result.alpha_interval == pytest.approx((0.6160370401, 1.0105562589), abs=1e-6)
    assert result.overdispersion_lr == pytest.approx(1206.186988, abs=1e-5)
    assert result.overdispersed and result.overdispersion_p < 1e-250
    assert result.rows == 146 and "no row (no exposure)" in result.note


def test_quasi_poisson_on_quine_by_channel_matches_r() -> None:
    """The public function's quasi-Poisson ratios against glm(Days ~ Eth + Age + Lrn, family =
    quasipoisson, data = quine), computed by rates_quine.R (not published)."""
    result = channel_rate_ratios(_quine_by_channel(), channel="Age", count="Days",
                                 month="month", reference="F0", exposure="children",
                                 periods={"EthN": (200, 399), "LrnSL": (100, 299)},
                                 model="quasi-poisson")
    table = result.to_frame().set_index("term")
    r = {"F1": (-0.3766908183, 0.2511364970, 1.358805261e-01),
         "F2": (0.2443393683, 0.2271302251, 2.838815462e-01),
         "F3": (0.3800159052, 0.2404055271, 1.161967498e-01),
         "EthN": (-0.5330618607, 0.1517953201, 5.996444444e-04),
         "LrnSL": (0.3123233315, 0.1861909536, 9.568857164e-02)}
    t = stats.t.ppf(0.975, 146 - 6)
    for name, (estimate, se, p) in r.items():
        row = table.loc[name]
        # IRLS to statsmodels' and R's tolerances: 1e-6 on estimates, standard errors and p.
        assert math.log(row["rate_ratio"]) == pytest.approx(estimate, abs=1e-6), name
        assert (math.log(row["high"]) - math.log(row["low"])) / (2 * t) == pytest.approx(
            se, rel=1e-5), name
        assert row["p_value"] == pytest.approx(p, rel=1e-5), name
    # R's dispersion comes from its last iteration's working residuals: 1e-5 relative.
    assert result.dispersion == pytest.approx(13.14291236, rel=1e-5)


# --- known truth: coverage on and off the model -----------------------------------------------

CHANNELS = ("street", "venue", "online", "outreach")
#: True rate ratios against street, which has 10 contacts a month.
TRUE_RATIO = np.array([1.0, 0.6, 1.5, 0.3])
MONTHS = 42
#: Months 24-31: the offline channels fall to 0.3 of their rate, online is untouched.
LOCKDOWN = (24, 31)
REPLICATIONS = 300
SEEDS = {"poisson": 11, "negative-binomial": 12, "lockdown": 13}
#: Long-run coverage of the venue, online and outreach intervals (95 %): _measure(setting,
#: model, replications=2000, seed=7), so Monte Carlo sd ≤ 0.006.
LONG_RUN = {
    # On the model: nominal (online's 93.6 % with alpha = 0.5 is 2.6 sd short of 95 %: Wald
    # intervals from 42 months run a little narrow for the busiest channel).
    ("poisson", "negative-binomial"): (0.9485, 0.9555, 0.9515),
    ("negative-binomial", "negative-binomial"): (0.9490, 0.9355, 0.9480),
    # Quasi-Poisson on negative binomial months: variance φμ where it is μ + 0.5μ², so one φ
    # understates the busy channel's variance (online under-covers) and overstates the quiet
    # one's (outreach over-covers).
    ("negative-binomial", "quasi-poisson"): (0.9615, 0.9030, 0.9875),
    # Mis-specified: the lockdown hits offline channels only, the model shares one period
    # term. Online's ratio is biased upwards and its interval under-covers badly; the offline
    # channels, hit alike, keep their coverage.
    ("lockdown", "negative-binomial"): (0.9525, 0.7385, 0.9580),
    ("lockdown", "quasi-poisson"): (0.9645, 0.8195, 0.9890),
}


def _simulate(setting: str, replications: int, seed: int) -> np.ndarray:
    """Monthly contacts, replications × channels × months: Poisson, or negative binomial
    with alpha = 0.5 (Gamma-mixed Poisson; also in the lockdown setting)."""
    rng = np.random.default_rng(seed)
    mu = 10 * TRUE_RATIO[:, None] * np.ones(MONTHS)
    if setting == "lockdown":
        inside = (np.arange(MONTHS) >= LOCKDOWN[0]) & (np.arange(MONTHS) <= LOCKDOWN[1])
        offline = np.array(CHANNELS) != "online"
        mu = mu * np.where(offline[:, None] & inside[None, :], 0.3, 1.0)
    shape = (replications, len(CHANNELS), MONTHS)
    if setting == "poisson":
        return rng.poisson(np.broadcast_to(mu, shape))
    alpha = 0.5
    return rng.poisson(rng.gamma(1 / alpha, alpha * np.broadcast_to(mu, shape)))


@functools.cache
def _measure(setting: str, model: str, replications: int = REPLICATIONS,
             seed: int | None = None) -> dict[str, np.ndarray | float]:
    """Coverage of the three rate ratios, the share of LR tests rejecting alpha = 0 at 5 %,
    the share of fits on the boundary, the coverage of alpha's interval, the median ratios."""
    counts = _simulate(setting, replications, SEEDS[setting] if seed is None else seed)
    frame = pd.DataFrame({"contact_channel": np.repeat(CHANNELS, MONTHS),
                          "month": np.tile(np.arange(MONTHS), len(CHANNELS))})
    periods = {"lockdown": LOCKDOWN} if setting == "lockdown" else None
    alpha = 0.0 if setting == "poisson" else 0.5
    covered, ratios = np.zeros(3), []
    rejected = boundary = alpha_covered = 0
    for replicate in counts:
        result = channel_rate_ratios(frame.assign(contacted=replicate.ravel()),
                                     reference="street", periods=periods, model=model)
        table = result.to_frame().set_index("term").loc[list(CHANNELS[1:])]
        low, high = table["low"].to_numpy(), table["high"].to_numpy()
        assert np.all(low <= table["rate_ratio"]) and np.all(table["rate_ratio"] <= high)
        covered += (low <= TRUE_RATIO[1:]) & (TRUE_RATIO[1:] <= high)
        ratios.append(table["rate_ratio"].to_numpy())
        rejected += result.overdispersion_p < 0.05
        boundary += result.alpha == 0
        alpha_covered += result.alpha_interval[0] <= alpha <= result.alpha_interval[1]
    return {"coverage": covered / replications, "rejected": rejected / replications,
            "boundary": boundary / replications, "alpha_coverage": alpha_covered / replications,
            "median_ratio": np.median(ratios, axis=0)}


def _sd(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


#: 95 % intervals over 300 replications: 0.95 ± 3 binomial sd.
NOMINAL = (0.95 - 3 * _sd(0.95, REPLICATIONS), 0.95 + 3 * _sd(0.95, REPLICATIONS))


@pytest.mark.parametrize(("setting", "model"), list(LONG_RUN))
def test_coverage_on_and_off_the_model(setting: str, model: str) -> None:
    coverage = _measure(setting, model)["coverage"]
    for channel, measured, long_run in zip(CHANNELS[1:], coverage, LONG_RUN[setting, model],
                                           strict=True):
        # The 300 replications agree with the long run within 3 sd of both estimates.
        allowed = 3 * (_sd(long_run, REPLICATIONS) + _sd(long_run, 2000))
        assert abs(measured - long_run) <= allowed, (channel, measured, long_run)
    venue, online, outreach = coverage
    if model == "negative-binomial" and setting != "lockdown":
        assert all(NOMINAL[0] <= c <= NOMINAL[1] for c in coverage), coverage
    elif setting == "negative-binomial":
        # Quasi-Poisson on NB months under-covers the busy channel (long run 90.3 %) and
        # over-covers the quiet one (98.8 %): asserted, not hidden.
        assert online < 0.95 < outreach and NOMINAL[0] <= venue, coverage
    else:
        # The mis-specified lockdown: online under-covers badly whichever the model (long run
        # 73.9 % NB, 82.0 % quasi-Poisson); the offline channels do not under-cover.
        assert online < 0.85 and NOMINAL[0] <= venue and NOMINAL[0] <= outreach, coverage


def test_the_lockdown_biases_online_upwards() -> None:
    # Why online under-covers: during the lockdown online keeps its rate while street drops to
    # 0.3, and the shared period term puts part of that difference into online's ratio.
    median = _measure("lockdown", "negative-binomial")["median_ratio"]
    assert median[1] > 1.2 * TRUE_RATIO[2] and median[0] == pytest.approx(0.6, rel=0.1)


def test_likelihood_ratio_test_of_overdispersion() -> None:
    poisson = _measure("poisson", "negative-binomial")
    # Poisson months: the boundary test rejects at most at its nominal 5 % (0.05 + 3 sd over
    # 300; the long run is 2.7 %, the test being a little conservative at 168 counts), and
    # about half the fits sit on the boundary alpha = 0 (long run 61 %: the score is skewed).
    assert poisson["rejected"] <= 0.05 + 3 * _sd(0.05, REPLICATIONS)
    assert 0.45 <= poisson["boundary"] <= 0.75
    negative_binomial = _measure("negative-binomial", "negative-binomial")
    # alpha = 0.5 over 168 counts: always detected; its profile interval covers 0.5 at the
    # nominal rate (long run 94.4 %).
    assert negative_binomial["rejected"] == 1.0 and negative_binomial["boundary"] == 0
    assert NOMINAL[0] <= negative_binomial["alpha_coverage"] <= NOMINAL[1]


def test_exposure_turns_monthly_counts_into_rates_per_hour() -> None:
    # Known truth per outreach hour: online reaches 1.5 times street's rate per hour, but
    # works a third of street's hours, so per month it reaches half as many.
    rng = np.random.default_rng(20)
    hours = rng.uniform(20, 60, size=(60, 2, MONTHS)) * np.array([3.0, 1.0])[None, :, None]
    counts = rng.poisson(rng.gamma(2.0, 0.5 * hours * 0.2 * np.array([1.0, 1.5])[:, None]))
    per_hour, per_month = 0, []
    for h, y in zip(hours, counts, strict=True):
        frame = pd.DataFrame({"contact_channel": np.repeat(["street", "online"], MONTHS),
                              "month": np.tile(np.arange(MONTHS), 2), "contacted": y.ravel(),
                              "hours": h.ravel()})
        row = channel_rate_ratios(frame, exposure="hours", reference="street").table.iloc[1]
        per_hour += row["low"] <= 1.5 <= row["high"]
        per_month.append(channel_rate_ratios(frame, reference="street").table.iloc[1][
            "rate_ratio"])
    # 60 intervals: 57 ± 1.7; the months alone give the per-month ratio, about 0.5.
    assert per_hour >= 52
    assert np.median(per_month) == pytest.approx(0.5, rel=0.1)


# --- what the function does with its input -----------------------------------------------------


def _monthly(seed: int = 3, months: int = 24) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mu = np.array([12.0, 6.0, 3.0])[:, None] * np.ones(months)
    return pd.DataFrame({
        "contact_channel": np.repeat(["street", "venue", "online"], months),
        "month": np.tile(pd.period_range("2020-01", periods=months, freq="M"), 3),
        "contacted": rng.poisson(rng.gamma(4.0, mu / 4.0)).ravel()})


def test_row_order_and_missing_zero_rows_do_not_matter() -> None:
    monthly = _monthly()
    base = channel_rate_ratios(monthly, periods={"lockdown": ("2020-03", "2020-06")})
    shuffled = monthly.sample(frac=1.0, random_state=1)
    without_zeros = monthly[monthly["contacted"] > 0]
    assert (monthly["contacted"] == 0).any()  # the test drops something
    for variant in (shuffled, without_zeros):
        other = channel_rate_ratios(variant, periods={"lockdown": ("2020-03", "2020-06")})
        pd.testing.assert_frame_equal(other.to_frame(), base.to_frame(), rtol=1e-6)
    # Dates and text months are the same months as periods.
    as_text = monthly.assign(month=monthly["month"].astype(str))
    as_dates = monthly.assign(month=monthly["month"].dt.to_timestamp())
    for variant in (as_text, as_dates):
        other = channel_rate_ratios(variant, periods={"lockdown": ("2020-03", "2020-06")})
        pd.testing.assert_frame_equal(other.to_frame(), base.to_frame(), rtol=1e-6)


def test_the_table_reads_as_documented() -> None:
    result = channel_rate_ratios(_monthly(), periods={"lockdown": ("2020-03", "2020-06")})
    table = result.to_frame()
    assert list(table.columns) == ["term", "kind", "contacts", "rate_ratio", "low", "high",
                                   "p_value", "note"]
    assert table["term"].tolist() == ["street", "venue", "online", "lockdown"]
    assert table["kind"].tolist() == ["channel"] * 3 + ["period"]
    assert result.reference == "street"  # most contacts
    estimated = table.iloc[1:]
    assert np.all((estimated["low"] < estimated["rate_ratio"])
                  & (estimated["rate_ratio"] < estimated["high"]))
    assert result.alpha_interval[0] <= result.alpha <= result.alpha_interval[1]
    text = result.summary()
    assert "street: " in text and "reference" in text and "Period lockdown" in text
    assert "likelihood-ratio test of α = 0" in text
    assert "<table" in result._repr_html_() and "Over-dispersion" in result._repr_html_()
    quasi = channel_rate_ratios(_monthly(), periods={"lockdown": ("2020-03", "2020-06")},
                                model="quasi-poisson")
    assert "quasi-Poisson model (dispersion " in quasi.summary()
    # Both models report the same over-dispersion: it does not depend on the model chosen.
    assert (quasi.alpha, quasi.dispersion) == (result.alpha, result.dispersion)
    # The same result from another view: to_frame is a copy.
    table.loc[0, "rate_ratio"] = 99
    assert result.to_frame().loc[0, "rate_ratio"] == 1


def test_a_channel_or_period_without_contacts_gets_no_ratio() -> None:
    monthly = _monthly()
    idle = pd.DataFrame({"contact_channel": "drop_in", "month": monthly["month"].unique(),
                         "contacted": 0})
    # A period of no contacts at all: everything stopped in 2020-08 and 2020-09.
    stopped = monthly["month"].isin(pd.period_range("2020-08", "2020-09", freq="M"))
    with_idle = pd.concat([monthly.assign(contacted=monthly["contacted"].where(~stopped, 0)),
                           idle])
    periods = {"closed": ("2020-08", "2020-09"), "before": ("2019-01", "2019-06")}
    result = channel_rate_ratios(with_idle, periods=periods)
    table = result.to_frame().set_index("term")
    assert math.isnan(table.loc["drop_in", "rate_ratio"])
    assert "no contacts in any month" in table.loc["drop_in", "note"]
    assert "no contacts in this period" in table.loc["closed", "note"]
    assert "no month of the data" in table.loc["before", "note"]
    assert result.months == 22 and "drop_in" in result.summary()
    # The other channels' ratios are those of a fit without the idle channel and months.
    plain = channel_rate_ratios(monthly[~stopped]).to_frame().set_index("term")
    assert table.loc["venue", "rate_ratio"] == pytest.approx(plain.loc["venue", "rate_ratio"],
                                                             rel=1e-4)


def test_rows_without_exposure_are_left_out_and_said_to_be() -> None:
    monthly = _monthly().assign(hours=40.0)
    idle = (monthly["contact_channel"] == "online") & (monthly["contacted"] == 0)
    assert idle.any()
    monthly.loc[idle, "hours"] = 0.0  # online not at work those months
    result = channel_rate_ratios(monthly.iloc[1:], exposure="hours")  # and street's first gone
    assert result.note == (f"Left out {int(idle.sum())} row(s) with exposure 0 and 1 month × "
                           "channel combination(s) with no row (no exposure).")
    assert result.rows == len(monthly) - 1 - int(idle.sum())
    assert "per unit of hours" in result.summary()


def test_convergence_failure_says_so_without_infinite_numbers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rates, "MAX_ITERATIONS", 1)  # the optimiser stops before it converges
    monthly = _monthly(months=36)
    result = channel_rate_ratios(monthly)
    table = result.to_frame()
    assert table.loc[1:, "rate_ratio"].isna().all() and "did not converge" in result.note
    numbers = table[["rate_ratio", "low", "high", "p_value"]].to_numpy(dtype=float)
    assert not np.any(np.isinf(numbers)) and not math.isinf(result.alpha)
    assert "did not converge" in result.summary()
    # Quasi-Poisson still gives its ratios; only alpha and its test are missing.
    quasi = channel_rate_ratios(monthly, model="quasi-poisson")
    assert quasi.to_frame().loc[1:, "rate_ratio"].notna().all()
    assert math.isnan(quasi.alpha) and "no estimate of α" in quasi.note


@pytest.mark.parametrize(("change", "arguments", "message"), [
    (lambda m: m[m["contact_channel"] == "street"], {},
     "monthly: expected contacts in at least two channels of 'contact_channel' to compare "
     "(found 1)"),
    (lambda m: m.assign(contacted=np.where(m["contact_channel"] == "street", 5, 0)), {},
     "found 1"),
    (lambda m: m, {"reference": "bus"},
     "reference: 'bus' is not a channel of 'contact_channel'; expected one of online, street, "
     "venue"),
    (lambda m: pd.concat([m, pd.DataFrame({"contact_channel": ["bus"], "month": [m["month"][0]],
                                           "contacted": [0]})]), {"reference": "bus"},
     "reference: 'bus' has no contacts in any month"),
    (lambda m: m, {"model": "poisson"},
     "model: expected one of negative-binomial, quasi-poisson"),
    (lambda m: pd.concat([m, m.head(1)]), {}, "1 row(s) repeat a month and channel"),
    (lambda m: m.assign(contacted=-m["contacted"]), {},
     "contacted: expected whole numbers of contacts ≥ 0"),
    (lambda m: m.drop(columns="month"), {}, "monthly: expected the column(s) 'month'"),
    (lambda m: m, {"periods": {"venue": ("2020-01", "2020-02")}},
     "periods: period 'venue' has the name of a channel"),
    (lambda m: m, {"periods": {"a": ("2020-03", "2020-04"), "b": ("2020-03", "2020-04")}},
     "cannot be told apart"),
    (lambda m: m, {"periods": {"a": ("2020-05", "2020-04")}}, "period 'a' ends before it "
                                                              "starts"),
    (lambda m: m, {"periods": {"a": (3, 5)}},
     "periods: period 'a': expected months in the form of the month column"),
    (lambda m: m, {"periods": {"a": "2020-03"}},
     "periods: period 'a': expected (first month, last month)"),
    (lambda m: m.assign(hours=-1.0), {"exposure": "hours"},
     "hours: expected finite exposures ≥ 0"),
    (lambda m: m.assign(hours=np.where(m.index == m["contacted"].idxmax(), 0.0, 1.0)),
     {"exposure": "hours"}, "hours: 1 row(s) have contacts but exposure 0"),
    (lambda m: m[m["month"] == m["month"].iloc[0]], {},
     "monthly: expected more month × channel rows (3) than terms to estimate (4)"),
])
def test_errors_say_what_was_expected(change: Callable[[pd.DataFrame], pd.DataFrame],
                                      arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ArgumentError) as error:
        channel_rate_ratios(change(_monthly()), **arguments)
    assert message in str(error.value)


def test_the_figure_shows_every_ratio() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import exitanalysis as xa

    rng = np.random.default_rng(5)
    months = pd.period_range("2020-01", "2022-12", freq="M").astype(str)
    monthly = pd.DataFrame({"month": np.tile(months, 3),
                            "contact_channel": np.repeat(["street", "venue", "online"],
                                                         len(months)),
                            "contacted": rng.poisson(np.repeat([20, 10, 5], len(months)))})
    rates = xa.channel_rate_ratios(monthly)
    ax = rates.plot()
    assert len(ax.get_yticklabels()) == 3 and "street" in ax.get_title()
