"""The scenario schema: a negotiation as typed, immutable pydantic models.

A scenario file is TOML. Every number may be written plainly (``discount = 0.98``) or
with its source (``discount = { value = 0.98, source = "seed-004", note = "..." }``);
both load into a :class:`Quantity`. Checks that involve a single field (types,
ranges, required fields) live here; checks across fields (unknown ids, undeclared
sources) live in :mod:`tradetalks.scenario._checks` so that every problem is reported
at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tradetalks.scenario._codes import COUNTRY_GROUPS
from tradetalks.scenario._labels import country_problem, sector_problem
from tradetalks.scenario._stages import Stage

Instrument = Literal[
    "tariff", "ntb", "quota", "ver", "trq", "purchase_commitment", "market_share", "rule"
]
ThreatInstrument = Literal["tariff", "ntb", "quota", "ver"]
RentOwner = Literal["importer", "exporter"]
Indicator = Literal[
    "value_added",
    "gross_output",
    "exports",
    "imports",
    "real_income",
    "consumer_prices",
    "tariff_revenue",
    "trade_balance",
    "issue_preference",
]
Distribution = Literal["uniform", "triangular"]

#: Instruments whose options are numbers on one scale (so they must be ordered).
NUMERIC_INSTRUMENTS: frozenset[str] = frozenset(
    {"tariff", "ntb", "quota", "ver", "trq", "purchase_commitment", "market_share"}
)
#: Indicators and the fields each one needs.
INDICATOR_NEEDS: dict[str, tuple[str, ...]] = {
    "value_added": ("country",),
    "gross_output": ("country",),
    "exports": ("country", "partner"),
    "imports": ("country", "partner"),
    "real_income": ("country",),
    "consumer_prices": ("country",),
    "tariff_revenue": ("country",),
    "trade_balance": ("country",),
    "issue_preference": ("issue", "scores"),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Quantity(_Frozen):
    """A number with the source it comes from (a declared source id) and an optional note."""

    value: float
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _plain_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError(f"expected a number, got {data!r}")
        if isinstance(data, int | float):
            return {"value": data}
        if isinstance(data, str):
            raise ValueError(
                f"expected a number or a table {{ value = ..., source = ... }}, got {data!r}"
            )
        return data


def default(value: float) -> Quantity:
    """A default number: marked as not written by the user, so it needs no source."""
    return Quantity.model_construct(_fields_set=set(), value=value)


def _in_range(q: Quantity, low: float, high: float, what: str) -> Quantity:
    if not low <= q.value <= high:
        raise ValueError(f"expected {what} in [{low:g}, {high:g}], got {q.value:g}")
    return q


def _non_negative(q: Quantity, what: str = "a non-negative number") -> Quantity:
    if q.value < 0:
        raise ValueError(f"expected {what}, got {q.value:g}")
    return q


def _country(code: str) -> str:
    if problem := country_problem(code):  # WIOD's codes, or the scenario's own table's
        raise ValueError(problem)
    return code


def _sectors(codes: list[str]) -> list[str]:
    if problem := sector_problem(codes):
        raise ValueError(problem)
    return codes


CountryCode = Annotated[str, Field(min_length=2)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]


class Source(_Frozen):
    """A source the scenario's numbers cite: a seed file, a dataset, a publication."""

    id: Identifier
    citation: str = Field(min_length=1)


class Deadline(_Frozen):
    """A deadline in rounds of talks and/or a calendar date."""

    round: int | None = Field(default=None, ge=1)
    date: dt.date | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _needs_one(self) -> Deadline:
        if self.round is None and self.date is None:
            raise ValueError("a deadline needs a round, a date, or both")
        return self


