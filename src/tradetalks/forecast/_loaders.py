"""Loaders: the DEU issue table, and a generic CSV / TOML format for the user's own issues.

DEU format (``data/deu/SOURCES.md``): tab-separated, quoted strings; line 1 the header;
line 2 a GDP row added by the upstream copier (not DEU data: skipped); then one issue per
line with ``p<actor>`` positions and ``s<actor>`` saliences on 0–100 (blank = no position
/ not reported), ``rp`` the reference point and ``out`` the outcome. There is no power
column: capabilities come from :func:`~tradetalks.forecast._power.eu_capabilities`.

Generic CSV (long format, one row per issue × actor)::

    issue,proposal,actor,position,salience,capability,reference,outcome,procedure
    cars,autos,USA,100,80,2,0,40,
    cars,autos,JPN,0,60,1,0,40,

Only ``issue``, ``actor`` and ``position`` are required; issue-level columns
(``proposal``, ``reference``, ``outcome``, ``procedure``) must agree within an issue.

Generic TOML::

    scale = [0, 100]
    [[issue]]
    id = "cars"
    proposal = "autos"
    reference = 0
    outcome = 40
    positions = { USA = 100, JPN = 0 }
    saliences = { USA = 80, JPN = 60 }
    capabilities = { USA = 2, JPN = 1 }
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tradetalks._errors import ForecastError, Problem
from tradetalks._inputs import parse_toml, read_text
from tradetalks.forecast._issues import FloatArray, IssueSet
from tradetalks.forecast._power import InstitutionRoles, eu_capabilities

#: The 30 actor codes of the DEU data: the Commission, the Parliament, 28 member states.
DEU_ACTORS: tuple[str, ...] = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)  # fmt: skip
_DEU_META = frozenset(
    ("prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte",
     "proccde", "issues", "intro", "finact", "rp", "out")
)  # fmt: skip
_DEU_REQUIRED = ("prnr", "isnr", "out")
_MAX_PROBLEMS = 20


def bundled_deu_path() -> Path:
    """Path of the bundled DEU development subset (217 issues, see its SOURCES.md)."""
    return Path(str(resources.files("tradetalks.data") / "deu" / "deu_dev.csv"))


def parse_deu_date(text: str) -> date | None:
    """Introduction date of a DEU row, repairing the spreadsheet corruption of the copy.

    Most rows read ``DD-MM-YY``. Some were converted by a spreadsheet that read them as
    ``YY-MM-DD`` and wrote ``YYYY-MM-DD`` (e.g. ``2014-07-04`` for 14 July 2004,
    ``1930-05-05`` for 30 May 2005): the "year" holds the day and the "day" the year.
    Two-digit years ≥ 50 are 19YY. Returns ``None`` when neither reading is a date.
    """
    text = text.strip().strip('"')
    m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{2})", text)
    if m:
        day, month, yy = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if not m:
            return None
        day, month, yy = int(m.group(1)) % 100, int(m.group(2)), int(m.group(3))
    try:
        return date(1900 + yy if yy >= 50 else 2000 + yy, month, day)
    except ValueError:
        return None


@dataclass
class _Collector:
    """Gathers located problems so one error lists them all (up to a limit)."""

    source: str
    problems: list[Problem]

    def add(self, column: str, message: str, line: int | None = None) -> None:
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(Problem(self.source, column, message, line))

    def raise_if_any(self, what: str) -> None:
        if self.problems:
            raise ForecastError(f"{self.source}: {what}", self.problems)


def _read_table(path: Path, sep: str) -> pd.DataFrame:
    if not path.is_file():
        raise ForecastError(f"{path}: no such file", [Problem(str(path), "", "no such file")])
    try:
        frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, quotechar='"')
    except pd.errors.EmptyDataError:
        raise ForecastError(
            f"{path}: empty file", [Problem(str(path), "", "the file is empty: no header")]
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ForecastError(
            f"{path}: unreadable", [Problem(str(path), "", f"cannot parse as a table: {error}")]
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _numeric(
    frame: pd.DataFrame,
    column: str,
    problems: _Collector,
    low: float,
    high: float,
    first_line: int,
) -> FloatArray:
    """Column as floats (blank = NaN); non-numbers and values outside [low, high] reported."""
    raw = frame[column].astype(str).str.strip()
    values = pd.to_numeric(raw.where(raw != "", None), errors="coerce").to_numpy(float)
    bad_text = np.isnan(values) & (raw != "").to_numpy()
    for row in np.flatnonzero(bad_text):
        problems.add(column, f"expected a number, got {raw.iloc[row]!r}", first_line + int(row))
    out_of_range = ~np.isnan(values) & ((values < low) | (values > high))
    for row in np.flatnonzero(out_of_range):
        message = f"value {values[row]:g} outside [{low:g}, {high:g}]"
        problems.add(column, message, first_line + int(row))
    result: FloatArray = values
    return result


def load_deu(path: str | Path | None = None, roles: InstitutionRoles | None = None) -> IssueSet:
    """Load a DEU issue table (default: the bundled subset) into an :class:`IssueSet`.

    Parameters
    ----------
    path
        A DEU-format file (tab-separated); ``None`` = the bundled ``deu_dev.csv``.
    roles
        Capabilities of the Commission and Parliament by procedure (default
        :class:`InstitutionRoles`); member states get Council votes of the period.

    Raises
    ------
    ForecastError
        Empty file, missing or unknown columns, non-numeric values or values outside
        0–100, each named with file, line and column.
    """
    file = bundled_deu_path() if path is None else Path(path)
    source = str(path) if path is not None else "deu_dev.csv (bundled)"
    frame = _read_table(file, "\t")
    problems = _Collector(source, [])
    missing = [c for c in _DEU_REQUIRED if c not in frame.columns]
    for column in missing:
        problems.add(column, "required column missing", 1)
    actors: list[str] = []
    for column in frame.columns:
        if column in _DEU_META:
            continue
        code = column[1:]
        if column[:1] in "ps" and code in DEU_ACTORS:
            if column[0] == "p":
                actors.append(code)
            continue
        problems.add(
            column,
            f"unknown column: expected p<actor>/s<actor> with actor in {', '.join(DEU_ACTORS)}",
            1,
        )
    if not actors:
        problems.add("p<actor>", "no actor position columns (pcom, pep, pde, ...)", 1)
    problems.raise_if_any("not a DEU issue table")

    first_line = 2
    # Line 2 of the DEU file is the GDP row added upstream: no issue id there.
    if len(frame) and frame["isnr"].iloc[0].strip() == "":
        frame = frame.iloc[1:].reset_index(drop=True)
        first_line = 3
    if frame.empty:
        raise ForecastError(f"{source}: no issues", [Problem(source, "", "the file has no issues")])
    for row in np.flatnonzero((frame["isnr"].str.strip() == "").to_numpy()):
        problems.add("isnr", "issue id is blank", first_line + int(row))

    def column_or_blank(name: str) -> pd.DataFrame:
        return frame if name in frame.columns else frame.assign(**{name: ""})

    pos = np.column_stack([_numeric(frame, f"p{a}", problems, 0, 100, first_line) for a in actors])
    sal = np.column_stack(
        [_numeric(column_or_blank(f"s{a}"), f"s{a}", problems, 0, 100, first_line) for a in actors]
    )
    reference = _numeric(column_or_blank("rp"), "rp", problems, 0, 100, first_line)
    outcome = _numeric(frame, "out", problems, 0, 100, first_line)
    problems.raise_if_any("bad values")

    def text(name: str) -> tuple[str, ...]:
        if name not in frame.columns:
            return ("",) * len(frame)
        return tuple(frame[name].str.strip().tolist())

    procedure, intro = text("proc"), text("intro")
    dates = tuple(parse_deu_date(t) for t in intro)
    has_position = ~np.isnan(pos)
    capability = eu_capabilities(tuple(actors), has_position, procedure, dates, roles)
    return IssueSet(
        actors=tuple(actors),
        issue_ids=text("isnr"),
        proposal_ids=text("prnr"),
        position=pos,
        salience=np.where(has_position, sal, np.nan),
        capability=capability,
        reference=reference,
        outcome=outcome,
        procedure=procedure,
        voting_rule=text("counvte"),
        council=text("council"),
        intro_date=dates,
        source=source,
    )


def _load_long_csv(path: Path) -> IssueSet:
    """The generic long CSV (see the module docstring)."""
    source = str(path)
    frame = _read_table(path, ",")
    problems = _Collector(source, [])
    for column in ("issue", "actor", "position"):
        if column not in frame.columns:
            problems.add(column, "required column missing", 1)
    problems.raise_if_any("not an issue table")
    if frame.empty:
        raise ForecastError(f"{source}: no issues", [Problem(source, "", "the file has no rows")])
    first_line = 2
    frame = frame.assign(issue=frame["issue"].str.strip(), actor=frame["actor"].str.strip())
    for column in ("issue", "actor"):
        for row in np.flatnonzero((frame[column] == "").to_numpy()):
            problems.add(column, "blank", first_line + int(row))
    values = {
        "position": _numeric(frame, "position", problems, 0, 100, first_line),
        "salience": _numeric(frame, "salience", problems, 0, 100, first_line)
        if "salience" in frame.columns
        else np.full(len(frame), np.nan),
        "capability": _numeric(frame, "capability", problems, 0, np.inf, first_line)
        if "capability" in frame.columns
        else np.ones(len(frame)),
        "reference": _numeric(frame, "reference", problems, 0, 100, first_line)
        if "reference" in frame.columns
        else np.full(len(frame), np.nan),
        "outcome": _numeric(frame, "outcome", problems, 0, 100, first_line)
        if "outcome" in frame.columns
        else np.full(len(frame), np.nan),
    }
    for row in np.flatnonzero(np.isnan(values["position"])):
        problems.add(
            "position", "blank: give a position or leave the actor out", first_line + int(row)
        )
    duplicated = frame.duplicated(["issue", "actor"]).to_numpy()
    for row in np.flatnonzero(duplicated):
        problems.add(
            "actor", f"actor {frame['actor'].iloc[row]!r} listed twice", first_line + int(row)
        )
    problems.raise_if_any("bad values")

    issues = list(dict.fromkeys(frame["issue"]))
    actors = tuple(dict.fromkeys(frame["actor"]))
    i_idx = frame["issue"].map({k: i for i, k in enumerate(issues)}).to_numpy()
    a_idx = frame["actor"].map({k: i for i, k in enumerate(actors)}).to_numpy()
    shape = (len(issues), len(actors))
    pos, sal, cap = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape)
    pos[i_idx, a_idx] = values["position"]
    sal[i_idx, a_idx] = values["salience"]
    cap[i_idx, a_idx] = np.nan_to_num(values["capability"], nan=1.0)

    def per_issue(column: str, numeric: np.ndarray | None) -> list[object]:
        result: list[object] = []
        for k, issue in enumerate(issues):
            rows = np.flatnonzero(i_idx == k)
            if numeric is not None:
                found = {float(v) for v in numeric[rows] if not np.isnan(v)}
            else:
                found = {frame[column].iloc[r].strip() for r in rows} - {""}
            if len(found) > 1:
                problems.add(column, f"issue {issue!r} has conflicting values {sorted(found)}")
            result.append(next(iter(found)) if found else (np.nan if numeric is not None else ""))
        return result

    reference = per_issue("reference", values["reference"])
    outcome = per_issue("outcome", values["outcome"])
    text_cols = {
        c: per_issue(c, None) if c in frame.columns else [""] * len(issues)
        for c in ("proposal", "procedure", "voting_rule", "council")
    }
    problems.raise_if_any("inconsistent issues")
    return IssueSet(
        actors=actors,
        issue_ids=tuple(issues),
        proposal_ids=tuple(str(p) or i for p, i in zip(text_cols["proposal"], issues, strict=True)),
        position=pos,
        salience=sal,
        capability=cap,
        reference=np.asarray(reference, float),
        outcome=np.asarray(outcome, float),
        procedure=tuple(str(v) for v in text_cols["procedure"]),
        voting_rule=tuple(str(v) for v in text_cols["voting_rule"]),
        council=tuple(str(v) for v in text_cols["council"]),
        intro_date=(None,) * len(issues),
        source=source,
    )


_MAX_WEIGHT = 1e9


class _TomlIssue(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: str = Field(min_length=1)
    proposal: str | None = None
    reference: float | None = None
    outcome: float | None = None
    procedure: str = ""
    voting_rule: str = ""
    council: str = ""
    positions: dict[str, float] = Field(min_length=1)
    saliences: dict[str, Annotated[float, Field(ge=0, le=_MAX_WEIGHT)]] = {}
    # relative weights: bounded so that their products (EU, exchange) cannot overflow
    capabilities: dict[str, Annotated[float, Field(ge=0, le=_MAX_WEIGHT)]] = {}


class _TomlFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scale: tuple[float, float] = (0.0, 100.0)
    issue: list[_TomlIssue] = Field(min_length=1)


def _load_toml(path: Path) -> IssueSet:
    """The generic TOML format (see the module docstring)."""
    source = str(path)
    raw = parse_toml(read_text(path, error=ForecastError), source, error=ForecastError)
    try:
        spec = _TomlFile.model_validate(raw)
    except ValidationError as error:
        raise ForecastError(
            f"{source}: invalid issues",
            [Problem(source, ".".join(str(p) for p in e["loc"]), e["msg"]) for e in error.errors()],
        ) from None
    low, high = spec.scale
    problems = _Collector(source, [])
    if not low < high:
        problems.add("scale", f"expected low < high, got {list(spec.scale)}")
    actors = tuple(dict.fromkeys(a for issue in spec.issue for a in issue.positions))
    shape = (len(spec.issue), len(actors))
    pos, sal, cap = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape)
    for k, issue in enumerate(spec.issue):
        where = f"issue.{k}"
        for actor, value in issue.positions.items():
            if not low <= value <= high:
                problems.add(f"{where}.positions.{actor}", f"{value:g} outside [{low:g}, {high:g}]")
            pos[k, actors.index(actor)] = value
            cap[k, actors.index(actor)] = issue.capabilities.get(actor, 1.0)
        for table_name, table in (
            ("saliences", issue.saliences),
            ("capabilities", issue.capabilities),
        ):
            for actor, value in table.items():
                if actor not in issue.positions:
                    problems.add(f"{where}.{table_name}.{actor}", "actor has no position")
                elif table_name == "saliences" and not 0 <= value <= 100:
                    problems.add(f"{where}.saliences.{actor}", f"{value:g} outside [0, 100]")
                elif table_name == "capabilities" and not (value >= 0 and np.isfinite(value)):
                    problems.add(f"{where}.capabilities.{actor}", "must be ≥ 0")
                elif table_name == "saliences":
                    sal[k, actors.index(actor)] = value
        for name in ("reference", "outcome"):
            value = getattr(issue, name)
            if value is not None and not low <= value <= high:
                problems.add(f"{where}.{name}", f"{value:g} outside [{low:g}, {high:g}]")
    ids = [issue.id for issue in spec.issue]
    if len(set(ids)) != len(ids):
        problems.add("issue.id", "issue ids must be unique")
    problems.raise_if_any("invalid issues")
    return IssueSet(
        actors=actors,
        issue_ids=tuple(ids),
        proposal_ids=tuple(i.proposal or i.id for i in spec.issue),
        position=pos,
        salience=sal,
        capability=cap,
        reference=np.array([np.nan if i.reference is None else i.reference for i in spec.issue]),
        outcome=np.array([np.nan if i.outcome is None else i.outcome for i in spec.issue]),
        procedure=tuple(i.procedure for i in spec.issue),
        voting_rule=tuple(i.voting_rule for i in spec.issue),
        council=tuple(i.council for i in spec.issue),
        intro_date=(None,) * len(ids),
        scale=(low, high),
        source=source,
    )


def load_issues(path: str | Path | None = None, roles: InstitutionRoles | None = None) -> IssueSet:
    """Load issues from any supported file; ``None`` = the bundled DEU subset.

    ``.toml`` files use the generic TOML format; other files are read as DEU tables when
    their header has the DEU ``isnr`` column (tab-separated), else as the generic long CSV.
    """
    if path is None:
        return load_deu(None, roles)
    file = Path(path)
    if file.suffix.lower() == ".toml":
        return _load_toml(file)
    if not file.is_file():
        raise ForecastError(f"{file}: no such file", [Problem(str(file), "", "no such file")])
    with file.open(encoding="utf-8", errors="replace", newline="") as handle:
        header = next(csv.reader(handle, delimiter="\t"), [])
    if any(cell.strip() == "isnr" for cell in header):
        return load_deu(file, roles)
    return _load_long_csv(file)
