"""Words and number formats for reports in English and Danish.

One catalogue, so a Danish report has no English label left: every label a report shows is
looked up here with :func:`label`, and every number is written with :func:`number`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

Language = Literal["en", "da"]

_LABELS: dict[str, dict[str, str]] = {
    # contact channels
    "street_outreach": {"en": "street outreach", "da": "gadeopsøgende arbejde"},
    "venue_outreach": {"en": "venue outreach", "da": "opsøgende arbejde på klinikker og barer"},
    "online_outreach": {"en": "online outreach", "da": "online opsøgende arbejde"},
    "drop_in": {"en": "drop-in", "da": "væresteder (drop-in)"},
    "municipal_referral": {"en": "municipal referral", "da": "henvist af kommunen"},
    "partner_referral": {"en": "partner referral", "da": "henvist af en partner"},
    "health_service": {"en": "health service", "da": "sundhedstilbud"},
    "self_referral": {"en": "self-referral", "da": "selvhenvendelse"},
    "other": {"en": "other", "da": "andet"},
    "unknown": {"en": "unknown", "da": "ukendt"},
    # sales channels
    "street": {"en": "street", "da": "gaden"},
    "venue": {"en": "venue (clinic, massage, bar)", "da": "klinik, massage, bar"},
    "online": {"en": "online", "da": "online"},
    # tables
    "persons": {"en": "persons", "da": "personer"},
    "activities": {"en": "activities", "da": "aktiviteter"},
    "outcomes": {"en": "outcomes", "da": "resultater"},
    "referrals": {"en": "referrals", "da": "henvisninger"},
    "monthly": {"en": "monthly counts", "da": "månedlige tal"},
    # axis and legend words
    "total": {"en": "Total", "da": "I alt"},
    "month": {"en": "Month", "da": "Måned"},
    "quarter": {"en": "Quarter", "da": "Kvartal"},
    "table": {"en": "Table", "da": "Tabel"},
    "organisation": {"en": "Organisation", "da": "Organisation"},
    "contact_channel": {"en": "Contact channel", "da": "Kontaktvej"},
    "sales_channel": {"en": "Where the person sells", "da": "Hvor personen sælger"},
    "persons_first_contacted": {
        "en": "Persons first contacted (per month)",
        "da": "Personer i første kontakt (pr. måned)",
    },
    "rows_per_quarter": {"en": "Rows per quarter", "da": "Rækker pr. kvartal"},
    "title_contacts_by": {
        "en": "Persons first contacted each month, by {by}",
        "da": "Personer i første kontakt hver måned, efter {by}",
    },
    "title_coverage": {
        "en": "What each input table covers, by quarter",
        "da": "Hvad hver inputtabel dækker, pr. kvartal",
    },
    # report pages
    "reports": {"en": "Reports", "da": "Rapporter"},
    "data_in_run": {"en": "Data in this run", "da": "Data i denne kørsel"},
    "early_warning": {"en": "Early warning", "da": "Tidlig varsling"},
    "run": {"en": "Run", "da": "Kørsel"},
    "target": {"en": "Target", "da": "Mål"},
    "period": {"en": "Period", "da": "Periode"},
    "file": {"en": "File", "da": "Fil"},
    "rows": {"en": "Rows", "da": "Rækker"},
    "synthetic": {"en": "Synthetic", "da": "Syntetisk"},
    "yes": {"en": "yes", "da": "ja"},
    "no": {"en": "no", "da": "nej"},
    "contacted": {"en": "contacted", "da": "i kontakt"},
    "included": {"en": "included", "da": "inkluderet"},
    "first_figure": {"en": "first figure", "da": "første figur"},
    "all_reports": {"en": "← All reports", "da": "← Alle rapporter"},
    "forecast_not_run": {
        "en": "not computed in this run (the recruitment forecast is not part of it yet)",
        "da": "ikke beregnet i denne kørsel (prognosen for rekruttering er ikke en del af den "
              "endnu)",
    },
    "synthetic_report": {
        "en": "Built from SYNTHETIC data: the numbers describe no real person and must not be "
              "read as results for the programme.",
        "da": "Bygget på SYNTETISKE data: tallene beskriver ingen virkelige personer og må ikke "
              "læses som resultater for programmet.",
    },
    "synthetic_mark": {
        "en": "SYNTHETIC DATA – not real persons",
        "da": "SYNTETISKE DATA – ikke virkelige personer",
    },
}


def label(key: str, language: Language = "en", **fields: object) -> str:
    """The report word for ``key``; unknown keys come back with underscores as spaces."""
    entry = _LABELS.get(key)
    text = entry[language] if entry else key.replace("_", " ")
    return text.format(**fields) if fields else text


def number(value: float | int, language: Language = "en", decimals: int = 0) -> str:
    """A number as a reader of ``language`` writes it: ``1,234.5`` or ``1.234,5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def date(value: dt.date, language: Language = "en") -> str:
    """A date as ``2022-01-01`` (English reports) or ``1. januar 2022`` (Danish)."""
    if language == "da":
        months = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
                  "september", "oktober", "november", "december")
        return f"{value.day}. {months[value.month - 1]} {value.year}"
    return value.isoformat()
