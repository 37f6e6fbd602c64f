"""The licence application's one transition table: 受理 → 审查 → 准予 / 不予许可 / 撤回.

`application_transition` in services.py is the one function that moves an application; it refuses
any move this table does not list.
"""

from __future__ import annotations

ACCEPTED = "accepted"
REVIEW = "review"
GRANTED = "granted"
REFUSED = "refused"
WITHDRAWN = "withdrawn"

TRANSITIONS: dict[str, frozenset[str]] = {
    ACCEPTED: frozenset({REVIEW, WITHDRAWN}),
    REVIEW: frozenset({GRANTED, REFUSED, WITHDRAWN}),
    GRANTED: frozenset(),
    REFUSED: frozenset(),
    WITHDRAWN: frozenset(),
}

OPEN = frozenset({ACCEPTED, REVIEW})

# A move that needs a reason written down (法第三十五条第二款: 不予许可并书面说明理由).
NEEDS_REASON = frozenset({REFUSED, WITHDRAWN})


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
