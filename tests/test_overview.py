"""The data overview: counts that add up, sentences computed from them, marked figures."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # this test process only; notebook kernels use the inline backend

import pandas as pd
import pytest

import exitanalysis as xa
from exitanalysis.errors import format_rows
from exitanalysis.figures.style import is_marked_synthetic
from exitanalysis.text import number
from helpers import MONTHLY, tables, write_programme


@pytest.fixture
def overview(tmp_path: Path) -> xa.DataOverview:
    config = xa.load_config(write_programme(tmp_path))
    return xa.data_overview(xa.load_programme(config))


def test_counts_add_up(overview: xa.DataOverview) -> None:
    contacts = overview.contacts
    assert overview.persons_contacted == 6 and overview.persons_included == 4
    months = contacts["month"].unique().tolist()
    assert months[0] == "2020-01" and months[-1] == "2022-06"  # every month up to as_of
    assert len(months) == 30
    table = overview.crosstab()
    assert table.loc["Total", "Total"] == 6
    assert table.loc["Reden København", "Total"] == 3
    assert table.loc["Liva Rehab", "self-referral"] == 1
    coverage = overview.coverage.groupby("table")["rows"].sum()
    assert coverage.to_dict() == {"activities": 5, "outcomes": 3, "persons": 6, "referrals": 3}


def test_summary_sentences(overview: xa.DataOverview) -> None:
    text = overview.summary()
    assert "Up to 10 June 2022, 6 persons were first contacted; 4 of them were included." in text
    assert "Published figure: 5 contacted by 1 January 2022." in text
    assert "SYNTHETIC" not in text
    assert overview._repr_html_().startswith("<p>")


def test_overview_from_monthly_counts(tmp_path: Path) -> None:
    config = xa.load_config(write_programme(tmp_path, {"monthly": MONTHLY}))
    overview = xa.data_overview(xa.load_programme(config), language="da")
    assert overview.persons_contacted == 10 and overview.persons_included == 6
    assert set(overview.contacts["sales_channel"]) == {"unknown"}
    assert "Frem til 31. marts 2020 var 10 personer i første kontakt" in overview.summary()


@pytest.mark.parametrize("by", ["organisation", "contact_channel", "sales_channel"])
def test_plots_have_titles_labels_and_the_synthetic_mark(overview: xa.DataOverview,
                                                         by: str) -> None:
    ax = overview.plot(by=by)
    assert ax.get_title() and ax.get_xlabel() == "Month" and ax.get_ylabel()
    assert not is_marked_synthetic(ax.figure)
    marked = xa.DataOverview(**{**overview.__dict__, "synthetic": True})
    assert is_marked_synthetic(marked.plot(by=by).figure)
    assert is_marked_synthetic(marked.plot_coverage().figure)


def test_save_figure_marks_and_writes_stable_files(overview: xa.DataOverview,
                                                   tmp_path: Path) -> None:
    ax = overview.plot()
    xa.save_figure(ax.figure, "contacts", tmp_path / "a", synthetic=True)
    assert is_marked_synthetic(ax.figure)
    xa.save_figure(ax.figure, "contacts", tmp_path / "b", synthetic=True)
    for suffix in (".png", ".svg"):
        assert (tmp_path / "a" / f"contacts{suffix}").read_bytes() == \
            (tmp_path / "b" / f"contacts{suffix}").read_bytes()
    xa.save_figure(ax.figure, "contacts", None, synthetic=False)  # interactive: no files
    with pytest.raises(ValueError, match="named by content"):
        xa.save_figure(ax.figure, "Contacts by month!", tmp_path, synthetic=False)


def test_save_table_defuses_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"label": ["=HYPERLINK(1)", "+1", "plain"], "n": [-1, 2, 3]})
    xa.save_table(frame, "t", tmp_path)
    text = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text == "label,n\n'=HYPERLINK(1),-1\n'+1,2\nplain,3\n"


def test_number_and_row_formats() -> None:
    assert number(1234.5, "en", 1) == "1,234.5"
    assert number(1234.5, "da", 1) == "1.234,5"
    assert number(465, "da") == "465"
    assert format_rows([2, 3, 4, 9]) == "rows 2-4, 9"
    assert format_rows([7]) == "row 7"
    assert format_rows(range(2, 100, 2)).endswith("(49 rows in all)")


def test_tables_helper_is_valid(tmp_path: Path) -> None:
    assert xa.load_programme(xa.load_config(write_programme(tmp_path, tables())))
