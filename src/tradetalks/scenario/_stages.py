"""Stages of an episode besides the main talks: a summit with its own deadline.

Putnam (1988, "Diplomacy and Domestic Politics", *International Organization* 42(3))
reads summits as the moments when chief negotiators commit in person. A summit here takes
the ``rounds`` rounds of the talks that end at its deadline (round ``deadline.round`` of
the talks, on ``deadline.date``): the leaders bargain over the same deals, and while it
lasts each government named in ``leader_strength`` ratifies with that leader strength
instead of its own (a leader who commits in person carries a smaller coalition at home).
Threats due at its deadline round are decided when it ends. The summit succeeds if the
talks agree during its rounds; otherwise it fails and the talks go on to their deadline.
A summit with no ``leader_strength`` changes no session: it names rounds and a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from tradetalks.scenario._model import Scenario


class StageDeadline(BaseModel):
    """The last round of a stage (1-based, a round of the talks) and its date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    round: int = Field(ge=1, strict=True)
    date: dt.date | None = None
    source: str | None = None
    note: str | None = None


class Stage(BaseModel):
    """A stage of the episode: a summit (the only kind so far) with its own deadline."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    kind: Literal["summit"] = "summit"
    label: str | None = None
    rounds: int = Field(default=1, ge=1, strict=True)
    deadline: StageDeadline
    leader_strength: dict[str, float] = Field(default_factory=dict)
    source: str | None = None
    note: str | None = None

    @property
    def first_round(self) -> int:
        """0-based round at whose start the stage begins."""
        return self.deadline.round - self.rounds

    @property
    def end_round(self) -> int:
        """0-based round at whose start the stage is over (its deadline round, 1-based)."""
        return self.deadline.round


def stage_checks(s: Scenario, rounds: int) -> Iterator[tuple[str, str]]:
    """Problems of the stages of ``s`` whose talks last ``rounds`` rounds."""
    codes = [p.code for p in s.parties]
    declared = {x.id for x in s.sources}
    mid = [t.deadline.round for t in s.threats
           if t.stage == "talks" and t.deadline is not None and t.deadline.round]  # fmt: skip
    previous = 0
    for k, stage in enumerate(s.stages):
        where = f"stages[{k}]"
        last = stage.deadline.round
        if last >= rounds:
            yield (
                f"{where}.deadline",
                (
                    f"round {last} is not before the end of the talks ({rounds} rounds): "
                    "a summit comes before the main deadline"
                ),
            )
        if stage.first_round < previous:
            yield (
                f"{where}.rounds",
                (
                    f"{stage.rounds} round(s) ending in round {last} overlap the stage before "
                    "it (or start before round 1)"
                ),
            )
        previous = stage.deadline.round
        for code, value in stage.leader_strength.items():
            if code not in codes:
                yield f"{where}.leader_strength.{code}", f"{code!r} is not a party ({codes})"
            if not 0.0 <= value < 1.0:
                yield f"{where}.leader_strength.{code}", f"expected a share in [0, 1), got {value}"
        early = [r for r in mid if r < stage.deadline.round]
        if stage.leader_strength and early:
            yield (
                f"{where}.deadline",
                (
                    f"a threat due in round {min(early)} is decided before the summit ends; a "
                    "summit with its own leader strength must come first"
                ),
            )
        for field, ref in (("source", stage.source), ("deadline.source", stage.deadline.source)):
            if ref is not None and ref not in declared:
                yield f"{where}.{field}", f"source {ref!r} is not declared in [[sources]]"
        if stage.leader_strength and stage.source is None:
            yield f"{where}.source", "cite the source of the summit's leader strengths"
    ids = [st.id for st in s.stages]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        yield "stages", f"stage id {dup!r} is used twice"
