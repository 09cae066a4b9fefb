r"""Scoring forecasts against the record: hit rate, Brier score, log loss, bootstrap intervals.

For a question with possible answers :math:`k` and forecast probabilities :math:`p_k`,
with :math:`y_k = 1` for the recorded answer and 0 otherwise:

* **hit**: 1 when the recorded answer is the most probable one; a tie between ``m``
  answers counts ``1/m`` if the record is among them (a coin flip's expected hit);
* **Brier score** (Brier 1950), halved so that a yes/no question scores
  :math:`(p - y)^2`: :math:`\tfrac12 \sum_k (p_k - y_k)^2`, from 0 (certain and right)
  to 1 (certain and wrong); 0.25 for a coin flip;
* **log loss**: :math:`-\ln \max(\epsilon, \min(1 - \epsilon, p_{\text{record}}))`,
  with :math:`\epsilon` = :data:`EPSILON`, so a certain miss costs
  :math:`-\ln \epsilon` instead of infinity; :math:`\ln 2 \approx 0.693` for a coin flip.

Book scores are means over all questions; their intervals come from the bootstrap over
episodes (Efron and Tibshirani 1993, ch. 13, percentile method): episodes are drawn with
replacement and the pooled mean recomputed, since questions of one episode share one
scenario and are not independent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: Floor (and 1 − ceiling) of a probability in the log loss.
EPSILON = 0.01
#: Bootstrap draws and interval level of book scores.
BOOTSTRAP_DRAWS = 2000
LEVEL = 0.95
METRICS: tuple[str, ...] = ("hit", "brier", "log_loss")


def hit(probabilities: Mapping[str, float], answer: str) -> float:
    """1 if ``answer`` is the most probable answer, ``1/m`` if it ties with ``m - 1`` others."""
    top = max(probabilities.values())
    best = [k for k, p in probabilities.items() if np.isclose(p, top, rtol=0.0, atol=1e-12)]
    return 1.0 / len(best) if answer in best else 0.0


def brier(probabilities: Mapping[str, float], answer: str) -> float:
    """Half the multi-category Brier score: ``(p - y)^2`` for a yes/no question."""
    return 0.5 * sum((p - float(k == answer)) ** 2 for k, p in probabilities.items())


def log_loss(probabilities: Mapping[str, float], answer: str, epsilon: float = EPSILON) -> float:
    """``-ln p`` of the recorded answer, ``p`` clipped to ``[epsilon, 1 - epsilon]``."""
    p = float(probabilities.get(answer, 0.0))
    return float(-np.log(min(max(p, epsilon), 1.0 - epsilon)))


def question_scores(probabilities: Mapping[str, float], answer: str) -> dict[str, float]:
    """Hit, Brier score and log loss of one forecast."""
    return {
        "hit": hit(probabilities, answer),
        "brier": brier(probabilities, answer),
        "log_loss": log_loss(probabilities, answer),
    }


@dataclass(frozen=True)
class Interval:
    """A pooled mean with its bootstrap interval over episodes."""

    mean: float
    low: float
    high: float


def bootstrap_means(
    groups: Sequence[npt.ArrayLike], draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> FloatArray:
    """Pooled means of ``draws`` bootstrap resamples of the groups (episodes).

    Each draw picks ``len(groups)`` groups with replacement (multinomial counts ``w``) and
    returns ``sum_g w_g S_g / sum_g w_g n_g`` with ``S_g``, ``n_g`` the sum and size of
    group ``g``.
    """
    sums = np.array([np.sum(np.asarray(g, dtype=np.float64)) for g in groups])
    sizes = np.array([np.size(g) for g in groups], dtype=np.float64)
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(groups), np.full(len(groups), 1.0 / len(groups)), size=draws)
    weight = counts @ sizes
    return np.asarray(counts @ sums / np.where(weight > 0, weight, 1.0))


def bootstrap_interval(
    groups: Sequence[npt.ArrayLike],
    draws: int = BOOTSTRAP_DRAWS,
    level: float = LEVEL,
    seed: int = 0,
) -> Interval:
    """The pooled mean of ``groups`` and its percentile bootstrap interval over groups."""
    flat = np.concatenate([np.ravel(np.asarray(g, dtype=np.float64)) for g in groups])
    means = bootstrap_means(groups, draws, seed)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return Interval(float(flat.mean()), float(low), float(high))
