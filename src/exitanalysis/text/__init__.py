"""Words and number formats for reports in English and Danish.

The words live in one catalogue file per language beside this module (``en.yaml``,
``da.yaml``), which a translator can correct without touching code; every label a report
shows is looked up with :func:`label`, so a Danish report has no English left. Numbers,
percentages, months and dates are written with Babel's CLDR formats for the reader's locale
(:data:`LOCALES`): ``1,234.5``, ``27%`` and ``1 January 2022`` in English; ``1.234,5``,
``27 %`` and ``1. januar 2022`` in Danish.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml
from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

Language = Literal["en", "da"]
#: The CLDR locale whose formats each report language uses.
LOCALES: Mapping[Language, str] = MappingProxyType({"en": "en_GB", "da": "da_DK"})
#: Where the catalogue files are: ``<language>.yaml``, one ``key: text`` per line.
CATALOGUE_DIR = Path(__file__).resolve().parent
#: What a missing number shows as.
MISSING = "–"


@functools.cache
def catalogue(language: Language) -> Mapping[str, str]:
    """Every report word of one language, as read from ``<language>.yaml``."""
    path = CATALOGUE_DIR / f"{language}.yaml"
    try:
        entries = yaml.load(path.read_text(encoding="utf-8"),
                            Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:  # an editor's slip: say where, and the usual cause
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ValueError(f"{path}: not a valid catalogue{where}; a text that holds ': ' or "
                         "starts with '{' must be in quotes") from None
    if not isinstance(entries, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in entries.items()):
        raise ValueError(f"{path}: expected one 'key: text' per line")
    return MappingProxyType(entries)


def label(key: str, language: Language = "en", **fields: object) -> str:
    """The report word for ``key``; unknown keys come back with underscores as spaces."""
    entry = catalogue(language).get(key)
    text = entry if entry is not None else key.replace("_", " ")
    return text.format(**fields) if fields else text


def has_label(key: str) -> bool:
    """Whether the catalogue knows ``key`` (a Danish report must not fall back to English)."""
    return key in catalogue("en")


def labels(language: Language) -> dict[str, str]:
    """Every report word of one language (for checks that no English is left)."""
    return dict(catalogue(language))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int, language: Language = "en", decimals: int = 0) -> str:
    """A number as a reader of ``language`` writes it: ``1,234.5`` or ``1.234,5``."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALES[language])


@functools.cache
def _percent_pattern(language: Language, decimals: int) -> str:
    """The locale's percent pattern (``#,##0%``; ``#,##0 %`` in Danish) with ``decimals``."""
    pattern = Locale.parse(LOCALES[language]).percent_formats[None].pattern
    if decimals > 0:
        pattern = re.sub(r"0(?=[^0#]*$)", "0." + "0" * decimals, pattern, count=1)
    return pattern


def percent(value: float, language: Language = "en", decimals: int = 0) -> str:
    """A share as per cent: ``27%`` in English, ``27,5 %`` in Danish with ``decimals=1``."""
    if _missing(value):
        return MISSING
    return format_percent(value, format=_percent_pattern(language, decimals),
                          locale=LOCALES[language])


def probability(value: float, language: Language = "en") -> str:
    """A probability for readers: per cent with one decimal, but ``below 1%`` and
    ``above 99%`` at the ends, where more digits would be false precision."""
    if _missing(value):
        return MISSING
    if value < 0.01:
        return label("below", language, value=percent(0.01, language))
    if value > 0.99:
        return label("above", language, value=percent(0.99, language))
    return percent(value, language, 1)


def rate(value: float, language: Language = "en") -> str:
    """A rate (persons a month): one decimal, ``2.8`` or ``2,8``."""
    return number(value, language, 1)


def p_value(value: float, language: Language = "en") -> str:
    """A p-value as a paper writes it: ``p = 0.391``, ``p < 0.001`` when smaller, and
    ``p > 0.999`` when larger (a boundary estimate gives exactly 1, which "p = 1.000"
    would overstate)."""
    if _missing(value):
        return MISSING
    if value < 0.001:
        return f"p < {number(0.001, language, 3)}"
    if value > 0.999:
        return f"p > {number(0.999, language, 3)}"
    return f"p = {number(value, language, 3)}"


def prior_label(prior: float | str, language: Language = "en") -> str:
    """A prior weight as a reader sees it: ``plan weight 0.5``, ``planvægt 0,5``; the
    hedging and accelerated priors in words. Never ``P``, which means a probability.

    Takes a number, a word, or a table key (``P = 0.5``).
    """
    if isinstance(prior, str) and prior.startswith("P = "):
        prior = float(prior[4:])
    if isinstance(prior, str):
        return label(prior, language)
    decimals = 0 if float(prior).is_integer() else len(f"{prior:g}".split(".")[1])
    return label("plan_weight_value", language, w=number(prior, language, decimals))


def month(value: str, language: Language = "en") -> str:
    """A month ``YYYY-MM`` in words: ``March 2020``, ``marts 2020``."""
    year, mon = value.split("-")
    return format_skeleton("yMMMM", dt.date(int(year), int(mon), 1), locale=LOCALES[language])


def date(value: dt.date, language: Language = "en") -> str:
    """A date in words: ``1 January 2022``, ``1. januar 2022``."""
    return format_date(value, "long", locale=LOCALES[language])


def month_of(value: dt.date, language: Language = "en", *, approximate: bool = False) -> str:
    """The month of a date in words, ``about`` it when the date is approximate:
    ``January 2022``, ``about January 2022``, ``omkring januar 2022``."""
    text = format_skeleton("yMMMM", value, locale=LOCALES[language])
    return label("about", language, when=text) if approximate else text


def quarter(year: int, q: int, language: Language = "en") -> str:
    """A quarter as the locale writes it: ``Q1 2020``, ``1. kvt. 2020``."""
    return label("quarter_value", language, q=q, year=year)


def file_format(kind: str, encoding: str | None, separator: str | None,
                language: Language = "en") -> str:
    """A detected file format in words: ``CSV, Windows-1252, ';'-separated``."""
    if kind != "csv":
        return kind
    names = {"utf-8": "UTF-8", "utf-8-sig": label("utf8_bom", language),
             "cp1252": "Windows-1252", "utf-16": "UTF-16"}
    sep = label("tab", language) if separator == "\t" else f"'{separator}'"
    return f"CSV, {names.get(encoding or '', encoding or '')}, " + label(
        "separated_by", language, sep=sep)


__all__ = ["CATALOGUE_DIR", "LOCALES", "MISSING", "Language", "catalogue", "date",
           "file_format", "has_label", "label", "labels", "month", "month_of", "number", "p_value",
           "percent", "prior_label", "probability", "quarter", "rate"]
