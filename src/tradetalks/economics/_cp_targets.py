r"""Quantity instruments and managed trade, solved as quantities in the Caliendo–Parro model.

A :class:`Target` fixes a value (or share) of ``importer``'s purchases from ``exporter`` in
some sectors, at basic prices, and :func:`solve_targets` finds the price wedge that makes
it hold in general equilibrium, reporting that wedge as the constraint's shadow price:

* ``quota`` (an import quota, a value cap): an upper bound enforced by a rent wedge whose
  rent goes to the importer's licence holders; ``ver`` (a voluntary export restraint):
  the same cap with the rent to the exporter. The shadow price is the rent rate ρ
  (zero when the cap does not bind). With the rent wedge's equivalence to a tariff
  (same allocation, rent moved from the state to the holder), this is the textbook
  quota–tariff equivalence (Bhagwati 1965, "On the Equivalence of Tariffs and Quotas");
  a VER is the quota with the rent abroad (Feenstra 2004, Advanced International Trade,
  ch. 8).
* ``trq`` (tariff-rate quota): in-quota rate on imports up to ``value``, over-quota rate
  beyond; three regimes — under the quota (the in-quota rate), the quota binding (the
  in-quota rate plus a holders' rent between the two rates), over it (the over-quota rate
  at the margin, the in-quota rent :math:`(\tau_{out} - \tau_{in}) Q` to the holders).
* ``purchase`` (a purchase commitment, a lower bound on the value bought) and
  ``market_share`` (a lower bound on the exporter's share of the importer's purchases of
  those sectors): met by an import subsidy at the rate that reaches the commitment,
  financed by a lump-sum tax on the buyer (in CP's income equation it is a negative
  tariff, so its cost is a negative revenue of the buyer's government). This reads a
  "voluntary import expansion" as an import subsidy, as Bhagwati (1987, "VERs, quid pro
  quo DFI and VIEs", International Economic Journal 1(1)) and Irwin (1994, Managed Trade:
  The Case Against Import Targets, AEI Press, ch. 3) do: the buyer pays for it, the
  seller gains.

The wedge of each target is one number :math:`x_k` (log price factor, uniform across the
target's sectors), an unknown of the equilibrium itself: every sweep of the solver moves it
by a Newton step on :math:`f_k(x) = \ln(\text{value}_k(x) / \text{target}_k)` with the
partial-equilibrium slope :math:`-\theta(1 - \pi_{ni})`, projected on its bounds (a cap
that does not bind stays at x = 0, a tariff-rate quota over its quota at the over-quota
rate), and Anderson mixing accelerates it with the prices and spending (see
:class:`~tradetalks.economics._cp_stack.Targets`). So a target costs about one solve, not
a sequence of them, and the targets of many configurations are solved together
(:func:`solve_targets_batch`). At convergence every binding target is met to the solver's
tolerance; a miss beyond ``rtol`` raises.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from tradetalks._errors import ConvergenceError, InputError, Problem
from tradetalks._threads import one_blas_thread
from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import (
    CPShock,
    Rents,
    ShockEntry,
    country_code,
    make_shock,
    sector_codes,
)
from tradetalks.economics._cp_solve import CPResult, CPState, equilibrium_result
from tradetalks.economics._cp_stack import (
    Cells,
    Solved,
    Targets,
    shock_cells,
    solve_stacked,
    stacked_flows,
)

__all__ = [
    "TARGET_KINDS",
    "Target",
    "TargetOutcome",
    "TargetSolution",
    "is_target_text",
    "parse_target",
    "solve_targets",
    "solve_targets_batch",
]

FloatArray = npt.NDArray[np.float64]
TargetKind = Literal["quota", "ver", "trq", "purchase", "market_share"]
#: Quantity instruments and managed-trade commitments.
TARGET_KINDS: tuple[str, ...] = ("quota", "ver", "trq", "purchase", "market_share")


@dataclass(frozen=True)
class Target:
    """A quantity constraint on ``importer``'s purchases from ``exporter`` in ``sectors``.

    ``value``: million USD at basic prices (``quota``, ``ver``, ``trq``: the cap or quota
    volume; ``purchase``: the value to reach) or a share in (0, 1) (``market_share``: the
    exporter's share of the importer's purchases of those sectors from every source,
    domestic included). ``in_rate``/``over_rate``: the tariff-rate quota's rates.
    """

    importer: str
    exporter: str
    sectors: tuple[str, ...]
    kind: TargetKind
    value: float
    in_rate: float = 0.0
    over_rate: float = 0.0

    def upper_bound(self) -> bool:
        """Quotas, restraints and TRQs cap; purchases and shares are floors."""
        return self.kind in ("quota", "ver", "trq")


@dataclass(frozen=True)
class TargetOutcome:
    """How one target was met.

    ``shadow_price``: the ad valorem wedge the constraint adds (a rent rate for caps, minus
    the subsidy rate for floors; 0 when not binding). ``rent_musd``: the rent it creates
    (holders' or exporter's); ``subsidy_musd``: what the buyer pays for a floor.
    """

    target: Target
    binding: bool
    achieved: float
    shadow_price: float
    rent_musd: float
    subsidy_musd: float
    regime: str


@dataclass(frozen=True, eq=False)
class TargetSolution:
    """The equilibrium with every target met, and how each was met."""

    result: CPResult
    outcomes: tuple[TargetOutcome, ...]
    evaluations: int
    shock: CPShock
    sweeps: int = 0


@dataclass(frozen=True)
class _Cells:
    n: int
    i: int
    js: npt.NDArray[np.int64]


def _cells(b: CPBaseline, t: Target) -> _Cells:
    problems = []
    if t.kind not in TARGET_KINDS:
        problems.append(Problem("<target>", "kind", f"{t.kind!r}; expected one of "
                                + ", ".join(TARGET_KINDS)))  # fmt: skip
    if t.kind == "market_share" and not 0.0 < t.value < 1.0:
        problems.append(Problem("<target>", "value", f"a market share is in (0, 1), not {t.value}"))
    elif t.kind != "market_share" and not t.value >= 0.0:
        problems.append(Problem("<target>", "value", f"{t.value}: expected ≥ 0 (million USD)"))
    if t.kind == "trq" and not -1.0 < t.in_rate <= t.over_rate:
        problems.append(Problem("<target>", "over_rate", "need -1 < in-quota ≤ over-quota rate"))
    if t.importer == t.exporter:
        problems.append(Problem("<target>", "exporter", "a country cannot target itself"))
    if problems:
        raise InputError(f"bad {t.kind} target", problems)
    js = np.array([b.sector_index(s) for s in t.sectors], dtype=np.int64)
    return _Cells(b.country_index(t.importer), b.country_index(t.exporter), js)


def _measure(t: Target, c: _Cells, flows: FloatArray) -> float:
    own = float(flows[c.n, c.i, c.js].sum())
    if t.kind == "market_share":
        total = float(flows[c.n, :, c.js].sum())
        return own / total if total > 0 else 0.0
    return own


@dataclass
class _Wedges:
    """Dense arrays of one evaluation: tariffs, iceberg, rents, owners."""

    tau: FloatArray
    d: FloatArray
    rho: FloatArray
    to_exporter: npt.NDArray[np.bool_]


def _apply(
    b: CPBaseline, start: _Wedges, targets: list[Target], cells: list[_Cells], x: FloatArray
) -> _Wedges:
    w = _Wedges(start.tau.copy(), start.d, start.rho.copy(), start.to_exporter.copy())
    for t, c, xk in zip(targets, cells, x, strict=True):
        idx = (c.n, c.i, c.js)
        if t.kind in ("purchase", "market_share"):
            # an import subsidy: the buyer's price factor (1 + τ) falls by e^x (x ≤ 0)
            w.tau[idx] = (1.0 + start.tau[idx]) * np.exp(xk) - 1.0
        else:
            if t.kind == "trq":
                w.tau[idx] = t.in_rate
            if np.any(start.rho[idx] != 0.0):
                raise InputError(
                    "two rents in one cell",
                    [Problem("<target>", t.kind, f"{t.importer}<-{t.exporter}: the cell "
                             "already carries a quota or restraint rent")],
                )  # fmt: skip
            w.rho[idx] = np.expm1(xk)
            w.to_exporter[idx] = t.kind == "ver"
    return w


def _to_shock(b: CPBaseline, w: _Wedges, label: str) -> CPShock:
    n, i, j = np.nonzero((w.tau != b.tariff_rate) | (w.d != 1.0) | (w.rho != 0.0))
    rents = bool(np.any(w.rho[n, i, j] != 0.0))
    return CPShock(
        importer=n.astype(np.int64),
        exporter=i.astype(np.int64),
        sector=j.astype(np.int64),
        tariff_rate=w.tau[n, i, j],
        ntb_factor=w.d[n, i, j],
        label=label,
        rent_rate=w.rho[n, i, j] if rents else None,
        rent_to_exporter=w.to_exporter[n, i, j] if rents else None,
    )


def _bounds(t: Target) -> tuple[float, float]:
    """Range of the log wedge x: caps add a rent (x ≥ 0), floors a subsidy (x ≤ 0)."""
    if t.kind == "trq":
        return 0.0, float(np.log((1.0 + t.over_rate) / (1.0 + t.in_rate)))
    if t.upper_bound():
        return 0.0, 20.0
    return -5.0, 0.0


def _slope(b: CPBaseline, t: Target, c: _Cells) -> float:
    """The partial-equilibrium slope d ln value / dx, −θ (1 − π_ni).

    π_ni is the exporter's share of the importer's spending; a share target moves with one
    more factor 1 − share.
    """
    slope = -float(np.average(b.theta[c.js] * (1.0 - b.trade_share[c.n, c.i, c.js]),
                              weights=b.sales_musd[c.n, c.i, c.js] + 1e-12))  # fmt: skip
    if t.kind == "market_share":
        total = float(b.sales_musd[c.n, :, c.js].sum())
        share = float(b.sales_musd[c.n, c.i, c.js].sum()) / total if total > 0 else 0.0
        slope *= 1.0 - min(max(share, 0.0), 0.99)
    return slope


@dataclass(frozen=True)
class _Problem:
    """One configuration: its wedges before the targets, its targets and their cells."""

    label: str
    start: _Wedges
    targets: list[Target]
    cells: list[_Cells]


def _problem(b: CPBaseline, entries: list[ShockEntry], targets: list[Target],
             label: str) -> tuple[_Problem, Cells]:  # fmt: skip
    """The configuration and its touched cells (``problem`` 0, targets numbered from 0)."""
    shock0 = make_shock(b, entries, label=label)
    tau0, d0 = shock0.dense(b)
    rents0 = shock0.dense_rents(b)
    start = _Wedges(
        tau0, d0,
        np.zeros_like(tau0) if rents0 is None else np.array(rents0.rate),
        np.zeros(tau0.shape, dtype=bool) if rents0 is None else np.array(rents0.to_exporter),
    )  # fmt: skip
    cells = [_cells(b, t) for t in targets]
    for t, c in zip(targets, cells, strict=True):
        if not t.upper_bound() and float(b.sales_musd[c.n, c.i, c.js].sum()) <= 0.0:
            raise InputError(
                f"{t.kind} target cannot be met",
                [Problem("<target>", "value", f"{t.importer} buys nothing from {t.exporter} "
                         f"in {', '.join(t.sectors)}: no subsidy can reach {t.value}")],
            )  # fmt: skip
    w = _apply(b, start, targets, cells, np.zeros(len(targets)))  # checks one rent per cell
    touched = (w.tau != b.tariff_rate) | (w.d != 1.0) | (w.rho != 0.0)
    target = np.full(w.tau.shape, -1, dtype=np.intp)
    floor = np.zeros(w.tau.shape, dtype=bool)
    for k, (t, c) in enumerate(zip(targets, cells, strict=True)):
        touched[c.n, c.i, c.js] = True
        target[c.n, c.i, c.js] = k
        floor[c.n, c.i, c.js] = not t.upper_bound()
    n, i, j = (v.astype(np.intp) for v in np.nonzero(touched))
    return _Problem(label, start, targets, cells), Cells(
        np.zeros(n.size, dtype=np.intp), n, i, j, w.tau[n, i, j], w.d[n, i, j], w.rho[n, i, j],
        w.to_exporter[n, i, j], target[n, i, j], floor[n, i, j],
    )  # fmt: skip


def solve_targets_batch(
    baseline: CPBaseline,
    configurations: Sequence[tuple[Sequence[ShockEntry], Sequence[Target]]],
    *,
    labels: Sequence[str] | None = None,
    tol: float = 1e-9,
    rtol: float = 1e-4,
    decompose: bool = True,
    flows: bool = True,
) -> list[TargetSolution]:
    """Price many configurations of wedges and quantity targets, all in one stacked solve.

    Each target's wedge is an unknown of the equilibrium (see
    :class:`~tradetalks.economics._cp_stack.Targets`: updated every sweep from the gap to
    its target, with the partial-equilibrium slope, and Anderson-mixed with the prices
    and spending), so a configuration costs about one solve, and the configurations of a
    grid are solved together (one stacked sweep per iteration).

    Raises
    ------
    InputError
        A malformed target, or a floor that no subsidy can reach (no trade to expand).
    ConvergenceError
        The equilibrium was not found, or a binding target missed by more than ``rtol``.
    """
    b = baseline
    if not configurations:
        return []
    names = list(labels) if labels is not None else [""] * len(configurations)
    problems, parts = [], []
    offset = 0
    for p, (entries, targets) in enumerate(configurations):
        prob, cells = _problem(b, list(entries), list(targets), names[p])
        problems.append(prob)
        target = np.where(cells.target >= 0, cells.target + offset, -1)
        parts.append(replace(cells, problem=cells.problem + p, target=target))
        offset += len(targets)
    every = [(p, k, t, c) for p, prob in enumerate(problems)
             for k, (t, c) in enumerate(zip(prob.targets, prob.cells, strict=True))]  # fmt: skip
    share = [(g, int(j)) for g, (_, _, t, c) in enumerate(every) if t.kind == "market_share"
             for j in c.js]  # fmt: skip
    bounds = np.array([_bounds(t) for _, _, t, _ in every]).reshape(-1, 2)
    spec = Targets(
        np.array([p for p, *_ in every], dtype=np.intp),
        np.array([k for _, k, *_ in every], dtype=np.intp),
        np.array([c.n for *_, c in every], dtype=np.intp),
        np.array([t.value for _, _, t, _ in every], dtype=np.float64),
        bounds[:, 0], bounds[:, 1],
        np.array([_slope(b, t, c) for _, _, t, c in every], dtype=np.float64),
        np.array([t.kind == "market_share" for _, _, t, _ in every], dtype=bool),
        np.array([g for g, _ in share], dtype=np.intp),
        np.array([j for _, j in share], dtype=np.intp),
    )  # fmt: skip
    with one_blas_thread():
        solved = solve_stacked(b, Cells.concat(parts), [None] * len(problems), targets=spec,
                               tol=tol)  # fmt: skip
    return [_solution(b, prob, s, tol, rtol, decompose, flows)
            for prob, s in zip(problems, solved, strict=True)]  # fmt: skip


def _solution(b: CPBaseline, prob: _Problem, s: Solved, tol: float, rtol: float,
              decompose: bool, flows: bool) -> TargetSolution:  # fmt: skip
    """The result of one solved configuration and how each of its targets was met."""
    x = s.x[: len(prob.targets)]
    w = _apply(b, prob.start, prob.targets, prob.cells, x)
    shock = _to_shock(b, w, prob.label)
    state = CPState(s.log_w, s.log_P, s.X)
    parts = None
    if decompose:
        from tradetalks.economics._cp_welfare import decompose as _decompose

        rents = Rents(w.rho, w.to_exporter) if np.any(w.rho != 0.0) else None
        parts = _decompose(b, w.tau, w.d, rents, 4, state, tol)
    result = equilibrium_result(
        b, prob.label, state, s.log_c, s.gross, s.revenue, s.holder_rent, s.exporter_rent,
        stacked_flows(b, s, shock_cells([shock])), s.iterations, s.excess, parts,
    )  # fmt: skip
    outcomes, result = _outcomes(b, prob.targets, prob.cells, x, w, prob.start, result)
    lo_hi = [_bounds(t) for t in prob.targets]
    for o, xk, (lo, hi) in zip(outcomes, x, lo_hi, strict=True):
        if lo < xk < hi and abs(o.achieved / o.target.value - 1.0) > rtol:
            raise ConvergenceError(
                f"{o.target.kind} target missed", {"achieved": o.achieved, "goal": o.target.value}
            )
    if not flows:
        result = replace(result, trade_musd=None)
    return TargetSolution(result, outcomes, 1, shock, s.iterations)


def solve_targets(
    baseline: CPBaseline,
    entries: list[ShockEntry],
    targets: list[Target],
    *,
    label: str = "",
    tol: float = 1e-9,
    rtol: float = 1e-4,
    decompose: bool = True,
    flows: bool = True,
) -> TargetSolution:
    """Price ``entries`` with every target met (see the module docstring).

    One configuration of :func:`solve_targets_batch`: the targets' wedges are solved with
    the equilibrium, in one solve.

    Raises
    ------
    InputError
        A malformed target, or a floor that no subsidy can reach (no trade to expand).
    ConvergenceError
        The equilibrium was not found, or a binding target missed by more than ``rtol``.
    """
    (sol,) = solve_targets_batch(baseline, [(entries, targets)], labels=[label], tol=tol,
                                 rtol=rtol, decompose=decompose, flows=flows)  # fmt: skip
    return sol


def _outcomes(
    b: CPBaseline,
    targets: list[Target],
    cells: list[_Cells],
    x: FloatArray,
    w: _Wedges,
    start: _Wedges,
    result: CPResult,
) -> tuple[tuple[TargetOutcome, ...], CPResult]:
    assert result.trade_musd is not None
    fl = result.trade_musd
    holder = np.zeros(len(b.countries)) if result.holder_rent_musd is None else np.array(
        result.holder_rent_musd)  # fmt: skip
    revenue = np.array(result.tariff_revenue_musd)
    out = []
    for t, c, xk in zip(targets, cells, x, strict=True):
        idx = (c.n, c.i, c.js)
        basic = fl[idx]
        got = _measure(t, c, fl)
        rate = float(np.expm1(xk))
        rent = subsidy = 0.0
        regime = "binding" if xk != 0.0 else "not binding"
        if t.kind in ("purchase", "market_share"):
            subsidy = float(((start.tau[idx] - w.tau[idx]) * basic).sum())
        else:
            rent = float((w.rho[idx] * basic).sum())
            if t.kind == "trq":
                top = float(np.log((1.0 + t.over_rate) / (1.0 + t.in_rate)))
                if xk == 0.0:
                    regime = "in quota"
                elif xk >= top - 1e-15 and got > t.value * (1 + 1e-9):
                    # over the quota: the over-quota rate at the margin; only the quota's
                    # Q units carry the holders' rent, the rest is the state's revenue
                    regime = "over quota"
                    in_quota_rent = (t.over_rate - t.in_rate) * t.value
                    revenue[c.n] += rent - in_quota_rent
                    holder[c.n] -= rent - in_quota_rent
                    rent = in_quota_rent
                else:
                    regime = "quota binding"
        out.append(TargetOutcome(t, bool(xk != 0.0), got, rate, rent, subsidy, regime))
    if any(t.kind == "trq" for t in targets):
        result = replace(result, tariff_revenue_musd=revenue, holder_rent_musd=holder)
    return tuple(out), result


_TARGET_RE = re.compile(
    r"^\s*(?P<importer>[A-Za-z0-9_]+)\s*<-\s*(?P<exporter>[A-Za-z0-9_]+)\s+(?P<sectors>[A-Za-z0-9*,]+)\s+"
    r"(?P<kind>quota|ver|trq|purchase|market_share|share)\s+(?:cap\s+)?(?P<value>[0-9.eE+\-]+)"
    r"\s*(?P<pct>%?)(?:\s+in\s+(?P<inr>[0-9.eE+\-]+)\s+over\s+(?P<over>[0-9.eE+\-]+))?\s*$",
    re.IGNORECASE,
)
_TARGET_WORDS = re.compile(r"\s(cap|purchase|market_share|share|trq)\s", re.IGNORECASE)


def is_target_text(text: str) -> bool:
    """Whether a ``--shock`` text names a quantity (``cap``, ``purchase``, ``share``, ``trq``)."""
    return _TARGET_WORDS.search(f" {text} ") is not None


def parse_target(text: str, sectors: Sequence[str] | None = None) -> Target:
    """Parse a quantity instrument: ``IMPORTER<-EXPORTER SECTORS KIND VALUE``.

    ``USA<-JPN c15 ver cap 20000`` (a cap of $20bn; ``quota cap`` likewise),
    ``JPN<-USA c15 purchase 19000`` (purchases of at least $19bn),
    ``JPN<-USA c15 share 20%`` (a market share of at least 20%),
    ``JPN<-USA c1 trq 500 in 0 over 0.5`` (a $500m quota at 0%, 50% beyond it).
    """
    m = _TARGET_RE.match(text)
    if m is None:
        raise InputError(
            f"bad shock {text!r}",
            [Problem("--shock", "", f"cannot read {text!r}; expected e.g. 'USA<-JPN c15 ver "
                     "cap 20000', 'JPN<-USA c15 purchase 19000', 'JPN<-USA c15 share 20%' or "
                     "'JPN<-USA c1 trq 500 in 0 over 0.5'")],
        )  # fmt: skip
    kind = m["kind"].lower()
    kind = "market_share" if kind == "share" else kind
    try:
        value = float(m["value"]) / (100.0 if m["pct"] else 1.0)
        in_rate = float(m["inr"]) if m["inr"] else 0.0
        over_rate = float(m["over"]) if m["over"] else 0.0
    except ValueError:
        raise InputError(
            f"bad shock {text!r}", [Problem("--shock", "value", f"a number in {text!r} is not one")]
        ) from None
    if kind == "trq" and m["over"] is None:
        raise InputError(
            f"bad shock {text!r}",
            [Problem("--shock", "trq", f"{text!r}: a trq needs 'in RATE over RATE'")],
        )
    codes = sector_codes(text, m["sectors"], sectors)
    return Target(country_code(m["importer"]), country_code(m["exporter"]), codes,
                  kind, value, in_rate, over_rate)  # type: ignore[arg-type]  # fmt: skip
