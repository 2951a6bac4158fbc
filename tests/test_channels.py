"""The channel analysis of a programme: what runs on each kind of data, and why the rest
does not (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from exitanalysis.assess.channels import assess_channels, mix_decomposition
from helpers import DELETE, MONTHLY, tables, write_programme


def test_the_bundled_programme() -> None:
    effects = assess_channels(xa.load_programme(xa.load_config(DEFAULT_CONFIG)))
    assert effects.synthetic
    assert effects.reach is not None and effects.conversion is not None
    assert effects.rates is not None and effects.mix is not None
    # No population shares in the config: no counterfactual, and it says why.
    assert effects.counterfactual is None
    assert effects.missing["counterfactual"] == "why_no_population_shares"
    assert "analysis.population_shares" in effects.explain("counterfactual")
    lockdown = effects.explain("lockdown")
    assert "During March 2020 to May 2020" in lockdown and "December 2020 to April 2021" in lockdown
    assert "marts 2020 til maj 2020" in effects.explain("lockdown", "da")
    findings = effects.key_findings("da")
    assert findings.synthetic and len(findings.sentences) == 4
    # Both Danish lockdowns (data/public/lockdowns_denmark.csv). The series starts two months
    # before the first, which ends within the series: it is fitted between the months on
    # both sides. Only channels with enough contacts are fitted; the rest are said to be too
    # sparse, and a channel with no contacts in a lockdown is said to have had none.
    assert effects.lockdowns == (("2020-03", "2020-05"), ("2020-12", "2021-04"))
    assert effects.lockdown is not None and set(effects.lockdown.results) == {"street_outreach"}
    assert effects.lockdown.skipped["drop_in"].startswith("no counts during 2020-03 to 2020-05")
    assert "No contacts at all came through drop-in during March 2020 to May 2020" in lockdown
    sparse = sum("counts in all" in why or "all counts are zero" in why
                 for why in effects.lockdown.skipped.values())
    assert f"{sparse} channels had too few contacts in all to tell (fewer than 20)" in lockdown
    # The mix decomposition adds up to the change in inclusions a month.
    assert sum(effects.mix.effects) == effects.mix.difference
    assert effects.mix.factors == ("volume", "mix", "conversion")


def test_the_mix_decomposition_by_hand() -> None:
    # Two halves of two months; first: 10 street (5 included) + 10 online (1); second:
    # 6 street (3) + 14 online (3). Inclusions a month 3.0 then 3.0 (volume equal).
    months = pd.DataFrame({
        "month": ["2020-01", "2020-01", "2020-02", "2020-02",
                  "2020-03", "2020-03", "2020-04", "2020-04"],
        "contact_channel": ["street", "online"] * 4,
        "contacted": [5, 5, 5, 5, 3, 7, 3, 7],
        "included": [3, 0, 2, 1, 2, 1, 1, 2],
    })
    d = mix_decomposition(months)
    assert d.crude_a == 3.0 and d.crude_b == 3.0
    assert abs(sum(d.effects)) < 1e-12 and d.effects[0] == 0.0  # same volume: no effect
    # More online (which converts less) pulls inclusions down; conversion rose online.
    assert d.effects[1] < 0 < d.effects[2]


def test_monthly_counts_only(tmp_path: Path) -> None:
    config = write_programme(tmp_path, {"monthly": MONTHLY}, {"observed": DELETE})
    effects = assess_channels(xa.load_programme(xa.load_config(config)))
    assert effects.reach is None and effects.conversion is None
    assert effects.missing["reach"] == "why_no_persons"
    assert "persontabellen" in effects.explain("reach", "da")
    assert effects.to_frame().set_index("part").loc["reach", "why_not"]


def test_published_figures_only(tmp_path: Path) -> None:
    config = write_programme(tmp_path, {})
    effects = assess_channels(xa.load_programme(xa.load_config(config)))
    assert not effects.to_frame()["ran"].any()
    assert "at least two contact channels" in effects.explain("rates")
    assert effects.key_findings().sentences == ("This run's data allow no channel analysis.",)
    assert tables()  # the helper's default tables exist; this config names none of them
