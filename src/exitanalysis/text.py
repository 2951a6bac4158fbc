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
    "drop_in": {"en": "drop-in", "da": "væresteder"},
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
    # public reference tables
    "exitpakke_case": {"en": "the Exitpakke case", "da": "Exitpakke-sagen"},
    "prevalence_denmark": {"en": "people selling sex in Denmark",
                           "da": "personer, der sælger sex i Danmark"},
    "comparable_programmes": {"en": "comparable programmes", "da": "sammenlignelige programmer"},
    "disclosure_thresholds": {"en": "minimum cell sizes", "da": "mindste celleværdier"},
    # table columns
    "path": {"en": "File", "da": "Fil"},
    "file_format": {"en": "Format", "da": "Format"},
    "synthetic_rows": {"en": "Synthetic rows", "da": "Syntetiske rækker"},
    "sha256": {"en": "SHA-256", "da": "SHA-256"},
    "as_of": {"en": "As of", "da": "Pr."},
    "source": {"en": "Source", "da": "Kilde"},
    "columns": {"en": "Columns", "da": "Kolonner"},
    "rules_checked": {"en": "Rules checked", "da": "Kontrollerede regler"},
    "date_formats": {"en": "Date formats", "da": "Datoformater"},
    "problems": {"en": "Problems", "da": "Problemer"},
    "verified": {"en": "Verified", "da": "Verificeret"},
    "secondary": {"en": "Secondary source", "da": "Sekundær kilde"},
    "decision": {"en": "Project decision", "da": "Projektbeslutning"},
    "persons_count": {"en": "Persons", "da": "Personer"},
    "prior": {"en": "Prior", "da": "Prior"},
    "effective_prior_weight": {"en": "Prior weight used", "da": "Anvendt priorvægt"},
    "p_reach_target": {"en": "P(reach target)", "da": "P(målet nås)"},
    "final_mean": {"en": "Expected at the end", "da": "Forventet ved slutningen"},
    "final_q025": {"en": "End, 2.5 %", "da": "Slut, 2,5 %"},
    "final_q05": {"en": "End, 5 %", "da": "Slut, 5 %"},
    "final_q50": {"en": "End, median", "da": "Slut, median"},
    "final_q95": {"en": "End, 95 %", "da": "Slut, 95 %"},
    "final_q975": {"en": "End, 97.5 %", "da": "Slut, 97,5 %"},
    "time_to_target_q50": {"en": "Target reached (month, median)",
                           "da": "Mål nået (måned, median)"},
    "share": {"en": "Share of the period", "da": "Andel af perioden"},
    "elapsed": {"en": "Months elapsed", "da": "Forløbne måneder"},
    "observed_rate_col": {"en": "Observed per month", "da": "Observeret pr. måned"},
    "required_rate_col": {"en": "Required per month", "da": "Nødvendigt pr. måned"},
    "model": {"en": "Model", "da": "Model"},
    "partner": {"en": "Partner", "da": "Partner"},
    "recruited": {"en": "Recruited", "da": "Rekrutteret"},
    "exposure": {"en": "Months with exposure", "da": "Måneder med eksponering"},
    "rate": {"en": "Rate per month", "da": "Rate pr. måned"},
    "rate_low": {"en": "95 % interval, low", "da": "95 % interval, nedre"},
    "rate_high": {"en": "95 % interval, high", "da": "95 % interval, øvre"},
    "at_months": {"en": "After months", "da": "Efter måneder"},
    "limit": {"en": "Limit (share of plan)", "da": "Grænse (andel af plan)"},
    "fired": {"en": "Fired", "da": "Udløst"},
    # category values
    "poisson-gamma": {"en": "Poisson (steady months)", "da": "Poisson (jævne måneder)"},
    "negative-binomial": {"en": "Negative binomial (clustered months)",
                          "da": "Negativ binomial (ujævne måneder)"},
    "partners": {"en": "Sum over partners (data only)", "da": "Sum over partnere (kun data)"},
    "hedging": {"en": "hedging", "da": "afdækkende prior"},
    "accelerated": {"en": "accelerated", "da": "accelereret"},
    "table_of_contents": {"en": "Contents", "da": "Indhold"},
    "run_block": {"en": "About this run", "da": "Om denne kørsel"},
    "run_date": {"en": "Run date", "da": "Kørselsdato"},
    "commit": {"en": "Commit", "da": "Commit"},
    "parameters": {"en": "Parameters", "da": "Parametre"},
    "versions": {"en": "Package versions", "da": "Pakkeversioner"},
    "inputs": {"en": "Inputs", "da": "Input"},
    "audience": {"en": "Audience", "da": "Målgruppe"},
    "language": {"en": "Language", "da": "Sprog"},
    "internal": {"en": "internal", "da": "intern"},
    "public": {"en": "public", "da": "offentlig"},
    "suppressed_note": {
        "en": "Counts of fewer than {k} persons are not shown (nor any that would reveal them).",
        "da": "Antal under {k} personer vises ikke (heller ikke tal, der ville afsløre dem).",
    },
    "figure_alt_generic": {"en": "Figure: {title}. {x}; {y}.", "da": "Figur: {title}. {x}; {y}."},
    # sentences of the recruitment report
    "headline_progress": {
        "en": "{m} persons {measure} after {t} of {T} months ({share} of the period), "
              "against a target of {n} included.",
        "da": "{m} personer {measure} efter {t} af {T} måneder ({share} af perioden) mod et "
              "mål på {n} inkluderede.",
    },
    "contacts_upper_bound": {
        "en": "Contacts are an upper bound for inclusions, so this is the most favourable "
              "reading of the programme's progress.",
        "da": "Kontakter er en øvre grænse for inklusioner, så dette er den mest gunstige "
              "læsning af programmets fremdrift.",
    },
    "headline_pace": {
        "en": "Pace: {pace} of plan. Probability of reaching {n} by {end}: {p} ({prior}).",
        "da": "Tempo: {pace} af planen. Sandsynlighed for at nå {n} inden {end}: {p} ({prior}).",
    },
    "headline_expected": {
        "en": "Expected by the end: {mean} (95 % interval {low} to {high}).",
        "da": "Forventet ved slutningen: {mean} (95 % interval {low} til {high}).",
    },
    "headline_required": {
        "en": "To reach the target, {required} persons a month are needed from now on: "
              "{multiple} times the {observed} a month so far (the plan assumed {planned}).",
        "da": "For at nå målet skal der fremover {required} personer til om måneden: "
              "{multiple} gange de {observed} om måneden indtil nu (planen forudsatte "
              "{planned}).",
    },
    "headline_reached": {
        "en": "At the rate seen so far, {n} would be reached around {when} (median), {times} "
              "times the planned period.",
        "da": "Med det hidtidige tempo ville {n} blive nået omkring {when} (median), {times} "
              "gange den planlagte periode.",
    },
    "parts_synthetic": {
        "en": "Parts of this assessment rest on SYNTHETIC data and describe no real programme.",
        "da": "Dele af denne vurdering bygger på SYNTETISKE data og beskriver intet virkeligt "
              "program.",
    },
    "synthetic_prefix": {"en": "SYNTHETIC data: ", "da": "SYNTETISKE data: "},
    "replay_assumed": {
        "en": "Replayed under the assumption of steady recruitment consistent with the "
              "published figure (no monthly data were used).",
        "da": "Genafspillet under antagelse af jævn rekruttering svarende til det "
              "offentliggjorte tal (der er ikke brugt månedlige data).",
    },
    "replay_never": {
        "en": "P(reach target) never fell below {threshold} ({prior}).",
        "da": "P(målet nås) faldt aldrig under {threshold} ({prior}).",
    },
    "replay_first": {
        "en": "A rule warning when P(reach target) falls below {threshold} would first have "
              "warned in {month} ({prior}).",
        "da": "En regel, der varsler, når P(målet nås) falder under {threshold}, ville først "
              "have varslet i {month} ({prior}).",
    },
    "replay_before_closure_range": {
        "en": "That is {low} to {high} months before the programme was closed, time in which "
              "it could have been redirected.",
        "da": "Det er {low} til {high} måneder før programmet blev lukket – tid, hvor det "
              "kunne være lagt om.",
    },
    "replay_before_closure": {
        "en": "That is {low} months before the programme was closed.",
        "da": "Det er {low} måneder før programmet blev lukket.",
    },
    "pace_rule_result": {
        "en": "Pace rule (below {limit} of plan after {at} months): {verdict}; pace was {pace} "
              "in {month}.",
        "da": "Tempo-regel (under {limit} af planen efter {at} måneder): {verdict}; tempoet "
              "var {pace} i {month}.",
    },
    "rule_fired": {"en": "fired", "da": "udløst"},
    "rule_not_fired": {"en": "did not fire", "da": "ikke udløst"},
    "models_summary": {
        "en": "Monthly counts vary {ratio} times as much as a Poisson process allows "
              "(dispersion k = {k}). The 95 % interval of the final count is {p_low}–{p_high} "
              "under the Poisson model and {o_low}–{o_high} allowing for clustered months.",
        "da": "De månedlige tal varierer {ratio} gange så meget, som en Poisson-proces "
              "tillader (dispersion k = {k}). 95 %-intervallet for slutantallet er "
              "{p_low}–{p_high} under Poisson-modellen og {o_low}–{o_high}, når månederne må "
              "variere.",
    },
    "models_explained": {
        "en": "The Poisson model assumes recruits arrive independently at a steady rate; "
              "outreach work comes in clusters (a good month at a venue, a closed month), so "
              "the negative-binomial interval is the honest one when the months vary.",
        "da": "Poisson-modellen antager, at deltagerne kommer uafhængigt i et jævnt tempo; "
              "opsøgende arbejde kommer i klumper (en god måned på en klinik, en lukket "
              "måned), så det negative binomiale interval er det ærlige, når månederne "
              "varierer.",
    },
    "models_none": {
        "en": "There are no monthly case data, so clustering of recruitment in time cannot be "
              "estimated.",
        "da": "Der er ingen månedlige data på personniveau, så klumpning af rekrutteringen "
              "over tid kan ikke vurderes.",
    },
    "partners_header": {
        "en": "Partner rates (Poisson–Gamma, α = {alpha}, β = {beta}):",
        "da": "Partnernes rater (Poisson–Gamma, α = {alpha}, β = {beta}):",
    },
    "partner_line": {
        "en": "{name}: {rate} a month (95 % {low} to {high}), {k} recruited in {tau} months.",
        "da": "{name}: {rate} om måneden (95 % {low} til {high}), {k} rekrutteret på {tau} "
              "måneder.",
    },
    "partner_line_suppressed": {
        "en": "{name}: not shown (small counts are protected).",
        "da": "{name}: vises ikke (små tal beskyttes).",
    },
    "partners_equal": {
        "en": "The partners do not differ more than chance allows (α at its bound).",
        "da": "Partnerne adskiller sig ikke mere, end tilfældet tillader (α ved sin grænse).",
    },
    "partners_sum": {
        "en": "Summed over the partners (their data only, without the plan as a prior): "
              "{mean} expected by the end (95 % interval {low} to {high}).",
        "da": "Summeret over partnerne (kun deres data, uden planen som prior): {mean} "
              "forventet ved slutningen (95 % interval {low} til {high}).",
    },
    "partners_none": {"en": "There are no case data by organisation.",
                      "da": "Der er ingen data pr. organisation."},
    "sens_prior": {"en": "P(reach target) {range} across the prior weights.",
                   "da": "P(målet nås) {range} på tværs af priorvægtene."},
    "sens_snapshot": {
        "en": "If the published figure was taken anywhere between {low} and {high} of the "
              "period, P(reach target) {range}. {conclusion}",
        "da": "Hvis det offentliggjorte tal blev opgjort et sted mellem {low} og {high} af "
              "perioden, gælder: P(målet nås) {range}. {conclusion}",
    },
    "range_below": {"en": "is below {p} throughout", "da": "er under {p} overalt"},
    "range_from_to": {"en": "ranges from {low} to {high}", "da": "ligger mellem {low} og {high}"},
    "conclusion_same": {"en": "The conclusion does not depend on the exact date.",
                        "da": "Konklusionen afhænger ikke af den præcise dato."},
    "conclusion_differs": {"en": "The conclusion depends on the date.",
                           "da": "Konklusionen afhænger af datoen."},
    "case_replay_same": {"en": "The replay above already uses the case data.",
                         "da": "Genafspilningen ovenfor bruger allerede data på personniveau."},
    "case_replay_intro": {"en": "With the monthly case data ({basis}):",
                          "da": "Med de månedlige data på personniveau ({basis}):"},
    "basis_persons": {"en": "persons table, {measure} by {dated} date",
                      "da": "persontabellen, {measure} efter {dated}dato"},
    "dated_inclusion": {"en": "inclusion", "da": "inklusions"},
    "dated_first_contact": {"en": "first contact", "da": "første kontakt-"},
    "basis_monthly": {"en": "monthly table, {measure}", "da": "månedstabellen, {measure}"},
    "basis_snapshot": {
        "en": "published figure: {count} {measure} by {date} ({source}); months assumed steady",
        "da": "offentliggjort tal: {count} {measure} pr. {date} ({source}); jævne måneder "
              "antaget",
    },
    "fewer_than": {"en": "fewer than {k}", "da": "færre end {k}"},
    # sentences of the data overview
    "overview_synthetic": {
        "en": "SYNTHETIC DATA: the case-level tables are generated and describe no real person.",
        "da": "SYNTETISKE DATA: tabellerne på personniveau er genererede og beskriver ingen "
              "virkelige personer.",
    },
    "overview_programme": {
        "en": "{name}: target {target} persons included over {start} to {end}.",
        "da": "{name}: mål {target} inkluderede personer i perioden {start} til {end}.",
    },
    "overview_tables": {
        "en": "This run uses {tables} tables, each validated with no problems.",
        "da": "Kørslen bruger {tables} tabeller, alle valideret uden fejl.",
    },
    "overview_contacts": {
        "en": "Up to {as_of}, {contacted} persons were first contacted; {included} of them were "
              "included.",
        "da": "Frem til {as_of} var {contacted} personer i første kontakt; {included} af dem "
              "blev inkluderet.",
    },
    "overview_published": {"en": "Published figure: {count} {what} by {as_of}.",
                           "da": "Offentliggjort tal: {count} {what} pr. {as_of}."},
    "utf8_bom": {"en": "UTF-8 with BOM", "da": "UTF-8 med BOM"},
    "tab": {"en": "tab", "da": "tabulator"},
    "separated_by": {"en": "{sep}-separated", "da": "{sep}-separeret"},
    "suppressed_symbol": {"en": "..", "da": ".."},
    "suppressed_segment": {"en": "not shown (protects counts below {k})",
                           "da": "vises ikke (beskytter tal under {k})"},
    "persons_per_quarter": {"en": "Persons first contacted (per quarter)",
                            "da": "Personer i første kontakt (pr. kvartal)"},
    "persons_per_year": {"en": "Persons per year", "da": "Personer pr. år"},
    "year": {"en": "Year", "da": "År"},
    "title_contacts_by_quarter": {
        "en": "Persons first contacted each quarter, by {by}",
        "da": "Personer i første kontakt hvert kvartal, efter {by}",
    },
    "title_coverage_public": {
        "en": "Persons in each input table, by year",
        "da": "Personer i hver inputtabel, pr. år",
    },
    # alt text of figures
    "alt_contacts": {
        "en": "Stacked bar chart of persons first contacted each month from {first} to {last}, "
              "by {by}. In all: {totals}.",
        "da": "Stablet søjlediagram over personer i første kontakt hver måned fra {first} til "
              "{last}, efter {by}. I alt: {totals}.",
    },
    "alt_coverage": {
        "en": "Heat map of rows per quarter for the tables {tables}, from {first} to {last}.",
        "da": "Varmekort over rækker pr. kvartal for tabellerne {tables}, fra {first} til "
              "{last}.",
    },
    "alt_fan": {
        "en": "Line chart of cumulative recruitment: {m} {measure} by {date}. Forecast for "
              "{end}: median {median} (95 % interval {low} to {high}). Target {n}.",
        "da": "Kurve over kumuleret rekruttering: {m} {measure} pr. {date}. Prognose for "
              "{end}: median {median} (95 % interval {low} til {high}). Mål {n}.",
    },
    "alt_replay": {
        "en": "Line chart of the probability of reaching the target, month by month, for the "
              "prior weights {priors}. Warning threshold {threshold}; first warning {first}.",
        "da": "Kurver over sandsynligheden for at nå målet, måned for måned, for priorvægtene "
              "{priors}. Varslingsgrænse {threshold}; første varsel {first}.",
    },
    "alt_partners": {
        "en": "Recruitment rate per month by partner with 95 % intervals: {rates}.",
        "da": "Rekrutteringsrate pr. måned pr. partner med 95 % intervaller: {rates}.",
    },
    "alt_models": {
        "en": "95 % intervals of the final count: {intervals}. Target {n}.",
        "da": "95 %-intervaller for slutantallet: {intervals}. Mål {n}.",
    },
    "alt_required": {
        "en": "Bar chart of persons per month: planned {planned}, observed so far {observed}, "
              "required from now on {required}.",
        "da": "Søjlediagram over personer pr. måned: planlagt {planned}, observeret indtil nu "
              "{observed}, nødvendigt fremover {required}.",
    },
    "none_yet": {"en": "none", "da": "intet"},
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


