"""Side by side with negmas: the same Nash bargaining solutions on real DEU issues."""

import numpy as np
import pytest

from tradetalks.forecast import load_deu
from tradetalks.forecast._nash import nash_bargaining

negmas = pytest.importorskip("negmas")


@pytest.mark.peer
def test_nash_matches_negmas_on_deu_issues() -> None:
    from negmas import make_issue, make_os
    from negmas.preferences import MappingUtilityFunction
    from negmas.preferences.ops import nash_points, pareto_frontier

    issues = load_deu()
    issues = issues.subset(np.flatnonzero(issues.scorable())[:15])
    grid = [round(0.1 * k, 1) for k in range(1001)]
    space = make_os([make_issue(values=grid, name="x")])
    outcomes = list(space.enumerate())
    weights = np.where(issues.has_position, 1.0, 0.0)
    ours = nash_bargaining(issues.position, weights, issues.reference, (0.0, 100.0))
    for k in range(issues.n_issues):
        positions = issues.position[k][issues.has_position[k]]
        ufuns = [
            MappingUtilityFunction(lambda o, p=p: 1 - ((o[0] - p) / 100) ** 2, outcome_space=space)
            for p in positions
        ]
        frontier, index = pareto_frontier(ufuns, outcomes=outcomes)
        best = nash_points(ufuns, frontier, ranges=[(0.0, 1.0)] * len(ufuns))
        peer = outcomes[index[best[0][1]]][0]
        assert abs(peer - ours[k]) <= 0.05 + 1e-9, (issues.issue_ids[k], peer, ours[k])
