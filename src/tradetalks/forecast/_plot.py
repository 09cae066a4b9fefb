"""Plot of an evaluation: MAE and share within ±10 points per model, with bootstrap intervals."""

from __future__ import annotations

from pathlib import Path

from tradetalks._inputs import save_figure
from tradetalks.forecast._evaluate import Evaluation


def plot_evaluation(evaluation: Evaluation, path: str | Path) -> Path:
    """Write a two-panel PNG (MAE, share within ±10) with 95% intervals; returns the path."""
    # Imported here: matplotlib costs a second at start-up and only this function needs it.
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, safe in tests and servers
    import matplotlib.pyplot as plt

    scores = sorted(evaluation.scores, key=lambda s: -s.mae)
    names = [s.name for s in scores]
    fig, (ax_mae, ax_hit) = plt.subplots(1, 2, figsize=(10, 0.45 * len(names) + 1.8), sharey=True)
    for ax, values, lows, highs, label in (
        (ax_mae, [s.mae for s in scores], [s.mae_ci[0] for s in scores],
         [s.mae_ci[1] for s in scores], "mean absolute error (0–100 scale)"),
        (ax_hit, [100 * s.within10 for s in scores], [100 * s.within10_ci[0] for s in scores],
         [100 * s.within10_ci[1] for s in scores], "% of issues within ±10 points"),
    ):  # fmt: skip
        errors = [
            [v - lo for v, lo in zip(values, lows, strict=True)],
            [hi - v for v, hi in zip(values, highs, strict=True)],
        ]
        ax.errorbar(values, range(len(names)), xerr=errors, fmt="o", capsize=3)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    ax_mae.set_yticks(range(len(names)), names)
    where = (
        f"{evaluation.folds}-fold proposal-level cross-validation"
        if evaluation.mode == "cross-validation"
        else f"fit on {evaluation.train_source}"
    )
    fig.suptitle(
        f"{evaluation.source}: {evaluation.n_issues} issues, {evaluation.n_proposals} proposals "
        f"({where}); 95% cluster-bootstrap intervals",
        fontsize=9,
    )
    fig.tight_layout()
    out = Path(path)
    save_figure(fig, out, dpi=120)
    plt.close(fig)
    return out