def has_label(key: str) -> bool:
    """Whether the catalogue knows ``key`` (a Danish report must not fall back to English)."""
    return key in _LABELS


def labels(language: Language) -> dict[str, str]:
    """Every report word of one language (for checks that no English is left)."""
    return {key: entry[language] for key, entry in _LABELS.items()}


def number(value: float | int, language: Language = "en", decimals: int = 0) -> str:
    """A number as a reader of ``language`` writes it: ``1,234.5`` or ``1.234,5``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if language == "da":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def file_format(kind: str, encoding: str | None, separator: str | None,
                language: Language = "en") -> str:
    """A detected file format in words: ``CSV, Windows-1252, ';'-separated``."""
    if kind != "csv":
        return kind
    names = {"utf-8": "UTF-8", "utf-8-sig": label("utf8_bom", language),
             "cp1252": "Windows-1252"}
    sep = label("tab", language) if separator == "\t" else f"'{separator}'"
    return f"CSV, {names.get(encoding or '', encoding or '')}, " + label(
        "separated_by", language, sep=sep)


def percent(value: float, language: Language = "en", decimals: int = 0) -> str:
    """A share as per cent: ``27 %`` (``27,5 %`` in Danish with ``decimals=1``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(100 * value, language, decimals)} %"


def probability(value: float, language: Language = "en") -> str:
    """A probability for readers: ``< 0.01 %`` when tiny, else per cent with one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value < 1e-4:
        return f"< {number(0.01, language, 2)} %"
    if value > 1 - 1e-4:
        return f"> {number(99.99, language, 2)} %"
    return percent(value, language, 1)


def prior_label(prior: float | str, language: Language = "en") -> str:
    """A prior weight as a reader sees it: ``P = 0,5`` in Danish; ``hedging`` in words.

    Takes a number, a word, or a table key (``P = 0.5``).
    """
    if isinstance(prior, str) and prior.startswith("P = "):
        prior = float(prior[4:])
    if isinstance(prior, str):
        return label(prior, language)
    decimals = 0 if float(prior).is_integer() else len(f"{prior:g}".split(".")[1])
    return f"P = {number(prior, language, decimals)}"


def month(value: str, language: Language = "en") -> str:
    """A month ``YYYY-MM`` as ``2020-03`` (English) or ``marts 2020`` (Danish)."""
    if language != "da":
        return value
    year, mon = value.split("-")
    return f"{_MONTHS_DA[int(mon) - 1]} {year}"


_MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
              "september", "oktober", "november", "december")


def date(value: dt.date, language: Language = "en") -> str:
    """A date as ``2022-01-01`` (English reports) or ``1. januar 2022`` (Danish)."""
    if language == "da":
        return f"{value.day}. {_MONTHS_DA[value.month - 1]} {value.year}"
    return value.isoformat()