class Stake(_Frozen):
    """One weighted, signed economic indicator a constituency or leader cares about.

    ``sign = 1`` means the actor gains when the indicator rises; ``-1`` when it falls
    (e.g. consumer prices). ``source`` cites the scores of an issue preference (the
    weight carries its own). ``issue_preference`` stakes score the options of an issue
    directly, for commitments the trade model does not price (rules, purchase plans).
    """

    indicator: Indicator
    country: CountryCode | None = None
    partner: CountryCode | None = None
    sectors: list[str] = Field(default_factory=list)
    issue: str | None = None
    scores: dict[str, float] | None = None
    weight: Quantity = Field(default_factory=lambda: default(1.0))
    sign: Literal[1, -1] = 1
    source: str | None = None
    note: str | None = None

    # ``country``/``partner`` may also be a party, a group or a country priced in RoW: the
    # codes are checked across the file (``_checks._codes``), the sum over its members.
    _check_sectors = field_validator("sectors")(_sectors)
    _check_weight = field_validator("weight")(lambda q: _non_negative(q, "a weight >= 0"))

    @model_validator(mode="after")
    def _needs(self) -> Stake:
        missing = [f for f in INDICATOR_NEEDS[self.indicator] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"indicator {self.indicator!r} needs {', '.join(missing)}")
        return self


class Constituency(_Frozen):
    """A group at home whose support the government needs (Congress, automakers, farmers...)."""

    id: Identifier
    name: str
    weight: Quantity
    veto: bool = False
    tolerance: Quantity = Field(default_factory=lambda: default(0.0))
    stakes: list[Stake] = Field(min_length=1)
    note: str | None = None

    _check_weight = field_validator("weight")(lambda q: _non_negative(q, "a weight >= 0"))
    _check_tolerance = field_validator("tolerance")(lambda q: _non_negative(q, "a tolerance >= 0"))


class Leader(_Frozen):
    """The head of government's own stake: its weight in the government's utility."""

    name: str
    weight: Quantity
    stakes: list[Stake] = Field(min_length=1)

    _check_weight = field_validator("weight")(lambda q: _non_negative(q, "a weight >= 0"))


class Ratification(_Frozen):
    """How a deal passes at home: support threshold, veto players, leader strength."""

    threshold: Quantity
    veto_players: list[str] = Field(default_factory=list)
    leader_strength: Quantity = Field(default_factory=lambda: default(0.0))

    _check_threshold = field_validator("threshold")(
        lambda q: _in_range(q, 0.0, 1.0, "a share of weighted support")
    )
    _check_strength = field_validator("leader_strength")(
        lambda q: _in_range(q, 0.0, 1.0, "a leader strength")
    )


class Party(_Frozen):
    """A government at the table, or a group of countries that negotiates as one.

    ``code`` is a WIOD country, a named group (``EU``: its members, see ``COUNTRY_GROUPS``),
    a country declared in ``economics.priced_in_row``, or any code with ``members``: the
    countries (WIOD codes, named groups, or declared countries) it negotiates for. The
    party's indicators (value added, exports, equivalent variation, ...) are the sums over
    its members; a stake naming the party's code names that sum.
    """

    code: CountryCode
    name: str
    members: list[CountryCode] = Field(default_factory=list)
    negotiators: list[str] = Field(default_factory=list)
    discount: Quantity = Field(default_factory=lambda: default(1.0))
    deadline: Deadline | None = None
    leader: Leader
    constituencies: list[Constituency] = Field(default_factory=list)
    ratification: Ratification

    @field_validator("discount")
    @classmethod
    def _check_discount(cls, q: Quantity) -> Quantity:
        if not 0.0 < q.value <= 1.0:
            raise ValueError(f"expected a discount factor per round in (0, 1], got {q.value:g}")
        return q


class Option(_Frozen):
    """One option of an issue; ``value`` is on the issue's unit (absent for rules).

    ``in_quota_rate``: for a ``trq`` issue, this option's own in-quota rate (a deal that
    both widens the quota and cuts the rate inside it); the issue's rate otherwise.
    """

    id: Identifier
    label: str = ""
    value: Quantity | None = None
    in_quota_rate: Quantity | None = None


