"""`ketadesk db check`: a database's integrity plus the content rules, as one list of problems."""

from __future__ import annotations

from . import rules
from .errors import DamagedEntryError
from .records import Problem
from .store import Store


def check_store(store: Store) -> list[Problem]:
    """Everything wrong with a database; empty when it is intact and every entry is complete."""
    problems = [Problem("database", "integrity", p) for p in store.integrity_problems()]
    categories = store.categories()
    reference_ids = store.reference_ids()
    condition_ids = store.condition_ids()
    conditions = []
    for condition_id in condition_ids:
        try:
            conditions.append(store.get_condition(condition_id))
        except DamagedEntryError as exc:  # reported, and the other entries still checked
            problems.append(Problem(condition_id, "damaged", str(exc)))
    handouts = store.handouts()
    with rules.batch(conditions, handouts):
        for condition in conditions:
            problems += rules.check_condition(
                condition,
                categories=categories,
                reference_ids=reference_ids,
                condition_ids=condition_ids,
            )
        for effect in store.side_effects():
            problems += rules.check_side_effect(effect)
        for handout in handouts:
            problems += rules.check_handout(handout)
    return problems
