"""Conversion by channel: Wilson intervals against published values, adjusted odds ratios
against a known truth (with the organisation confounding the channel), and the "too few to
tell" rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from exitanalysis.models.conversion import conversion_by, wilson_interval


@pytest.mark.parametrize("successes,trials,low,high", [
    # Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
    # comparison of seven methods. Statistics in Medicine 17:857-872, Table II, method 3
    # (Wilson score, no continuity correction). Tolerance 1e-4 (four decimals printed).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_newcombe(successes, trials, low, high) -> None:
    got = wilson_interval(successes, trials)
    assert (float(got[0]), float(got[1])) == pytest.approx((low, high), abs=1e-4)


def _simulate(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Persons with a true logit: -0.4 (street) + 0.0 / -1.0 / +0.7 (venue, online, referral)
    + 0.8 for organisation B. B works mostly online, so ignoring it would bias online."""
    organisation = rng.choice(["A", "B"], size=n)
    online_share = np.where(organisation == "B", 0.6, 0.15)
    channel = np.where(rng.random(n) < online_share, "online",
                       rng.choice(["street", "venue", "referral"], size=n, p=[.5, .3, .2]))
    effect = pd.Series(channel).map({"street": 0.0, "venue": 0.0, "online": -1.0,
                                     "referral": 0.7}).to_numpy()
    logit = -0.4 + effect + 0.8 * (organisation == "B")
    included = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"contact_channel": channel, "organisation": organisation,
                         "included": included})


def test_adjusted_odds_ratios_cover_the_truth() -> None:
    # Known truth: OR(online vs street) = exp(-1.0) = 0.368, OR(referral) = exp(0.7) = 2.01,
    # conditional on the organisation. 200 simulated programmes of 1,500 persons each.
    rng = np.random.default_rng(20201)
    truth = {"online": math.exp(-1.0), "referral": math.exp(0.7), "venue": 1.0}
    covered = {k: 0 for k in truth}
    crude_online = []
    for _ in range(200):
        persons = _simulate(rng, 1500)
        result = conversion_by(persons, "contact_channel", reference="street")
        assert result.reference == "street" and result.adjusted_for == ("organisation",)
        table = result.table.set_index("category")
        for category, value in truth.items():
            covered[category] += table.loc[category, "or_low"] <= value \
                <= table.loc[category, "or_high"]
        crude = conversion_by(persons, "contact_channel", adjust=(), reference="street")
        crude_online.append(crude.table.set_index("category").loc["online", "odds_ratio"])
    for category, hits in covered.items():
        # 95 % intervals: 200 replications give 190 ± 6 (binomial sd 3.1); allow 180-199.
        assert 180 <= hits <= 199, (category, hits)
    # Off the model: without the organisation, online looks better than it is (B includes
    # more and works online), so the crude odds ratio is biased upwards.
    assert np.median(crude_online) > 1.2 * truth["online"]


def test_too_few_to_tell_gets_a_share_but_no_odds_ratio() -> None:
    persons = pd.DataFrame({
        "contact_channel": ["street"] * 42 + ["online"] * 40 + ["drop_in"] * 6,
        "organisation": ["A"] * 88,
        "included": [True] * 21 + [False] * 21 + [True] * 10 + [False] * 30
                    + [True] * 3 + [False] * 3,
    })
    result = conversion_by(persons, "contact_channel")
    table = result.table.set_index("category")
    assert not table.loc["drop_in", "enough"] and math.isnan(table.loc["drop_in", "odds_ratio"])
    assert table.loc["drop_in", "share"] == 0.5
    assert table.loc["drop_in", "share_low"] < 0.2 and table.loc["drop_in", "share_high"] > 0.8
    # One organisation: nothing to adjust for. The largest category (street) is the reference;
    # online vs street, odds 10/30 against 21/21: OR 1/3.
    assert result.adjusted_for == () and result.reference == "street"
    assert table.loc["online", "odds_ratio"] == pytest.approx(1 / 3)
    assert "too few to tell" in result.summary()


def test_no_comparison_when_fewer_than_two_categories_have_enough() -> None:
    persons = pd.DataFrame({"contact_channel": ["street"] * 12 + ["online"] * 4,
                            "organisation": "A",
                            "included": [True, False] * 6 + [True] * 4})
    result = conversion_by(persons, "contact_channel")
    assert result.table["odds_ratio"].isna().all() and "fewer than two" in result.note


def test_the_synthetic_truth_is_recovered() -> None:
    # The generator's inclusion model (truth.inclusion_logit): log-odds effects of the
    # contact channel, with the selling arena as a confounder (online sellers are included
    # less and reached more online). Adjusted for where persons sell, the odds ratios
    # against street outreach recover exp(effect). 20 programmes of about 2,800 persons.
    import dataclasses

    from exitanalysis.data import synth

    truth = dataclasses.replace(synth.SyntheticTruth(), contacted_by_midpoint=1500.0)
    effects = {c: truth.inclusion_logit.get(f"channel:{c}", 0.0)
               for c in ("online_outreach", "partner_referral", "municipal_referral",
                         "self_referral", "venue_outreach", "drop_in")}
    covered = dict.fromkeys(effects, 0)
    for seed in range(20):
        persons = synth._persons(truth, np.random.default_rng(seed))  # the persons step only
        table = conversion_by(persons, "contact_channel", adjust=("sales_channel",),
                              reference="street_outreach").table.set_index("category")
        for channel, effect in effects.items():
            covered[channel] += table.loc[channel, "or_low"] <= math.exp(effect) \
                <= table.loc[channel, "or_high"]
    # Measured 18-20 of 20 for each channel; at least 17 (binomial, P(fewer) = 0.016).
    assert all(hits >= 17 for hits in covered.values()), covered
