"""The casebook's vocabulary: episodes, questions and how a question is read from a run.

An episode is a scenario (configured only from facts dated before ``cutoff``) plus
questions about what happened after it, each with the record's answer and the sources
that give it. How a question is read from a run is one of a few typed readings:

========================  =====================================================  ============
reading (``kind``)        yes when, in a simulated session, ...                  naive rule
========================  =====================================================  ============
``agreement``             the talks end in a deal                                yes
``agreement_by``          a deal is made in rounds ``1..round``                  yes
``threat``                threat ``threat`` is carried out                       no
``settled``               issue ``issue`` ends on one of ``options``             status quo
``joint``                 every listed issue ends on one of its options          status quo
``moved``                 ``all``/``any`` of ``issues`` move off the status quo  no
``option`` (categorical)  the answer is the option issue ``issue`` ends on       status quo
========================  =====================================================  ============

An issue "ends" on the option of the deal, or on its status quo when there is no deal.
The naive rule is the one an analyst would use without a model ("talks end in a deal,
threats are not carried out, a demand the other side has publicly refused stays
refused"); it is fixed by the reading's kind, never by the answer.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Agreement(_Frozen):
    """Yes when the talks end in a deal."""

    kind: Literal["agreement"]


class AgreementBy(_Frozen):
    """Yes when a deal is made by round ``round`` (1-based) of the talks' deadline."""

    kind: Literal["agreement_by"]
    round: int = Field(ge=1)


class ThreatCarriedOut(_Frozen):
    """Yes when the threat ``threat`` is carried out."""

    kind: Literal["threat"]
    threat: Identifier


class Settled(_Frozen):
    """Yes when ``issue`` ends on one of ``options`` (its status quo if there is no deal)."""

    kind: Literal["settled"]
    issue: Identifier
    options: list[Identifier] = Field(min_length=1)


class Joint(_Frozen):
    """Yes when every issue of ``issues`` ends on one of its listed options (all at once)."""

    kind: Literal["joint"]
    issues: dict[Identifier, list[Identifier]] = Field(min_length=2)


class Moved(_Frozen):
    """Yes when a deal moves ``all`` (or ``any``) of ``issues`` off their status quo."""

    kind: Literal["moved"]
    issues: list[Identifier] = Field(min_length=1)
    how: Literal["all", "any"] = "all"


class OptionOf(_Frozen):
    """Categorical: the option ``issue`` ends on (its status quo if there is no deal)."""

    kind: Literal["option"]
    issue: Identifier


Reading = Annotated[
    Agreement | AgreementBy | ThreatCarriedOut | Settled | Joint | Moved | OptionOf,
    Field(discriminator="kind"),
]
#: Every kind of reading, in the order tables list them.
KINDS: tuple[str, ...] = (
    "agreement", "agreement_by", "threat", "settled", "joint", "moved", "option",
)  # fmt: skip


class RecordRef(_Frozen):
    """Where the answer stands in the development record (``episodes_dev.yaml``).

    ``path`` is a dotted path inside the record's episode (``forecast_targets[3].a``,
    ``threats[0].executed``); ``value`` is the value found there, copied, so that a test
    can check the answer against the record.
    """

    path: str = Field(min_length=1)
    value: Any


class Question(_Frozen):
    """One question about the episode's outcome, with the record's answer and its sources.

    ``answer`` is ``true``/``false`` for yes/no readings and an option id for ``option``.
    """

    id: Identifier
    text: str = Field(min_length=1)
    read: Reading
    answer: bool | str
    sources: list[str] = Field(min_length=1)
    record: list[RecordRef] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _answer_type(self) -> Question:
        categorical = self.read.kind == "option"
        if categorical and not isinstance(self.answer, str):
            raise ValueError("an 'option' question's answer is an option id")
        if not categorical and not isinstance(self.answer, bool):
            raise ValueError(f"a {self.read.kind!r} question's answer is true or false")
        return self

    @property
    def categorical(self) -> bool:
        """Whether the question has more than yes/no for an answer."""
        return self.read.kind == "option"


class EpisodeSource(_Frozen):
    """A source the episode cites: a key registered in the development record."""

    key: Identifier
    title: str = Field(min_length=1)
    url: str = Field(min_length=1)
    quality: Literal["primary", "news", "secondary", "low"]


class Episode(_Frozen):
    """A real negotiation: a scenario written before ``cutoff`` and questions about after.

    ``scenario`` is ``builtin:NAME`` (a built-in scenario) or a file next to the episode
    file. ``gaps`` lists what the episode needs that the scenario format cannot express.
    """

    id: Identifier
    title: str = Field(min_length=1)
    record: str = Field(min_length=1, description="the episode's id in episodes_dev.yaml")
    scenario: str = Field(min_length=1)
    decision: str = Field(min_length=1)
    cutoff: dt.date
    cutoff_note: str | None = None
    sources: list[EpisodeSource] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    gaps: list[str] = Field(default_factory=list)

    @field_validator("scenario")
    @classmethod
    def _scenario_name(cls, value: str) -> str:
        if value.startswith("builtin:"):
            return value
        if not re.fullmatch(r"[A-Za-z0-9_\-.]+\.toml", value) or value.startswith("."):
            raise ValueError(
                "expected 'builtin:NAME' or the name of a .toml file in the episode's folder, "
                f"got {value!r}"
            )
        return value

    def source(self, key: str) -> EpisodeSource:
        """The cited source with this key."""
        return next(s for s in self.sources if s.key == key)
