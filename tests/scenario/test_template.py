"""The template ``tradetalks init`` writes: valid as it is, and with its optional blocks used."""

from __future__ import annotations

import re
from importlib import resources

from tradetalks.scenario import loads_scenario

TEMPLATE = resources.files("tradetalks.scenario").joinpath("template.toml").read_text()
_OPTIONAL = "# --- Optional parts"
# A commented TOML line (a table header, a key, an inline-table row or a closing bracket),
# as opposed to the prose that explains a block.
_COMMENTED_TOML = re.compile(r"^# ((?:\[|[a-z_]+ = |  \{|\]).*)$")


def _with_optional_blocks(text: str) -> str:
    head, optional = text.split(_OPTIONAL, 1)
    lines = [m.group(1) for line in optional.splitlines() if (m := _COMMENTED_TOML.match(line))]
    return head + "\n".join(lines) + "\n"


def test_template_validates_as_written() -> None:
    scenario = loads_scenario(TEMPLATE)
    assert not scenario.stages and not scenario.outside_options and not scenario.caps


def test_template_optional_blocks_validate_and_mean_what_they_say() -> None:
    scenario = loads_scenario(_with_optional_blocks(TEMPLATE))
    assert [s.id for s in scenario.stages] == ["leaders_meeting"]
    assert [o.id for o in scenario.outside_options] == ["eu_deal"]
    assert [(c.party, c.issue, c.max_option) for c in scenario.caps] == [
        ("JPN", "farm_tariff", "cut")
    ]
    trq = next(i for i in scenario.issues if i.id == "beef_quota")
    assert trq.instrument == "trq" and trq.in_quota_rate is not None


def test_template_names_the_default_population() -> None:
    """The comment on populations names the default the game really uses."""
    from tradetalks.game import DEFAULT_POPULATION

    assert DEFAULT_POPULATION == ("timebased:e=1|2|5",)
    assert "time-based concession at\n# exponents 1, 2 and 5" in TEMPLATE
