r"""Many Caliendo–Parro counterfactuals solved together, one stacked sweep per iteration.

The equations and the iteration are those of :mod:`~tradetalks.economics._cp_solve`
(Caliendo and Parro 2015, eqs. 10–14 in changes; a damped sweep over (ŵ, P̂, X')
accelerated by Anderson mixing, Walker and Ni 2011); only the layout differs. A shock
touches few cells ``(n, i, j)`` of the trade table, so each partner sum splits into the
baseline's matrix, the same for every shock, and a sparse correction on the touched cells:

.. math::

    \sum_i \pi_{ni}^j(\hat\kappa\hat d\hat\omega)_{ni}^{j\,-\theta^j}\hat c_i^{j\,-\theta^j}
    = \sum_i \pi_{ni}^j \hat c_i^{j\,-\theta^j}
    + \sum_{i:\,(n,i,j)\ \text{touched}} \big(\text{base}_{ni}^j - \pi_{ni}^j\big)
      \hat c_i^{j\,-\theta^j} .

With the B shocks of a batch as the last axis, the first term is one matrix product per
sector, ``[N, N] @ [N, B]`` (BLAS), and the input-output sums one per country,
``[J, J] @ [J, B]``; the corrections are a gather and an ``add.at`` over the touched
cells. A sweep of B shocks then costs far less than B sweeps of one (whose cost is mostly
numpy's per-call overhead on small arrays). Each shock keeps its own Anderson history and
stops on its own residuals; converged shocks leave the stack. Quantity targets
(:class:`Targets`) add their wedges to the unknowns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from tradetalks._errors import ConvergenceError
from tradetalks.economics._cp_calibrate import CPBaseline
from tradetalks.economics._cp_shock import CPShock

__all__ = [
    "Cells",
    "Shared",
    "Solved",
    "Start",
    "Targets",
    "shock_cells",
    "solve_stacked",
    "stacked_flows",
    "start_residuals",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
#: A warm start: ``(log ŵ [n], log P̂ [n, j], X' [n, j])``.
Start = tuple[FloatArray, FloatArray, FloatArray]


@dataclass(frozen=True)
class Shared:
    """The baseline's matrices in the layouts of the stacked products (built once)."""

    pi_t: FloatArray  # [j, n, i] π
    sold_t: FloatArray  # [j, i, n] π/κ (exporter i's sales to n)
    sold_n: FloatArray  # [j, n, i] π/κ (n's purchases from i)
    revenue_t: FloatArray  # [j, n, i] π τ/κ
    inputs_t: FloatArray  # [n, j, k] γ_n^{k,j}: Σ_k γ^{k,j} log P̂^k
    inputs: FloatArray  # [n, j, k] γ_n^{j,k}: Σ_k γ^{j,k} gross^k

    @classmethod
    def of(cls, b: CPBaseline) -> Shared:
        kappa = 1.0 + b.tariff_rate
        pi = b.trade_share
        return cls(
            np.ascontiguousarray(pi.transpose(2, 0, 1)),
            np.ascontiguousarray((pi / kappa).transpose(2, 1, 0)),
            np.ascontiguousarray((pi / kappa).transpose(2, 0, 1)),
            np.ascontiguousarray((pi * b.tariff_rate / kappa).transpose(2, 0, 1)),
            np.ascontiguousarray(b.input_share.transpose(0, 2, 1)),
            np.ascontiguousarray(b.input_share),
        )


