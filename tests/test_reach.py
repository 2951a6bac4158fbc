"""Reach by where people sell, against where the population sells: the verdict rules, and
the synthetic truth recovered (the generator's reach parameters give the expected share of
the persons reached who sell online; the estimate's interval must hold it)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from exitanalysis.data import synth
from exitanalysis.models.reach import PopulationShare, reach_by


def test_verdicts_follow_the_two_ranges() -> None:
    persons = pd.DataFrame({"sales_channel": ["street"] * 60 + ["online"] * 30 + ["venue"] * 10
                            + ["unknown"] * 5})
    population = {"online": PopulationShare(0.4, 0.6, "assumption"),
                  "street": PopulationShare(0.1, 0.2, "assumption"),
                  "venue": PopulationShare(0.05, 0.2, "assumption")}
    reach = reach_by(persons, population=population)
    table = reach.table.set_index("category")
    assert reach.unknown == 5 and table["persons"].sum() == 100
    # online 30/100 (Wilson 0.219-0.396) below 0.4-0.6; street 60/100 above 0.1-0.2;
    # venue 10/100 (0.055-0.174) overlaps 0.05-0.2.
    assert table["verdict"].to_dict() == {"street": "above", "online": "below",
                                          "venue": "not distinguishable"}
    bare = reach_by(persons)
    assert not bare.has_population and "No population shares are given" in bare.summary()


def _expected_online_share(truth: synth.SyntheticTruth) -> float:
    """E[share of persons first contacted who sell online], from the generator's truth: each
    channel's daily rate splits over arenas in proportion to share_a(t) x reach[c, a]."""
    when = synth.days(truth)
    shares = synth.arena_shares(truth, when)
    factor = synth.daily_factor(truth, when)
    by_arena = sum(shares.mul(pd.Series(truth.reach[c])).mul(factor[c], axis=0)
                   for c in truth.reach)
    totals = by_arena.sum()
    return float(totals["online"] / totals.sum())


def test_the_synthetic_truth_is_recovered() -> None:
    truth = dataclasses.replace(synth.SyntheticTruth(), contacted_by_midpoint=1500.0)
    expected = _expected_online_share(truth)
    population = PopulationShare(truth.arena_share_start["online"],
                                 truth.arena_share_end["online"], "the generator's truth")
    covered = 0
    for seed in range(20):
        # The persons table only (the generator's first step): the rest is not needed here.
        persons = synth._persons(truth, np.random.default_rng(seed))
        reach = reach_by(persons, population={"online": population})
        online = reach.table.set_index("category").loc["online"]
        covered += online["low"] <= expected <= online["high"]
        # Outreach does not follow selling online: reached below the population's share.
        assert online["verdict"] == "below"
    assert expected == pytest.approx(0.18, abs=0.03)
    # 95 % intervals over 20 programmes: at least 17 (binomial, P(fewer) = 0.016).
    assert covered >= 17, covered


def test_counterfactual_recovers_the_synthetic_truth() -> None:
    # Known truth: with the generator's population N, its mean arena shares over the days
    # contacts happen, and its expected persons reached per arena E_a, the persons missed
    # online at the street rate are N s_online E_street / (N s_street) - E_online.
    from exitanalysis.models.reach import counterfactual_reach

    # A population large enough for the contacts (the default 1,500 is for the small case).
    truth = dataclasses.replace(synth.SyntheticTruth(), contacted_by_midpoint=1500.0,
                                hidden_population=20_000)
    when = synth.days(truth)
    active = when <= pd.Timestamp(truth.closure)
    shares = synth.arena_shares(truth, when)[active].mean()
    rates = synth.daily_rates(truth)
    arena_rates = synth.arena_shares(truth, when)
    expected = {a: float(sum((arena_rates[a] * truth.reach[c][a]
                              / sum(arena_rates[b] * truth.reach[c][b] for b in arena_rates))
                             .mul(rates[c]).sum() for c in truth.reach))
                for a in ("online", "street")}
    true_extra = shares["online"] * expected["street"] / shares["street"] - expected["online"]
    population = {a: PopulationShare(shares[a] * 0.999, shares[a] * 1.001, "the truth")
                  for a in ("online", "street")}
    covered = 0
    for seed in range(20):
        persons = synth._persons(truth, np.random.default_rng(seed))  # the persons step only
        # The persons' shares are of those with a known arena: unknowns are none here.
        result = counterfactual_reach(reach_by(persons, population=population),
                                      (truth.hidden_population, truth.hidden_population))
        uncapped = counterfactual_reach(reach_by(persons, population=population))
        assert uncapped.extra == pytest.approx(result.extra)  # 20,000: no cap binds
        covered += result.low <= true_extra <= result.high
        assert "as reachable as those selling street" in result.summary()
    assert true_extra > 1000  # many more online sellers would have been reached
    assert covered >= 17, covered  # 95 % intervals: at least 17 of 20 (P(fewer) = 0.016)
