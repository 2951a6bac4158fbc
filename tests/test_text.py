"""The words and formats of reports: two catalogues that agree, and CLDR's number and date
formats for each language."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest
import yaml

from exitanalysis.text import (
    CATALOGUE_DIR,
    catalogue,
    date,
    label,
    labels,
    month,
    month_of,
    number,
    percent,
    prior_label,
    probability,
    quarter,
)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_the_same_fields() -> None:
    english, danish = catalogue("en"), catalogue("da")
    assert list(english) == list(danish)  # same keys, same order: a translator reads both
    assert len(english) > 150
    differ = {key: (_fields(english[key]), _fields(danish[key])) for key in english
              if _fields(english[key]) != _fields(danish[key])}
    assert differ == {}


def test_the_catalogue_files_are_plain_key_text_pairs() -> None:
    for language in ("en", "da"):
        text = (CATALOGUE_DIR / f"{language}.yaml").read_text(encoding="utf-8")
        entries = yaml.safe_load(text)
        assert all(isinstance(k, str) and isinstance(v, str) and v.strip()
                   for k, v in entries.items())
        # A key given twice would silently keep the last: count the lines that define one.
        keys = [line.split(":", 1)[0].strip("'\"") for line in text.splitlines()
                if line and not line.startswith(("#", " "))]
        assert len(keys) == len(set(keys)) == len(entries), language


def test_a_label_fills_its_fields_and_an_unknown_key_reads_as_words() -> None:
    assert label("rule_never", "da", month="marts 2022") == (
        "Den varslede ikke frem til marts 2022.")
    assert label("no_such_key") == "no such key"


# Expected strings: CLDR 49 (Babel 2.19) for en_GB and da_DK: the number, percent and date
# patterns of those locales (decimal and grouping signs, the space before % in Danish, the
# "long" date and the yMMMM month). Exact: these are the strings a reader sees.
@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["1,234.5", "64", "28%", "27.5%", "1 January 2022", "March 2020"]),
    ("da", ["1.234,5", "64", "28\u00a0%", "27,5\u00a0%", "1. januar 2022", "marts 2020"]),
])
def test_numbers_and_dates_in_the_readers_locale(language, expected) -> None:
    assert [number(1234.5, language, 1), number(64, language), percent(0.275, language),
            percent(0.275, language, 1), date(dt.date(2022, 1, 1), language),
            month("2020-03", language)] == expected


def test_probabilities_and_prior_weights_for_readers() -> None:
    # Issue 10: no false precision at the ends, and P never names a prior weight.
    assert probability(3e-39) == "below 1%" and probability(3e-39, "da") == "under 1\u00a0%"
    assert probability(0.0099) == "below 1%" and probability(0.01) == "1.0%"
    assert probability(1 - 1e-9) == "above 99%"
    assert probability(0.1234, "da") == "12,3\u00a0%"
    assert prior_label(0.25, "da") == "planvægt 0,25"
    assert prior_label("P = 0.5") == "plan weight 0.5"
    assert month_of(dt.date(2022, 1, 1), "da", approximate=True) == "omkring januar 2022"
    assert quarter(2020, 1, "da") == "1. kvt. 2020" and quarter(2020, 1) == "Q1 2020"
    assert prior_label("hedging", "da") == label("hedging", "da")
    assert number(float("nan")) == percent(None) == probability(float("nan")) == "–"  # type: ignore[arg-type]


#: Variants of the fixed Danish terms (docs/terms.md) that a committee misread.
NOT_DANISH_TERMS = (r"\brate\b", r"\brater\b", r"[Aa]f sporet", r"afdækkende", r"låner styrke",
                    r"[Gg]enafspil", r"[Tt]empo-regel", r"[Mm]anglende rekruttering",
                    r"først have varslet", r"95 % interval", r"\d{4}Q\d")


def test_danish_uses_the_fixed_terms() -> None:
    import json

    from conftest import ROOT

    texts = {f"da.yaml: {k}": v for k, v in labels("da").items()}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if "lang-da" in cell["metadata"].get("tags", []):
                texts[f"{path.name} cell {i}"] = "".join(cell["source"])
    words = {where: re.sub(r"\{\w+\}", "", text) for where, text in texts.items()}  # no {fields}
    found = [(where, pattern) for where, text in words.items() for pattern in NOT_DANISH_TERMS
             if re.search(pattern, text)]
    assert found == []
    # The check can fail: an old wording is caught.
    assert re.search(NOT_DANISH_TERMS[2], "Af sporet: sandsynligheden ...")
