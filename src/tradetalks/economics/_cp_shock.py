"""Shocks to the Caliendo–Parro model: tariff and NTB changes by importer × exporter × sector.

A shock is a short list of cells ``(importer, exporter, sector)`` with the new
tariff rate and the change in a non-tariff barrier's tariff equivalent. A tariff
raises revenue for the importer; a non-tariff barrier (NTB) is an iceberg cost
that raises none (Caliendo and Parro 2015 model the former; the latter enters
prices the same way without the revenue term).

Conventions (``rate`` is a fraction: 0.25 = 25%):

* ``tariff``, ``change``: τ' = τ + rate (percentage points added to the baseline).
* ``tariff``, ``level``: τ' = rate.
* ``ntb``, ``change``: the tariff equivalent rises by ``rate`` from its current
  level, d̂ = (1 + rate) (the baseline NTB is already in the data's trade shares).
* ``ntb``, ``level``: the tariff equivalent is set to ``rate`` from a baseline of
  zero, which is the same as ``change``.

Entries apply in order; several entries may hit the same cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from tradetalks._errors import InputError, Problem
from tradetalks.economics._cp_calibrate import CPBaseline

__all__ = [
    "EXPORTER_RENT_KINDS",
    "SHOCK_KINDS",
    "CPShock",
    "Rents",
    "ShockEntry",
    "make_shock",
    "parse_shock",
    "tariff_array",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ShockKind = Literal["tariff", "ntb", "quota", "ver", "export_tax", "price_undertaking"]
ShockMode = Literal["change", "level"]
RentOwner = Literal["importer", "exporter"]
#: Every wedge kind, by who receives its rent: the importer's government (tariff), nobody
#: or a share to licence holders/incumbents (ntb), the importer's licence holders (quota),
#: the exporter (ver, export_tax, price_undertaking).
SHOCK_KINDS: tuple[str, ...] = (
    "tariff", "ntb", "quota", "ver", "export_tax", "price_undertaking",
)  # fmt: skip
#: Kinds whose rent the exporter receives.
EXPORTER_RENT_KINDS: frozenset[str] = frozenset({"ver", "export_tax", "price_undertaking"})
_KINDS = SHOCK_KINDS


@dataclass(frozen=True, eq=False)
class Rents:
    """Rent wedges ``[n, i, j]`` and who owns each one's rent.

    ``rate`` is the ad valorem ρ (price factor 1 + ρ on top of the tariff, which is levied
    on the price including the rent); ``to_exporter`` marks the rents the exporter owns (a
    voluntary export restraint, a price undertaking, an export tax), the others going to
    the importer's licence holders (an import quota, a regulatory barrier's incumbents).
    The baseline has no rent wedges.
    """

    rate: FloatArray
    to_exporter: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ShockEntry:
    """One change: ``importer`` applies it to goods of ``exporter`` in ``sectors``.

    ``importer`` or ``exporter`` may be ``"*"``: every other country.
    """

    importer: str
    exporter: str
    sectors: tuple[str, ...]
    rate: float
    kind: ShockKind = "tariff"
    mode: ShockMode = "change"
    rent_share: float = 0.0
    rent_owner: RentOwner = "importer"

    def owner(self) -> str:
        """Who receives the wedge's rent: government, holders, exporter or nobody."""
        if self.kind == "tariff":
            return "government"
        if self.kind in EXPORTER_RENT_KINDS:
            return "exporter"
        if self.kind == "quota":
            return "holders"
        if self.rent_share == 0.0:
            return "nobody"
        return "exporter" if self.rent_owner == "exporter" else "holders"

    def split(self) -> tuple[float, float]:
        """``(rent part, iceberg part)`` of the price factor 1 + rate, as log shares.

        A quota or export restraint is all rent; an NTB with rent share s is
        :math:`(1+v)^s` rent wedge times :math:`(1+v)^{1-s}` iceberg cost, so s = 0 is
        the pure iceberg cost of before and s = 1 a wedge whose whole value is a rent.
        """
        if self.kind == "ntb":
            return self.rent_share, 1.0 - self.rent_share
        return 1.0, 0.0