@dataclass(frozen=True)
class Cells:
    """The touched cells of every problem in a stack, flattened (``problem`` says whose).

    ``tau``, ``d``, ``rho`` are the counterfactual tariff τ', iceberg factor d̂ and rent
    wedge ρ' of each cell; ``to_exporter`` whether the exporter owns its rent. A problem
    lists each of its cells once. ``target``: the quantity target (see :class:`Targets`)
    whose wedge x the cell carries (−1: none); ``floor``: how — a floor's import subsidy
    scales the tariff factor, 1 + τ' = (1 + τ) e^x, a cap's rent is ρ' = e^x − 1.
    """

    problem: IntArray
    n: IntArray
    i: IntArray
    j: IntArray
    tau: FloatArray
    d: FloatArray
    rho: FloatArray
    to_exporter: BoolArray
    target: IntArray
    floor: BoolArray

    def take(self, keep: BoolArray, targets: IntArray | None = None) -> Cells:
        """The cells of the problems ``keep`` marks, renumbered in order.

        ``targets`` renumbers their targets (old → new number).
        """
        mine = keep[self.problem]
        renumber = np.cumsum(keep) - 1
        target = self.target[mine]
        if targets is not None:
            target = np.where(target >= 0, targets[target], -1)
        return Cells(
            renumber[self.problem[mine]], self.n[mine], self.i[mine], self.j[mine],
            self.tau[mine], self.d[mine], self.rho[mine], self.to_exporter[mine], target,
            self.floor[mine],
        )  # fmt: skip

    @staticmethod
    def concat(parts: list[Cells]) -> Cells:
        """All cells of ``parts`` (their ``problem`` and ``target`` numbers as they are)."""
        return Cells(*(np.concatenate([getattr(p, f) for p in parts]) for f in (
            "problem", "n", "i", "j", "tau", "d", "rho", "to_exporter", "target", "floor",
        )))  # fmt: skip

    def at(self, x: FloatArray) -> Cells:
        """The cells with the targets' wedges at ``x`` (one log wedge per target)."""
        has = self.target >= 0
        if not np.any(has):
            return self
        xt = np.where(has, x[np.maximum(self.target, 0)], 0.0)
        floor, cap = has & self.floor, has & ~self.floor
        tau = np.where(floor, (1.0 + self.tau) * np.exp(xt) - 1.0, self.tau)
        rho = np.where(cap, np.expm1(xt), self.rho)
        return replace(self, tau=tau, rho=rho)


@dataclass(frozen=True)
class Targets:
    """Quantity targets of the problems in a stack, solved with the equilibrium.

    Target t of problem ``problem[t]`` (its ``slot``-th) sets a log wedge x_t in
    ``[lo, hi]`` on its cells (:attr:`Cells.target`) so that the value bought by
    ``importer`` on those cells — or, if ``share``, that value over everything the importer
    buys in the target's sectors (``share_sectors``: ``(target, sector)`` pairs) — equals
    ``goal``. Each sweep updates x_t ← clip(x_t − f_t/slope_t, lo, hi) with
    f_t = ln(value/goal) and ``slope`` the partial-equilibrium d ln value/dx; x joins the
    Anderson-mixed unknowns, so the wedge and the equilibrium converge together (a bound
    is a constraint that does not bind, or a tariff-rate quota's over-quota rate).
    """

    problem: IntArray
    slot: IntArray
    importer: IntArray
    goal: FloatArray
    lo: FloatArray
    hi: FloatArray
    slope: FloatArray
    share: BoolArray
    share_target: IntArray
    share_sector: IntArray

    def take(self, keep: BoolArray) -> tuple[Targets, IntArray]:
        """The targets of the problems ``keep`` marks, and old → new target numbers."""
        mine = keep[self.problem]
        renumber = np.cumsum(mine) - 1
        pairs = mine[self.share_target]
        return Targets(
            (np.cumsum(keep) - 1)[self.problem[mine]], self.slot[mine], self.importer[mine],
            self.goal[mine], self.lo[mine], self.hi[mine], self.slope[mine], self.share[mine],
            renumber[self.share_target[pairs]], self.share_sector[pairs],
        ), renumber  # fmt: skip


@dataclass(frozen=True)
class _Coefficients:
    """Per touched cell: flat indices into the ``[j, n, b]`` arrays and the corrections."""

    ni: IntArray  # (j, n, b): the importer's row
    ii: IntArray  # (j, i, b): the exporter's row
    n_b: IntArray  # (n, b) in [N, B]
    i_b: IntArray  # (i, b) in [N, B]
    d_base: FloatArray  # base − π
    d_sold: FloatArray  # base/(κ'ω') − π/κ
    d_revenue: FloatArray  # base τ'/κ' − π τ/κ
    rent: FloatArray  # base ρ'/(κ'ω') (zero where there is no rent)
    abroad: BoolArray
    has_rents: bool


