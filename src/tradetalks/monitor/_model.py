"""Goals of an agreement as pydantic models, read from TOML.

A goals file holds, at top level or under a scenario's ``[monitoring]`` table::

    title = "..."
    rule = "all"                     # how goal verdicts combine into the overall one
    [[goals]]
    id = "us_autos"
    agreement = 1995-08-23           # a TOML date, a year (1995) or "1995-08"
    baseline = [1995, 1995]          # first and last baseline period (inclusive)
                                     # (default: every period up to the agreement; a
                                     # baseline after the agreement moves the post
                                     # periods after it, for data that start late)
    [goals.indicator]
    kind = "wiod"                    # or "file": the user's CSV/Parquet
    ...
    [[goals.criteria]]
    kind = "prompt"                  # prompt | substantial | continuous | target | qualitative
    ...
    [[triggers]]
    goal = "us_autos"; deadline = 1997; threat = "s301_luxury_cars"

Every model forbids unknown keys, so a misspelt option is an error, not a silent default.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tradetalks._errors import MonitorError, Problem
from tradetalks._inputs import parse_toml, read_text, resolve_inside
from tradetalks.monitor._series import to_time

Period = int | dt.date | str
CombineRule = Literal["all", "majority", "any"]


class Verdict(StrEnum):
    """The verdict on a criterion, a goal or the whole agreement."""

    MET = "met"
    PARTLY_MET = "partly met"
    NOT_MET = "not met"
    NOT_ENOUGH_DATA = "not enough data"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _check_period(value: Period | None) -> Period | None:
    if value is not None:
        try:
            to_time(value)
        except MonitorError as error:
            # pydantic turns ValueError into a located validation problem
            raise ValueError(
                "; ".join(p.message if isinstance(p, Problem) else p for p in error.problems)
            ) from None
    return value


class WiodIndicator(_Model):
    """An indicator computed from the bundled WIOD tables (see :func:`wiod_indicator`)."""

    kind: Literal["wiod"]
    measure: Literal["flow", "share"] = "flow"
    exporters: list[str] = Field(min_length=1)
    importers: list[str] = Field(min_length=1)
    industries: list[str] = Field(min_length=1)
    uses: Literal["all", "intermediate", "final"] = "all"
    denominator: Literal["imports", "purchases"] = "imports"
    name: str | None = None


class FileIndicator(_Model):
    """An indicator read from the user's CSV or Parquet file (period + value columns).

    Without ``path``, the file given on the command line (``--data``) is used.
    """

    kind: Literal["file"]
    path: str | None = None
    series: str | None = None
    period_column: str | None = None
    value_column: str = "value"
    unit: str = ""
    name: str | None = None
    allow_negative: bool = False


Indicator = Annotated[WiodIndicator | FileIndicator, Field(discriminator="kind")]


class Prompt(_Model):
    """A change of at least ``min_change`` (relative) / ``min_change_abs`` within k periods."""

    kind: Literal["prompt"]
    within_periods: int = Field(default=2, ge=1)
    min_change: float | None = Field(default=None, ge=0)
    min_change_abs: float | None = Field(default=None, ge=0)
    alpha: float = Field(default=0.05, gt=0, lt=1)


class CounterfactualPoint(_Model):
    """One period of a counterfactual path (what the indicator would be with no agreement)."""

    period: Period
    value: float

    _period = field_validator("period")(_check_period)


class Substantial(_Model):
    """A change of at least a threshold against the baseline or a counterfactual.

    The counterfactual (what the indicator would have been with no agreement, e.g. from the
    economics layer) is a factor on the baseline mean, a list of ``{period, value}`` points,
    or a CSV/Parquet file of them (``counterfactual_file``, relative to the goals file).
    """

    kind: Literal["substantial"]
    min_change: float | None = Field(default=None, ge=0)
    min_change_abs: float | None = Field(default=None, ge=0)
    counterfactual_factor: float | None = Field(default=None, gt=0)
    counterfactual: list[CounterfactualPoint] | None = None
    counterfactual_file: str | None = None
    average_periods: int = Field(default=1, ge=1)
    by: Period | None = None
    alpha: float = Field(default=0.05, gt=0, lt=1)

    _by = field_validator("by")(_check_period)

    @model_validator(mode="after")
    def _one_reference(self) -> Substantial:
        given = [
            name
            for name in ("counterfactual_factor", "counterfactual", "counterfactual_file")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(f"give one counterfactual, not {' and '.join(given)}")
        if self.min_change is None and self.min_change_abs is None:
            raise ValueError("give min_change (relative, 0.2 = +20%) or min_change_abs")
        return self


class Continuous(_Model):
    """No fall from the running peak beyond ``tolerance`` and a Mann–Kendall trend."""

    kind: Literal["continuous"]
    tolerance: float = Field(default=0.10, ge=0)
    alpha: float = Field(default=0.05, gt=0, lt=1)
    # five points is the fewest for which a two-sided Mann–Kendall test can reject at 5%
    # (with four, p >= 0.089 even for a strictly monotone series)
    min_periods: int = Field(default=5, ge=3)
    by: Period | None = None

    _by = field_validator("by")(_check_period)


class Target(_Model):
    """A level to reach (at least, or at most for a decrease goal) by a date."""

    kind: Literal["target"]
    level: float
    by: Period

    _by = field_validator("by")(_check_period)


class RubricItem(_Model):
    """One piece of evidence assessors score."""

    id: str
    description: str = ""
    weight: float = Field(default=1.0, gt=0)


class Qualitative(_Model):
    """A rubric scored by named assessors on ``0..scale_max``, combined by ``rule``."""

    kind: Literal["qualitative"]
    items: list[RubricItem] = Field(min_length=1)
    scores: dict[str, dict[str, float]] = Field(default_factory=dict)
    scale_max: float = Field(default=4.0, gt=0)
    rule: Literal["mean", "median", "min", "max", "majority"] = "mean"
    met_at: float = Field(default=0.75, gt=0, le=1)
    partly_at: float = Field(default=0.5, ge=0, le=1)
    min_assessors: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _scores_in_rubric(self) -> Qualitative:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate rubric item ids in {ids}")
        for who, marks in self.scores.items():
            for item, score in marks.items():
                if item not in ids:
                    raise ValueError(
                        f"assessor {who!r} scores unknown item {item!r} (not in {ids})"
                    )
                if not 0 <= score <= self.scale_max:
                    raise ValueError(
                        f"assessor {who!r} gives {item!r} {score}, outside 0..{self.scale_max}"
                    )
        if self.partly_at > self.met_at:
            raise ValueError("partly_at must not exceed met_at")
        return self


Criterion = Annotated[
    Prompt | Substantial | Continuous | Target | Qualitative, Field(discriminator="kind")
]


class Goal(_Model):
    """A results-oriented goal: an indicator, its baseline, the agreement date and criteria."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = ""
    description: str = ""
    indicator: Indicator | None = None
    agreement: Period
    baseline: tuple[Period, Period] | None = None
    direction: Literal["increase", "decrease"] = "increase"
    criteria: list[Criterion] = Field(min_length=1)
    rule: CombineRule = "all"
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)

    _agreement = field_validator("agreement")(_check_period)

    @model_validator(mode="after")
    def _coherent(self) -> Goal:
        if self.baseline is not None:
            start, end = (to_time(p) for p in self.baseline)
            if start > end:
                raise ValueError("baseline starts after it ends")
        needs_data = [c.kind for c in self.criteria if c.kind != "qualitative"]
        if needs_data and self.indicator is None:
            raise ValueError(f"criteria {needs_data} need an indicator")
        return self