class Issue(_Frozen):
    """One issue on the table: an instrument that ``applied_by`` applies to ``applied_to``.

    For ``tariff`` and ``ntb`` the option values are tariff(-equivalent) rates
    (0.025 = 2.5%) on ``applied_by``'s imports from ``applied_to`` in ``sectors``; for
    ``quota`` (rent to ``applied_by``'s licence holders), ``ver`` (a voluntary export
    restraint, rent to the exporter ``applied_to``) and ``trq`` (a tariff-rate quota with
    ``in_quota_rate`` and ``over_quota_rate``) a cap in million USD a year; for
    ``purchase_commitment`` the value of purchases in million USD a year; for
    ``market_share`` the share (0..1) of ``applied_by``'s purchases of the sectors that
    ``applied_to`` is to supply; ``rule`` options are categorical commitments.

    ``applied_by``/``applied_to`` may be any country of the table or a named group
    (``EU``, ``EU15``, ``TPP``; see ``COUNTRY_GROUPS``), not only a party. An ``ntb`` may
    say which share of its tariff equivalent is a rent (``rent_share``, 0 = a pure cost,
    the default, 1 = all rent) and who holds it (``rent_owner``: ``importer``, its
    incumbents or licence holders, the default; ``exporter``, e.g. a price undertaking).
    """

    id: Identifier
    label: str
    instrument: Instrument
    applied_by: CountryCode
    applied_to: CountryCode
    sectors: list[str] = Field(default_factory=list)
    unit: str = ""
    ordered: bool | None = None
    options: list[Option] = Field(min_length=2)
    status_quo: str
    note: str | None = None
    rent_share: Quantity | None = None
    rent_owner: RentOwner | None = None
    in_quota_rate: Quantity | None = None
    over_quota_rate: Quantity | None = None

    _check_sectors = field_validator("sectors")(_sectors)

    @model_validator(mode="after")
    def _instrument_fields(self) -> Issue:
        rent = self.rent_share is not None or self.rent_owner is not None
        if rent and self.instrument != "ntb":
            raise ValueError(
                f"rent_share and rent_owner are for ntb issues (a {self.instrument}'s rent "
                "owner follows from the instrument: quota -> importer, ver -> exporter)"
            )
        if self.rent_share is not None:
            _in_range(self.rent_share, 0.0, 1.0, "rent_share, a share")
        trq = self.in_quota_rate is not None or self.over_quota_rate is not None
        if self.instrument == "trq":
            if self.in_quota_rate is None or self.over_quota_rate is None:
                raise ValueError("a trq issue needs in_quota_rate and over_quota_rate")
            if not 0.0 <= self.in_quota_rate.value <= self.over_quota_rate.value:
                raise ValueError(
                    f"expected 0 <= in_quota_rate <= over_quota_rate, got "
                    f"{self.in_quota_rate.value:g} and {self.over_quota_rate.value:g}"
                )
            for o in self.options:
                if o.in_quota_rate is not None and not (
                    0.0 <= o.in_quota_rate.value <= self.over_quota_rate.value
                ):
                    raise ValueError(
                        f"option {o.id}: expected 0 <= in_quota_rate <= over_quota_rate, got "
                        f"{o.in_quota_rate.value:g} and {self.over_quota_rate.value:g}"
                    )
        elif trq or any(o.in_quota_rate is not None for o in self.options):
            raise ValueError("in_quota_rate and over_quota_rate are for trq issues")
        if self.instrument == "market_share":
            bad = [o.id for o in self.options if o.value is not None
                   and not 0.0 <= o.value.value < 1.0]  # fmt: skip
            if bad:
                raise ValueError(f"market_share options {bad} must be shares in [0, 1)")
        return self

    @property
    def is_ordered(self) -> bool:
        """Whether the options lie on one scale (numeric instruments unless told otherwise)."""
        return self.instrument in NUMERIC_INSTRUMENTS if self.ordered is None else self.ordered

    def option_ids(self) -> list[str]:
        """The ids of the options, in order."""
        return [o.id for o in self.options]

    def status_quo_index(self) -> int:
        """Position of the status-quo option."""
        return self.option_ids().index(self.status_quo)


