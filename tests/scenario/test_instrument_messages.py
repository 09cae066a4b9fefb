"""Every instrument field, written wrong, gives one clear message naming it (table-driven).

Each case appends one issue or threat to the scenario template (which validates) and runs
``tradetalks validate`` on it: exit status 2, no traceback, exactly one ``error:`` line
that names the file, the line and the field, and says what was expected.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from tradetalks.cli import main

TEMPLATE = resources.files("tradetalks.scenario").joinpath("template.toml").read_text()
TARIFFS = '[{ id = "sq", value = 0.1 }, { id = "cut", value = 0.0 }]'
CAPS = '[{ id = "sq", value = 500.0 }, { id = "more", value = 800.0 }]'


def _issue(instrument: str, extra: str = "", *, options: str = CAPS, by: str = "JPN",
           to: str = "USA", sectors: str = '["c3"]') -> str:  # fmt: skip
    return f"""
[[issues]]
id = "new_issue"
label = "an instrument under test"
instrument = "{instrument}"
applied_by = "{by}"
applied_to = "{to}"
sectors = {sectors}
status_quo = "sq"
options = {options}
{extra}
"""


def _threat(extra: str = "", *, by: str = "USA", sectors: str = '["c14", "c15"]') -> str:
    return f"""
[[threats]]
id = "sanctions"
by = "{by}"
against = "JPN"
instrument = "tariff"
sectors = {sectors}
size = 1.0
credibility = 0.5
compliance = {{ description = "none" }}
{extra}
"""


TRQ = "in_quota_rate = 0.1\nover_quota_rate = 0.385"

# (case, fragment, field named, words of the message)
CASES = [
    ("trq missing a rate", _issue("trq", "in_quota_rate = 0.1"), "issues[2].in_quota_rate",
     "needs in_quota_rate and over_quota_rate"),
    ("trq rates reversed", _issue("trq", "in_quota_rate = 0.5\nover_quota_rate = 0.1"),
     "issues[2].in_quota_rate", "expected 0 <= in_quota_rate <= over_quota_rate"),
    ("trq rate not a number", _issue("trq", 'in_quota_rate = "low"\nover_quota_rate = 0.3'),
     "issues[2].in_quota_rate", "expected a number"),
    ("trq rates on a tariff", _issue("tariff", TRQ, options=TARIFFS), "issues[2].in_quota_rate",
     "are for trq issues"),
    ("negative quota", _issue("quota", options=CAPS.replace("800.0", "-1.0")),
     "issues[2].options", "values must be >= 0"),
    ("quota without sectors", _issue("quota", sectors="[]"), "issues[2].sectors",
     "a quota issue needs the sectors"),
    ("ver by a group", _issue("ver", by="EU"), "issues[2].applied_by",
     "name countries, not a group"),
    ("rent share above one", _issue("ntb", "rent_share = 1.5", options=TARIFFS),
     "issues[2].rent_share", "a share in [0, 1], got 1.5"),
    ("rent share on a quota", _issue("quota", "rent_share = 0.5"), "issues[2].rent_share",
     "are for ntb issues"),
    ("unknown rent owner", _issue("ntb", 'rent_owner = "government"', options=TARIFFS),
     "issues[2].rent_owner", "'importer' or 'exporter', got 'government'"),
    ("negative purchase commitment",
     _issue("purchase_commitment", options=CAPS.replace("800.0", "-5.0")), "issues[2].options",
     "values must be >= 0"),
    ("purchase commitment without a value",
     _issue("purchase_commitment", options='[{ id = "sq", value = 0.0 }, { id = "more" }]'),
     "issues[2].options", "need a value (purchase_commitment)"),
    ("market share above one",
     _issue("market_share", options='[{ id = "sq", value = 0.1 }, { id = "more", value = 1.2 }]'),
     "issues[2].options", "must be shares in [0, 1)"),
    ("unknown applied_by group", _issue("tariff", by="ASEAN", options=TARIFFS),
     "issues[2].applied_by", "'ASEAN' is neither a party, a WIOD country nor a group"),
    ("applied to its own group", _issue("tariff", to="TPP", options=TARIFFS),
     "issues[2].applied_to", "cannot apply an instrument to itself"),
    ("threat by an unknown group", _threat(by="ASEAN"), "threats[1].by", "'ASEAN' is neither"),
    ("per-sector value for an unlisted sector",
     _threat("covered_by_sector = { c14 = 100.0, c3 = 50.0 }"), "threats[1].covered_by_sector",
     "names sectors ['c3'] not in sectors"),
    ("negative per-sector value", _threat("covered_by_sector = { c14 = -100.0 }"),
     "threats[1].covered_by_sector", "values must be >= 0 (million USD)"),
    ("per-sector and total values", _threat("covered_value_musd = 500.0\n"
                                            "covered_by_sector = { c14 = 100.0 }"),
     "threats[1].covered_value_musd", "not both"),
    ("per-sector value not a number", _threat('covered_by_sector = { c14 = "lots" }'),
     "threats[1].covered_by_sector.c14", "expected a number"),
    ("per-sector value for an unknown sector",
     _threat("covered_by_sector = { c99 = 1.0 }", sectors='["c99"]'), "threats[1].sectors",
     "unknown sector code(s) ['c99']"),
]  # fmt: skip


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = main(["validate", str(path)])
    except SystemExit as done:
        code = done.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    return int(code or 0), captured.out + captured.err


@pytest.mark.parametrize(
    "fragment",
    [_issue("trq", TRQ), _threat("covered_by_sector = { c14 = 100.0, c15 = 50.0 }"),
     _issue("ntb", 'rent_share = 0.5\nrent_owner = "exporter"', options=TARIFFS),
     _issue("purchase_commitment"), _issue("tariff", by="EU", options=TARIFFS)],
)  # fmt: skip
def test_the_instruments_written_right_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fragment: str
) -> None:
    path = tmp_path / "good.toml"
    path.write_text(TEMPLATE + fragment)
    assert _validate(path, capsys) == (0, f"ok {path}\n")


@pytest.mark.parametrize(("case", "fragment", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_wrong_field_gives_one_located_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, fragment: str, field: str,
    words: str,
) -> None:  # fmt: skip
    path = tmp_path / "bad.toml"
    path.write_text(TEMPLATE + fragment)
    code, output = _validate(path, capsys)
    assert code == 2 and "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, output
    where, _, rest = errors[0].removeprefix("error: ").partition(": ")
    assert where.startswith(f"{path}:") and where.rsplit(":", 1)[1].isdigit(), errors[0]
    assert rest.startswith(f"{field}: ") and words in rest, errors[0]
    line = int(where.rsplit(":", 1)[1])
    key = field.split(".")[-1].split("[")[0]  # the line shown is the field's own, or its table's
    text = path.read_text().splitlines()[line - 1]
    assert key in text or text.startswith("[["), (line, text)