class Trigger(_Model):
    """If goal ``goal`` has a verdict in ``activate_on`` at ``deadline``, ``threat`` activates."""

    goal: str
    deadline: Period
    threat: str
    reason: str = ""
    activate_on: list[Verdict] = Field(
        default_factory=lambda: [Verdict.NOT_MET, Verdict.PARTLY_MET], min_length=1
    )

    _deadline = field_validator("deadline")(_check_period)


class Monitoring(_Model):
    """Everything to monitor for one agreement: goals, the overall rule, triggers.

    ``scenario`` names the scenario the triggers' threats belong to (a built-in scenario's
    name or a path relative to the goals file); a follow-up scenario is written from it.
    """

    title: str = ""
    description: str = ""
    note: str = ""
    scenario: str | None = None
    rule: CombineRule = "all"
    goals: list[Goal] = Field(min_length=1)
    triggers: list[Trigger] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids(self) -> Monitoring:
        ids = [g.id for g in self.goals]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate goal ids: {dup}")
        unknown = [t.goal for t in self.triggers if t.goal not in ids]
        if unknown:
            raise ValueError(f"triggers name unknown goals {unknown} (goals: {ids})")
        return self


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line of the last key of ``loc`` in the TOML text (only when unambiguous)."""
    keys = [k for k in loc if isinstance(k, str) and not k.startswith(("function-", "tagged-"))]
    if not text or not keys:
        return None
    pattern = re.compile(rf"^\s*{re.escape(keys[-1])}\s*=", re.MULTILINE)
    hits = [m.start() for m in pattern.finditer(text)]
    return text.count("\n", 0, hits[0]) + 1 if len(hits) == 1 else None


def monitoring_from_dict(
    data: Mapping[str, Any], *, source: str = "<monitoring>", text: str = ""
) -> Monitoring:
    """Validate a monitoring table (a goals file, or a scenario's ``monitoring`` section).

    Raises
    ------
    MonitorError
        Listing every problem with its field path (and line when it can be told).
    """
    try:
        return Monitoring.model_validate(dict(data))
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(item["loc"])
            path = ".".join(str(p) for p in loc if not str(p).startswith(("function-", "tagged-")))
            problems.append(Problem(source, path, item["msg"], _line_of(text, loc)))
        raise MonitorError(f"invalid goals in {source}", problems) from None


def load_goals_file(path: Path, *, allowed: Sequence[Path] = ()) -> Monitoring:
    """Read a goals TOML file, or a scenario file with a ``[monitoring]`` table.

    Paths in the goals (indicator ``path``, ``counterfactual_file``, a ``scenario`` file)
    resolve inside the goals file's folder, or the ``allowed`` folders the user passed.
    """
    src = str(path)
    text = read_text(path, error=MonitorError)
    data = parse_toml(text, src, error=MonitorError)
    in_scenario = "monitoring" in data
    if in_scenario:
        section = data["monitoring"]
        if not isinstance(section, dict):
            raise MonitorError("bad monitoring", [Problem(src, "monitoring", "expected a table")])
        if "goals" not in section:
            raise MonitorError(
                "no goals",
                [
                    Problem(
                        src, "monitoring.goals", "this scenario's [monitoring] table has no goals"
                    )
                ],
            )
        data = section
    monitoring = monitoring_from_dict(data, source=src, text=text)
    monitoring = _paths_inside(monitoring, path.parent, src, allowed)
    scenario = monitoring.scenario
    if in_scenario and scenario is None:
        scenario = str(path)  # the goals sit in the scenario they follow up
    elif scenario is not None and (scenario.endswith(".toml") or "/" in scenario):
        scenario = str(_inside(scenario, path.parent, src, "scenario", allowed))
    return monitoring.model_copy(update={"scenario": scenario})


def _inside(name: str, folder: Path, src: str, field: str, allowed: Sequence[Path]) -> Path:
    return resolve_inside(
        name, folder, source=src, field=field, allowed=allowed, error=MonitorError
    )


def _paths_inside(
    monitoring: Monitoring, folder: Path, src: str, allowed: Sequence[Path]
) -> Monitoring:
    """Data paths in goals (indicator and counterfactual files) resolved inside ``folder``."""
    goals = []
    for goal in monitoring.goals:
        update: dict[str, Any] = {}
        field = f"goals.{goal.id}"
        if isinstance(goal.indicator, FileIndicator) and goal.indicator.path is not None:
            where = _inside(goal.indicator.path, folder, src, f"{field}.indicator.path", allowed)
            update["indicator"] = goal.indicator.model_copy(update={"path": str(where)})
        update["criteria"] = [
            c.model_copy(
                update={
                    "counterfactual_file": str(
                        _inside(
                            c.counterfactual_file,
                            folder,
                            src,
                            f"{field}.criteria.counterfactual_file",
                            allowed,
                        )
                    )
                }
            )
            if isinstance(c, Substantial) and c.counterfactual_file is not None
            else c
            for c in goal.criteria
        ]
        goals.append(goal.model_copy(update=update))
    return monitoring.model_copy(update={"goals": goals})
