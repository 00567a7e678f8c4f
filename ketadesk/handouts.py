"""Patient handouts as records: a condition's handout section, or a general handout.

The same core serves the command line and (later) the window's print and PDF actions. No SQL,
no Qt: the store supplies the records.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import HANDOUT_SECTION, Condition, Handout

if TYPE_CHECKING:
    from .store import Store


def condition_handout(condition: Condition) -> Handout:
    """A condition's patient handout, titled for the patient."""
    text = next((s.markdown for s in condition.sections if s.title == HANDOUT_SECTION), "")
    return Handout(
        id=condition.id,
        title=f"{condition.name}: ketamine treatment",
        last_reviewed=condition.last_reviewed,
        markdown=text,
    )


def find_handout(store: Store, handout_id: str) -> Handout:
    """The handout with this id: a general handout first, else the condition's own.

    Raises the store's NotFoundError naming the general handouts when neither exists.
    """
    from .store import NotFoundError

    general = {h.id: h for h in store.handouts()}
    if handout_id in general:
        return general[handout_id]
    try:
        return condition_handout(store.get_condition(handout_id))
    except NotFoundError:
        known = ", ".join(general) or "none"
        raise NotFoundError(
            f"no condition or general handout has the id {handout_id!r} "
            f"(general handouts: {known}; 'ketadesk list' shows condition ids)"
        ) from None
