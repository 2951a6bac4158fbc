# The public API (CONTRACT §6), resolved lazily by __init__.py (lazy_loader's SPEC 1 stub):
# this file is the one list of public names. Type checkers read it; at run time a name's
# module is imported on first use, so `import exitanalysis` loads none of the heavy
# libraries. A new public name goes here, with its module, and nowhere else.

from .assess.channels import ChannelEffects as ChannelEffects
from .assess.channels import assess_channels as assess_channels
from .assess.findings import KeyFindings as KeyFindings
from .assess.findings import disclosure_note as disclosure_note
from .assess.network import NetworkAssessment as NetworkAssessment
from .assess.network import assess_network as assess_network
from .assess.outcomes import OutcomeAssessment as OutcomeAssessment
from .assess.outcomes import assess_outcomes as assess_outcomes
from .assess.overview import DataOverview as DataOverview
from .assess.overview import data_overview as data_overview
from .assess.release import PublicRelease as PublicRelease
from .assess.release import public_release as public_release
from .assess.shortfall import ShortfallAssessment as ShortfallAssessment
from .assess.shortfall import assess_shortfall as assess_shortfall
from .assess.shortfall import headline_frame as headline_frame
from .data.config import Config as Config
from .data.config import load_config as load_config
from .data.programme import InputSource as InputSource
from .data.programme import Programme as Programme
from .data.programme import load_programme as load_programme
from .data.public import PublicData as PublicData
from .data.public import load_public as load_public
from .errors import ConfigError as ConfigError
from .errors import ExitanalysisError as ExitanalysisError
from .errors import InputError as InputError
from .errors import LockHeldError as LockHeldError
from .errors import NotebookFailedError as NotebookFailedError
from .errors import NotPublishableError as NotPublishableError
from .errors import Problem as Problem
from .errors import UsageError as UsageError
from .models.conversion import Conversion as Conversion
from .models.conversion import conversion_by as conversion_by
from .models.decomposition import RateDecomposition as RateDecomposition
from .models.decomposition import decompose_rate as decompose_rate
from .models.interrupted import InterruptedSeries as InterruptedSeries
from .models.interrupted import InterruptedTimeSeries as InterruptedTimeSeries
from .models.interrupted import interrupted_series as interrupted_series
from .models.interrupted import interrupted_time_series as interrupted_time_series
from .models.monitoring import EarlyWarning as EarlyWarning
from .models.outcomes import ComponentAssociations as ComponentAssociations
from .models.outcomes import Funnel as Funnel
from .models.outcomes import OutcomeRates as OutcomeRates
from .models.outcomes import component_associations as component_associations
from .models.outcomes import e_value as e_value
from .models.outcomes import outcome_funnel as outcome_funnel
from .models.outcomes import outcome_rates as outcome_rates
from .models.partners import PartnerRates as PartnerRates
from .models.partners import fit_partners as fit_partners
from .models.rates import ChannelRates as ChannelRates
from .models.rates import channel_rate_ratios as channel_rate_ratios
from .models.reach import Reach as Reach
from .models.reach import counterfactual_reach as counterfactual_reach
from .models.reach import reach_by as reach_by
from .models.recruitment import RecruitmentForecast as RecruitmentForecast
from .models.recruitment import forecast_overdispersed as forecast_overdispersed
from .models.recruitment import forecast_recruitment as forecast_recruitment
from .models.referrals import NetworkRateRatio as NetworkRateRatio
from .models.referrals import ReferralInclusions as ReferralInclusions
from .models.referrals import ReferralMatrix as ReferralMatrix
from .models.referrals import network_rate_ratio as network_rate_ratio
from .models.referrals import referral_inclusions as referral_inclusions
from .models.referrals import referral_matrix as referral_matrix
from .models.referrals import referrals_by_month as referrals_by_month
from .models.survival import SurvivalCurves as SurvivalCurves
from .models.survival import kaplan_meier as kaplan_meier
from .models.survival import time_to_first_outcome as time_to_first_outcome
from .report.outputs import save_figure as save_figure
from .report.outputs import save_table as save_table
from .report.outputs import show_figure as show_figure
from .report.outputs import show_table as show_table

__version__: str