def _coefficients(
    b: CPBaseline, c: Cells, n_problems: int, theta: FloatArray | None = None
) -> _Coefficients:
    """``theta``: ``[problem, j]`` elasticities of each problem (default the baseline's)."""
    N, _ = b.shape
    B = n_problems
    pi = b.trade_share[c.n, c.i, c.j]
    tau0 = b.tariff_rate[c.n, c.i, c.j]
    kappa = 1.0 + c.tau
    omega = 1.0 + c.rho
    th = b.theta[c.j] if theta is None else theta[c.problem, c.j]
    base = pi * ((kappa / (1.0 + tau0)) * c.d * omega) ** (-th)
    sold = base / (kappa * omega)
    return _Coefficients(
        ni=(c.j * N + c.n) * B + c.problem,
        ii=(c.j * N + c.i) * B + c.problem,
        n_b=c.n * B + c.problem,
        i_b=c.i * B + c.problem,
        d_base=base - pi,
        d_sold=sold - pi / (1.0 + tau0),
        d_revenue=base * c.tau / kappa - pi * tau0 / (1.0 + tau0),
        rent=sold * c.rho,
        abroad=c.to_exporter & (c.rho != 0.0),
        has_rents=bool(np.any(c.rho != 0.0)),
    )


@dataclass(frozen=True)
class Solved:
    """One solved problem: the state, the last sweep's values (``[n, j]`` or ``[n]``)."""

    log_w: FloatArray
    log_P: FloatArray  # noqa: N815 (P̂ as in the paper)
    X: FloatArray
    log_c: FloatArray
    c_th: FloatArray
    S: FloatArray
    gross: FloatArray
    revenue: FloatArray
    holder_rent: FloatArray
    exporter_rent: FloatArray
    iterations: int
    excess: float
    x: FloatArray  # the log wedges of its quantity targets, by slot


@dataclass
class _Sweep:
    log_c: FloatArray  # [n, j, b]
    log_P: FloatArray  # noqa: N815
    c_th: FloatArray  # [j, n, b]
    S: FloatArray  # [j, n, b]
    X: FloatArray  # [n, j, b]
    gross: FloatArray  # [n, j, b]
    revenue: FloatArray  # [n, b]
    holder: FloatArray
    exporter: FloatArray
    va: FloatArray  # [n, b]


def _correct(out: FloatArray, dst: IntArray, coef: FloatArray, src: FloatArray,
             at: IntArray) -> FloatArray:  # fmt: skip
    """``out[dst] += coef · src[at]`` on flat views (touched cells may share a target)."""
    if dst.size:
        np.add.at(out.reshape(-1), dst, coef * src.reshape(-1)[at])
    return out


