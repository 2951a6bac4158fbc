"""The assess layer: one module per report.

Each module turns a validated programme into what its report shows: the analyses (calling
:mod:`exitanalysis.models`), their tables, and their sentences in the report's language
(:mod:`exitanalysis.text`). :mod:`.overview` is the data overview; :mod:`.shortfall` the
recruitment shortfall.
"""
