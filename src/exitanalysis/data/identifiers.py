"""Direct identifiers that must never enter a pseudonymous data set or a report: CPR
numbers, e-mail addresses, phone numbers, and names where an id is expected.

Used on every cell of the input tables (:mod:`.validation`) and on the config's free text
(:mod:`.config`), which reports publish. Nothing here prints a value.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

# A Danish CPR number: a date DDMMYY and four digits, however it is written: 0101901234,
# 010190-1234, 010190 1234, 010190–1234 (a dash from a word processor), 01 01 90 1234,
# 01.01.90-1234. Only a valid date makes it one, so case numbers like 202003-0001 pass.
_SEPARATOR = r"[ \t.\-/\u2010-\u2015]?"
_CPR = re.compile(rf"(?<!\d)(\d{{2}}){_SEPARATOR}(\d{{2}}){_SEPARATOR}(\d{{2}}){_SEPARATOR}"
                  r"\d{4}(?!\d)")
# A CPR number typed into a number cell loses its leading zero: nine digits.
_CPR_NUMBER = re.compile(r"^\d{9}$")
# Direct identifiers that are not pseudonyms.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?:\+|00)45[ \t.\-]?\d{2}(?:[ \t.\-]?\d{2}){3}(?!\d)"
                    r"|(?<!\d)\d{2}(?:[ .\-]\d{2}){3}(?!\d)")
_FULL_NAME = re.compile(r"^[A-ZÆØÅÄÖÜ][a-zæøåäöüéè'\-]+(?:\s+[A-ZÆØÅÄÖÜ][a-zæøåäöüéè'\-]+)+$")


def valid_date(y: int, m: int, d: int) -> bool:
    """Whether year, month and day make a calendar date."""
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def looks_like_cpr(value: str) -> bool:
    """Whether text contains a value shaped like a Danish CPR number (CONTRACT §3): a valid
    date DDMMYY and four digits, with or without separators, or nine digits that are one
    with its leading zero lost in a number cell."""
    if _CPR_NUMBER.match(value):
        value = "0" + value
    for match in _CPR.finditer(value):
        d, m, y = (int(g) for g in match.groups())
        if valid_date(2000 + y, m, d) or valid_date(1900 + y, m, d):
            return True
    return False


def direct_identifier(value: str) -> str | None:
    """The kind of direct identifier ``value`` holds (``cpr``, ``email``, ``phone``), if any:
    values that must never enter a pseudonymous data set."""
    if looks_like_cpr(value):
        return "cpr"
    if _EMAIL.search(value):
        return "email"
    if _PHONE.search(value):
        return "phone"
    return None


def identifier_kinds(frame: pd.DataFrame) -> pd.DataFrame:
    """The kind of direct identifier (:func:`direct_identifier`) in every text cell of
    ``frame``, ``None`` where there is none.

    Only a value with eight or more digits (a CPR or phone number) or an ``@`` (an e-mail
    address) can hold one: those are found in one vectorised pass (pyarrow's compute
    kernels), and :func:`direct_identifier` runs once per distinct such value. A table of a
    million persons is scanned in about a second instead of a Python call per cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kinds = pd.DataFrame(None, index=frame.index, columns=frame.columns, dtype=object)
    for position, column in enumerate(frame.columns):
        # Distinct values first: a date or category column holds a few thousand at most.
        codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
        texts = [(i, v) for i, v in enumerate(uniques) if isinstance(v, str)]
        if not texts:
            continue
        text = pa.array([v for _, v in texts], type=pa.string())
        could = pc.or_(pc.greater_equal(pc.count_substring_regex(text, r"\d"), 8),
                       pc.match_substring(text, "@"))
        kind_of = np.full(len(uniques), None, dtype=object)
        for (i, value), maybe in zip(texts, could.to_pylist(), strict=True):
            if maybe:
                kind_of[i] = direct_identifier(value)
        if not any(k is not None for k in kind_of):
            continue
        present = codes >= 0
        column_kinds = np.full(len(frame), None, dtype=object)
        column_kinds[present] = kind_of[codes[present]]
        kinds.iloc[:, position] = column_kinds
    return kinds


def looks_like_name(value: str) -> bool:
    """Whether an identifier looks like a person's full name (two or more capitalised
    words of letters only)."""
    return bool(_FULL_NAME.match(value))


__all__ = ["direct_identifier", "identifier_kinds", "looks_like_cpr", "looks_like_name",
           "valid_date"]