@dataclass(frozen=True, eq=False)
class CPShock:
    """A shock as sparse cells (cheap to send to worker processes).

    Parameters
    ----------
    importer, exporter, sector
        Cell indices (same length).
    tariff_rate
        New tariff rate τ' of each cell.
    ntb_factor
        Change in the iceberg factor d̂ of each cell (1 = unchanged).
    label
        Human-readable description.
    rent_rate
        Rent wedge ρ of each cell (price factor 1 + ρ; None: no rents).
    rent_to_exporter
        Whether the exporter (else the importer's licence holders) owns the cell's rent.
    """

    importer: IntArray
    exporter: IntArray
    sector: IntArray
    tariff_rate: FloatArray
    ntb_factor: FloatArray
    label: str = ""
    rent_rate: FloatArray | None = None
    rent_to_exporter: npt.NDArray[np.bool_] | None = None

    @property
    def n_cells(self) -> int:
        """Number of cells touched."""
        return int(self.importer.size)

    def dense(self, baseline: CPBaseline) -> tuple[FloatArray, FloatArray]:
        """``(tariff_rate_new [n,i,j], ntb_factor [n,i,j])`` as full arrays."""
        tau = np.array(baseline.tariff_rate)
        d = np.ones_like(tau)
        tau[self.importer, self.exporter, self.sector] = self.tariff_rate
        d[self.importer, self.exporter, self.sector] = self.ntb_factor
        return tau, d

    def dense_rents(self, baseline: CPBaseline) -> Rents | None:
        """The rent wedges as full ``[n, i, j]`` arrays, or None when there are none."""
        if self.rent_rate is None or not np.any(self.rent_rate != 0.0):
            return None
        rate = np.zeros(baseline.tariff_rate.shape)
        owner = np.zeros(rate.shape, dtype=bool)
        cells = (self.importer, self.exporter, self.sector)
        rate[cells] = self.rent_rate
        if self.rent_to_exporter is not None:
            owner[cells] = self.rent_to_exporter
        return Rents(rate, owner)


def _countries(baseline: CPBaseline, code: str, other: str) -> list[int]:
    if code == "*":
        return [k for k, c in enumerate(baseline.countries) if c != other]
    return [baseline.country_index(code)]


def make_shock(baseline: CPBaseline, entries: Iterable[ShockEntry], label: str = "") -> CPShock:
    """Turn entries into a :class:`CPShock` on ``baseline``'s labels.

    Raises
    ------
    InputError
        Unknown country or sector, a country shocking itself, or a tariff factor
        1 + τ' (or NTB factor) that is not positive.
    """
    # cell -> [tariff, iceberg factor, rent factor 1 + ρ, owner (-1 none, 0 holders, 1 exporter)]
    cells: dict[tuple[int, int, int], list[float]] = {}
    for entry in entries:
        if entry.kind not in _KINDS:
            raise InputError(
                "bad shock kind",
                [Problem("<shock>", "kind", f"{entry.kind!r}; expected one of "
                         + ", ".join(_KINDS))],
            )  # fmt: skip
        if not np.isfinite(entry.rate):
            raise InputError("bad shock rate", [Problem("<shock>", "rate", "not finite")])
        if not 0.0 <= entry.rent_share <= 1.0:
            raise InputError(
                "bad rent share",
                [Problem("<shock>", "rent_share", f"{entry.rent_share}: expected 0..1")],
            )
        rent_part, ice_part = entry.split()
        owner = 1.0 if entry.owner() == "exporter" else 0.0
        sectors = [baseline.sector_index(s) for s in entry.sectors]
        for n in _countries(baseline, entry.importer, entry.exporter):
            for i in _countries(baseline, entry.exporter, baseline.countries[n]):
                if n == i:
                    raise InputError(
                        f"{baseline.countries[n]} cannot tariff its own goods",
                        [
                            Problem(
                                "<shock>",
                                "exporter",
                                f"{baseline.countries[n]} cannot tariff its own goods",
                            )
                        ],
                    )
                for j in sectors:
                    tau, d, omega, who = cells.setdefault(
                        (n, i, j), [float(baseline.tariff_rate[n, i, j]), 1.0, 1.0, -1.0]
                    )
                    factor = 1.0 + entry.rate
                    if entry.kind == "tariff":
                        tau = entry.rate if entry.mode == "level" else tau + entry.rate
                    elif factor > 0.0:
                        d = d * factor**ice_part if ice_part else d
                        if rent_part:
                            if who not in (-1.0, owner):
                                raise InputError(
                                    "two rent owners in one cell",
                                    [Problem("<shock>", "kind", f"{baseline.countries[n]}<-"
                                             f"{baseline.countries[i]} {baseline.sectors[j]}: "
                                             "a cell's rent goes to the importer's holders or "
                                             "to the exporter, not both")],
                                )  # fmt: skip
                            omega, who = omega * factor**rent_part, owner
                    if tau <= -1.0 or factor <= 0.0 or d <= 0.0:
                        raise InputError(
                            f"{entry.kind} rate {entry.rate} gives a non-positive price factor",
                            [
                                Problem(
                                    "<shock>",
                                    "rate",
                                    f"{entry.kind} rate gives a "
                                    "non-positive price factor (rates must stay above -1)",
                                )
                            ],
                        )
                    cells[(n, i, j)] = [tau, d, omega, who]
    keys = sorted(cells)
    index = np.array(keys, dtype=np.int64).reshape(-1, 3)
    values = np.array([cells[k] for k in keys], dtype=np.float64).reshape(-1, 4)
    has_rents = bool(np.any(values[:, 2] != 1.0))
    return CPShock(
        importer=index[:, 0],
        exporter=index[:, 1],
        sector=index[:, 2],
        tariff_rate=values[:, 0],
        ntb_factor=values[:, 1],
        label=label,
        rent_rate=values[:, 2] - 1.0 if has_rents else None,
        rent_to_exporter=values[:, 3] == 1.0 if has_rents else None,
    )