def _sums(index: IntArray, weights: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """Sums of ``weights`` by flat ``index`` into an array of ``shape``."""
    out = np.bincount(index, weights, shape[0] * shape[1])
    return np.asarray(out, dtype=np.float64).reshape(shape)


def _sweep(
    b: CPBaseline,
    sh: Shared,
    k: _Coefficients,
    log_w: FloatArray,
    log_P: FloatArray,
    X: FloatArray,
    price_steps: int,
    spend_steps: int,
    theta: FloatArray | None = None,
) -> _Sweep:
    """One pass of the equilibrium map for the whole stack (see ``_cp_solve._sweep``).

    ``theta``: ``[problem, j]`` elasticities of each problem (default the baseline's).
    """
    N, _ = b.shape
    B = log_w.shape[1]
    theta = b.theta[:, None, None] if theta is None else theta.T[:, None, :]  # [j, 1, b]
    va_share = b.va_share[:, :, None]
    for _ in range(price_steps):
        log_c = va_share * log_w[:, None, :] + np.matmul(sh.inputs_t, log_P)  # [n, j, b]
        c_th = np.ascontiguousarray(np.exp(-theta * log_c.transpose(1, 0, 2)))  # [j, n, b]
        S = _correct(np.matmul(sh.pi_t, c_th), k.ni, k.d_base, c_th, k.ii)
        log_P = np.ascontiguousarray((np.log(S) / -theta).transpose(1, 0, 2))
    revenue_rate = _correct(np.matmul(sh.revenue_t, c_th), k.ni, k.d_revenue, c_th, k.ii) / S
    labour = np.exp(log_w) * b.value_added_musd[:, None] + b.deficit_musd[:, None]
    holder = exporter = np.zeros((N, B))
    X_new = X
    for _ in range(spend_steps):
        X = X_new
        Xt = X.transpose(1, 0, 2)
        Y = np.ascontiguousarray(Xt / S)  # [j, n, b] spending per unit of S
        gross_t = c_th * _correct(np.matmul(sh.sold_t, Y), k.ii, k.d_sold, Y, k.ni)
        revenue = (revenue_rate * Xt).sum(axis=0)
        if k.has_rents:
            value = k.rent * c_th.reshape(-1)[k.ii] * Y.reshape(-1)[k.ni]
            holder = _sums(k.n_b[~k.abroad], value[~k.abroad], (N, B))
            exporter = _sums(k.i_b[k.abroad], value[k.abroad], (N, B))
        gross = np.ascontiguousarray(gross_t.transpose(1, 0, 2))
        income = labour + revenue + holder + exporter
        X_new = np.matmul(sh.inputs, gross) + b.final_share[:, :, None] * income[:, None, :]
    va = (va_share * gross).sum(axis=1)
    return _Sweep(log_c, log_P, c_th, S, X_new, gross, revenue, holder, exporter, va)


def _target_gaps(
    b: CPBaseline, sh: Shared, k: _Coefficients, cells: Cells, targets: Targets, ev: _Sweep
) -> FloatArray:
    """f_t = ln(value_t / goal_t) at the sweep's output (values at basic prices)."""
    N, _ = b.shape
    m = ev.X.shape[2]
    T = targets.goal.size
    Y = ev.X.transpose(1, 0, 2) / ev.S  # [j, n, b]
    has = np.flatnonzero(cells.target >= 0)
    n, i, j = cells.n[has], cells.i[has], cells.j[has]
    sold = k.d_sold[has] + b.trade_share[n, i, j] / (1.0 + b.tariff_rate[n, i, j])
    flows = sold * ev.c_th.reshape(-1)[k.ii[has]] * Y.reshape(-1)[k.ni[has]]
    value = np.bincount(cells.target[has], flows, T).astype(np.float64)
    if np.any(targets.share):
        bought = _correct(np.matmul(sh.sold_n, ev.c_th), k.ni, k.d_sold, ev.c_th, k.ii) * Y
        t = targets.share_target
        rows = (targets.share_sector * N + targets.importer[t]) * m + targets.problem[t]
        total = np.bincount(t, bought.reshape(-1)[rows], T)
        value = np.where(targets.share, value / np.maximum(total, 1e-300), value)
    gap = np.log(np.maximum(value, 1e-300)) - np.log(np.maximum(targets.goal, 1e-300))
    return np.asarray(gap, dtype=np.float64)


def _pack(b: CPBaseline, starts: Sequence[Start | None]) -> FloatArray:
    """``[problem, (log ŵ, log P̂, X'/scale)]``: the unknowns, all hats 1 where no start."""
    N, J = b.shape
    scale = np.maximum(b.expenditure_musd.sum(axis=1), 1e-12)
    scale_z = np.concatenate((np.ones(N + N * J), np.repeat(1.0 / scale, J)))
    z = np.zeros((len(starts), N + 2 * N * J))
    z[:, N + N * J :] = (b.expenditure_musd / scale[:, None]).ravel()
    for p, s in enumerate(starts):
        if s is not None:
            z[p] = np.concatenate((s[0], s[1].ravel(), s[2].ravel())) * scale_z
    return z


def _unpack(b: CPBaseline, z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(log ŵ [n, b], log P̂ [n, j, b], X' [n, j, b])`` of packed unknowns."""
    N, J = b.shape
    m = z.shape[0]
    scale = np.maximum(b.expenditure_musd.sum(axis=1), 1e-12)
    log_w = np.ascontiguousarray(z[:, :N].T)
    log_P = np.ascontiguousarray(z[:, N : N + N * J].T).reshape(N, J, m)
    X = np.ascontiguousarray(z[:, N + N * J :].T).reshape(N, J, m) * scale[:, None, None]
    return log_w, log_P, X


def _residuals(
    b: CPBaseline, ev: _Sweep, log_w: FloatArray, log_P: FloatArray, X: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``(relative excess labour demand, worst of it and the price and spending residuals)``."""
    wL = b.value_added_musd[:, None]
    scale = np.maximum(b.expenditure_musd.sum(axis=1), 1e-12)[:, None, None]
    excess = np.max(np.abs(ev.va - np.exp(log_w) * wL) / wL, axis=0)
    price_res = np.max(np.abs(ev.log_P - log_P), axis=(0, 1))
    spend_res = np.max(np.abs(ev.X - X) / scale, axis=(0, 1))
    return excess, np.maximum(np.maximum(excess, price_res), spend_res)


def start_residuals(
    b: CPBaseline,
    cells: Cells,
    starts: Sequence[Start | None],
    shared: Shared | None = None,
    *,
    theta: FloatArray | None = None,
    price_steps: int = 3,
    spend_steps: int = 2,
) -> FloatArray:
    """The residual (as :func:`solve_stacked` measures it) of each problem at its start."""
    log_w, log_P, X = _unpack(b, _pack(b, starts))
    k = _coefficients(b, cells, len(starts), theta)
    ev = _sweep(b, shared or Shared.of(b), k, log_w, log_P, X, price_steps, spend_steps, theta)
    return _residuals(b, ev, log_w, log_P, X)[1]


def solve_stacked(
    b: CPBaseline,
    cells: Cells,
    starts: Sequence[Start | None],
    *,
    shared: Shared | None = None,
    targets: Targets | None = None,
    theta: FloatArray | None = None,
    cold_residuals: FloatArray | None = None,
    tol: float = 1e-9,
    max_iter: int = 5000,
    damping: float = 0.5,
    price_steps: int = 3,
    spend_steps: int = 2,
    memory: int = 6,
) -> list[Solved]:
    """Solve every problem of ``cells`` (``len(starts)`` of them) to ``tol``.

    ``starts[p]`` is ``(log ŵ [n], log P̂ [n, j], X' [n, j])`` or None (cold: all hats 1).
    ``theta[p]`` (optional, ``[problem, j]``): problem p's trade elasticities, when the
    stack holds the same calibration at several (every calibrated share is independent
    of θ: see :func:`~tradetalks.economics.with_elasticities`); default the baseline's.
    The options are those of :func:`~tradetalks.economics._cp_solve.solve_dense`; each
    problem stops when its relative excess demand for labour and its price and spending
    residuals are below ``tol`` (and, with ``targets``, its wedges' updates too).
    ``cold_residuals[p]``: the residual of problem p from a cold start (see
    :func:`start_residuals`); a warm start whose first residual is larger is dropped for
    the cold one after the first sweep, so a bad prediction costs one sweep.

    Raises :class:`ConvergenceError` if a problem turns non-finite or is not solved in
    ``max_iter`` iterations.
    """
    sh = shared or Shared.of(b)
    N, J = b.shape
    B = len(starts)
    wL = b.value_added_musd
    world_va = float(wL.sum())
    NJ = N * J
    size = N + 2 * NJ
    scale = np.maximum(b.expenditure_musd.sum(axis=1), 1e-12)
    K = 0 if targets is None else int(targets.slot.max(initial=-1)) + 1
    # [b, (log ŵ, log P̂, X'/scale, the log wedges x of its targets)]
    z = np.hstack((_pack(b, starts), np.zeros((B, K))))
    cap = max(memory - 1, 1)
    # Each problem's differences in a ring of ``cap`` rows. Every problem writes the same
    # slot at an iteration (a shared ring position), so the history is updated by plain
    # slicing; ``count`` says how many of the newest rows are a problem's own (a restart
    # sets it to zero).
    DF = np.zeros((B, cap, size + K))
    DG = np.zeros((B, cap, size + K))
    gram = np.zeros((B, cap, cap))
    count = np.zeros(B, dtype=np.int64)
    prev_f = np.zeros((B, size + K))
    prev_g = np.zeros((B, size + K))
    has_prev = np.zeros(B, dtype=bool)
    ids = np.arange(B)  # original problem of each column
    out: list[Solved | None] = [None] * B
    th = None if theta is None else np.asarray(theta, dtype=np.float64)
    k = _coefficients(b, cells, B, th)
    eye = np.eye(cap, dtype=bool)
    slot = -1
    for it in range(1, max_iter + 1):
        m = ids.size
        log_w, log_P, X = _unpack(b, z[:, :size])
        if targets is not None:
            x = z[targets.problem, size + targets.slot]
            at = cells.at(x)
            k = _coefficients(b, at, m, th)
        ev = _sweep(b, sh, k, log_w, log_P, X, price_steps, spend_steps, th)
        labour = np.exp(log_w) * wL[:, None]
        excess, worst = _residuals(b, ev, log_w, log_P, X)
        if targets is not None:
            f_x = _target_gaps(b, sh, k, at, targets, ev)
            # damped like the wages: a general-equilibrium response up to 4x the partial
            # one still contracts (a purchase floor on WIOD responds about 2x)
            g_x = np.clip(x - damping * f_x / targets.slope, targets.lo, targets.hi)
            np.maximum.at(worst, targets.problem, np.abs(g_x - x))
        if not np.all(np.isfinite(worst)):
            bad = int(ids[np.flatnonzero(~np.isfinite(worst))[0]])
            raise ConvergenceError(
                "Caliendo–Parro solver diverged (non-finite values)",
                {"iterations": it, "problem": bad},
            )
        done = worst < tol
        for col in np.flatnonzero(done):
            out[int(ids[col])] = Solved(
                log_w[:, col].copy(), ev.log_P[:, :, col].copy(), ev.X[:, :, col].copy(),
                ev.log_c[:, :, col].copy(), ev.c_th[:, :, col].T.copy(), ev.S[:, :, col].T.copy(),
                ev.gross[:, :, col].copy(), ev.revenue[:, col].copy(), ev.holder[:, col].copy(),
                ev.exporter[:, col].copy(), it, float(excess[col]), z[col, size:].copy(),
            )  # fmt: skip
        if np.all(done):
            return [s for s in out if s is not None]
        g = np.empty((m, size + K))
        if targets is not None:
            g[targets.problem, size + targets.slot] = g_x
        g[:, :N] = (log_w + damping * np.log(np.maximum(ev.va, 1e-300) / labour)).T
        g[:, N : N + NJ] = ev.log_P.reshape(NJ, m).T
        g[:, N + NJ : size] = (ev.X / scale[:, None, None]).reshape(NJ, m).T
        f = g - z
        # Anderson (type II) mixing per problem on its own rows. Every product runs over
        # the whole stack; a problem without rows gets the identity in its Gram matrix.
        if it > 1:
            slot = (slot + 1) % cap
            np.subtract(f, prev_f, out=DF[:, slot])
            np.subtract(g, prev_g, out=DG[:, slot])
            count = np.where(has_prev, np.minimum(count + 1, cap), 0)
            dots = np.matmul(DF, DF[:, slot, :, None])[:, :, 0]
            gram[:, slot, :] = dots
            gram[:, :, slot] = dots
        prev_f, prev_g = f, g
        has_prev[:] = True
        age = (slot - np.arange(cap)) % cap  # 0 for the newest row
        valid = age[None, :] < count[:, None]
        A = np.where(valid[:, :, None] & valid[:, None, :], gram, 0.0)
        trace = np.maximum(np.trace(A, axis1=1, axis2=2), 1e-300)
        A += eye * (1e-14 * trace)[:, None, None] + eye * ~valid[:, :, None]
        rhs = np.matmul(DF, f[:, :, None]) * valid[:, :, None]
        coef = np.linalg.solve(A, rhs)
        new = g - np.matmul(coef.transpose(0, 2, 1), DG)[:, 0, :]
        bad = ~(np.all(np.isfinite(new), axis=1) & (np.max(np.abs(new - g), axis=1) < 0.5))
        if np.any(bad):  # a bad extrapolation: restart that problem's history
            new[bad] = g[bad]
            count[bad] = 0
            has_prev[bad] = False
        new_w = new[:, :N]
        # Numeraire: world value added unchanged.
        new[:, :N] = new_w - np.log(np.exp(new_w) @ wL / world_va)[:, None]
        new[:, N + NJ : size] = np.maximum(new[:, N + NJ : size], 0.0)
        if targets is not None:
            wedge = (targets.problem, size + targets.slot)
            new[wedge] = np.clip(new[wedge], targets.lo, targets.hi)
        if it == 1 and cold_residuals is not None:
            worse = worst > cold_residuals
            has_prev[worse] = False  # no difference from the dropped start
            new[worse] = np.hstack(
                (_pack(b, [None] * int(worse.sum())), np.zeros((worse.sum(), K)))
            )
        z = new
        if np.any(done):
            keep = ~done
            ids, z = ids[keep], z[keep]
            DF, DG, gram, count = DF[keep], DG[keep], gram[keep], count[keep]
            prev_f, prev_g, has_prev = prev_f[keep], prev_g[keep], has_prev[keep]
            renumber = None
            if targets is not None:
                targets, renumber = targets.take(keep)
            cells = cells.take(keep, renumber)
            th = None if th is None else th[keep]
            k = _coefficients(b, cells, ids.size, th)
    raise ConvergenceError(
        f"Caliendo–Parro solver did not converge in {max_iter} iterations",
        {"iterations": max_iter, "unsolved": int(ids.size), "tol": tol},
    )


def stacked_flows(
    b: CPBaseline, s: Solved, cells: Cells, theta: FloatArray | None = None
) -> FloatArray:
    """``[n, i, j]`` purchases at basic prices π' X'/(κ'ω') of one solved problem.

    ``cells``: that problem's cells alone (``problem`` all 0); ``theta``: its ``[1, j]``
    elasticities, if not the baseline's.
    """
    k = _coefficients(b, cells, 1, theta)
    sold = b.trade_share / (1.0 + b.tariff_rate)
    flows = sold * s.c_th[None, :, :] * (s.X / s.S)[:, None, :]
    n, i, j = cells.n, cells.i, cells.j
    flows[n, i, j] += k.d_sold * s.c_th[i, j] * s.X[n, j] / s.S[n, j]
    return np.asarray(flows, dtype=np.float64)


def shock_cells(shocks: Sequence[CPShock]) -> Cells:
    """The touched cells of ``shocks``, numbered by position."""
    parts = []
    for p, s in enumerate(shocks):
        k = s.n_cells
        parts.append(Cells(
            np.full(k, p, dtype=np.intp), s.importer.astype(np.intp), s.exporter.astype(np.intp),
            s.sector.astype(np.intp), s.tariff_rate, s.ntb_factor,
            np.zeros(k) if s.rent_rate is None else s.rent_rate,
            np.zeros(k, dtype=bool) if s.rent_to_exporter is None else s.rent_to_exporter,
            np.full(k, -1, dtype=np.intp), np.zeros(k, dtype=bool),
        ))  # fmt: skip
    return Cells.concat(parts)
