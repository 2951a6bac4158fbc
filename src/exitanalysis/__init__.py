"""exitanalysis: early, quantified and repeatable evaluation of exit programmes.

>>> import exitanalysis as xa
>>> config = xa.load_config("configs/exitpakke.yaml")  # doctest: +SKIP
>>> programme = xa.load_programme(config)  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .assess.overview import DataOverview, data_overview
from .assess.shortfall import ShortfallAssessment, assess_shortfall, headline_frame
from .data.config import Config, load_config
from .data.programme import InputSource, Programme, load_programme
from .data.public import PublicData, load_public
from .errors import (
    ConfigError,
    ExitanalysisError,
    InputError,
    LockHeldError,
    NotebookFailedError,
    Problem,
    UsageError,
)
from .models.monitoring import EarlyWarning
from .models.partners import PartnerRates, fit_partners
from .models.recruitment import RecruitmentForecast, forecast_overdispersed, forecast_recruitment
from .report.outputs import save_figure, save_table, show_figure, show_table

try:
    __version__ = version("exitanalysis")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "EarlyWarning",
    "PartnerRates",
    "RecruitmentForecast",
    "ShortfallAssessment",
    "assess_shortfall",
    "headline_frame",
    "fit_partners",
    "forecast_overdispersed",
    "forecast_recruitment",
    "Config",
    "ConfigError",
    "DataOverview",
    "PublicData",
    "data_overview",
    "load_public",
    "save_figure",
    "save_table",
    "show_figure",
    "show_table",
    "ExitanalysisError",
    "InputError",
    "InputSource",
    "LockHeldError",
    "NotebookFailedError",
    "Problem",
    "Programme",
    "UsageError",
    "__version__",
    "load_config",
    "load_programme",
]
