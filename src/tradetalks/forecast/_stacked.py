r"""Our model: a procedure-aware convex combination of spatial forecasts, fit by LAD.

The classic models each capture part of how decisions are reached: the compromise
(weighted mean), the median and the Nash solution read the distribution of positions;
some actors' positions matter beyond their votes (in the EU the Commission proposes
and the Parliament co-decides); the reference point anchors outcomes when agreement
fails. Which mix works depends on the decision rule. :class:`StackedModel` learns it
from training issues (stacking, Wolpert 1992; Breiman 1996): features are the base
models' forecasts ``F`` (``n × k``), and per procedure group ``g`` it solves

.. math:: \min_{w \ge 0,\ \sum w = 1} \sum_{n \in g} |y_n - F_n w|,

a linear programme (least absolute deviations, the loss the DEU literature scores).
The convexity constraint keeps forecasts inside the range of the base forecasts and
limits overfitting; a group's weights are shrunk towards the pooled ones by
``n_g / (n_g + shrinkage)``. Features that are missing on an issue (an anchor actor
without a position, no reference point) are replaced by the mean of positions.
Besides the models' forecasts, features can describe the decision rule: the
capability-weighted mean of the voting members and the midpoint of the pivotal
interval (qualified majority or unanimity, :func:`pivot_midpoint`).

Weights fit on all training issues overfit: the bundled subset rewards the mean of
positions, held-out DEU issues reward the compromise model (issue #10). So ``fit`` runs
its own cross-validation by proposal on the training issues (the inner loop of nested
cross-validation, Varma & Simon 2006, *BMC Bioinformatics* 7:91): for each candidate
feature set and each share ``λ`` it scores the out-of-fold forecasts of the shrunk
weights

.. math:: w_\lambda = \lambda\, \hat w + (1 - \lambda)\, e_{\text{prior}},

which stay on the simplex (``e_prior`` puts all weight on the prior model, the
compromise by default). The one-standard-error rule then keeps the ``λ`` nearest the
prior whose inner error is within one standard error of the best, so the fitted
weights are used only where they beat the prior by more than the inner noise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Self, get_args

import numpy as np
from numpy.typing import NDArray

from tradetalks._errors import ConvergenceError, ForecastError
from tradetalks.forecast._base import (
    CompromiseModel,
    MeanModel,
    MedianModel,
    ParamsMixin,
    weighted_mean,
)
from tradetalks.forecast._evaluate import proposal_folds
from tradetalks.forecast._exchange import ExchangeModel
from tradetalks.forecast._expected_utility import ExpectedUtilityModel
from tradetalks.forecast._issues import FloatArray, IssueSet
from tradetalks.forecast._nash import NashBargainingModel

#: Share of the Council's weighted votes a qualified majority needs: 62 of 87 under
#: EU-15 (Art. 205(2) EC), 0.71; Nice raised it to 232/321 = 0.72 and 255/345 = 0.74
#: (CVCE, "Evolution of qualified majority voting in the Council"). One share for all
#: periods: period-specific shares did not change the cross-validated error here.
QUALIFIED_MAJORITY_SHARE = 62 / 87

#: Candidate feature sets: the mean alone; with the decision rule (members' mean, pivotal
#: interval); with summaries of the members' vote-weighted distribution (quartiles,
#: deciles); and with the classic models. The quantile sets were added after looking at
#: the bundled development subset, so the cross-validated score is somewhat optimistic
#: there; the held-out DEU issues are the honest test.
DEFAULT_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("mean",),
    ("mean", "members_mean", "pivot_mid"),
    ("mean", "members_q0.25", "members_q0.5", "members_q0.75"),
    ("mean", "members_q0.1", "members_q0.25", "members_q0.5", "members_q0.75", "members_q0.9"),
    ("mean", "compromise", "nash", "expected_utility", "exchange"),
)

#: Shares ``λ`` of the fitted weights tried against the prior model (0 = the prior alone).
DEFAULT_BLENDS: tuple[float, ...] = tuple(i / 10 for i in range(11))

#: How the inner cross-validation chooses (:func:`choose_blend`).
SelectionRule = Literal["one_se", "min"]


def weighted_quantile(position: FloatArray, weights: FloatArray, q: FloatArray) -> FloatArray:
    """Row-wise lower weighted ``q``-quantile of positions (NaN or zero-weight entries skipped)."""
    out = np.full(position.shape[0], np.nan)
    for row in range(position.shape[0]):
        keep = ~np.isnan(position[row]) & (weights[row] > 0)
        if not keep.any():
            continue
        order = np.argsort(position[row, keep], kind="stable")
        x, w = position[row, keep][order], weights[row, keep][order]
        cum = np.cumsum(w) / w.sum()
        out[row] = x[min(int(np.searchsorted(cum, q[row] - 1e-12)), x.size - 1)]
    return out


def pivot_midpoint(issues: IssueSet, members: Sequence[int] | NDArray[np.int_]) -> FloatArray:
    """Midpoint of the pivotal interval of the voting members (Tsebelis 2002, *Veto Players*).

    Under qualified majority the outcome cannot be blocked from inside the interval
    between the member positions at the weighted ``1 − q`` and ``q`` quantiles (``q`` =
    :data:`QUALIFIED_MAJORITY_SHARE`); under unanimity (voting rule ``"Unan..."``) every
    member is a veto player and the interval spans all positions. Its midpoint is a
    forecast that knows the decision rule.
    """
    cols = np.asarray(members, dtype=int)
    position, weights = issues.position[:, cols], issues.capability[:, cols]
    unanimity = np.array([rule.lower().startswith("unan") for rule in issues.voting_rule])
    q = np.where(unanimity, 1.0, QUALIFIED_MAJORITY_SHARE)
    low = weighted_quantile(position, weights, 1.0 - q)
    high = weighted_quantile(position, weights, q)
    result: FloatArray = (low + high) / 2
    return result


def _model_feature(model: ParamsMixin) -> Callable[[IssueSet], FloatArray]:
    def compute(issues: IssueSet) -> FloatArray:
        forecast: FloatArray = model.fit(issues).predict(issues)  # type: ignore[attr-defined]
        return forecast

    return compute


def lad_convex_weights(features: FloatArray, target: FloatArray) -> FloatArray:
    """Weights ``w ≥ 0``, ``Σ w = 1`` minimising ``Σ |target − features @ w|`` (an LP).

    Variables ``(w, e⁺, e⁻)`` with ``features @ w + e⁺ − e⁻ = target``, minimising
    ``Σ (e⁺ + e⁻)``; solved by HiGHS through :func:`scipy.optimize.linprog`.
    """
    n, k = features.shape
    cost = np.concatenate([np.zeros(k), np.ones(2 * n)])
    a_eq = np.zeros((n + 1, k + 2 * n))
    a_eq[:n, :k] = features
    a_eq[:n, k : k + n] = np.eye(n)
    a_eq[:n, k + n :] = -np.eye(n)
    a_eq[n, :k] = 1.0
    b_eq = np.concatenate([target, [1.0]])
    from scipy.optimize import linprog  # slow to import; only fitting needs it

    result = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if not result.success:
        raise ConvergenceError(
            "least-absolute-deviation weights: linear programme failed",
            {"status": result.status, "message": result.message},
        )
    w: FloatArray = np.clip(result.x[:k], 0.0, None)
    normalised: FloatArray = w / w.sum()
    return normalised


def procedure_weights(
    features: FloatArray, outcome: FloatArray, procedure: Sequence[str], shrinkage: float
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Pooled LAD weights and, per procedure, its own shrunk by ``n_g / (n_g + shrinkage)``."""
    pooled = lad_convex_weights(features, outcome)
    groups: dict[str, FloatArray] = {}
    procedures = np.asarray(procedure)
    for group in sorted(set(procedure)):
        rows = procedures == group
        n_g = int(rows.sum())
        own = lad_convex_weights(features[rows], outcome[rows])
        share = n_g / (n_g + shrinkage)
        groups[group] = share * own + (1 - share) * pooled
    return pooled, groups


