"""The target-realism analysis (issue 13): the parts the default programme runs, every number
in a sentence recomputed from its result, synthetic parts kept out of the headline, the public
rules for capture–recapture, and the config that drives it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import exitanalysis as xa
from exitanalysis.assess.findings import about
from exitanalysis.assess.realism import (
    MIN_OVERLAP,
    area_population,
    default_funnel,
    default_reference_class,
    outside_histories,
    partner_histories,
    population_sizes,
)
from exitanalysis.errors import ConfigError
from exitanalysis.text import number, probability, rate

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "exitpakke.yaml"
DRAWS = 20_000


@pytest.fixture(scope="module")
def programme() -> xa.Programme:
    return xa.load_programme(xa.load_config(CONFIG))


@pytest.fixture(scope="module")
def realism(programme: xa.Programme) -> xa.TargetRealism:
    return xa.assess_realism(programme, draws=DRAWS)


def _config(tmp_path: Path, realism: dict[str, object], **analysis: object) -> Path:
    """The default config with ``analysis.realism`` replaced (data paths made absolute)."""
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for name, path in raw["data"].items():
        raw["data"][name] = str((CONFIG.parent / path).resolve())
    raw["analysis"]["realism"] = realism
    raw["analysis"].update(analysis)
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# --- the defaults rest on the public figures ----------------------------------------------------


def test_funnel_defaults_come_from_the_public_figures() -> None:
    factors = default_funnel()
    public = xa.load_public()["prevalence_denmark"]
    population = public.loc[public["measure"].str.startswith("unique persons"), "value"]
    assert factors["population"].mode == pytest.approx(float(population.iloc[0]))  # 4,500
    assert factors["wish_to_leave"].mode == pytest.approx(0.44)  # SFI 2011
    assert "VIVE" in factors["population"].source and "SFI" in factors["wish_to_leave"].source
    assumed = [name for name, r in factors.items() if r.source == "assumption"]
    assert assumed == ["share_in_area", "turnover", "eligible", "reached", "uptake"]


def test_reference_class_default_is_exit_prostitution() -> None:
    (programme,) = default_reference_class()
    assert (programme.persons, programme.months) == (147, 60.0)  # SFI 17:13; 2012–2016
    assert "SFI" in programme.source


# --- the default programme ------------------------------------------------------------------------


def test_default_run_has_every_part(realism: xa.TargetRealism) -> None:
    frame = realism.to_frame().set_index("part")
    assert frame.loc[["funnel", "reference", "scenarios", "population"], "ran"].all()
    # The scenarios' status quo is the published 64 (no channel scenario): not synthetic.
    assert realism.scenario_basis == "published snapshot"
    assert realism.synthetic_parts == frozenset({"population"})
    assert (realism.target, realism.horizon) == (465, pytest.approx(48.0))


def test_funnel_sentences_state_the_result(realism: xa.TargetRealism) -> None:
    funnel = realism.funnel
    assert funnel is not None
    text = str(realism.explain("funnel"))
    q10, q50, q90 = funnel.quantiles([0.1, 0.5, 0.9])
    for value in (q10, q50, q90):
        assert number(about(value)) in text
    assert probability(funnel.p_reach) in text
    top = funnel.tornado().iloc[0]
    assert number(about(top["low_value"])) in text and number(about(top["high_value"])) in text
    assert number(about(funnel.reachable(0.8))) in text
    assert "5 of the 7 factors are assumptions" in text


def test_reference_sentences_state_the_result(realism: xa.TargetRealism) -> None:
    check = realism.reference
    assert check is not None
    text = str(realism.explain("reference"))
    assert probability(check.p_reach) in text
    for _level, (target, _) in check.reachable.items():
        assert number(target) in text
    assert f"147 persons in 60 months: {rate(147 / 60)} a month" in text
    # The spread between programmes is an assumption: the page shows what it moves.
    low, high = check.sensitivity["p_reach"].min(), check.sensitivity["p_reach"].max()
    assert probability(low) in text and probability(high) in text
    assert list(check.sensitivity["tau_scale"]) == [0.25, 0.5, 1.0]


def test_plan_realism_against_exit_prostitution(realism: xa.TargetRealism) -> None:
    # 465 in 48 months is 9.7 a month, four times Exit Prostitution's 2.45 (147 in 60): with
    # the default spread (half-normal, scale 0.5) that is far in the predictive's tail.
    check = realism.reference
    assert check is not None
    assert check.p_reach < 0.05
    t80, _ = check.reachable[0.8]
    t90, _ = check.reachable[0.9]
    assert t90 <= t80 < 465
    # A wider spread between programmes can only make the far tail likelier.
    sens = check.sensitivity.set_index("tau_scale")["p_reach"]
    assert sens.loc[0.25] <= sens.loc[0.5] <= sens.loc[1.0]


def test_status_quo_matches_the_negative_binomial(realism: xa.TargetRealism,
                                                  programme: xa.Programme) -> None:
    # Gamma(recruited, effective months) × Poisson over the horizon is negative binomial.
    results = realism.scenarios
    assert results is not None
    history = xa.assess_shortfall(programme).history
    shape, rate = history.recruited, history.effective_elapsed
    exact = stats.nbinom(shape, rate / (rate + realism.horizon)).sf(realism.target - 1)
    row = results.to_frame().set_index("scenario").loc["status quo"]
    assert abs(row["p_reach"] - exact) <= 4 * row["p_reach_se"] + 1e-12
    t80 = stats.nbinom(shape, rate / (rate + realism.horizon)).ppf(0.2)
    assert row["reachable_low"] <= t80 <= row["reachable_high"]


def test_scenario_sentences_state_the_result(realism: xa.TargetRealism) -> None:
    results = realism.scenarios
    assert results is not None
    frame = results.to_frame().set_index("scenario")
    text = str(realism.explain("scenarios"))
    assert probability(frame.loc["status quo", "p_reach"]) in text
    assert number(int(frame.loc["all", "reachable"])) in text
    single = frame.drop(index=["status quo", "all", *[i for i in frame.index if " + " in i]])
    best = single.sort_values(["reachable", "p_reach"], ascending=False).index[0]
    assert realism.scenario_label(best) in text
    # Every scenario raises the status quo (multipliers ≥ 1): never a lower probability.
    assert (frame["p_reach"] >= frame.loc["status quo", "p_reach"]).all()
    assert "assumptions" in text


def test_population_part_on_partner_records(realism: xa.TargetRealism,
                                            programme: xa.Programme) -> None:
    sizes = realism.population
    assert sizes is not None and sizes.basis == "partners"
    persons = programme.persons
    assert persons is not None
    assert sizes.observed == persons["person_id"].nunique()
    # The synthetic partners record activities at the person's own organisation only, so no
    # person is on two lists: no estimator may run, and the page must say why.
    assert sizes.shared == 0 and sizes.estimates == {}
    assert set(sizes.why_not) >= {"chao", "zelterman", "loglinear"}
    text = str(realism.explain("population"))
    assert "no person is on more than one list" in text


def test_key_findings_keep_synthetic_parts_out(realism: xa.TargetRealism) -> None:
    findings = realism.key_findings()
    assert not findings.synthetic
    assert len(findings.sentences) == 3
    assert "synthetic data" in findings.basis
    assert all("lists" not in s for s in findings.sentences)


def test_danish_sentences(realism: xa.TargetRealism) -> None:
    text = "\n".join(str(realism.explain(p, "da")) for p in ("funnel", "reference",
                                                            "scenarios", "population"))
    assert "sandsynlighed" in text
    for english in (" the ", " with ", " persons ", " months "):
        assert english not in text
    assert realism.scenario_label("health_room", "da") == "Sundhedsrum"


@pytest.mark.parametrize("part", ["funnel", "tornado", "reference", "scenarios", "population"])
def test_figures_draw(realism: xa.TargetRealism, part: str) -> None:
    from exitanalysis.figures.style import alt_text, caption, is_marked_synthetic

    ax = realism.plot(part)
    assert alt_text(ax.figure)
    assert caption(ax.figure)
    # Only the lists are synthetic (the partners' records); the rest rests on public figures.
    assert is_marked_synthetic(ax.figure) == (part == "population")
    # Every label in the reader's words: no method key or list id on the figure.
    assert "chapman:" not in " ".join(t.get_text() for t in ax.get_yticklabels())


# --- capture–recapture from the lists ---------------------------------------------------------


def test_a_referral_does_not_put_a_person_on_a_second_list(programme: xa.Programme) -> None:
    histories = partner_histories(programme)
    lists = ["reden_kbh", "reden_int", "liva"]
    assert list(histories.columns) == [*lists, "count"]
    assert (histories[lists].sum(axis=1) == 1).all()
    referrals = programme.referrals
    assert referrals is not None
    between = referrals.dropna(subset=["person_id"])
    between = between[between["from_party"].isin(lists) & between["to_party"].isin(lists)]
    assert len(between) > 0  # the partners do refer persons to each other


def test_population_sizes_on_known_truth() -> None:
    # Three independent lists of a closed population of 2,000, each catching 20 %.
    rng = np.random.default_rng(13)
    caught = rng.random((2000, 3)) < 0.2
    frame = pd.DataFrame(caught.astype(int), columns=["a", "b", "c"])
    frame = frame[frame.sum(axis=1) > 0]
    histories = frame.value_counts().rename("count").reset_index()
    sizes = population_sizes(histories, "outside")
    assert sorted(sizes.estimates) == ["chao", "chapman:a:b", "chapman:a:c", "chapman:b:c",
                                       "loglinear"]  # Zelterman needs many lists
    assert sizes.why_not == {"zelterman": "why_few_lists_zelterman"}
    for key, estimate in sizes.estimates.items():
        if key == "chao":
            assert estimate.ci_low <= 2000 * 1.1
        else:
            assert estimate.ci_low <= 2000 <= estimate.ci_high, key


def test_small_overlap_is_not_estimated() -> None:
    histories = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1], "count": [40, 30, MIN_OVERLAP - 1]})
    sizes = population_sizes(histories, "outside")
    assert sizes.why_not["chapman:a:b"] == "why_small_overlap"
    assert sizes.why_not["loglinear"] == "why_two_lists"
    assert sizes.method_name("chapman:a:b", "da") == "Chapman (a og b)"


def test_outside_lists_from_the_config(tmp_path: Path) -> None:
    # Spina bifida, upstate New York 1969-74, three sources (Hook, Albright & Cross 1980;
    # R package conting, data(spina) summed over ethnicity): see
    # tests/reference/population_references.md. Rcapture's closedp on these data chooses the
    # same model by AIC, with N = 752.8919.
    histories = [([1, 0, 0], 244), ([0, 1, 0], 48), ([1, 1, 0], 142), ([0, 0, 1], 60),
                 ([1, 0, 1], 111), ([0, 1, 1], 4), ([1, 1, 1], 12)]
    path = _config(tmp_path, {"lists": ["birth", "death", "medical"],
                              "capture_histories": [{"lists": h, "count": c}
                                                    for h, c in histories]})
    config = xa.load_config(path)
    frame = outside_histories(config.analysis.realism)
    assert frame["count"].sum() == 621
    realism = xa.assess_realism(xa.load_programme(config), draws=2_000)
    sizes = realism.population
    assert sizes is not None and sizes.basis == "outside" and sizes.observed == 621
    assert "population" not in realism.synthetic_parts
    loglinear = sizes.estimates["loglinear"]
    assert loglinear.estimate == pytest.approx(752.8919, abs=1e-3)
    assert sizes.method_name("loglinear") == "log-linear model (birth×death + death×medical)"
    # Checked against the lists before it is read: the chosen model's deviance is 0.00054 on
    # 1 df, chi-square p = 0.981 (its estimate and AIC match Rcapture, see
    # tests/reference/population_references.md; the deviance is computed here).
    assert "fits the lists' overlaps (deviance test, p = 0.981)" in str(
        realism.explain("population"))
    # Outside lists are not synthetic: their estimate may stand in the key findings.
    findings = realism.key_findings().sentences
    assert any("log-linear model" in s and "against 621 on the lists" in s for s in findings)


def test_public_withholds_lists_with_small_cells(tmp_path: Path) -> None:
    histories = [([1, 1], 3), ([1, 0], 40), ([0, 1], 30)]
    path = _config(tmp_path, {"lists": ["police", "health"],
                              "capture_histories": [{"lists": h, "count": c}
                                                    for h, c in histories]})
    config = xa.load_config(path).with_overrides(audience="public")
    realism = xa.assess_realism(xa.load_programme(config), draws=2_000)
    assert realism.population is None
    assert realism.missing["population"] == "why_public_lists"
    assert "below the publication threshold" in str(realism.explain("population"))


def test_multiplier_from_the_config(tmp_path: Path) -> None:
    path = _config(tmp_path, {"multiplier": {
        "benchmark": 300, "benchmark_source": "a service's register (illustration)",
        "proportion": 0.25, "sample_size": 200, "source": "a survey (illustration)"}})
    realism = xa.assess_realism(xa.load_programme(xa.load_config(path)), draws=2_000)
    assert realism.multiplier is not None
    assert realism.multiplier.estimate == pytest.approx(1200.0)
    assert "Multiplier method: about 1,200 persons" in str(realism.explain("population"))


# --- the config ----------------------------------------------------------------------------------


def test_config_overrides_a_funnel_factor(tmp_path: Path) -> None:
    path = _config(tmp_path, {"funnel": {"reached": {"low": 0.9, "high": 1.0,
                                                     "source": "assumption"}}})
    realism = xa.assess_realism(xa.load_programme(xa.load_config(path)), draws=DRAWS)
    assert realism.funnel is not None
    assert realism.funnel.factors["reached"].low == 0.9
    assert realism.funnel.factors["population"].mode == 4500  # the others keep defaults


@pytest.mark.parametrize(("realism", "message"), [
    ({"scenarios": [{"name": "x", "label": "X", "source": "assumption"}]},
     "at least one of contact_rate"),
    ({"scenarios": [{"name": "x", "label": "X", "source": "s",
                     "conversion": {"low": 2, "high": 1, "source": "assumption"}}]},
     "'low' must not exceed 'high'"),
    ({"combinations": [["x", "y"]]}, "unknown scenarios: x, y"),
    ({"funnel": {"uptake": {"low": 0.5, "high": 1.5, "source": "assumption"}}},
     "funnel.uptake is a share"),
    ({"assurance": [1.0]}, "strictly between 0 and 1"),
    ({"capture_histories": [{"lists": [1, 0], "count": 3}]}, "need 'lists'"),
    ({"funnel": {"crowd": {"low": 1, "high": 2, "source": "assumption"}}},
     "analysis.realism.funnel"),
])
def test_bad_realism_config_names_the_key(tmp_path: Path, realism: dict[str, object],
                                          message: str) -> None:
    with pytest.raises(ConfigError) as info:
        xa.load_config(_config(tmp_path, realism))
    text = str(info.value)
    assert message in text and "analysis.realism" in text


def test_no_scenarios_says_where_to_add_them(tmp_path: Path) -> None:
    realism = xa.assess_realism(xa.load_programme(xa.load_config(_config(tmp_path, {}))),
                                draws=2_000)
    assert realism.scenarios is None
    assert "analysis.realism.scenarios" in str(realism.explain("scenarios"))


def test_area_population_spans_the_factors() -> None:
    factors = default_funnel()
    area = area_population(factors)
    assert area.low == pytest.approx(3600 * 0.30 * 1.0)
    assert area.high == pytest.approx(5400 * 0.60 * 2.0)
    assert area.low <= area.mode <= area.high