_SHOCK_RE = re.compile(
    r"^\s*(?P<importer>[A-Za-z0-9_*]+)\s*<-\s*(?P<exporter>[A-Za-z0-9_*]+)\s+"
    r"(?P<sectors>[A-Za-z0-9*,]+)\s+(?P<kind>\w+)\s+(?P<op>[+\-=]?)\s*(?P<rate>[0-9.eE+\-]+)"
    r"\s*(?P<pct>%?)(?:\s+rent\s+(?P<share>[0-9.eE+\-]+))?"
    r"(?:\s+to\s+(?P<owner>\w+))?\s*$",
    re.IGNORECASE,
)


def country_code(code: str) -> str:
    """A region as written in ``--shock``, spelt as the table spells it.

    WIOD spells the rest of the world ``RoW`` and other regions as upper-case ISO codes;
    other tables' labels (pymrio's ``reg1``) stay as written.
    """
    if code.upper() == "ROW":
        return "RoW"
    return code.upper() if len(code) == 3 and code.isalpha() else code


def sector_codes(text: str, field: str, sectors: Sequence[str] | None) -> tuple[str, ...]:
    """The sector list of a ``--shock``: ``c15``, ``c1,c3`` or ``*`` (all of ``sectors``)."""
    codes = tuple(s for s in field.split(",") if s)
    if codes == ("*",):
        if sectors is None:
            raise InputError(
                f"bad shock {text!r}", [Problem("--shock", "sectors", "'*' needs the sector list")]
            )
        return tuple(sectors)
    if "*" in codes or not codes:
        raise InputError(
            f"bad shock {text!r}", [Problem("--shock", "sectors", f"bad sector list in {text!r}")]
        )
    return codes