class Compliance(_Frozen):
    """What counts as compliance: the threat is withdrawn if the deal lands in these options.

    ``requires`` empty means any agreement complies. ``delivery`` is the probability that the
    other side delivers what it agreed, drawn at a compliance review (threats with
    ``stage = "compliance_review"``); 1 = always.
    """

    description: str
    requires: dict[str, list[str]] = Field(default_factory=dict)
    delivery: Quantity = Field(default_factory=lambda: default(1.0))

    _check_delivery = field_validator("delivery")(
        lambda q: _in_range(q, 0.0, 1.0, "a probability of delivery")
    )


ThreatStage = Literal["talks", "compliance_review"]


class Threat(_Frozen):
    """A threat carried out at its deadline unless an agreement meets its compliance terms.

    At the deadline its maker carries it out (with probability ``credibility``) when doing so
    is worth at least as much to it as not: its own gain plus ``reputation`` (what keeping
    its word is worth to it, in the unit of its stakes) is not negative. ``stage`` is
    ``"talks"`` (due by a round of the talks) or ``"compliance_review"`` (due after the
    talks, when the other side's delivery of an agreement is reviewed). ``after`` names the
    threat this one answers: it can only be carried out once that one has been
    (retaliation, matching, the next step of an escalation schedule).
    """

    id: Identifier
    by: CountryCode
    against: CountryCode
    instrument: ThreatInstrument
    sectors: list[str] = Field(min_length=1)
    size: Quantity
    covered_value_musd: Quantity | None = None
    covered_by_sector: dict[str, Quantity] = Field(default_factory=dict)
    deadline: Deadline | None = None
    credibility: Quantity
    credibility_range: tuple[float, float] | None = None
    compliance: Compliance
    reputation: Quantity = Field(default_factory=lambda: default(0.0))
    stage: ThreatStage = "talks"
    after: str | None = None
    note: str | None = None

    _check_sectors = field_validator("sectors")(_sectors)
    _check_size = field_validator("size")(lambda q: _non_negative(q, "a rate >= 0"))
    _check_reputation = field_validator("reputation")(
        lambda q: _non_negative(q, "a reputation term >= 0")
    )
    _check_covered = field_validator("covered_value_musd")(
        lambda q: q if q is None else _non_negative(q, "a trade value >= 0 (million USD)")
    )

    @model_validator(mode="after")
    def _covered(self) -> Threat:
        """Per-sector covered values (a product list mapped to sectors) name listed sectors."""
        extra = sorted(set(self.covered_by_sector) - set(self.sectors))
        if extra:
            raise ValueError(f"covered_by_sector names sectors {extra} not in sectors")
        bad = sorted(k for k, q in self.covered_by_sector.items() if q.value < 0)
        if bad:
            raise ValueError(f"covered_by_sector values must be >= 0 (million USD): {bad}")
        if self.covered_by_sector and self.covered_value_musd is not None:
            raise ValueError("give covered_value_musd or covered_by_sector, not both")
        return self

    _check_credibility = field_validator("credibility")(
        lambda q: _in_range(q, 0.0, 1.0, "a probability")
    )

    @field_validator("credibility_range")
    @classmethod
    def _check_range(cls, r: tuple[float, float] | None) -> tuple[float, float] | None:
        if r is not None and not 0.0 <= r[0] <= r[1] <= 1.0:
            raise ValueError(f"expected [low, high] with 0 <= low <= high <= 1, got {list(r)}")
        return r

    @model_validator(mode="after")
    def _credibility_in_range(self) -> Threat:
        r = self.credibility_range
        if r is not None and not r[0] <= self.credibility.value <= r[1]:
            raise ValueError(
                f"credibility {self.credibility.value:g} lies outside its range {list(r)}"
            )
        return self


