"""Patient handouts as records: which handout an id names (a condition's own, or a general one
such as the treatment day), how a print run is put together, and what its file is called.

The same core serves the command line and the window. No SQL and no Qt: the store supplies the
records, and handout_layout.py puts them on paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol

from .errors import NotFoundError
from .records import HANDOUT_SECTION, Condition, Handout, HandoutPart, SideEffect

TREATMENT_DAY = "treatment-day"


class HandoutSource(Protocol):
    """What a print run reads (a store.Store satisfies it)."""

    def handouts(self) -> list[Handout]: ...
    def get_condition(self, condition_id: str) -> Condition: ...
    def side_effects(self) -> list[SideEffect]: ...


def condition_handout(condition: Condition) -> Handout:
    """A condition's patient handout, titled for the patient."""
    text = next((s.markdown for s in condition.sections if s.title == HANDOUT_SECTION), "")
    return Handout(
        id=condition.id,
        title=f"{condition.name}: ketamine treatment",
        last_reviewed=condition.last_reviewed,
        markdown=text,
    )


def find_handout(store: HandoutSource, handout_id: str) -> Handout:
    """The handout with this id: a general handout first, else the condition's own.

    Raises NotFoundError naming the general handouts when neither exists.
    """
    return _find(store, handout_id)[0]


def _find(store: HandoutSource, handout_id: str) -> tuple[Handout, Condition | None]:
    general = {h.id: h for h in store.handouts()}
    if handout_id in general:
        return general[handout_id], None
    try:
        condition = store.get_condition(handout_id)
    except NotFoundError:
        known = ", ".join(general) or "none"
        raise NotFoundError(
            f"no condition or general handout has the id {handout_id!r} "
            f"(general handouts: {known}; 'ketadesk list' shows condition ids)"
        ) from None
    return condition_handout(condition), condition


def print_run(
    store: HandoutSource,
    handout_id: str,
    *,
    discussed: Collection[str] = (),
    with_treatment_day: bool = False,
) -> list[HandoutPart]:
    """The parts of one print job: the handout (with its references and the side effects ticked
    as discussed, by their plain names), then the treatment-day handout if asked for."""
    handout, condition = _find(store, handout_id)
    names = [e.plain_name for e in store.side_effects() if e.id in discussed]
    parts = [
        HandoutPart(
            handout,
            references=condition.references if condition else (),
            discussed=tuple(names),
        )
    ]
    if with_treatment_day and handout_id != TREATMENT_DAY:
        parts.append(HandoutPart(find_handout(store, TREATMENT_DAY)))
    return parts


def file_name(handout_id: str, date: dt.date) -> str:
    """The name a handout is saved under: the condition and the date.

    >>> file_name("post-traumatic-stress-disorder", dt.date(2026, 11, 21))
    'post-traumatic-stress-disorder-handout-2026-11-21.pdf'
    """
    return f"{handout_id}-handout-{date.isoformat()}.pdf"