def apply_weights(
    features: FloatArray,
    procedure: Sequence[str],
    pooled: FloatArray,
    groups: Mapping[str, FloatArray],
) -> FloatArray:
    """Each issue's forecast with its procedure's weights (pooled for an unseen procedure)."""
    weights = np.stack([groups.get(p, pooled) for p in procedure])
    result: FloatArray = (features * weights).sum(axis=1)
    return result


def out_of_fold_forecasts(
    features: FloatArray,
    outcome: FloatArray,
    procedure: Sequence[str],
    folds: NDArray[np.int_],
    shrinkage: float,
) -> FloatArray:
    """The inner loop of nested cross-validation: each fold forecast by weights fit without it.

    ``folds`` assigns whole proposals (:func:`~tradetalks.forecast.proposal_folds`); a
    fold's outcomes never enter the weights that forecast it.
    """
    out = np.full(outcome.shape[0], np.nan)
    for fold in np.unique(folds):
        test = folds == fold
        fit_on = [p for p, t in zip(procedure, test, strict=True) if not t]
        pooled, groups = procedure_weights(features[~test], outcome[~test], fit_on, shrinkage)
        tested = [p for p, t in zip(procedure, test, strict=True) if t]
        out[test] = apply_weights(features[test], tested, pooled, groups)
    return out


