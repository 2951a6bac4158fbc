"""The models layer: statistics only.

Module-level functions over numbers, arrays and frames, and frozen result types: recruitment
forecasts (:mod:`.recruitment`, :mod:`.predictive`, :mod:`.priors`), partners
(:mod:`.partners`), the monthly history (:mod:`.history`), monitoring and its replay
(:mod:`.monitoring`), and disclosure control for public tables (:mod:`.disclosure`).

No matplotlib, no report text, no file output: nothing here imports the rest of the project
except :mod:`exitanalysis.errors`. A result's ``.plot()`` imports its figure function inside
the method.
"""
