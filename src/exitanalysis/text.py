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
    # recruitment
    "date": {"en": "Date", "da": "Dato"},
    "cumulative_included": {"en": "Persons included (cumulative)",
                            "da": "Inkluderede personer (kumuleret)"},
    "cumulative_contacted": {"en": "Persons contacted (cumulative)",
                             "da": "Personer i kontakt (kumuleret)"},
    "observed": {"en": "observed", "da": "observeret"},
    "steady_assumed": {"en": "steady pace consistent with the published figure (assumed)",
                       "da": "jævnt tempo svarende til det offentliggjorte tal (antaget)"},
    "published_figure": {"en": "published figure", "da": "offentliggjort tal"},
    "forecast_median": {"en": "forecast (median)", "da": "prognose (median)"},
    "band_95": {"en": "95 % predictive interval", "da": "95 % prædiktionsinterval"},
    "band_50": {"en": "50 % predictive interval", "da": "50 % prædiktionsinterval"},
    "target_line": {"en": "target", "da": "mål"},
    "plan_line": {"en": "planned pace", "da": "planlagt tempo"},
    "closed_span": {"en": "closed", "da": "lukket"},
    "title_fan": {"en": "Recruitment so far and forecast to the end of the period",
                  "da": "Rekruttering indtil nu og prognose til periodens slutning"},
    "p_reach": {"en": "P(reach target)", "da": "P(målet nås)"},
    "pace_ratio": {"en": "pace (share of plan)", "da": "tempo (andel af plan)"},
    "warning_threshold": {"en": "warning threshold", "da": "varslingsgrænse"},
    "first_warning": {"en": "first warning", "da": "første varsel"},
    "pace_rule": {"en": "pace rule", "da": "tempo-regel"},
    "title_replay": {"en": "When would monitoring have warned? P(reach target) month by month",
                     "da": "Hvornår ville overvågning have varslet? P(målet nås) måned for måned"},
    "probability": {"en": "Probability", "da": "Sandsynlighed"},
    "rate_per_month": {"en": "Persons per month", "da": "Personer pr. måned"},
    "partner_rate": {"en": "rate (95 % interval)", "da": "rate (95 % interval)"},
    "observed_rate": {"en": "observed rate", "da": "observeret rate"},
    "planned_share": {"en": "planned rate per partner", "da": "planlagt rate pr. partner"},
    "title_partners": {"en": "Recruitment rate by partner (Poisson–Gamma model)",
                       "da": "Rekrutteringsrate pr. partner (Poisson–Gamma-model)"},
    "final_count": {"en": "Persons by the end of the period",
                    "da": "Personer ved periodens slutning"},
    "model_poisson-gamma": {"en": "Poisson (steady months)", "da": "Poisson (jævne måneder)"},
    "model_negative-binomial": {"en": "Negative binomial (clustered months)",
                                "da": "Negativ binomial (ujævne måneder)"},
    "title_models": {"en": "How sure? The final count under two models",
                     "da": "Hvor sikkert? Slutantallet under to modeller"},
    "planned_rate": {"en": "planned", "da": "planlagt"},
    "observed_rate_bar": {"en": "observed so far", "da": "observeret indtil nu"},
    "required_rate": {"en": "required from now on", "da": "nødvendig fremover"},
    "title_required": {"en": "What it would take: persons per month",
                       "da": "Hvad der skulle til: personer pr. måned"},
    "status_on_track": {"en": "On track", "da": "På sporet"},
    "status_at_risk": {"en": "At risk", "da": "I risiko"},
    "status_off_track": {"en": "Off track", "da": "Af sporet"},
    "status_sentence": {
        "en": "{status}: the probability of reaching {target} by {end} is {p} "
              "({recruited} {measure} so far).",
        "da": "{status}: sandsynligheden for at nå {target} inden {end} er {p} "
              "({recruited} {measure} indtil nu).",
    },
    "status_first_warning": {
        "en": "A monitoring rule (P below {threshold}) would first have warned in {month}.",
        "da": "En overvågningsregel (P under {threshold}) ville først have varslet i {month}.",
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
