"""Scenario files: a negotiation described in TOML, validated into typed models.

>>> from tradetalks.scenario import load_scenario
>>> s = load_scenario("us-japan-1995-autos")
>>> [p.code for p in s.parties]
['USA', 'JPN']
"""

from tradetalks.scenario._checks import iter_cited, resolve_target
from tradetalks.scenario._codes import SECTOR_NAMES, WIOD_COUNTRIES, WIOD_SECTORS
from tradetalks.scenario._load import (
    builtin_scenarios,
    dump_scenario,
    load_scenario,
    loads_scenario,
    scenario_text,
)
from tradetalks.scenario._model import (
    Compliance,
    Constituency,
    Deadline,
    Economics,
    Fact,
    Issue,
    Leader,
    Option,
    Party,
    Quantity,
    Ratification,
    Scenario,
    Source,
    Stake,
    TariffLine,
    Threat,
    UncertainRange,
)
from tradetalks.scenario._stages import Stage
from tradetalks.scenario._talk_checks import (
    expand_member,
    notices,
    protocol_rounds,
    strategy_spec,
)

__all__ = [
    "SECTOR_NAMES",
    "WIOD_COUNTRIES",
    "WIOD_SECTORS",
    "Compliance",
    "Constituency",
    "Deadline",
    "Economics",
    "Fact",
    "Issue",
    "Leader",
    "Option",
    "Party",
    "Quantity",
    "Ratification",
    "Scenario",
    "Source",
    "Stage",
    "Stake",
    "TariffLine",
    "Threat",
    "UncertainRange",
    "builtin_scenarios",
    "dump_scenario",
    "expand_member",
    "iter_cited",
    "load_scenario",
    "loads_scenario",
    "notices",
    "protocol_rounds",
    "resolve_target",
    "scenario_text",
    "strategy_spec",
]