def blend_weights(weights: FloatArray, prior: int, blend: float) -> FloatArray:
    r"""``λ w + (1 − λ) e_prior``: simplex weights shrunk towards one feature, still a simplex.

    ``λ = 0`` is the prior model alone, ``λ = 1`` the fitted weights; the forecast is the
    same blend of the two forecasts, ``λ F w + (1 − λ) F_{prior}``.
    """
    out: FloatArray = blend * weights
    out[prior] += 1.0 - blend
    return out


@dataclass(frozen=True)
class BlendChoice:
    """What the inner cross-validation chose, and the scores it chose from.

    ``mae[(candidate, λ)]`` is the inner cross-validated MAE of that feature set blended
    ``λ`` towards the prior; ``best`` the lowest of them and ``se`` its standard error
    (spread of the per-fold MAEs over ``√k``).
    """

    candidate: tuple[str, ...]
    blend: float
    mae: Mapping[tuple[tuple[str, ...], float], float]
    best: float
    se: float


def choose_blend(
    errors: Mapping[tuple[tuple[str, ...], float], FloatArray],
    folds: NDArray[np.int_],
    rule: SelectionRule = "one_se",
) -> BlendChoice:
    """Pick ``(candidate, λ)`` from out-of-fold absolute errors.

    ``"min"``: the lowest MAE. ``"one_se"``: the one-standard-error rule (Hastie,
    Tibshirani & Friedman, *The Elements of Statistical Learning*, 2nd ed., §7.10;
    glmnet's ``lambda.1se``): the blend nearest the prior (smallest ``λ``) whose MAE is
    within one standard error of the lowest, the lowest MAE among those — a fitted
    weighting must beat the prior by more than the inner noise to be used.
    """
    if not errors:
        raise ForecastError("choose_blend: no (candidate, blend) scores to choose from")
    mae = {key: float(e.mean()) for key, e in errors.items()}
    top = min(mae, key=lambda key: mae[key])
    labels = np.unique(folds)
    per_fold = np.array([errors[top][folds == f].mean() for f in labels])
    se = float(per_fold.std(ddof=1) / np.sqrt(labels.size)) if labels.size > 1 else 0.0
    if rule == "min":
        chosen = top
    else:
        near = [key for key in mae if mae[key] <= mae[top] + se]
        chosen = min(near, key=lambda key: (key[1], mae[key]))
    return BlendChoice(chosen[0], chosen[1], mae, mae[top], se)


