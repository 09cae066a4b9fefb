"""The casebook from the workbench: ``tradetalks casebook`` on built-in episodes, as JSON.

The scoring is the library's (:func:`~tradetalks.casebook.run_casebook`,
:func:`~tradetalks.casebook.cross_validate`, as ``cli/_casebook_cmds.py`` calls them); this
module only checks the request (built-in episode ids only, never a path on the server;
sessions within the workbench's limit) and shapes JSON. Nothing is saved: prices go to the
price cache the workbench's analyses use (kept in memory with ``--read-only``).
"""

from __future__ import annotations

from typing import Any

from tradetalks._errors import InputError
from tradetalks.casebook import (
    FORECASTERS,
    builtin_episodes,
    cross_validate,
    load_casebook,
    run_casebook,
)
from tradetalks.game import PriceCache
from tradetalks.web._service import finite


def episode_names(given: str | None) -> list[str]:
    """Built-in episode ids from a comma-separated list (empty: every built-in episode)."""
    known = builtin_episodes()
    names = list(dict.fromkeys(n.strip() for n in (given or "").split(",") if n.strip()))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            f"episodes: no built-in episode {', '.join(map(repr, unknown))}; "
            f"have {', '.join(known)}"
        )
    return names or known


def episode_list() -> list[dict[str, Any]]:
    """The built-in episodes: id, title, scenario id and number of questions."""
    return [
        {"id": e.episode.id, "title": e.episode.title, "scenario": e.scenario.id,
         "questions": len(e.episode.questions)}
        for e in load_casebook()
    ]  # fmt: skip


def casebook_json(
    names: list[str], *, sessions: int, seed: int, cv: bool, cache: PriceCache
) -> dict[str, Any]:
    """The casebook's scores on ``names``: per question, per episode, per kind, whole book.

    The payload is ``CasebookResult.to_dict()`` (with ``chosen`` and ``in_sample`` of the
    cross-validation when ``cv``) plus ``by_episode`` and the forecasters' order.
    """
    if cv and len(names) < 2:
        raise InputError("cv: choosing settings leave-one-episode-out needs two episodes or more")
    entries = load_casebook(names)
    if cv:
        cross = cross_validate(entries, sessions=sessions, seed=seed, cache=cache, workers=1)
        result = cross.result
        extra: dict[str, Any] = {"metric": cross.metric, "chosen": cross.chosen,
                                 "in_sample": cross.in_sample}  # fmt: skip
    else:
        result = run_casebook(entries, sessions=sessions, seed=seed, cache=cache, workers=1)
        extra = {}
    out: dict[str, Any] = finite(
        {
            **result.to_dict(),
            "by_episode": result.by_episode(),
            "forecasters": list(FORECASTERS),
            "cv": cv,
            "seed": seed,
            "sessions": sessions,
            **extra,
        }
    )
    return out