def parse_shock(text: str, sectors: Sequence[str] | None = None) -> ShockEntry:
    """Parse ``"USA<-JPN c15 tariff +0.25"`` into a :class:`ShockEntry`.

    Grammar: ``IMPORTER<-EXPORTER SECTORS KIND [+|-|=]RATE[%] [rent SHARE] [to OWNER]``;
    ``SECTORS`` is ``c15``, ``c1,c3`` or ``*`` (all of ``sectors``); ``KIND`` is one of
    :data:`SHOCK_KINDS` (``tariff``, ``ntb``, ``quota``, ``ver``, ``export_tax``,
    ``price_undertaking``), RATE its tariff equivalent; ``+``/``-`` is a change, ``=`` or
    no sign a level; ``%`` divides by 100. ``rent SHARE`` (0..1, NTBs only) is the part of
    the wedge that is a rent rather than a burnt cost, ``to importer|exporter`` who holds
    it (default the importer's incumbents), e.g. ``JPN<-USA c15 ntb +0.1 rent 0.5``.
    """
    match = _SHOCK_RE.match(text)
    if match is None:
        raise InputError(
            f"bad shock {text!r}",
            [
                Problem(
                    "--shock",
                    "",
                    f"cannot read {text!r}; expected e.g. "
                    "'USA<-JPN c15 tariff +0.25' (IMPORTER<-EXPORTER SECTORS KIND "
                    "[+|-|=]RATE [rent SHARE] [to importer|exporter]; KIND: "
                    + "|".join(_KINDS)
                    + ")",
                )
            ],
        )
    kind = match["kind"].lower()
    if kind not in _KINDS:
        raise InputError(
            f"bad shock {text!r}",
            [Problem("--shock", "kind", f"{match['kind']!r} in {text!r}; expected one of "
                     + ", ".join(_KINDS))],
        )  # fmt: skip
    share = 0.0
    if match["share"] is not None:
        try:
            share = float(match["share"])
        except ValueError:
            share = float("nan")
        if kind != "ntb" or not 0.0 <= share <= 1.0:
            raise InputError(
                f"bad shock {text!r}",
                [Problem("--shock", "rent", f"{match['share']!r} in {text!r}: a rent share is "
                         "a number in 0..1 and only for ntb (quota and ver are all rent)")],
            )  # fmt: skip
    owner = (match["owner"] or "importer").lower()
    if owner not in ("importer", "exporter"):
        raise InputError(
            f"bad shock {text!r}",
            [Problem("--shock", "to", f"{match['owner']!r} in {text!r}; expected importer or "
                     "exporter")],
        )  # fmt: skip
    try:
        rate = float(match["rate"])
    except ValueError:
        raise InputError(
            f"bad shock {text!r}",
            [Problem("--shock", "rate", f"{match['rate']!r} in {text!r} is not a number")],
        ) from None
    if match["pct"]:
        rate /= 100.0
    op = match["op"]
    if op == "-":
        rate = -rate
    return ShockEntry(
        importer=country_code(match["importer"]),
        exporter=country_code(match["exporter"]),
        sectors=sector_codes(text, match["sectors"], sectors),
        rate=rate,
        kind=cast(ShockKind, kind),
        mode="change" if op in ("+", "-") else "level",
        rent_share=share,
        rent_owner="exporter" if owner == "exporter" else "importer",
    )


def tariff_array(
    baseline_or_labels: CPBaseline | tuple[Sequence[str], Sequence[str]],
    entries: Iterable[tuple[str, str, Sequence[str], float]],
) -> FloatArray:
    """Build an ``[n, i, j]`` tariff-rate array from ``(importer, exporter, sectors, rate)``.

    For ``baseline_tariffs`` of :func:`~tradetalks.economics.calibrate`, e.g.
    ``tariff_array((countries, sectors), [("USA", "JPN", ["c15"], 0.025)])``.
    """
    if isinstance(baseline_or_labels, CPBaseline):
        countries, sectors = baseline_or_labels.countries, baseline_or_labels.sectors
    else:
        countries, sectors = tuple(baseline_or_labels[0]), tuple(baseline_or_labels[1])
    tau = np.zeros((len(countries), len(countries), len(sectors)))
    for importer, exporter, codes, rate in entries:
        problems = [
            Problem("<baseline_tariffs>", "country", f"unknown country {c!r}")
            for c in (importer, exporter)
            if c not in countries
        ] + [
            Problem("<baseline_tariffs>", "sector", f"unknown sector {s!r}")
            for s in codes
            if s not in sectors
        ]
        if importer == exporter:
            problems.append(Problem("<baseline_tariffs>", "exporter", "own-goods tariff"))
        if not rate > -1.0:
            problems.append(Problem("<baseline_tariffs>", "rate", f"{rate} must exceed -1"))
        if problems:
            raise InputError("bad baseline tariffs", problems)
        n, i = countries.index(importer), countries.index(exporter)
        for s in codes:
            tau[n, i, sectors.index(s)] = rate
    return tau
