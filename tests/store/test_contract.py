"""The store contract: every backend (SQLite file, PostgreSQL server) keeps the same event log the same way."""

from __future__ import annotations

import pytest

from interview.engine.restore import open_session, reconcile
from interview.engine.session import Event, Session
from interview.store.protocol import CaseStore
from interview.store.records import CaseChanged, StoreError, UnknownCase
from store.helpers import stored_example

#: The first answers of a case with no deficit who walks: the shipped flow's first five questions.
OPENING = (False, False, True, 64, "female")


def _answered(store, flow, values=OPENING) -> tuple[str, Session]:
    case_id = store.create_case(flow)
    session = Session(flow)
    store.attach(session, case_id)
    for v in values:
        session.answer(v)
    return case_id, session


# --- the log ----------------------------------------------------------------------------------------


def test_backend_implements_the_protocol(any_store):
    """Each backend is a CaseStore in the Protocol's sense (every operation present)."""
    assert isinstance(any_store, CaseStore)


def test_every_change_is_an_event_with_who_and_when(any_store, flow):
    """Answers, back, edit and drop are logged in order, each with its writer and a time."""
    case_id, session = _answered(any_store, flow, (False, True))
    session.back()
    session.answer(False)
    session.edit("neuro_deficit", True)
    record = any_store.get_case(case_id)
    assert [e.kind for e in record.events] == ["answer", "answer", "back", "answer", "edit", "drop"]
    assert {e.who for e in record.events} == {"dr.registrar"}
    assert [e.time for e in record.events] == sorted(e.time for e in record.events)
    assert len({e.seq for e in record.events}) == 6
    assert record.answers == session.answers
    assert any_store.event_count(case_id) == 6


def test_any_event_kind_travels_unchanged(any_store, flow):
    """A kind the store has never heard of (a clock mark) keeps its payload and leaves the answers alone."""
    case_id, session = _answered(any_store, flow, (False,))
    payload = {"at": "2026-11-29T08:15:00+00:00", "note": "Dexamethason 10 mg i.v. — płuco?"}
    count = any_store.append(case_id, [Event("mark", "dexamethasone_given", None, payload)])
    assert count == 2
    record = any_store.get_case(case_id)
    assert (record.events[-1].kind, record.events[-1].question, record.events[-1].new) == (
        "mark", "dexamethasone_given", payload)
    assert record.answers == {"neuro_deficit": False}


def test_user_is_the_os_login_unless_given(any_store, flow, monkeypatch):
    """Without --user the writer is the OS login; the store's user names every event it writes."""
    from interview.store import open_store
    from interview.store.records import current_user

    db = any_store.url if hasattr(any_store, "url") else any_store.location
    with open_store(db) as plain:
        assert plain.user == current_user()
        case_id = plain.create_case(flow)
        plain.append(case_id, [Event("answer", "neuro_deficit", None, False)])
        assert plain.events(case_id)[0].who == current_user()


def test_finish_then_change_reopens(any_store, flow):
    """A finished case is complete with its headline; a change afterwards makes it in progress again."""
    case_id = stored_example(any_store, flow, "renal_stable")
    [summary] = any_store.list_cases()
    assert (summary.id, summary.status) == (case_id, "complete") and summary.headline
    session, warnings = open_session(any_store, case_id, flow)
    assert warnings == []
    session.edit("kps", 40)
    record = any_store.get_case(case_id)
    assert (record.status, record.result, record.summary.headline) == ("in_progress", None, None)


def test_resume_at_the_same_question(any_store, flow):
    """A case reopened from the log has the same answers and next question as the session that wrote it."""
    case_id, session = _answered(any_store, flow)
    any_store.detach(session)
    resumed, warnings = open_session(any_store, case_id, flow)
    assert warnings == []
    assert (resumed.answers, resumed.current_id) == (session.answers, session.current_id)
    resumed.answer(True)
    assert any_store.event_count(case_id) == len(OPENING) + 1


def test_labels_resolve_and_delete(any_store, flow):
    """A case is found by id or unique label; a shared label asks for the id; delete removes case and log."""
    a = any_store.create_case(flow, "bed 7")
    b = any_store.create_case(flow, "bed 9")
    assert any_store.resolve("bed 7") == a and any_store.resolve(a.lower()) == a
    any_store.set_label(b, "bed 7")
    with pytest.raises(UnknownCase, match="2 cases are labelled 'bed 7'"):
        any_store.resolve("bed 7")
    any_store.delete_case(b)
    assert any_store.case_ids() == [a]
    with pytest.raises(StoreError, match="label"):
        any_store.set_label(a, "x" * 500)


@pytest.mark.parametrize("action", ["append", "get_case", "event_count", "finish", "set_label", "delete_case",
                                    "attach"])
def test_unknown_case_is_one_clear_error(any_store, flow, action):
    """Every operation on a case that does not exist says so, naming the id."""
    calls = {
        "append": lambda: any_store.append("NOPE", [Event("answer", "x", None, 1)]),
        "get_case": lambda: any_store.get_case("NOPE"),
        "event_count": lambda: any_store.event_count("NOPE"),
        "finish": lambda: any_store.finish("NOPE", _result(flow)),
        "set_label": lambda: any_store.set_label("NOPE", "x"),
        "delete_case": lambda: any_store.delete_case("NOPE"),
        "attach": lambda: any_store.attach(Session(flow), "NOPE"),
    }
    with pytest.raises(UnknownCase, match="no case 'NOPE'"):
        calls[action]()


