"""The live provisional picture of a case with open answers (CONTRACT §7), for the side panel.

While the interview runs, the questions not asked yet that may be pending are taken as open too, so
the panel can say which headlines are still possible and which answers decide between them. The
evaluator (:mod:`interview.engine.provisional`) is exact but takes tens of milliseconds on a case with
many open fields, so the screen runs this in a worker thread, off the path of an answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from interview.engine.values import NOT_KNOWN
from interview.flow.load import LoadedFlow


@dataclass(frozen=True)
class LivePicture:
    """What the panel shows for a case with open answers."""

    #: the answers given as "not known yet", in flow order
    open_answers: tuple[str, ...]
    #: headline titles every completion allows (empty until `waiting_for` is answered)
    possible: tuple[str, ...] = ()
    #: the answer given as not known yet that decide the headline
    deciding_open: tuple[str, ...] = ()
    #: questions still to ask that decide the headline too
    deciding_ahead: tuple[str, ...] = ()
    #: a question needed whatever the open answers are, not asked yet (no picture until it is)
    waiting_for: str | None = None


def live_picture(flow: LoadedFlow, answers: Mapping[str, Any], skipped: frozenset[str]) -> LivePicture | None:
    """The picture of a case in progress, or None when it has no open answer."""
    from interview.engine.provisional import provisional_result

    open_answers = tuple(q.id for q in flow.questions if answers.get(q.id) == NOT_KNOWN)
    if not open_answers:
        return None
    given = dict(answers)
    for bq in flow.questions:
        if bq.id not in given and bq.id not in skipped and bq.model.may_be_not_known:
            given[bq.id] = NOT_KNOWN  # not asked yet: any of its values may still come
    result, _, missing = provisional_result(flow, given)
    if result is None:
        return LivePicture(open_answers, waiting_for=missing)
    rec = result.recommendation
    headlines = flow.model.headlines
    possible = rec.possible_headlines or ([rec.headline] if rec.headline else [])
    return LivePicture(
        open_answers,
        possible=tuple(headlines[h].title if h in headlines else h for h in possible),
        deciding_open=tuple(q for q in rec.decisive if q in open_answers),
        deciding_ahead=tuple(q for q in rec.decisive if q not in open_answers and q not in answers),
    )


def picture_lines(flow: LoadedFlow, picture: LivePicture) -> list[str]:
    """The picture in the clinic's words, one statement a line (open answers by their short names)."""
    from interview.present import brief_name, short_name

    def names(ids: tuple[str, ...], name: Callable[[LoadedFlow, str], str] = short_name) -> str:
        return "; ".join(name(flow, q) for q in ids)

    lines = [f"Not known yet: {names(picture.open_answers)}"]
    if picture.waiting_for is not None:
        lines.append(f"Possible headlines show once this is answered: {names((picture.waiting_for,))}")
        return lines
    if len(picture.possible) == 1:
        lines.append(f"Headline whatever they turn out to be: {picture.possible[0]}")
    else:
        lines.append("Possible headlines:")
        lines.extend(f"• {title}" for title in picture.possible)
    if picture.deciding_open:
        lines.append(f"The headline depends on: {names(picture.deciding_open)}")
    if picture.deciding_ahead:
        lines.append(f"… and on questions still to come: {names(picture.deciding_ahead, brief_name)}")
    return lines