class StackedModel(ParamsMixin):
    """Stacked forecast whose features and shrinkage are chosen by nested cross-validation.

    Inside ``fit`` (see the module docstring): inner folds by proposal on the training
    issues; for each candidate feature set (the prior added) the out-of-fold forecasts
    of weights fit on the other inner folds, blended ``λ`` towards the prior model for
    each ``λ`` of ``blends``; ``rule`` picks ``(candidate, λ)``; the weights are then fit
    on all the training issues and blended with the chosen ``λ``. Evaluated by the outer
    cross-validation (:func:`~tradetalks.forecast.evaluate`), this is nested
    cross-validation: no outer test proposal reaches any of these choices.

    Parameters
    ----------
    candidates
        Feature sets to choose from. Feature names: the models ``"mean"``, ``"median"``,
        ``"compromise"``, ``"nash"``, ``"expected_utility"``, ``"exchange"``;
        ``"members_mean"`` (capability-weighted mean of the actors other than the
        anchors, i.e. the Council); ``"members_q<level>"`` (capability-weighted
        ``level``-quantile of their positions, e.g. ``"members_q0.25"``);
        ``"pivot_mid"`` (:func:`pivot_midpoint`); ``"anchor:<code>"`` (that actor's
        position); ``"reference"`` (status quo).
    inner_folds
        Proposal-level folds of the inner cross-validation (on the training issues only).
    anchors
        Actors that are not voting members (EU: the Commission and the Parliament).
    shrinkage
        Pseudo-count pulling each procedure group's weights towards the pooled weights.
    prior
        Feature the weights are shrunk towards (the compromise model, the literature's
        benchmark); added to every candidate set.
    blends
        Shares ``λ`` of the fitted weights tried by the inner cross-validation (0 = the
        prior alone).
    rule
        ``"one_se"`` (default) or ``"min"``: how the inner scores choose (:func:`choose_blend`).
    missing_salience
        Passed to the base models.
    seed
        Seed of the inner fold assignment.
    """

    def __init__(
        self,
        candidates: Sequence[Sequence[str]] = DEFAULT_CANDIDATES,
        inner_folds: int = 5,
        anchors: Sequence[str] = ("com", "ep"),
        shrinkage: float = 30.0,
        prior: str = "compromise",
        blends: Sequence[float] = DEFAULT_BLENDS,
        rule: SelectionRule = "one_se",
        missing_salience: float = 50.0,
        seed: int = 0,
    ) -> None:
        self.candidates = candidates
        self.inner_folds = inner_folds
        self.anchors = anchors
        self.shrinkage = shrinkage
        self.prior = prior
        self.blends = blends
        self.rule = rule
        self.missing_salience = missing_salience
        self.seed = seed

    def _feature(self, name: str, issues: IssueSet) -> FloatArray:
        s = self.missing_salience
        models: dict[str, ParamsMixin] = {
            "mean": MeanModel(),
            "median": MedianModel(),
            "compromise": CompromiseModel(missing_salience=s),
            "nash": NashBargainingModel(missing_salience=s),
            "expected_utility": ExpectedUtilityModel(missing_salience=s),
            "exchange": ExchangeModel(missing_salience=s),
        }
        members = np.asarray(
            [k for k, a in enumerate(issues.actors) if a not in set(self.anchors)], dtype=int
        )
        if name in models:
            return _model_feature(models[name])(issues)
        if name == "members_mean":
            return weighted_mean(issues.position[:, members], issues.capability[:, members])
        if name.startswith("members_q"):
            try:
                level = float(name.removeprefix("members_q"))
            except ValueError:
                level = -1.0
            if 0 <= level <= 1:
                return weighted_quantile(
                    issues.position[:, members],
                    issues.capability[:, members],
                    np.full(issues.n_issues, level),
                )
        if name == "pivot_mid":
            return pivot_midpoint(issues, members)
        if name == "reference":
            return issues.reference.copy()
        if name.startswith("anchor:") and name[7:] in issues.actors:
            return issues.position[:, issues.actors.index(name[7:])].copy()
        raise ForecastError(
            f"StackedModel: unknown feature {name!r} for actors {list(issues.actors)}"
        )

    def _matrix(
        self, issues: IssueSet, names: Sequence[str], cache: dict[str, FloatArray] | None = None
    ) -> FloatArray:
        """Features as columns (``cache`` holds columns already computed on ``issues``)."""
        cache = {} if cache is None else cache
        for name in ("mean", *names):
            if name not in cache:
                cache[name] = self._feature(name, issues)
        features = np.column_stack([cache[name] for name in names])
        filled: FloatArray = np.where(np.isnan(features), cache["mean"][:, None], features)
        return filled

    def _with_prior(self, candidate: Sequence[str]) -> tuple[str, ...]:
        names = tuple(candidate)
        return names if self.prior in names else (*names, self.prior)

    def _check_params(self) -> None:
        if self.shrinkage < 0:
            raise ForecastError(f"shrinkage must be ≥ 0, got {self.shrinkage}")
        if len(self.candidates) == 0 or any(len(c) == 0 for c in self.candidates):
            raise ForecastError("StackedModel needs candidate feature sets, none of them empty")
        if self.inner_folds < 2:
            raise ForecastError(f"inner_folds must be ≥ 2, got {self.inner_folds}")
        if len(self.blends) == 0 or not all(0 <= b <= 1 for b in self.blends):
            raise ForecastError(f"blends must be shares in [0, 1], got {list(self.blends)}")
        if self.rule not in get_args(SelectionRule):
            raise ForecastError(
                f"rule must be one of {', '.join(get_args(SelectionRule))}, got {self.rule!r}"
            )

    def _choose(
        self, train: IssueSet, cache: dict[str, FloatArray]
    ) -> tuple[tuple[str, ...], float, BlendChoice | None]:
        """The inner cross-validation: ``(candidate, λ)`` and the scores it chose from."""
        n_proposals = len(set(train.proposal_ids))
        if n_proposals < 2:  # nothing to cross-validate on: keep the prior
            return tuple(self.candidates[0]), min(self.blends), None
        folds = proposal_folds(train.proposal_ids, min(self.inner_folds, n_proposals), self.seed)
        prior = self._matrix(train, (self.prior,), cache)[:, 0]
        errors: dict[tuple[tuple[str, ...], float], FloatArray] = {}
        for candidate in self.candidates:
            features = self._matrix(train, self._with_prior(candidate), cache)
            oof = out_of_fold_forecasts(
                features, train.outcome, train.procedure, folds, self.shrinkage
            )
            for blend in self.blends:
                forecast = blend * oof + (1 - blend) * prior
                errors[(tuple(candidate), float(blend))] = np.abs(forecast - train.outcome)
        choice = choose_blend(errors, folds, self.rule)
        return choice.candidate, choice.blend, choice

    def fit(self, issues: IssueSet) -> Self:
        """Choose features and blend by inner cross-validation, then fit on all the issues."""
        self._check_params()
        train = issues.subset(issues.scorable())
        if train.n_issues < 5:
            raise ForecastError(
                f"{issues.source}: StackedModel needs at least 5 training issues with an "
                f"outcome and ≥3 positions, got {train.n_issues}"
            )
        cache: dict[str, FloatArray] = {}  # each feature computed once per fit
        candidate, blend, choice = self._choose(train, cache)
        names = self._with_prior(candidate)
        features = self._matrix(train, names, cache)
        pooled, groups = procedure_weights(features, train.outcome, train.procedure, self.shrinkage)
        prior = names.index(self.prior)
        self.features_ = names
        self.blend_ = blend
        self.pooled_weights_ = blend_weights(pooled, prior, blend)
        self.group_weights_ = {g: blend_weights(w, prior, blend) for g, w in groups.items()}
        self.inner_choice_ = choice
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Weighted combination of the chosen features with each issue's procedure weights."""
        self._check_fitted()
        features = self._matrix(issues, self.features_)
        return apply_weights(features, issues.procedure, self.pooled_weights_, self.group_weights_)
