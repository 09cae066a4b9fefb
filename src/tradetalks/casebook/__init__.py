"""The casebook: real episodes scored against the record, beside naive rules.

Each bundled episode is a scenario written only from facts dated before the decision it
forecasts, plus questions about what happened, with the record's answers and their
sources. :func:`run_casebook` runs every episode and scores the program's probabilities
(hit rate, Brier score, log loss, bootstrap intervals over episodes) next to the naive
rule and leave-one-episode-out base rates; :func:`cross_validate` chooses model-wide
settings from a declared grid by leave-one-episode-out cross-validation.

>>> from tradetalks.casebook import builtin_episodes, load_casebook
>>> len(load_casebook()) == len(builtin_episodes()) >= 10
True
"""

from tradetalks.casebook._book import (
    FORECASTERS,
    CasebookResult,
    EpisodeRun,
    QuestionResult,
    run_casebook,
    score_forecasts,
)
from tradetalks.casebook._cv import DEFAULT_GRID, CrossValidation, cross_validate
from tradetalks.casebook._load import CaseEntry, builtin_episodes, load_casebook, load_episode
from tradetalks.casebook._model import KINDS, Episode, Question
from tradetalks.casebook._run import ModelSettings
from tradetalks.casebook._score import Interval, bootstrap_interval, brier, hit, log_loss

__all__ = [
    "DEFAULT_GRID",
    "FORECASTERS",
    "KINDS",
    "CaseEntry",
    "CasebookResult",
    "CrossValidation",
    "Episode",
    "EpisodeRun",
    "Interval",
    "ModelSettings",
    "Question",
    "QuestionResult",
    "bootstrap_interval",
    "brier",
    "builtin_episodes",
    "cross_validate",
    "hit",
    "load_casebook",
    "load_episode",
    "log_loss",
    "run_casebook",
    "score_forecasts",
]
