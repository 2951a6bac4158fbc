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
    assert findings.synthetic and len(findings.sentences) == 5  # four parts, then the decision
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


def test_the_public_analysis_shows_only_what_the_release_publishes() -> None:
    # Every count behind a public channel result is one the report-wide audit lets through
    # (docs/disclosure.md): the same cutoff, arenas and channels whose counts are published.
    config = xa.load_config(DEFAULT_CONFIG).with_overrides(audience="public")
    programme = xa.load_programme(config)
    release = xa.public_release(programme)
    effects = xa.assess_channels(programme)
    assert effects.public and release.audit.safe
    arenas = release.quarters["sales_channel"]
    margin = arenas.counts.loc["total"][~arenas.suppressed.loc["total"]].drop("total")
    assert effects.reach is not None
    shown = effects.reach.table.set_index("category")["persons"]
    assert shown.to_dict() == {k: v for k, v in margin.to_dict().items() if v > 0}
    # Online is withheld here, so no sentence may say "none sell online".
    assert "online" in effects.withheld["reach"]
    assert "None of" not in effects.explain("reach")
    assert "online share is not shown" in effects.explain("reach")
    # Conversion: only channels whose included and not-included cells are both published,
    # with exactly those counts, unadjusted, and the sentence says why.
    cells = release.conversion
    assert effects.conversion is not None and cells is not None
    for row in effects.conversion.table.itertuples(index=False):
        assert not cells.suppressed.loc[row.category, ["included", "not_included"]].any()
        assert row.included == cells.counts.loc[row.category, "included"]
        assert row.contacted == cells.counts.loc[row.category, "total"]
    assert effects.conversion.adjusted_for == ()
    assert "not adjusted for organisation" in effects.explain("conversion")
    # The count model uses channels whose totals are published; the mix needs the halves'
    # counts, which this release withholds, and says so.
    channels = release.quarters["contact_channel"]
    published = set(channels.counts.columns[~channels.suppressed.loc["total"]]) - {"total"}
    assert effects.rates is not None
    assert set(effects.rates.to_frame().query("kind == 'channel'")["term"]) <= published
    assert any(value is None for value in release.halves.values())
    assert effects.mix is None and effects.missing["mix"] == "why_public_withheld"
    assert effects.lockdown is not None


def test_a_lockdown_shift_resting_on_a_small_count_is_not_published() -> None:
    # A level ratio and its interval give back the count during the lockdown: a channel with
    # 1 to min_cell - 1 contacts in a lockdown is withheld; none, or min_cell or more, shown.
    import numpy as np

    from exitanalysis.assess.channels import PUBLIC_WITHHELD, _publishable_shifts
    from exitanalysis.models.interrupted import by_channel

    months = pd.period_range("2019-01", "2021-12", freq="M").astype(str)
    inside = (months >= "2020-03") & (months <= "2020-05")
    rng = np.random.default_rng(3)
    street = rng.poisson(6, len(months))
    street[inside] = [1, 1, 0]
    frame = pd.concat([
        pd.DataFrame({"month": months, "contact_channel": "street", "contacted": street}),
        pd.DataFrame({"month": months, "contact_channel": "online",
                      "contacted": rng.poisson(6, len(months))}),
    ])
    fitted = by_channel(frame, channel_column="contact_channel", count_column="contacted",
                        month_column="month", interruptions=[("2020-03", "2020-05")])
    assert set(fitted.results) == {"street", "online"}
    shown = _publishable_shifts(fitted, frame, (("2020-03", "2020-05"),), min_cell=5)
    assert set(shown.results) == {"online"}  # its lockdown months hold 5 or more
    assert shown.skipped["street"] == PUBLIC_WITHHELD


def test_the_public_release_audits_the_channel_counts() -> None:
    config = xa.load_config(DEFAULT_CONFIG).with_overrides(audience="public")
    release = xa.public_release(xa.load_programme(config))
    names = {count.name for count in release.counts}
    assert any(name.startswith("conversion/") for name in names)
    # A half's count is published only when the audit lets it through; here none is.
    assert set(release.halves) == {"contacted/first", "included/first", "contacted/second",
                                   "included/second"}
    for half, value in release.halves.items():
        assert (value is None) == (f"halves/{half}" not in names)


def test_the_decision_sentence_takes_each_number_from_its_result(tmp_path: Path) -> None:
    # The bundled example with an assumed population (online 40-60 %, street 10-20 %): reach
    # is judged against it, the persons missed online are counted, and online outreach's
    # rate ratio and conversion are said, each number from the result it describes.
    import yaml

    from conftest import ROOT
    from exitanalysis.text import number, percent

    raw = yaml.safe_load((ROOT / "configs" / "exitpakke.yaml").read_text(encoding="utf-8"))
    raw["data"] = {k: str((ROOT / "configs" / v).resolve()) for k, v in raw["data"].items()}
    raw["analysis"]["population_shares"] = {
        "online": {"low": 0.4, "high": 0.6, "source": "assumption for the test"},
        "street": {"low": 0.1, "high": 0.2, "source": "assumption for the test"}}
    path = tmp_path / "shares.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    effects = xa.assess_channels(xa.load_programme(xa.load_config(path)))
    assert effects.reach is not None and effects.counterfactual is not None
    assert effects.rates is not None and effects.conversion is not None
    text = effects.explain("decision")
    online = effects.reach.table.set_index("category").loc["online"]
    assert online["verdict"] == "below"
    assert (f"sell online less often than the population does ({percent(online['share'])} "
            f"against 40% to 60%)") in text
    cf = effects.counterfactual
    assert (f"about {number(cf.extra)} more persons selling online would have been reached "
            f"(95% interval {number(cf.low)} to {number(cf.high)})") in text
    rate = effects.rates.to_frame().set_index("term").loc["online_outreach"]
    assert f"online outreach brought {number(rate['rate_ratio'], 'en', 2)} times" in text
    assert "too few persons came through online outreach" in text  # 3 persons, 2 included
    assert effects.key_findings().sentences[-1] == text
    assert effects.explain("decision", "da").startswith("Til beslutningen om opsøgende")
