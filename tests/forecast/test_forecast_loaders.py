"""Loaders: the DEU subset reproduces its published sanity figures; bad files fail clearly."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tradetalks import ForecastError
from tradetalks.forecast import (
    DEU_ACTORS,
    InstitutionRoles,
    council_weights,
    load_deu,
    load_issues,
)
from tradetalks.forecast._loaders import parse_deu_date
from tradetalks.forecast._power import council_period

BUNDLED = Path(__file__).parents[2] / "src" / "tradetalks" / "data" / "deu" / "deu_dev.csv"


@pytest.fixture(scope="module")
def deu():
    return load_deu()


def test_bundled_subset_shape(deu) -> None:
    assert deu.n_issues == 217  # SOURCES.md: 217 of 364 issues; the GDP row is skipped
    assert deu.actors == DEU_ACTORS
    assert len(set(deu.proposal_ids)) == 84
    assert deu.issue_ids[0] == "d00032i1"
    assert np.nanmin(deu.position) >= 0 and np.nanmax(deu.position) <= 100


def test_reproduces_sources_md_figures(deu) -> None:
    """SOURCES.md / issue 7: mean of positions MAE 22.7, median 27.6 (outcome and ≥3 positions)."""
    scored = deu.scorable()
    assert scored.sum() == 208
    outcome = deu.outcome[scored]
    mean_mae = np.abs(np.nanmean(deu.position[scored], axis=1) - outcome).mean()
    median_mae = np.abs(np.nanmedian(deu.position[scored], axis=1) - outcome).mean()
    assert round(mean_mae, 1) == 22.7
    assert round(median_mae, 1) == 27.6


def test_scoring_rule_is_what_gives_the_figures(deu) -> None:
    # With ≥1 position (210 issues) the mean would score 22.8: the ≥3 rule matters.
    loose = deu.scorable(min_positions=1)
    mae = np.abs(np.nanmean(deu.position[loose], axis=1) - deu.outcome[loose]).mean()
    assert loose.sum() == 210
    assert round(mae, 1) == 22.8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26-01-00", date(2000, 1, 26)),
        ("21-03-98", date(1998, 3, 21)),
        ("2014-07-04", date(2004, 7, 14)),  # spreadsheet read 14-07-04 as YY-MM-DD
        ("1930-05-05", date(2005, 5, 30)),
        ("garbage", None),
        ("31-02-05", None),
    ],
)
def test_parse_deu_date(text: str, expected: date | None) -> None:
    assert parse_deu_date(text) == expected


def test_every_bundled_date_is_in_the_dev_period(deu) -> None:
    years = {d.year for d in deu.intro_date if d is not None}
    assert None not in deu.intro_date
    assert min(years) >= 1996 and max(years) <= 2008  # SOURCES.md: 2009+ held out


@pytest.mark.parametrize(
    ("when", "total", "period"),
    [
        (date(1990, 1, 1), 76, "EU12"),
        (date(1999, 1, 1), 87, "EU15"),
        (date(2004, 6, 1), 124, "EU25_TRANSITION"),
        (date(2005, 1, 1), 321, "NICE"),
        (date(2008, 1, 1), 345, "NICE"),
        (date(2014, 1, 1), 352, "NICE"),
    ],
)
def test_council_weight_totals_match_the_treaties(when: date, total: int, period: str) -> None:
    assert sum(council_weights(when).values()) == total
    assert council_period(when) == period


def test_capabilities_by_procedure_and_period(deu) -> None:
    com, ep, de, lu = (deu.actors.index(a) for a in ("com", "ep", "de", "lu"))
    first = 0  # d00032i1: COD, introduced 26 Jan 2000 (EU-15)
    assert deu.procedure[first] == "COD"
    assert deu.capability[first, de] == 10 and deu.capability[first, lu] == 2
    assert deu.capability[first, ep] == 87  # co-decision: the Council's total
    assert deu.capability[first, com] == 10  # largest member state
    cns = next(i for i, p in enumerate(deu.procedure) if p == "CNS" and deu.has_position[i, ep])
    assert deu.capability[cns, ep] == 0
    assert np.all(deu.capability[~deu.has_position] == 0)


def test_late_members_with_positions_use_the_weights_after_accession(deu) -> None:
    pl = deu.actors.index("pl")
    rows = [
        i
        for i, d in enumerate(deu.intro_date)
        if d is not None and d < date(2004, 5, 1) and deu.has_position[i, pl]
    ]
    assert rows, "the subset has pre-enlargement proposals with Polish positions"
    for i in rows:
        assert deu.capability[i, pl] in (8, 27)
        assert deu.capability[i, deu.actors.index("de")] in (10, 29)


def test_roles_are_configurable() -> None:
    issues = load_deu(roles=InstitutionRoles(commission_share=0.0, parliament_share_cod=0.5))
    com, ep = issues.actors.index("com"), issues.actors.index("ep")
    assert issues.capability[0, com] == 0
    assert issues.capability[0, ep] == 43.5


def _write_deu(tmp_path: Path, header_extra: str = "", row_edit=None) -> Path:
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()[:6]
    if header_extra:
        lines = [lines[0] + "\t" + header_extra] + [line + "\t" for line in lines[1:]]
    if row_edit is not None:
        lines = row_edit(lines)
    path = tmp_path / "deu.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_deu_file_roundtrip(tmp_path: Path) -> None:
    issues = load_issues(_write_deu(tmp_path))
    assert issues.n_issues == 4
    assert issues.issue_ids == ("d00032i1", "d00032i2", "d00032i3", "d00032i4")


def test_unknown_actor_column(tmp_path: Path) -> None:
    with pytest.raises(ForecastError) as info:
        load_deu(_write_deu(tmp_path, header_extra='"pxx"'))
    (problem,) = info.value.problems
    assert "deu.csv:1: pxx: unknown column" in str(problem)


def test_value_outside_scale_names_line_and_column(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        cells = lines[3].split("\t")
        cells[13] = "140"  # pcom of the second issue (file line 4)
        lines[3] = "\t".join(cells)
        return lines

    with pytest.raises(ForecastError) as info:
        load_deu(_write_deu(tmp_path, row_edit=edit))
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path / 'deu.csv'}:4: pcom: value 140 outside [0, 100]"
    ]


def test_non_numeric_value(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        cells = lines[2].split("\t")
        cells[-1] = '"high"'
        lines[2] = "\t".join(cells)
        return lines

    with pytest.raises(ForecastError) as info:
        load_deu(_write_deu(tmp_path, row_edit=edit))
    assert "deu.csv:3: out: expected a number, got 'high'" in str(info.value.problems[0])


@pytest.mark.parametrize("content", ["", "\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(ForecastError) as info:
        load_issues(path)
    assert "empty" in info.value.lines()[0]
    assert "empty.csv" in info.value.lines()[0]


def test_header_only_deu_file(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text(BUNDLED.read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(ForecastError, match="no issues"):
        load_deu(path)


def test_missing_file() -> None:
    with pytest.raises(ForecastError, match="no such file"):
        load_issues("/nonexistent/issues.csv")


LONG_CSV = """issue,proposal,actor,position,salience,capability,reference,outcome,procedure
cars,autos,USA,100,80,2,0,40,
cars,autos,JPN,0,60,1,0,40,
parts,autos,USA,80,50,2,,,
parts,autos,JPN,20,,1,,,
rice,farm,JPN,0,90,1,0,10,
rice,farm,USA,100,20,2,0,10,
"""


def test_long_csv(tmp_path: Path) -> None:
    path = tmp_path / "talks.csv"
    path.write_text(LONG_CSV)
    issues = load_issues(path)
    assert issues.actors == ("USA", "JPN")
    assert issues.issue_ids == ("cars", "parts", "rice")
    assert issues.proposal_ids == ("autos", "autos", "farm")
    np.testing.assert_array_equal(issues.position, [[100, 0], [80, 20], [100, 0]])
    np.testing.assert_array_equal(issues.capability, [[2, 1], [2, 1], [2, 1]])
    assert np.isnan(issues.salience[1, 1])
    np.testing.assert_array_equal(issues.outcome[[0, 2]], [40, 10])
    assert np.isnan(issues.outcome[1])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("cars,autos,JPN,0,", "cars,autos,JPN,-5,"), "3: position: value -5"),
        (lambda t: t.replace("issue,", "isue,"), "issue: required column missing"),
        (lambda t: t.replace("0,40,\ncars", "0,41,\ncars"), "conflicting values"),
        (lambda t: t.replace("parts,autos,JPN", "parts,autos,USA"), "listed twice"),
    ],
)
def test_long_csv_errors(tmp_path: Path, edit, expected: str) -> None:
    path = tmp_path / "talks.csv"
    path.write_text(edit(LONG_CSV))
    with pytest.raises(ForecastError) as info:
        load_issues(path)
    assert any(expected in line for line in info.value.lines()), info.value.lines()
    assert all("talks.csv" in line for line in info.value.lines())


TOML = """
scale = [0, 100]
[[issue]]
id = "cars"
proposal = "autos"
reference = 0
outcome = 40
positions = { USA = 100, JPN = 0 }
saliences = { USA = 80, JPN = 60 }
capabilities = { USA = 2, JPN = 1 }

[[issue]]
id = "rice"
positions = { JPN = 0, USA = 100, EU = 50 }
"""


def test_toml(tmp_path: Path) -> None:
    path = tmp_path / "talks.toml"
    path.write_text(TOML)
    issues = load_issues(path)
    assert issues.actors == ("USA", "JPN", "EU")
    assert issues.proposal_ids == ("autos", "rice")
    np.testing.assert_array_equal(issues.capability, [[2, 1, 0], [1, 1, 1]])
    assert np.isnan(issues.position[0, 2])


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("USA = 100, JPN = 0 }", "USA = 120, JPN = 0 }", 1), "positions.USA"),
        (lambda t: t.replace('id = "cars"', 'name = "cars"'), "issue.0"),
        (lambda t: t.replace("scale = [0, 100]", "scale = [0, 100"), "invalid TOML"),
        (lambda t: t.replace("USA = 80", "MEX = 80"), "saliences.MEX: actor has no position"),
    ],
)
def test_toml_errors(tmp_path: Path, edit, expected: str) -> None:
    path = tmp_path / "talks.toml"
    path.write_text(edit(TOML))
    with pytest.raises(ForecastError) as info:
        load_issues(path)
    assert any(expected in line for line in info.value.lines()), info.value.lines()
