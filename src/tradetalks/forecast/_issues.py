"""The generic "spatial issue": actors' positions, saliences and capabilities on a scale.

Every forecasting model works on an :class:`IssueSet`: ``n_issues × n_actors`` arrays
where a missing position is ``NaN`` (the actor takes no part in that issue), plus one
value per issue for the reference point (status quo), the outcome actually reached
(for scoring), the proposal the issue belongs to (issues of one proposal are decided
together: the exchange model lets them interact, cross-validation never splits them),
and the procedure, voting rule and Council formation under which it was decided.

The layout follows the DEU data (Thomson et al. 2006, *The European Union Decides*),
but nothing here is EU-specific: a trade scenario maps to the same structure with
parties and constituencies as actors and the negotiated instruments as issues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from tradetalks._errors import ForecastError

FloatArray = NDArray[np.float64]

#: The rule behind the DEU benchmark figures: an issue is scored when it has an outcome
#: and at least this many actor positions (reproduces MAE 22.7 / 27.6 for the mean /
#: median of positions on the bundled subset, see ``data/deu/SOURCES.md``).
MIN_POSITIONS_SCORED = 3


@dataclass(frozen=True, eq=False)
class IssueSet:
    """Issues × actors on one scale: what every spatial model reads.

    Parameters
    ----------
    actors
        Actor codes, one per column.
    issue_ids, proposal_ids
        One per row; issues sharing a proposal id are negotiated together.
    position
        ``(n_issues, n_actors)`` most-favoured positions on the scale, ``NaN`` = no position.
    salience
        Same shape, 0–100, ``NaN`` = not reported (models fill it, see ``fill_salience``).
    capability
        Same shape, non-negative power of each actor on each issue (any unit: models only
        use ratios); 0 where an actor has no say.
    reference
        ``(n_issues,)`` reference point / status quo, ``NaN`` = unknown.
    outcome
        ``(n_issues,)`` decision actually reached, ``NaN`` = unknown (not scored).
    procedure, voting_rule, council
        Per-issue labels (``"COD"``/``"CNS"``, ``"QMV"``/``"Unan"``...); ``""`` = unknown.
    intro_date
        Per-issue date the proposal was introduced, ``None`` = unknown.
    scale
        ``(low, high)`` of the position scale.
    source
        Where the issues came from (file name), for messages.
    """

    actors: tuple[str, ...]
    issue_ids: tuple[str, ...]
    proposal_ids: tuple[str, ...]
    position: FloatArray
    salience: FloatArray
    capability: FloatArray
    reference: FloatArray
    outcome: FloatArray
    procedure: tuple[str, ...]
    voting_rule: tuple[str, ...]
    council: tuple[str, ...]
    intro_date: tuple[date | None, ...]
    scale: tuple[float, float] = (0.0, 100.0)
    source: str = "<memory>"

    def __post_init__(self) -> None:
        n, m = len(self.issue_ids), len(self.actors)
        for name in ("position", "salience", "capability"):
            arr = getattr(self, name)
            if arr.shape != (n, m):
                raise ForecastError(
                    f"{self.source}: {name} has shape {arr.shape}, expected ({n}, {m})"
                )
        for name in ("reference", "outcome"):
            if getattr(self, name).shape != (n,):
                raise ForecastError(f"{self.source}: {name} must have one value per issue")
        for name in ("proposal_ids", "procedure", "voting_rule", "council", "intro_date"):
            if len(getattr(self, name)) != n:
                raise ForecastError(f"{self.source}: {name} must have one value per issue")
        if len(set(self.actors)) != m:
            raise ForecastError(f"{self.source}: actor codes must be unique")
        if np.any(self.capability < 0) or not np.all(np.isfinite(self.capability)):
            raise ForecastError(f"{self.source}: capabilities must be finite and non-negative")
        for arr in (self.position, self.salience, self.capability, self.reference, self.outcome):
            arr.flags.writeable = False

    @property
    def n_issues(self) -> int:
        """Number of issues (rows)."""
        return len(self.issue_ids)

    @property
    def n_actors(self) -> int:
        """Number of actors (columns)."""
        return len(self.actors)

    @property
    def has_position(self) -> NDArray[np.bool_]:
        """``(n_issues, n_actors)`` mask of the actors taking part in each issue."""
        return ~np.isnan(self.position)

    @property
    def n_positions(self) -> NDArray[np.int_]:
        """Number of actors with a position, per issue."""
        counts: NDArray[np.int_] = self.has_position.sum(axis=1)
        return counts

    def scorable(self, min_positions: int = MIN_POSITIONS_SCORED) -> NDArray[np.bool_]:
        """Issues that can be scored: an outcome and at least ``min_positions`` positions."""
        return ~np.isnan(self.outcome) & (self.n_positions >= min_positions)

    def fill_salience(self, missing: float = 50.0) -> FloatArray:
        """Saliences with the unreported ones set to ``missing`` and non-participants to 0.

        50 (the middle of the 0–100 scale) is the convention used for the DEU sanity
        figures in ``data/deu/SOURCES.md``.
        """
        filled = np.where(np.isnan(self.salience), missing, self.salience)
        return np.where(self.has_position, filled, 0.0)

    def subset(self, rows: Sequence[int] | NDArray[np.int_] | NDArray[np.bool_]) -> IssueSet:
        """The issues at ``rows`` (integer indices or a boolean mask), same actors."""
        idx = np.arange(self.n_issues)[np.asarray(rows)]

        def pick(values: tuple[object, ...]) -> tuple[object, ...]:
            return tuple(values[i] for i in idx)

        return IssueSet(
            actors=self.actors,
            issue_ids=pick(self.issue_ids),  # type: ignore[arg-type]
            proposal_ids=pick(self.proposal_ids),  # type: ignore[arg-type]
            position=self.position[idx].copy(),
            salience=self.salience[idx].copy(),
            capability=self.capability[idx].copy(),
            reference=self.reference[idx].copy(),
            outcome=self.outcome[idx].copy(),
            procedure=pick(self.procedure),  # type: ignore[arg-type]
            voting_rule=pick(self.voting_rule),  # type: ignore[arg-type]
            council=pick(self.council),  # type: ignore[arg-type]
            intro_date=pick(self.intro_date),  # type: ignore[arg-type]
            scale=self.scale,
            source=self.source,
        )


def make_issue_set(
    actors: Sequence[str],
    position: Sequence[Sequence[float]] | FloatArray,
    *,
    salience: Sequence[Sequence[float]] | FloatArray | None = None,
    capability: Sequence[Sequence[float]] | FloatArray | None = None,
    reference: Sequence[float] | FloatArray | None = None,
    outcome: Sequence[float] | FloatArray | None = None,
    proposal_ids: Sequence[str] | None = None,
    procedure: Sequence[str] | None = None,
    scale: tuple[float, float] = (0.0, 100.0),
    issue_ids: Sequence[str] | None = None,
    source: str = "<memory>",
) -> IssueSet:
    """Build an :class:`IssueSet` from plain lists (defaults: salience 100, capability 1).

    Convenient for toy cases and for mapping other problems (trade scenarios) onto the
    spatial view. Each issue is its own proposal unless ``proposal_ids`` says otherwise;
    issues are named ``i1, i2, ...`` unless ``issue_ids`` names them.
    """
    pos = np.asarray(position, dtype=float)
    if pos.ndim != 2:
        raise ForecastError("position must be a 2-D issues × actors table")
    n = pos.shape[0]
    sal = np.full(pos.shape, 100.0) if salience is None else np.asarray(salience, dtype=float)
    cap = np.ones(pos.shape) if capability is None else np.asarray(capability, dtype=float)
    cap = np.where(np.isnan(pos), 0.0, cap)
    ids = tuple(issue_ids) if issue_ids is not None else tuple(f"i{k + 1}" for k in range(n))
    return IssueSet(
        actors=tuple(actors),
        issue_ids=ids,
        proposal_ids=tuple(proposal_ids) if proposal_ids is not None else ids,
        position=pos,
        salience=sal,
        capability=cap,
        reference=np.full(n, np.nan) if reference is None else np.asarray(reference, float),
        outcome=np.full(n, np.nan) if outcome is None else np.asarray(outcome, float),
        procedure=tuple(procedure) if procedure is not None else ("",) * n,
        voting_rule=("",) * n,
        council=("",) * n,
        intro_date=(None,) * n,
        scale=scale,
        source=source,
    )
