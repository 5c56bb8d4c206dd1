"""`cases copy`: SQLite → PostgreSQL → SQLite keeps every case and its log exactly, and copies nothing twice."""

from __future__ import annotations

import random

from interview.engine.replay import replay
from interview.engine.session import Event
from interview.store import open_store
from interview.store.copy import copy_cases
from store.helpers import EXAMPLE_NAMES, example_answers

CASES = 54


def _fill(store, flow) -> None:
    """Finished examples, cases in progress with marks and edits, Unicode labels: CASES cases in all."""
    rng = random.Random(16)
    results = {name: replay(flow, example_answers(name)).result for name in EXAMPLE_NAMES}
    for n in range(CASES):
        if n % 3 == 0:
            store.save_result(flow, results[EXAMPLE_NAMES[n % len(EXAMPLE_NAMES)]], label=f"łóżko {n}",
                              identifiers={"mrn": f"MRN{n:04d}"})
            continue
        case_id = store.create_case(flow, f"bed {n}")
        store.append(case_id, [Event("answer", "neuro_deficit", None, bool(n % 2))])
        for i in range(rng.randint(0, 6)):
            store.append(case_id, [Event("mark", "mri_done", None, {"i": i, "note": "MRT — całość"})])
        if n % 4 == 1:
            store.append(case_id, [Event("edit", "neuro_deficit", bool(n % 2), not n % 2)])


def _snapshot(store) -> dict[str, tuple]:
    out = {}
    for case_id in store.case_ids():
        r = store.get_case(case_id)
        out[case_id] = (r.summary, r.flow_id, r.flow_version, r.flow_sha256, r.answers, r.skipped, r.result,
                        r.identifiers, [e.content() for e in r.events])
    return out


def test_round_trip_sqlite_postgres_sqlite(tmp_path, pg_url, flow):
    """≥ 50 cases copied SQLite → PostgreSQL → SQLite have identical cases and event logs."""
    first, last = tmp_path / "first.sqlite3", tmp_path / "last.sqlite3"
    with open_store(str(first), user="dr.night") as a:
        _fill(a, flow)
        want = _snapshot(a)
        with open_store(pg_url) as server, open_store(str(last)) as b:
            assert copy_cases(a, server).counts()["copied"] == CASES
            assert copy_cases(server, b).counts()["copied"] == CASES
            assert _snapshot(server) == want
            assert _snapshot(b) == want
    assert len(want) == CASES and sum(len(v[-1]) for v in want.values()) > 2 * CASES


def test_copy_twice_copies_nothing_twice(tmp_path, pg_url, flow):
    """A second copy reports every case as already there and leaves the logs as they were."""
    with open_store(str(tmp_path / "a.sqlite3")) as a, open_store(pg_url) as server:
        _fill(a, flow)
        copy_cases(a, server)
        before = _snapshot(server)
        report = copy_cases(a, server)
        assert report.counts() == {"same": CASES}
        assert report.summary() == f"0 copied, 0 brought up to date, {CASES} already there"
        assert _snapshot(server) == before


def test_copy_named_cases_and_a_diverged_one(tmp_path, flow):
    """Only the named cases are copied; a target log that went its own way is reported, not overwritten."""
    with open_store(str(tmp_path / "a.sqlite3")) as a, open_store(str(tmp_path / "b.sqlite3")) as b:
        one, two = a.create_case(flow, "one"), a.create_case(flow, "two")
        report = copy_cases(a, b, ["one"])
        assert report.outcomes == {one: "copied"} and b.case_ids() == [one]
        b.append(one, [Event("mark", "mri_done", None, {"at": "08:00"})])
        a.append(one, [Event("answer", "neuro_deficit", None, False)])
        report = copy_cases(a, b, [one, two])
        assert report.outcomes == {one: "diverged", two: "copied"}
        assert f"not copied because the target's log went its own way ({one})" in report.summary()
        assert [e.kind for e in b.events(one)] == ["mark"]
