"""Public reference figures: every row has a source and a status; the case figures are right."""

from __future__ import annotations

from pathlib import Path

import pytest

import exitanalysis as xa
from conftest import ROOT
from exitanalysis.data.public import PUBLIC_TABLES, STATUSES


@pytest.fixture(scope="module")
def public() -> xa.PublicData:
    return xa.load_public()


def test_every_table_every_row_has_source_and_status(public: xa.PublicData) -> None:
    assert set(public.tables) == set(PUBLIC_TABLES)
    for name, frame in public.tables.items():
        assert len(frame) > 0, name
        assert frame["source"].str.strip().ne("").all(), name
        assert frame["status"].isin(STATUSES).all(), name
        assert "measure" in frame.columns or name == "disclosure_thresholds", name


def test_case_figures_match_the_memo(public: xa.PublicData) -> None:
    # Source: Københavns Kommune, notat 09-01-2026 (data/public/sources/): "i alt inkludere
    # 465 borgere" and "kun været i kontakt med 64 personer".
    case = public["exitpakke_case"].set_index("fact")
    assert case.loc["target", "value"] == "465"
    assert case.loc["contacted_more_than_halfway", "value"] == "64"
    memo = (ROOT / "data/public/sources/notat-exit-tiltag-og-frit-lejde-2026-01-09.txt").read_text(
        encoding="utf-8")
    assert "inkludere 465 borgere" in memo and "64 personer" in memo


def test_prevalence_keeps_measures_apart(public: xa.PublicData) -> None:
    prevalence = public["prevalence_denmark"]
    annual_2020 = prevalence[(prevalence["period"] == "2020")]
    assert annual_2020["value"].tolist() == [4500]
    assert prevalence["measure"].nunique() == 3
    assert set(prevalence["qualifier"]) <= {"exact", "about", "just_under", "at_least"}


def test_catalogue_lists_every_file() -> None:
    catalogue = (ROOT / "data/public/CATALOGUE.md").read_text(encoding="utf-8")
    for name in PUBLIC_TABLES:
        assert f"`{name}.csv`" in catalogue


def test_a_row_without_source_is_refused(tmp_path: Path) -> None:
    for name in PUBLIC_TABLES:
        text = (ROOT / "data/public" / f"{name}.csv").read_text(encoding="utf-8")
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
    broken = tmp_path / "prevalence_denmark.csv"
    lines = broken.read_text(encoding="utf-8").splitlines()
    lines.append("2015,annual mapping count,all,2000,about,persons,,,verified")
    lines.append("2016,annual mapping count,all,2000,about,persons,,a source,rumoured")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(xa.InputError) as caught:
        xa.load_public(tmp_path)
    message = str(caught.value)
    assert "prevalence_denmark.csv: column 'source': every figure needs a source: row 9" in message
    assert "prevalence_denmark.csv: column 'status': expected one of: verified, secondary, " \
           "decision: row 10" in message
