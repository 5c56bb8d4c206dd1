"""The case label on the interview screen's top line (issue 14): whose case this is, at a glance."""

from __future__ import annotations

from tui_keys import set_label

from interview.tui.widgets.steady import TitleBar


def _title(app) -> str:
    return app.interview.query_one("#title", TitleBar).render().plain


async def test_a_label_set_with_ctrl_l_shows_on_the_top_line_first(make_app):
    """After ctrl+l the top line starts with the label, before the app's name, even at 80 columns."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert _title(app).startswith("spine-interview — ")  # no case yet: the app's name alone
        await pilot.press("n")
        await pilot.pause()
        await set_label(pilot, "bed 12 T8")
        await pilot.pause()
        assert _title(app).startswith("Case bed 12 T8 · spine-interview")


async def test_a_reopened_case_shows_its_label(make_app, flow, temp_db):
    """A case reopened from the store shows the label it was saved with."""
    from interview.tui.app import InterviewApp
    from interview.tui.storage import CaseKeeper

    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await set_label(pilot, "ward 3")
        await pilot.press("n")
        await pilot.pause()
        case_id = first.keeper.case_id
    keeper = CaseKeeper(str(temp_db))
    session, _ = keeper.resume(case_id, flow)
    app = InterviewApp(flow, session=session, keeper=keeper)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _title(app).startswith("Case ward 3 · ")


async def test_the_label_dialog_says_where_the_label_goes_with_and_without_a_case_store(make_app, temp_db):
    """With a case store the dialog says a label finds the case again; without one, that it heads the report only."""
    from textual.widgets import Static

    def hint(app) -> str:
        return str(app.screen.query_one(".hint", Static).render())

    for damaged, says, never in ((False, "find the case (ctrl+o)", "not saved"), (True, "not saved", "ctrl+o")):
        if damaged:
            temp_db.write_bytes(b"this is not a database\n" * 64)  # the store cannot be opened
        app = make_app()
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert says in hint(app) and never not in hint(app)
            assert "avoid names" in hint(app)
