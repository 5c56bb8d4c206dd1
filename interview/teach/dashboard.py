"""How the room answered: per checkpoint of a teaching case, a count per option, most disagreement first.

Pure counting over learning-log entries (the Textual screen that draws it is
:mod:`interview.tui.screens.dashboard`). Options come from the quiz's own checkpoints when the case
is in the library — so an option nobody chose still shows, at zero — else from the answers seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OptionTally:
    """One option of a checkpoint and how many in the room chose it."""

    value: str
    label: str
    count: int
    right: bool


@dataclass(frozen=True)
class CheckpointTally:
    """How the room answered one checkpoint."""

    id: str
    prompt: str
    expected: str
    options: list[OptionTally]
    answered: int
    #: how split the room is: 0 when everyone gave the same answer, towards 1 the more evenly spread
    disagreement: float
    order: int

    @property
    def right_share(self) -> float:
        right = sum(o.count for o in self.options if o.right)
        return right / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class RoomView:
    """What the teacher sees: the room, the case, how many sessions, the checkpoints most split first."""

    room: str | None
    case_id: str | None
    case_title: str | None
    sessions: int
    checkpoints: list[CheckpointTally]
    other_cases: dict[str, int]


def _disagreement(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return 0.0 if total == 0 else 1.0 - max(counts.values()) / total


def room_view(entries: list[dict[str, Any]], *, room: str | None = None, case_id: str | None = None,
              checkpoints: list[Any] | None = None) -> RoomView:
    """Tally the room's sessions of one case (the one given, else the room's most answered).

    Args:
        entries: learning-log entries (already of the room, or filtered here by ``room``).
        checkpoints: the quiz's :class:`~interview.teach.quiz.Checkpoint` list, for labels and options.
    """
    if room is not None:
        entries = [e for e in entries if e.get("room") == room]
    per_case = Counter(str(e.get("case_id")) for e in entries if e.get("case_id"))
    if case_id is None and per_case:
        case_id = sorted(per_case, key=lambda c: (-per_case[c], c))[0]
    mine = [e for e in entries if e.get("case_id") == case_id]
    title = next((e.get("case_title") for e in reversed(mine) if e.get("case_title")), None)
    known = {cp.id: cp for cp in checkpoints or []}
    order: dict[str, int] = {cp.id: i for i, cp in enumerate(checkpoints or [])}
    prompts: dict[str, str] = {}
    expected: dict[str, str] = {}
    given: dict[str, Counter[str]] = {}
    for e in mine:
        for cp in e.get("checkpoints", []):
            cid = str(cp.get("id"))
            order.setdefault(cid, len(order))
            prompts.setdefault(cid, str(cp.get("prompt", cid)))
            expected[cid] = str(cp.get("expected"))
            counts = given.setdefault(cid, Counter())
            if cp.get("given") is not None:
                counts[str(cp["given"])] += 1
    tallies = []
    for cid in sorted(set(order) & (set(given) | set(known)), key=order.__getitem__):
        counts = given.get(cid, Counter())
        cp = known.get(cid)
        right = cp.expected if cp is not None else expected.get(cid, "")
        if cp is not None and cp.choices:
            values = [c.value for c in cp.choices]
        else:  # typed numbers (a SINS total), or a case not in the library: the answers seen, and the right one
            values = sorted(set(counts) | {right}, key=lambda v: (not v.lstrip("-").isdigit(), int(v)
                                                                  if v.lstrip("-").isdigit() else 0, v))
        values += [v for v in counts if v not in values]  # an answer the checkpoint no longer offers
        options = [OptionTally(v, cp.label_of(v) if cp is not None else v, counts.get(v, 0), v == right)
                   for v in values]
        tallies.append(CheckpointTally(cid, cp.prompt if cp is not None else prompts.get(cid, cid), right, options,
                                       sum(counts.values()), _disagreement(counts), order[cid]))
    tallies.sort(key=lambda t: (-round(t.disagreement, 6), t.right_share, t.order))
    others = {c: n for c, n in per_case.items() if c != case_id}
    return RoomView(room, case_id, title, len(mine), tallies, others)


__all__ = ["CheckpointTally", "OptionTally", "RoomView", "room_view"]
