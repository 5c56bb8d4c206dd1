"""Cases from one store to another with their whole logs: SQLite ↔ PostgreSQL, idempotently.

A case keeps its id, its label, its times and the writer of every event. Copying again copies
nothing twice: a case already there with the same log is left alone, one whose log is the start
of the source's gets the rest, and one whose log went its own way is reported and not touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from interview.store.records import StoreError


@dataclass
class CopyReport:
    """What a copy did, per case."""

    outcomes: dict[str, str] = field(default_factory=dict)

    def counts(self) -> Counter[str]:
        return Counter(self.outcomes.values())

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c['copied']} copied", f"{c['extended']} brought up to date", f"{c['same']} already there"]
        line = ", ".join(parts)
        diverged = sorted(k for k, v in self.outcomes.items() if v == "diverged")
        if diverged:
            line += (f"; {len(diverged)} not copied because the target's log went its own way "
                     f"({', '.join(diverged)}): compare them with `cases show`")
        return line


def copy_cases(source: Any, target: Any, keys: Iterable[str] = ()) -> CopyReport:
    """Copy the cases ``keys`` names (ids or labels; all when empty) from ``source`` to ``target``.

    Raises:
        StoreError: a case that is not in the source, or a store that fails (the cases copied
            before it stay copied: each case is one transaction).
    """
    keys = list(keys)
    ids = [source.resolve(k) for k in keys] if keys else source.case_ids()
    report = CopyReport()
    for case_id in ids:
        record = source.get_case(case_id)
        try:
            report.outcomes[case_id] = target.import_case(record)
        except StoreError as err:
            done = report.summary()
            raise StoreError(f"{err.message} (so far: {done})") from None
    return report


__all__ = ["CopyReport", "copy_cases"]