class TariffLine(_Frozen):
    """A baseline tariff: ``importer`` charges ``rate`` on imports from ``exporter``."""

    importer: CountryCode
    exporter: CountryCode
    sectors: list[str] = Field(min_length=1)
    rate: Quantity

    _check_countries = field_validator("importer", "exporter")(_country)
    _check_sectors = field_validator("sectors")(_sectors)
    _check_rate = field_validator("rate")(lambda q: _non_negative(q, "a tariff rate >= 0"))


class Economics(_Frozen):
    """How outcomes are priced: data year, baseline tariffs, elasticity overrides.

    ``table`` names an input-output table of your own, priced instead of the bundled WIOD
    year: a file in the bundled WIOD long format (``table_output`` its gross output,
    optional), a folder in the ``cp2015`` layout, or a pymrio format (``table_format``;
    by default a cp2015 folder is recognised, anything else read as the long format). In
    a scenario file it is read from the file's own folder and must stay inside it, and
    the scenario names that table's country and sector codes (:func:`load_scenario`).
    Without it ``year`` must be a bundled WIOD year (1995-2011). ``inventories`` is how
    the inventory column is treated (``docs/instruments.md``). ``priced_in_row`` declares
    the countries the scenario names that WIOD does not list separately (New Zealand,
    Chile, ...): each is priced as part of WIOD's rest of the world (``RoW``), and every
    output says so (:meth:`Scenario.pricing_notes`).
    """

    year: int = Field(default=2011, ge=1950, le=2100, strict=True)  # "2011" is a typo
    year_source: str | None = None
    table: str | None = Field(default=None, min_length=1)
    table_output: str | None = Field(default=None, min_length=1)
    table_format: Literal["wiod", "cp2015", "pymrio", "oecd", "exiobase3", "eora26"] | None = None
    inventories: Literal["drop", "crc"] = "drop"
    baseline_tariffs: list[TariffLine] = Field(default_factory=list)
    priced_in_row: list[CountryCode] = Field(default_factory=list)
    elasticities: dict[str, Quantity] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _bundled_year(self) -> Economics:
        if self.table is None and not 1995 <= self.year <= 2011:
            raise ValueError(
                f"year {self.year}: the bundled WIOD covers 1995-2011; name your own table "
                '(table = "file.parquet") for other years'
            )
        if self.table is None and (self.table_output or self.table_format):
            raise ValueError("table_output and table_format need table")
        return self

    @field_validator("elasticities")
    @classmethod
    def _check_elasticities(cls, e: dict[str, Quantity]) -> dict[str, Quantity]:
        _sectors(list(e))
        bad = {k: q.value for k, q in e.items() if q.value <= 0}
        if bad:
            raise ValueError(f"trade elasticities must be > 0, got {bad}")
        return e


class UncertainRange(_Frozen):
    """A parameter drawn from a range in uncertainty sweeps.

    ``target`` names a number of the scenario: ``threats.<id>.credibility``,
    ``parties.<code>.ratification.leader_strength``,
    ``parties.<code>.ratification.threshold``, ``parties.<code>.constituencies.<id>.weight``,
    ``parties.<code>.leader.weight`` or ``economics.elasticities.<sector>``.
    """

    target: str
    low: float = Field(strict=True)  # a number, not true or "0.4"
    high: float = Field(strict=True)
    distribution: Distribution = "uniform"
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> UncertainRange:
        if self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        if self.low == self.high:
            raise ValueError(
                f"low and high are both {self.low:g}: a range of zero width varies nothing; "
                "set the number itself and drop the range"
            )
        if self.target.startswith("economics.elasticities.") and self.low <= 0:
            raise ValueError(f"a trade elasticity must be > 0; the range starts at {self.low:g}")
        return self


