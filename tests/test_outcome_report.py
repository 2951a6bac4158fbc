"""The outcomes report's analysis: what runs on each kind of data, every number in its
sentences from its result, and what the public version shows (issue 12)."""

from __future__ import annotations

from pathlib import Path

import exitanalysis as xa
from conftest import DEFAULT_CONFIG
from exitanalysis.text import label, number, percent
from helpers import DELETE, MONTHLY, write_programme


def test_the_bundled_programme() -> None:
    outcomes = xa.assess_outcomes(xa.load_programme(xa.load_config(DEFAULT_CONFIG)))
    assert outcomes.synthetic and outcomes.to_frame()["ran"].all()
    assert outcomes.funnel is not None and outcomes.rates is not None
    steps = outcomes.funnel.table.query("group == 'all'").set_index("step")
    assert (f"Of the {number(int(steps.loc['contacted', 'persons']))} persons contacted, "
            f"{number(int(steps.loc['included', 'persons']))} were included") \
        in outcomes.explain("funnel")
    table = outcomes.rates.table.query("group == 'all' and enough")
    high = table.loc[table["share"].idxmax()]
    assert (f"{label(str(high['outcome']))} was achieved most often "
            f"({percent(high['share'])}, 95% interval {percent(high['share_low'])} to "
            f"{percent(high['share_high'])})") in outcomes.explain("rates")
    assert "not what the programme caused" in outcomes.explain("rates")
    # The figures' titles state the finding, from the same result.
    title = outcomes.plot("rates").get_title()
    assert title.startswith(label(str(high["outcome"])).capitalize()) \
        and f"({percent(high['share'])})" in title
    assert outcomes.plot("funnel").get_title().startswith(
        f"Of {number(int(steps.loc['contacted', 'persons']))} persons contacted")
    # Too few persons in the bundled example for any component comparison: it says so.
    assert "too few to tell" in outcomes.explain("associations")
    # The comparable programme's figures come with their design's caveat, in Danish too.
    reference = outcomes.reference_frame("da")
    assert len(reference) == 5 and reference["measure"].str.contains("WHO-5").any()
    assert reference["measure"].str.contains("RUPS I").any()  # 1,002 of 1,750: 57 %
    assert "uden kontrolgruppe" in outcomes.explain("reference", "da")
    findings = outcomes.key_findings()
    assert findings.synthetic and len(findings.sentences) == 4
    # By organisation: every person counted once, the rows adding up to the whole funnel.
    by_organisation = outcomes.funnel_frame("organisation")
    assert set(by_organisation["organisation"]) == {"Reden København", "Reden International",
                                                    "Liva Rehab"}
    for step in ("contacted", "included", "assessed"):
        assert by_organisation[step].sum() == int(steps.loc[step, "persons"])
    # The landmark comparison by group course, with its log-rank test from the result.
    assert outcomes.time_by is not None and outcomes.time_by.logrank is not None
    chi = number(outcomes.time_by.logrank.statistic, "en", 2)
    assert f"log-rank chi-square {chi} on 1 df" in outcomes.explain("time_by")
    # Every component the same way; a side of fewer than 5 persons gets no test.
    landmarks = outcomes.landmarks
    assert landmarks is not None and len(landmarks) == 5
    small = landmarks[landmarks[["received", "not_received"]].min(axis=1) < 5]
    assert len(small) and small["p_value"].isna().all() and not small["enough"].any()
    course = landmarks.set_index("component").loc["group_course"]
    assert course["chi_square"] == outcomes.time_by.logrank.statistic


def test_the_public_version_shows_audited_counts_only() -> None:
    config = xa.load_config(DEFAULT_CONFIG).with_overrides(audience="public")
    programme = xa.load_programme(config)
    outcomes = xa.assess_outcomes(programme)
    release = xa.public_release(programme)
    assert outcomes.public and outcomes.associations is None and outcomes.time is None
    assert outcomes.missing["time"] == "why_public_time"
    assert outcomes.rates is not None
    for row in outcomes.rates.table.itertuples(index=False):
        assert release.outcomes[f"assessed/{row.outcome}"] == row.assessed
        assert release.outcomes[f"achieved/{row.outcome}"] == row.achieved
    hidden = {key.split("/")[1] for key, value in release.outcomes.items() if value is None}
    assert hidden and hidden.isdisjoint(set(outcomes.rates.table["outcome"]))
    assert hidden.isdisjoint(set(outcomes.funnel.table["outcome"]))


def test_without_outcomes(tmp_path: Path) -> None:
    config = write_programme(tmp_path, {"monthly": MONTHLY}, {"observed": DELETE})
    outcomes = xa.assess_outcomes(xa.load_programme(xa.load_config(config)))
    assert not outcomes.to_frame().set_index("part").drop(index="reference")["ran"].any()
    assert outcomes.missing["funnel"] == "why_no_persons"
    assert outcomes.key_findings().sentences == (
        "This run's data allow no analysis of outcomes.",)
    for part in ("funnel", "rates", "associations", "time"):
        assert outcomes.plot(part) is not None
