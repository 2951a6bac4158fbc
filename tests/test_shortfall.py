"""The programme-level shortfall: months, exposure, history, replay, sensitivity, headline."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this test process only

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import exitanalysis as xa
from conftest import DEFAULT_CONFIG, ROOT
from exitanalysis.assess.shortfall import (
    recruitment_history,
    snapshot_history,
    snapshot_pace,
    warning_sentences,
)
from exitanalysis.data import synth
from exitanalysis.data.config import ExposurePeriod
from exitanalysis.figures.style import is_marked_synthetic
from exitanalysis.models.history import (
    Plan,
    RecruitmentHistory,
    date_at,
    exposure_by_month,
    month_frame,
    months_between,
    period_frame,
)
from exitanalysis.models.monitoring import forecast_from_history, replay_warnings
from helpers import write_programme


@pytest.fixture(scope="module")
def exitpakke_config() -> xa.Config:
    return xa.load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="module")
def exitpakke(exitpakke_config) -> xa.ShortfallAssessment:
    return xa.assess_shortfall(xa.load_programme(exitpakke_config))


def test_calendar_months() -> None:
    start = dt.date(2020, 1, 1)
    assert months_between(start, dt.date(2022, 1, 1)) == 24.0
    assert months_between(start, dt.date(2024, 1, 1)) == 48.0
    assert months_between(start, dt.date(2020, 2, 15)) == pytest.approx(1 + 14 / 29)
    for months in (0.0, 7.5, 24.0, 35.25):
        assert months_between(start, date_at(start, months)) == pytest.approx(months,
                                                                                    abs=0.02)


def test_exposure_by_month() -> None:
    months = pd.period_range("2020-02", "2020-04", freq="M")
    lockdown = ExposurePeriod(start=dt.date(2020, 3, 11), end=dt.date(2020, 4, 30), weight=0.5,
                              reason="test")
    weights = exposure_by_month(months, [lockdown])
    assert weights == pytest.approx([1.0, (10 + 21 * 0.5) / 31, 0.5])


# The config's lockdowns count for half: 11 March to 31 May 2020, 21 December 2020 to
# 5 April 2021 (data/public/lockdowns_denmark.csv).
LOCKDOWN = (21 / 31 + 1 + 1) * 0.5 + (11 / 31 + 1 + 1 + 1 + 5 / 30) * 0.5


def test_a_published_figure_is_one_point_and_no_month_is_filled_in(exitpakke) -> None:
    history = exitpakke.history
    assert history.snapshot and history.measure == "contacted"
    assert history.recruited == 64 and history.elapsed == 24.0
    assert history.monthly[["month", "recruited", "cumulative"]].to_dict("records") == [
        {"month": "2022-01", "recruited": 64, "cumulative": 64}]
    assert history.effective_elapsed == pytest.approx(24 - LOCKDOWN)
    assert history.total_time == pytest.approx(48 - LOCKDOWN)


def test_several_published_figures_are_several_points(tmp_path: Path) -> None:
    config = xa.load_config(write_programme(tmp_path, config_changes={"observed": [
        {"as_of": "2021-01-01", "contacted": 20, "source": "first report"},
        {"as_of": "2022-01-01", "contacted": 64, "source": "memo"},
        {"as_of": "2021-07-01", "included": 9, "source": "other measure"}]}))
    history = snapshot_history(config, config.observed[1])
    assert history.monthly[["month", "recruited", "cumulative"]].to_dict("records") == [
        {"month": "2021-01", "recruited": 20, "cumulative": 20},
        {"month": "2022-01", "recruited": 44, "cumulative": 64}]


def test_case_history_counts_inclusions_by_month(tmp_path: Path) -> None:
    programme = xa.load_programme(xa.load_config(write_programme(tmp_path)))
    history = recruitment_history(programme)
    included = history.monthly.set_index("month")["recruited"]
    assert included[included > 0].to_dict() == {"2020-02": 1, "2021-02": 1, "2021-03": 1,
                                               "2022-06": 1}
    assert history.recruited == 4 and history.by_partner.to_dict() == {"reden_kbh": 2, "liva": 2}
    contacted = recruitment_history(programme, measure="contacted")
    assert contacted.recruited == 6 and not contacted.synthetic
    assert contacted.elapsed == pytest.approx(months_between(dt.date(2020, 1, 1),
                                                                dt.date(2022, 6, 11)))


def test_a_closed_month_is_not_a_month_of_failed_recruitment() -> None:
    start = dt.date(2020, 1, 1)
    counts = pd.Series({"2020-01": 3, "2020-02": 3, "2020-03": 0, "2020-04": 3})
    closed = ExposurePeriod(start=dt.date(2020, 3, 1), end=dt.date(2020, 3, 31), weight=0.0,
                            reason="lockdown")
    frame = month_frame(start, dt.date(2020, 5, 1), counts, [closed])
    period = period_frame(start, dt.date(2021, 12, 31), [closed])
    history = RecruitmentHistory(frame, pd.Series(dtype=int), "included", ("test", {}), period)
    adjusted = forecast_from_history(history, target=120, duration=24, prior_weight=0.5)
    assert adjusted.elapsed == 3.0 and adjusted.horizon == 3.0 + 20
    naive = xa.forecast_recruitment(target=120, duration=24, elapsed=4, recruited=9,
                                    prior_weight=0.5)
    assert adjusted.p_reach_target > naive.p_reach_target
    assert adjusted.observed_rate == pytest.approx(3.0)


def test_closed_months_to_come_shorten_the_time_left() -> None:
    # The forecast horizon is the effective time of the whole period: a closure announced
    # for the future leaves less time to recruit, and so a lower chance (item 8).
    start = dt.date(2020, 1, 1)
    counts = pd.Series({"2020-01": 5, "2020-02": 5})
    frame = month_frame(start, dt.date(2020, 3, 1), counts, [])
    later = ExposurePeriod(start=dt.date(2020, 7, 1), end=dt.date(2020, 12, 31), weight=0.0,
                           reason="closed for renovation")
    f = {}
    for name, periods in (("open", []), ("closing", [later])):
        period = period_frame(start, dt.date(2021, 12, 31), periods)
        history = RecruitmentHistory(month_frame(start, dt.date(2020, 3, 1), counts, periods),
                                     pd.Series(dtype=int), "included", ("test", {}), period)
        f[name] = forecast_from_history(history, target=120, duration=24, prior_weight=0.0)
    assert frame["effective_elapsed"].iloc[-1] == 2.0
    assert f["open"].horizon == pytest.approx(24.0) and f["closing"].horizon == 18.0
    assert f["closing"].count_mean() == pytest.approx(10 + 5 * 16)
    assert f["closing"].p_reach_target < f["open"].p_reach_target


def test_a_planned_ramp_up_moves_the_plan_not_the_target() -> None:
    plan = Plan.ramp(48.0, 12.0)
    assert plan.share(48.0) == pytest.approx(1.0)
    assert plan.share(12.0) == pytest.approx(6 / 42)  # (R/2) / (T - R/2)
    assert plan.share(30.0) == pytest.approx(24 / 42)
    frame = month_frame(dt.date(2020, 1, 1), dt.date(2021, 1, 1), pd.Series(dtype=int), [],
                        plan)
    assert frame["effective_elapsed"].iloc[-1] == pytest.approx(48 * 6 / 42, rel=1e-3)
    # A programme recruiting exactly as the ramped plan says is on pace at every month.
    points = Plan.from_points(48.0, [12.0, 24.0], [0.1, 0.4])
    assert points.share(6.0) == pytest.approx(0.05) and points.share(36.0) == pytest.approx(0.7)


def test_pace_at_the_published_figure_for_each_start_and_date(exitpakke_config) -> None:
    pace = snapshot_pace(exitpakke_config, exitpakke_config.observed[0])
    assert sorted(set(pace["start"])) == ["2020-01-01", "2020-04-01", "2020-07-01", "2020-10-01"]
    first = pace[(pace["start"] == "2020-01-01") & (pace["share"] == 0.5)].iloc[0]
    assert first["pace_ratio"] == pytest.approx(64 / (465 * (24 - LOCKDOWN) / 48))
    # A later start leaves less time to have recruited in, so the pace is higher.
    by_start = pace[pace["share"] == 0.5].set_index("start")["pace_ratio"]
    assert by_start.is_monotonic_increasing


def test_replay_uses_only_what_was_known(exitpakke) -> None:
    # A published figure alone: one review, when it was published; nothing before it.
    warning = exitpakke.warning
    assert warning.to_frame()["month"].unique().tolist() == ["2022-01"]
    assert warning.first_warning == "2022-01"
    low, high = warning.months_before_closure()
    assert (round(low), round(high)) == (12, 24)
    # Monthly case data: every month's P(reach) is a fresh data-alone forecast from that
    # month's numbers, and its warning compares that month's count with a fixed boundary.
    case = exitpakke.case_warning
    replay = case.to_frame()
    assert len(replay) == len(case.history.monthly)
    for i in (1, 5, 23):
        fresh = forecast_from_history(case.history, target=465, duration=48.0,
                                      prior_weight=0.0, month=i)
        assert replay.loc[i, "p_reach"] == pytest.approx(fresh.p_reach_target, rel=1e-12)
    assert replay["boundary"].tolist() == [case.rule.boundary_at(e) for e in replay["elapsed"]]
    # With no recruits, the data alone know nothing: missing, not zero.
    zero = replay[replay["recruited"] == 0]
    assert len(zero) and zero["p_reach"].isna().all()


def test_pace_rules() -> None:
    # 100 persons over 36 months planned: 18 months at 15 % of pace fires the 20 % rule.
    start = dt.date(2020, 1, 1)
    months = pd.period_range("2020-01", "2022-12", freq="M").astype(str)
    counts = pd.Series(0, index=months)
    counts.iloc[[2, 9, 16]] = [3, 2, 3]  # 8 by month 18: pace 8 / 50 = 16 %
    frame = month_frame(start, dt.date(2023, 1, 1), counts, [])
    history = RecruitmentHistory(frame, pd.Series(dtype=int), "included", ("test", {}),
                                 period_frame(start, dt.date(2022, 12, 31), []))
    warning = replay_warnings(history, target=100, duration=36, start=start)
    rules = warning.pace_rules.set_index("at_months")
    assert rules.loc[18.0, "fired"] and rules.loc[18.0, "month"] == "2021-06"
    assert rules.loc[18.0, "pace_ratio"] == pytest.approx(8 / 50)
    assert rules.loc[30.0, "fired"]
    assert rules.loc[30.0, "pace_ratio"] == pytest.approx(8 / (100 * 30 / 36))
    english = warning_sentences(warning)
    assert ("Pace rule (below 20% of the planned pace after 18 months), checked at the first "
            "review then, June 2021: fired; the pace was 16%.") in english
    # The source and its caveat are in the report's technical annex, named from the sentence.
    assert "used here by analogy (see the technical annex)" in english
    annex = (ROOT / "notebooks" / "recruitment_shortfall.ipynb").read_text(encoding="utf-8")
    assert "Sasaki et al. 2024, *Trials* 25:665" in annex and "grace period" in annex
    danish = warning_sentences(warning, "da")
    assert "Tempogrænse (under 20\u00a0% af det planlagte tempo efter 18 måneder)" in danish


def test_pace_rules_use_the_planned_calendar_pace() -> None:
    # A month closed by a lockdown does not lower the plan the JCOG rules compare with.
    start = dt.date(2020, 1, 1)
    closed = ExposurePeriod(start=dt.date(2020, 3, 1), end=dt.date(2020, 8, 31), weight=0.0,
                            reason="lockdown")
    counts = pd.Series({"2020-12": 8, "2021-06": 1})  # 9 by month 18 of a plan for 100 in 36
    history = RecruitmentHistory(month_frame(start, dt.date(2023, 1, 1), counts, [closed]),
                                 pd.Series(dtype=int), "included", ("test", {}),
                                 period_frame(start, dt.date(2022, 12, 31), [closed]))
    rules = replay_warnings(history, target=100, duration=36, start=start).pace_rules
    assert rules.set_index("at_months").loc[18.0, "pace_ratio"] == pytest.approx(9 / 50)


def test_headline_rests_on_the_published_figure_when_case_data_are_synthetic(exitpakke) -> None:
    assert exitpakke.source == "published snapshot"
    headline = exitpakke.headline()
    assert set(headline) >= {"forecast", "first_warning", "warning_threshold"}
    forecast = headline["forecast"]
    assert set(forecast) >= {"target", "recruited", "duration", "elapsed", "prior_weight",
                             "p_reach_target", "final_count", "time_to_target",
                             "observed_rate", "required_rate", "pace_ratio"}
    assert forecast["recruited"] == 64 and forecast["target"] == 465
    assert headline["status"] == "off track" and headline["synthetic"] is False
    assert headline["elapsed_months"] == 24.0
    json.dumps(headline)  # plain data
    # The case-data parts exist and say they are synthetic.
    assert exitpakke.case_synthetic and exitpakke.comparison is not None
    assert "SYNTHETIC" in str(exitpakke.explain("models"))
    assert "SYNTHETIC" in str(exitpakke.explain("partners"))


def test_every_row_of_the_model_comparison_uses_one_prior(exitpakke) -> None:
    comparison = exitpakke.comparison
    assert comparison.poisson.prior_weight == comparison.overdispersed.prior_weight == 0.0
    assert exitpakke.partner_forecast.prior_weight == 0.0
    # The case months are not over-dispersed (X² = 42.0 on 41 df with both lockdowns as
    # half-exposure; 46.5 with the spring one alone): no claim.
    assert (round(comparison.test.statistic, 1), comparison.test.df) == (42.0, 41)
    assert "no unevenness can be detected" in str(exitpakke.explain("models"))
    assert "vary 1.13 times" not in str(exitpakke.explain("models"))


def test_contacts_are_carried_into_inclusions_when_real_case_data_allow(tmp_path) -> None:
    # Real (not synthetic) case data: 4 of the 6 persons contacted were included. A headline
    # on a published count of contacts then also forecasts inclusions, which the target counts.
    programme = xa.load_programme(xa.load_config(write_programme(tmp_path)))
    assessment = xa.assess_shortfall(programme, source="snapshot")
    assert assessment.history.measure == "contacted" and assessment.inclusions is not None
    conversion = assessment.inclusions.conversion
    assert (conversion["included"], conversion["contacted"]) == (4, 6)
    assert conversion["low"] < 4 / 6 < conversion["high"]
    final = assessment.inclusions.final
    contacts = assessment.forecast.to_dict()["final_count"]
    assert final["q50"] <= contacts["q50"] and final["q975"] <= contacts["q975"]
    assert "In the case data, 67% of persons contacted were included" in assessment.summary()
    assert assessment.headline()["inclusions"]["measure"] == "included"


def test_synthetic_case_data_never_convert_a_real_figure(exitpakke) -> None:
    assert exitpakke.inclusions is None and exitpakke.headline()["inclusions"] is None
    assert "are synthetic here, so no forecast of inclusions" in exitpakke.summary()


def test_real_case_data_drive_the_headline(tmp_path: Path) -> None:
    programme = xa.load_programme(xa.load_config(write_programme(tmp_path)))
    assessment = xa.assess_shortfall(programme)
    assert assessment.source == "case data" and assessment.forecast.recruited == 4
    assert not assessment.synthetic and assessment.case_warning is None


def test_sensitivity_tables(exitpakke) -> None:
    priors = exitpakke.prior_sensitivity
    assert priors["prior"].tolist() == ["P = 0", "P = 0.25", "P = 0.5", "P = 1", "hedging",
                                        "accelerated"]
    numeric = priors.iloc[:4]
    assert numeric["p_reach_target"].is_monotonic_increasing  # more faith in the plan
    snap = exitpakke.snapshot_sensitivity
    assert snap["share"].tolist() == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75]
    assert snap["p_reach_target"].is_monotonic_decreasing  # later snapshot, further behind
    assert "does not depend on the exact date" in str(exitpakke.explain("sensitivity"))


def test_summary_and_what_it_would_take(exitpakke) -> None:
    need = exitpakke.what_it_would_take()
    assert need["planned_rate"] == pytest.approx(465 / 48)
    assert need["required_rate"] == pytest.approx((465 - 64) / 24)
    text = exitpakke.summary()
    # The memo dates the figure only "more than halfway": said as approximate, no fraction.
    assert "64 persons contacted by about January 2022, 50% of the way through" in text
    assert "contacts are an upper bound for inclusions" in text
    assert "would already have warned in January 2022" in text


def test_the_data_reject_the_plan_so_the_headline_uses_the_data_alone(exitpakke) -> None:
    check = exitpakke.prior_check
    assert check.conflict and check.p_value < 1e-15 and check.prior_weight == 0.5
    assert exitpakke.forecast is exitpakke.data_forecast and exitpakke.forecast.prior_weight == 0
    assert exitpakke.plan_forecast.prior_weight == 0.5
    headline = exitpakke.headline()
    assert headline["prior_check"]["conflict"] and headline["forecast"]["prior_weight"] == 0.0
    assert headline["plan_forecast"]["prior_weight"] == 0.5
    # The data alone: about 137 (114-164) by the end, not the plan prior's 222. Independent
    # figure: 64 + NegBin(64, t / (t + 24)) with t = 24 - LOCKDOWN = 20.90 effective months
    # and 24 months left; scipy.stats.nbinom(64, p).ppf([.025, .5, .975]) + 64 = 114, 137, 164.
    final = headline["forecast"]["final_count"]
    assert (final["q025"], final["q50"], final["q975"]) == (114, 137, 164)
    assert headline["plan_forecast"]["final_count"]["q50"] == 222


def test_every_number_in_the_headline_comes_from_the_result_it_describes(exitpakke) -> None:
    # Each sentence's numbers recomputed from the result objects' own accessors.
    text = exitpakke.summary()
    head, plan, data = exitpakke.forecast, exitpakke.plan_forecast, exitpakke.data_forecast
    q = [int(v) for v in head.count_quantiles([0.5, 0.025, 0.975])]
    assert (f"Forecast for the end: {q[0]} persons contacted (median; 95% interval {q[1]} "
            f"to {q[2]}).") in text
    pq = [int(v) for v in plan.count_quantiles([0.5, 0.025, 0.975])]
    assert (f"If the plan had been right (plan weight 0.5): {pq[0]} persons contacted by the "
            f"end (95% interval {pq[1]} to {pq[2]})") in text
    expected = round(465 * exitpakke.history.effective_elapsed / 48)
    assert f"as far from the planned {expected} as 64" in text
    # "At the rate seen so far" is the observed rate and the data-alone forecast, not the
    # plan prior's posterior rate.
    rate = 64 / exitpakke.history.effective_elapsed
    assert data is not None and data.prior_weight == 0.0
    times = exitpakke.history.calendar_time(data.time_quantiles([0.5, 0.025, 0.975]))
    when = [date_at(dt.date(2020, 1, 1), float(t)).strftime("%B %Y") for t in times]
    assert (f"At the rate seen so far ({rate:.1f} persons contacted a month), 465 would be "
            f"reached around {when[0]} (median; 95% interval {when[1]} to {when[2]})") in text
    # Independent figure: 401 more at 64 / 20.90 = 3.06 a month take 131.0 months from
    # January 2022 (no lockdown after it): December 2032.
    assert when[0] == "December 2032"
    required = (465 - 64) / (exitpakke.history.total_time - exitpakke.history.effective_elapsed)
    assert (f"{required:.1f} persons a month are needed from now on: "
            f"{required / rate:.1f} times the {rate:.1f} a month so far") in text


def test_a_plan_the_data_fit_stays_the_headline(tmp_path: Path) -> None:
    # 25 contacted by month 24 of a 48-month plan for 50: on plan, so the plan prior stays.
    config = xa.load_config(write_programme(tmp_path, config_changes={
        "programme.target": 50, "data": {}, "analysis.exposure": [],
        "observed": [{"as_of": "2022-01-01", "contacted": 25, "source": "test"}]}))
    assessment = xa.assess_shortfall(xa.load_programme(config))
    assert not assessment.prior_check.conflict and assessment.prior_check.p_value > 0.5
    assert assessment.forecast is assessment.plan_forecast
    assert "The data are consistent with the plan" in assessment.summary()
    assert "If the plan had been right" not in assessment.summary()


def test_figures_are_marked_exactly_when_their_data_are_synthetic(exitpakke) -> None:
    assert not is_marked_synthetic(exitpakke.plot().figure)
    assert not is_marked_synthetic(exitpakke.plot_replay().figure)
    assert not is_marked_synthetic(exitpakke.plot_requirement().figure)
    assert is_marked_synthetic(exitpakke.plot_case_replay().figure)
    assert is_marked_synthetic(exitpakke.plot_models().figure)
    assert is_marked_synthetic(exitpakke.plot_partners().figure)


def test_true_rates_of_the_synthetic_generator_are_recovered() -> None:
    # Known truth: a synthetic programme ten times larger, contacts only (no closure before
    # 2022). Data-only posteriors (P = 0) of the total and each partner's average monthly rate
    # over 2020-2021 contain the generator's true average rates.
    truth = synth.SyntheticTruth(hidden_population=15_000, contacted_by_midpoint=640.0)
    big = synth.generate(seed=5, truth=truth)
    rates = synth.monthly_rates(truth)
    window = rates.loc[: pd.Period("2021-12", "M")]
    true_total = window.to_numpy().sum() / 24
    persons = big.persons[big.persons["first_contact"] < "2022-01-01"]
    # Data-only posterior of the total rate: Gamma(m, 24); 99.9 % interval.
    low, high = stats.gamma.ppf([0.0005, 0.9995], len(persons), scale=1 / 24)
    assert low <= true_total <= high
    per_partner = persons["organisation"].value_counts()
    fit = xa.fit_partners(per_partner.to_numpy(), np.full(len(per_partner), 24.0),
                          names=list(per_partner.index))
    intervals = fit.rate_intervals(0.999).set_index("partner")
    for partner, (low, high) in intervals.iterrows():
        share = pd.Series({c: truth.organisation_share[c][partner] for c in window.columns})
        true_rate = float((window * share).to_numpy().sum() / 24)
        # 99.9 % posterior interval of the partner's rate (hierarchical model)
        assert low <= true_rate <= high, (partner, true_rate, low, high)


# --- issue 10: what a committee reads first -------------------------------------------------


def test_key_findings_rest_on_the_published_figure_with_numbers_from_the_result(exitpakke):
    findings = exitpakke.key_findings()
    f = exitpakke.forecast.to_dict()
    q = f["final_count"]
    assert not findings.synthetic  # the published figure, though the case tables are synthetic
    assert findings.basis.startswith("Rests on the published figure: 64 contacted by about "
                                     "January 2022 (Københavns Kommune")
    how_far, how_sure, would_take, since = findings.sentences
    assert f"{round(f['pace_ratio'] * 100)}% of the pace the plan assumed" in how_far
    assert "about 200 by then" in how_far  # 465 × 20.90 / 48 = 202.5, rounded
    # Rounded to what it can bear: the median 137 becomes "about 140", the interval stays.
    assert q["q50"] == 137 and "about 140 persons" in how_sure
    assert f"95% interval {q['q025']} to {q['q975']}" in how_sure
    assert "below 1%" in how_sure and "real shortfall is at least this large" in how_sure
    need = exitpakke.what_it_would_take()
    assert f"{need['required_rate']:.1f} persons a month" in would_take
    assert f"{need['multiple']:.1f} times" in would_take
    assert "would already have warned in January 2022" in since and "12 to 24 months" in since
    html = findings._repr_html_()
    assert 'data-xa-basis="real"' in html and "Key findings" in html
    assert exitpakke.headline()["key_findings"]["sentences"] == list(findings.sentences)


def test_key_findings_on_synthetic_case_data_say_so(tmp_path):
    # The bundled example without its published figure: the headline rests on the synthetic
    # case tables, and the box must say so.
    raw = yaml.safe_load((ROOT / "configs" / "exitpakke.yaml").read_text(encoding="utf-8"))
    del raw["observed"]
    raw["data"] = {k: str((ROOT / "configs" / v).resolve()) for k, v in raw["data"].items()}
    path = tmp_path / "no_snapshot.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = xa.load_config(path)
    findings = xa.assess_shortfall(xa.load_programme(config)).key_findings()
    assert findings.synthetic and findings.basis.startswith("SYNTHETIC data: ")
    assert 'data-xa-basis="synthetic"' in findings._repr_html_()


def test_times_are_calendar_months_and_one_expected_figure(exitpakke) -> None:
    priors = exitpakke.prior_sensitivity_frame()
    assert "time_to_target_q50" not in priors
    assert priors["target_month"].str.fullmatch(r"\d{4}-\d{2}").all()
    # The data-alone row agrees with the headline sentence's "around December 2032".
    reached = exitpakke.reached_at_observed_rate()
    assert priors.loc[priors["prior"] == "plan weight 0", "target_month"].item() \
        == reached["median"] == "2032-12"
    models = exitpakke.models_frame()
    assert "final_mean" not in models and "target_month" in models
    assert "elapsed" not in exitpakke.snapshot_sensitivity_frame()
    partners = str(exitpakke.explain("partners"))
    total = exitpakke.partner_forecast.to_dict()["final_count"]
    assert f"{total['q50']} by the end (median" in partners


def test_the_rate_so_far_says_why_it_is_not_count_over_months(exitpakke) -> None:
    h = exitpakke.history
    text = exitpakke.summary()
    assert round(64 / h.elapsed, 1) != round(64 / h.effective_elapsed, 1)  # 2.7 against 2.8
    assert (f"The rate so far is 64 in the equivalent of {h.effective_elapsed:.1f} normal "
            "months") in text and "COVID-19 lockdown (spring 2020)" in text