class Fact(_Frozen):
    """A reported figure that describes the situation (a market share, a deficit).

    Facts are not inputs of the models; they are context for the reader, and
    indicators that monitoring goals can refer to.
    """

    id: Identifier
    label: str
    value: Quantity
    unit: str


StakeUnit = Literal["usd_million"]
from tradetalks.scenario._outside import Cap, OutsideOption, Table  # noqa: E402 (uses the above)


class Scenario(_Frozen):
    """A negotiation: parties and their constituencies, issues, threats, protocol, economics.

    ``stake_unit = "usd_million"`` states stakes in money (Grossman and Helpman 1994):
    priced indicators in million USD of the data year, issue-preference scores, tolerances
    and reputation terms in million USD. Files without it use the older normalised stakes
    and are translated when loaded (see :func:`tradetalks.scenario.notices`).
    ``population`` lists the strategies a sweep draws each party's play from
    (``name[:key=v1|v2,...]``, ``|`` separating exponents drawn with equal chance).
    """

    id: Identifier
    title: str
    period: str
    summary: str
    sources: list[Source] = Field(min_length=1)
    parties: list[Party] = Field(min_length=2)
    facts: list[Fact] = Field(default_factory=list)
    issues: list[Issue] = Field(min_length=1)
    threats: list[Threat] = Field(default_factory=list)
    protocol: dict[str, Any] = Field(default_factory=dict)
    strategies: dict[str, dict[str, Any]] = Field(default_factory=dict)
    stake_unit: StakeUnit | None = None
    population: list[str] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)  # see scenario/_stages.py
    economics: Economics = Economics()
    uncertainty: list[UncertainRange] = Field(default_factory=list)
    monitoring: dict[str, Any] = Field(default_factory=dict)
    outside_options: list[OutsideOption] = Field(default_factory=list)  # scenario/_outside.py
    caps: list[Cap] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)

    def party(self, code: str) -> Party:
        """The party with this country code."""
        return next(p for p in self.parties if p.code == code)

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return next(i for i in self.issues if i.id == issue_id)

    def source(self, source_id: str) -> Source:
        """The declared source with this id."""
        return next(s for s in self.sources if s.id == source_id)

    def regions(self, code: str) -> tuple[str, ...]:
        """The WIOD regions (countries and ``RoW``) that ``code`` is priced as, in order.

        A party's code stands for its ``members``; a named group (``EU``) for its countries;
        a WIOD code for itself. A country of ``economics.priced_in_row`` stands for ``RoW``
        when it stands alone (a party of its own); among other members it is left out, so
        that a group's sums are not swamped by the whole rest of the world.
        """
        party = next((p for p in self.parties if p.code == code), None)
        names = party.members if party is not None and party.members else [code]
        countries = [c for name in names for c in COUNTRY_GROUPS.get(name, (name,))]
        row = set(self.economics.priced_in_row)
        out = tuple(dict.fromkeys(c for c in countries if c not in row))
        return out or (("RoW",) if any(c in row for c in countries) else ())

    def pricing_notes(self) -> list[str]:
        """How the parties that are not one WIOD country are priced, in words."""
        row = self.economics.priced_in_row
        notes = []
        alone = [c for c in row if self.regions(c) == ("RoW",)]
        if alone:
            verb = "is" if len(alone) == 1 else "are"
            notes.append(f"{', '.join(alone)} {verb} priced as part of RoW (WIOD's rest of the "
                         "world, which holds other countries too)")  # fmt: skip
        for p in self.parties:
            regions = self.regions(p.code)
            if regions != (p.code,) and regions != ("RoW",):
                names = p.members or [p.code]
                left = [c for n in names for c in COUNTRY_GROUPS.get(n, (n,)) if c in row]
                note = f"{p.code} negotiates as one for {', '.join(regions)}: its indicators are "
                note += "the sums over them"
                if left:
                    verb = "is" if len(left) == 1 else "are"
                    note += f"; {', '.join(left)} (in WIOD's RoW) {verb} not priced"
                notes.append(note)
        return notes