def _result(flow):
    from interview.engine.replay import replay
    from store.helpers import example_answers

    return replay(flow, example_answers("renal_stable")).result


# --- several clinicians, one case ---------------------------------------------------------------------


def test_list_by_user_since_and_pending(any_store, flow):
    """`cases list` filters: cases a user wrote to, changed since a time, still in progress."""
    from interview.store import open_store

    db = getattr(any_store, "url", any_store.location)
    mine = any_store.create_case(flow)
    any_store.append(mine, [Event("answer", "neuro_deficit", None, False)])
    done = stored_example(any_store, flow, "renal_stable")
    with open_store(db, user="dr.consultant") as other:
        theirs = other.create_case(flow)
        other.append(theirs, [Event("answer", "neuro_deficit", None, True)])
        cut = other.get_case(theirs).summary.updated
    assert {c.id for c in any_store.list_cases(user="dr.registrar")} == {mine, done}
    assert {c.id for c in any_store.list_cases(user="dr.consultant")} == {theirs}
    assert {c.id for c in any_store.list_cases(since=cut)} == {theirs}
    assert {c.id for c in any_store.list_cases(pending=True)} == {mine, theirs}
    assert {c.id for c in any_store.list_cases(user="dr.registrar", pending=True)} == {mine}


def test_second_writer_gets_case_changed_and_nothing_is_overwritten(any_store, flow):
    """Two sessions on one case: the one that wrote second is refused with the other's events, not merged."""
    from interview.store import open_store

    case_id, registrar = _answered(any_store, flow, (False,))
    with open_store(getattr(any_store, "url", any_store.location), user="dr.consultant") as other:
        consultant, _ = open_session(other, case_id, flow)
        consultant.answer(False)  # radicular pain: no
        before = any_store.events(case_id)
        with pytest.raises(CaseChanged) as caught:
            registrar.answer(True)  # the same question, another answer, on a stale view
        assert any_store.events(case_id) == before  # nothing written
        assert registrar.answers == {"neuro_deficit": False}  # the session did not move either
        err = caught.value
        assert err.count == 2 and [e.who for e in err.events] == ["dr.consultant"]
        assert err.message == f"the case {case_id} changed (1 event by dr.consultant since you last read it)"
        other.detach(consultant)


def test_reconcile_keeps_an_answer_that_still_fits(any_store, flow):
    """After a conflict on another question, the case is reloaded and this clinician's answer is kept."""
    from interview.store import open_store

    case_id, registrar = _answered(any_store, flow, (False, False))
    with open_store(getattr(any_store, "url", any_store.location), user="dr.consultant") as other:
        other.append(case_id, [Event("mark", "mri_done", None, {"at": "2026-11-29T07:00:00+00:00"})])
    with pytest.raises(CaseChanged) as caught:
        registrar.answer(True)  # walks: yes
    session, message = reconcile(any_store, case_id, flow, registrar, caught.value)
    assert message.endswith("reloaded, your answer to ambulatory was kept")
    assert "1 event by dr.consultant" in message
    assert session.answers["ambulatory"] is True
    assert [e.kind for e in any_store.events(case_id)][-2:] == ["mark", "answer"]
    assert registrar.listeners == []  # the stale session no longer writes


def test_reconcile_does_not_overwrite_the_other_answer(any_store, flow):
    """After a conflict on the same question, the other's answer stands and the message says why."""
    from interview.store import open_store

    case_id, registrar = _answered(any_store, flow, (False,))
    with open_store(getattr(any_store, "url", any_store.location), user="dr.consultant") as other:
        other.append(case_id, [Event("answer", "radicular_pain", None, False)])
    with pytest.raises(CaseChanged) as caught:
        registrar.answer(True)
    session, message = reconcile(any_store, case_id, flow, registrar, caught.value)
    assert message.endswith("your answer to radicular_pain was not applied because dr.consultant answered it "
                            "meanwhile (False)")
    assert session.answers["radicular_pain"] is False


# --- moving cases between stores ----------------------------------------------------------------------


def test_import_is_idempotent_and_extends_a_shorter_log(any_store, flow, tmp_path):
    """A copied case keeps id, times and writers; copying again adds nothing; a longer source adds the rest."""
    from interview.store.sqlite import CaseStore

    with CaseStore(tmp_path / "source.sqlite3", user="dr.night") as source:
        case_id, session = _answered(source, flow)
        record = source.get_case(case_id)
        assert any_store.import_case(record) == "copied"
        assert any_store.import_case(record) == "same"
        session.answer(True)
        assert any_store.import_case(source.get_case(case_id)) == "extended"
        copied = any_store.get_case(case_id)
        assert [e.content() for e in copied.events] == [e.content() for e in source.events(case_id)]
        assert copied.summary == source.get_case(case_id).summary
        any_store.append(case_id, [Event("back", "age")])
        session.answer("breast")
        assert any_store.import_case(source.get_case(case_id)) == "diverged"
