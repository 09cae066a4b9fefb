"""Caliendo–Parro model on synthetic economies: closed forms, brute force, identities, symmetry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import root

from tradetalks import ConvergenceError, InputError
from tradetalks.economics import (
    CPBaseline,
    ShockEntry,
    calibrate_shares,
    make_shock,
    solve,
)


def synthetic(
    n_countries: int,
    n_sectors: int,
    seed: int,
    *,
    io: bool = True,
    balanced: bool = False,
    theta: float | list[float] = 4.0,
    tariff: float = 0.0,
) -> CPBaseline:
    """A random consistent input-output table: M[n,i,j] = Σ_k Z[i,j,n,k] + F[i,j,n]."""
    rng = np.random.default_rng(seed)
    N, J = n_countries, n_sectors
    F = rng.uniform(1.0, 3.0, size=(N, J, N))
    F[np.arange(N), :, np.arange(N)] *= 8.0  # home bias
    if balanced:
        F = 0.5 * (F + F.transpose(2, 1, 0))  # symmetric pair flows -> zero deficits
    Z = rng.uniform(0.0, 0.6, size=(N, J, N, J)) if io else np.zeros((N, J, N, J))
    if balanced:
        Z = 0.5 * (Z + Z.transpose(2, 1, 0, 3))
    M = (Z.sum(axis=3) + F).transpose(2, 0, 1)
    thetas = [theta] * J if isinstance(theta, float) else theta
    tau = np.full((N, N, J), tariff)
    tau[np.arange(N), np.arange(N)] = 0.0
    return calibrate_shares(
        M,
        Z,
        F,
        countries=[f"C{k}" for k in range(N)],
        sectors=[f"s{k}" for k in range(1, J + 1)],
        theta=thetas,
        tariff_rate=tau,
    )


def test_zero_shock_changes_nothing() -> None:
    base = synthetic(4, 3, seed=1, tariff=0.05)
    result = solve(base, make_shock(base, []))
    for hat in (result.wage_hat, result.price_hat, result.welfare_hat, result.real_wage_hat):
        np.testing.assert_allclose(hat, 1.0, atol=1e-12)
    np.testing.assert_allclose(result.expenditure_musd, base.expenditure_musd, rtol=1e-12)
    np.testing.assert_allclose(result.gross_output_musd, base.gross_output_musd, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_sector_without_io_matches_acr(seed: int) -> None:
    # Arkolakis, Costinot and Rodríguez-Clare (2012): Ŵ_n = (π'_nn / π_nn)^(-1/θ) with one
    # sector, no input-output links, balanced trade and no tariff revenue (an NTB shock).
    theta = 5.0
    base = synthetic(3, 1, seed=seed, io=False, balanced=True, theta=theta)
    assert np.allclose(base.deficit_musd, 0.0)
    shock = make_shock(
        base,
        [
            ShockEntry("C0", "C1", ("s1",), 0.3, kind="ntb"),
            ShockEntry("C2", "*", ("s1",), -0.1, kind="ntb"),
        ],
    )
    result = solve(base, shock)
    assert result.trade_musd is not None
    share_new = result.trade_musd / result.trade_musd.sum(axis=1, keepdims=True)
    idx = np.arange(3)
    domestic_hat = share_new[idx, idx, 0] / base.trade_share[idx, idx, 0]
    np.testing.assert_allclose(result.welfare_hat, domestic_hat ** (-1.0 / theta), rtol=1e-8)
    # And the real wage obeys it even with deficits.
    unbalanced = synthetic(3, 1, seed=seed, io=False, theta=theta)
    res2 = solve(unbalanced, make_shock(unbalanced, [ShockEntry("C0", "C1", ("s1",), 0.3, "ntb")]))
    assert res2.trade_musd is not None
    share2 = res2.trade_musd / res2.trade_musd.sum(axis=1, keepdims=True)
    dom2 = share2[idx, idx, 0] / unbalanced.trade_share[idx, idx, 0]
    np.testing.assert_allclose(res2.real_wage_hat, dom2 ** (-1.0 / theta), rtol=1e-8)


def _brute_force(base: CPBaseline, tau_new: np.ndarray, d_hat: np.ndarray) -> np.ndarray:
    """CP equilibrium conditions in changes, written out with loops and solved by scipy.root."""
    N, J = base.shape
    kap0 = 1.0 + base.tariff_rate
    kap1 = 1.0 + tau_new
    wL, D = base.value_added_musd, base.deficit_musd

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.exp(x[:N]), np.exp(x[N : N + N * J]).reshape(N, J), x[N + N * J :].reshape(N, J)

    def residual(x: np.ndarray) -> np.ndarray:
        w, P, X = unpack(x)
        c = np.ones((N, J))
        for n in range(N):
            for j in range(J):
                c[n, j] = w[n] ** base.va_share[n, j]
                for k in range(J):
                    c[n, j] *= P[n, k] ** base.input_share[n, k, j]
        pi = np.zeros((N, N, J))
        out = []
        for n in range(N):
            for j in range(J):
                th = base.theta[j]
                terms = [
                    base.trade_share[n, i, j] * (kap1[n, i, j] / kap0[n, i, j] * d_hat[n, i, j]
                                                 * c[i, j]) ** (-th)
                    for i in range(N)
                ]  # fmt: skip
                out.append(P[n, j] ** (-th) / sum(terms) - 1.0)
                for i in range(N):
                    pi[n, i, j] = terms[i] / sum(terms)
        Y = np.zeros((N, J))
        for n in range(N):
            for k in range(J):
                Y[n, k] = sum(pi[m, n, k] * X[m, k] / kap1[m, n, k] for m in range(N))
        scale = base.expenditure_musd.sum()
        for n in range(N):
            revenue = sum(
                (kap1[n, i, k] - 1.0) / kap1[n, i, k] * pi[n, i, k] * X[n, k]
                for i in range(N)
                for k in range(J)
            )
            income = w[n] * wL[n] + revenue + D[n]
            for j in range(J):
                inputs = sum(base.input_share[n, j, k] * Y[n, k] for k in range(J))
                out.append((X[n, j] - inputs - base.final_share[n, j] * income) / scale)
        labour = [
            (sum(base.va_share[n, j] * Y[n, j] for j in range(J)) - w[n] * wL[n]) / wL[n]
            for n in range(N)
        ]
        labour[-1] = (w @ wL - wL.sum()) / wL.sum()  # numeraire replaces one (Walras) equation
        return np.array(out + labour)

    x0 = np.concatenate((np.zeros(N + N * J), base.expenditure_musd.ravel()))
    sol = root(residual, x0, method="hybr", tol=1e-13)
    assert sol.success, sol.message
    return np.asarray(sol.x)


def test_matches_brute_force_root_finding() -> None:
    base = synthetic(3, 2, seed=7, tariff=0.04, theta=[3.0, 6.0])
    shock = make_shock(
        base,
        [
            ShockEntry("C0", "C1", ("s1",), 0.25),
            ShockEntry("C1", "C2", ("s1", "s2"), 0.1, kind="ntb"),
            ShockEntry("C2", "C0", ("s2",), 0.0, mode="level"),
        ],
    )
    result = solve(base, shock, tol=1e-12)
    tau_new, d_hat = shock.dense(base)
    x = _brute_force(base, tau_new, d_hat)
    N, J = base.shape
    np.testing.assert_allclose(result.wage_hat, np.exp(x[:N]), rtol=1e-9)
    np.testing.assert_allclose(result.price_hat, np.exp(x[N : N + N * J]).reshape(N, J), rtol=1e-9)
    np.testing.assert_allclose(result.expenditure_musd, x[N + N * J :].reshape(N, J), rtol=1e-8)


def test_identities_after_a_shock() -> None:
    base = synthetic(4, 3, seed=3, tariff=0.03)
    shock = make_shock(
        base,
        [ShockEntry("C0", "*", ("s1", "s2"), 0.2), ShockEntry("C3", "C1", ("s3",), 0.15, "ntb")],
    )
    result = solve(base, shock)
    assert result.trade_musd is not None
    tau_new, _ = shock.dense(base)
    # Expenditure shares sum to one and lie in [0, 1].
    spend = result.trade_musd * (1.0 + tau_new)
    shares = spend / result.expenditure_musd[:, None, :]
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-9)
    assert shares.min() >= 0.0 and shares.max() <= 1.0
    # World trade balances; each country's balance stays at its (fixed) deficit.
    world = result.exports_musd.sum()
    assert abs(result.trade_balance_musd.sum()) < 1e-9 * world
    np.testing.assert_allclose(result.trade_balance_musd, -base.deficit_musd, atol=1e-6 * world)
    np.testing.assert_allclose(result.bilateral_balance_musd, -result.bilateral_balance_musd.T)
    # World spending equals world output plus tariff revenue; value added adds up.
    np.testing.assert_allclose(
        result.expenditure_musd.sum(),
        result.gross_output_musd.sum() + result.tariff_revenue_musd.sum(),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        result.value_added_musd.sum(), base.value_added_musd.sum(), rtol=1e-9
    )


def test_welfare_decomposition_adds_up_and_converges() -> None:
    base = synthetic(3, 2, seed=5, tariff=0.05)
    shock = make_shock(
        base,
        [ShockEntry("C0", "C1", ("s1",), 0.3), ShockEntry("C2", "C0", ("s2",), 0.1, "ntb")],
    )
    coarse = solve(base, shock, decompose_steps=4)
    fine = solve(base, shock, decompose_steps=8)
    for r in (coarse, fine):
        assert r.welfare_tot is not None and r.welfare_vot is not None
        assert r.welfare_ntb is not None and r.welfare_residual is not None
        total = r.welfare_tot + r.welfare_vot + r.welfare_ntb + r.welfare_residual
        np.testing.assert_allclose(total, np.log(r.welfare_hat), atol=1e-14)
        assert r.tot_by_sector is not None
        np.testing.assert_allclose(r.tot_by_sector.sum(axis=1), r.welfare_tot)
    assert coarse.welfare_residual is not None and fine.welfare_residual is not None
    assert fine.welfare_tot is not None and fine.welfare_vot is not None
    size = np.abs(fine.welfare_tot).max() + np.abs(fine.welfare_vot).max()
    # CP eq. (19) integrated along the path (trapezoid + Richardson): the gap is fourth
    # order in the step, so it vanishes in the limit: the formula is exact.
    assert np.abs(fine.welfare_residual).max() < 1e-4 * size
    ratio = np.abs(coarse.welfare_residual).max() / np.abs(fine.welfare_residual).max()
    assert 10.0 < ratio < 22.0


def test_non_convergence_raises_with_diagnostics() -> None:
    base = synthetic(3, 2, seed=2)
    shock = make_shock(base, [ShockEntry("C0", "C1", ("s1",), 0.5)])
    with pytest.raises(ConvergenceError) as info:
        solve(base, shock, max_iter=3)
    assert info.value.diagnostics["iterations"] == 3
    assert "max_excess_demand" in info.value.diagnostics


def test_bad_inputs_raise_input_errors() -> None:
    base = synthetic(2, 2, seed=0)
    with pytest.raises(InputError, match="unknown country"):
        make_shock(base, [ShockEntry("XX", "C1", ("s1",), 0.1)])
    with pytest.raises(InputError, match="unknown sector"):
        make_shock(base, [ShockEntry("C0", "C1", ("s9",), 0.1)])
    with pytest.raises(InputError, match="own goods"):
        make_shock(base, [ShockEntry("C0", "C0", ("s1",), 0.1)])
    with pytest.raises(InputError):
        make_shock(base, [ShockEntry("C0", "C1", ("s1",), -1.5)])
    with pytest.raises(InputError, match="elasticities"):
        synthetic(2, 2, seed=0, theta=[1.0, -2.0])


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    rate=st.floats(0.0, 0.5),
    sector=st.integers(0, 1),
    kind=st.sampled_from(["tariff", "ntb"]),
)
def test_symmetric_shocks_on_symmetric_data_give_symmetric_results(
    seed: int, rate: float, sector: int, kind: str
) -> None:
    # Two mirror-image countries (flows symmetric under swapping them) and a mirror shock.
    rng = np.random.default_rng(seed)
    J = 2
    a = rng.uniform(5.0, 10.0, size=J)  # domestic final demand
    b = rng.uniform(0.5, 2.0, size=J)  # foreign final demand
    F = np.zeros((2, J, 2))
    for n in range(2):
        F[n, :, n], F[n, :, 1 - n] = a, b
    z_dom = rng.uniform(0.0, 0.5, size=(J, J))
    z_for = rng.uniform(0.0, 0.2, size=(J, J))
    Z = np.zeros((2, J, 2, J))
    for n in range(2):
        Z[n, :, n, :], Z[n, :, 1 - n, :] = z_dom, z_for
    M = (Z.sum(axis=3) + F).transpose(2, 0, 1)
    base = calibrate_shares(
        M, Z, F, countries=["A", "B"], sectors=["s1", "s2"], theta=rng.uniform(2.0, 8.0, size=J)
    )
    code = ("s1", "s2")[sector]
    shock = make_shock(
        base,
        [
            ShockEntry("A", "B", (code,), rate, kind=kind),  # type: ignore[arg-type]
            ShockEntry("B", "A", (code,), rate, kind=kind),  # type: ignore[arg-type]
        ],
    )
    r = solve(base, shock, decompose_steps=2)
    np.testing.assert_allclose(r.welfare_hat[0], r.welfare_hat[1], rtol=1e-8)
    np.testing.assert_allclose(r.wage_hat, 1.0, rtol=1e-8)  # numeraire and symmetry
    np.testing.assert_allclose(r.price_hat[0], r.price_hat[1], rtol=1e-8)
    np.testing.assert_allclose(r.gross_output_musd[0], r.gross_output_musd[1], rtol=1e-8)
    assert r.welfare_hat[0] <= 1.0 + 1e-12  # a mutual barrier never helps symmetric countries


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), rate=st.floats(-0.03, 0.4))
def test_relabelling_countries_permutes_results(seed: int, rate: float) -> None:
    base = synthetic(3, 2, seed=seed, tariff=0.03)
    shock = make_shock(base, [ShockEntry("C0", "C2", ("s2",), rate)])
    r = solve(base, shock, decompose=False)
    perm = [2, 0, 1]  # new order of the old countries
    M = base.sales_musd
    # rebuild the permuted economy from the same shares
    permuted = CPBaseline(
        countries=tuple(base.countries[p] for p in perm),
        sectors=base.sectors,
        theta=np.array(base.theta),
        tariff_rate=base.tariff_rate[np.ix_(perm, perm)],
        trade_share=base.trade_share[np.ix_(perm, perm)],
        expenditure_musd=base.expenditure_musd[perm],
        va_share=base.va_share[perm],
        input_share=base.input_share[perm],
        final_share=base.final_share[perm],
        value_added_musd=base.value_added_musd[perm],
        deficit_musd=base.deficit_musd[perm],
    )
    assert M.shape == (3, 3, 2)
    r2 = solve(
        permuted, make_shock(permuted, [ShockEntry("C0", "C2", ("s2",), rate)]), decompose=False
    )
    np.testing.assert_allclose(r2.welfare_hat, r.welfare_hat[perm], rtol=1e-8)
    np.testing.assert_allclose(r2.gross_output_musd, r.gross_output_musd[perm], rtol=1e-8)


def test_calibration_rejects_mismatched_or_negative_arrays() -> None:
    from tradetalks import DataError

    M, Z, F = np.ones((2, 2, 1)), np.zeros((2, 1, 2, 1)), np.ones((2, 1, 2))
    labels = {"countries": ["A", "B"], "sectors": ["s1"], "theta": [4.0]}
    calibrate_shares(M, Z, F, **labels)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="do not match"):
        calibrate_shares(M[:1], Z, F, **labels)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="bad flows"):
        calibrate_shares(-M, Z, F, **labels)  # type: ignore[arg-type]
