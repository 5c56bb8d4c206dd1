"""The MSCC banner: every action on a short terminal, and it follows what the MRI showed."""

from __future__ import annotations

from interview.engine.session import Session
from interview.tui.widgets.banner import EmergencyBanner


def banner_text(app) -> str:
    """What the emergency banner shows now ('' when hidden)."""
    banner = app.screen.query_one(EmergencyBanner)
    return str(banner.render()) if banner.has_class("-active") else ""


async def test_short_terminal_shows_every_action_of_the_bundle(flow, make_app):
    """At 80×24 the banner gives all five MSCC actions in one line, not two of them."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("y")
        await pilot.pause()
        text = banner_text(app)
        for action in ("Coordinator now", "dexamethasone 16 mg now", "MRI ≤ 24 h", "immobilise", "plan ≤ 24 h"):
            assert action in text, text


async def test_banner_follows_the_mri(flow, make_app):
    """Once MRI shows compression the banner drops the MRI item; once it excludes it, the emergency banner goes."""
    session = Session(flow)
    app = make_app(session=session)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        for value in (True, True, 10, "C"):  # deficit, progressing, 10 h, Frankel C
            app.session.answer(value)
        alerts = [a.id for a in app.session.alerts]
        assert alerts == ["mscc_bundle"]
        answers = {"asia": None, "ambulatory": True, "age": 60, "sex": "male", "known_primary": True,
                   "primary_tumour": "breast", "histology_established": True,
                   "systemic_treatment_status": "responding", "prior_rt_same_level": False,
                   "mri_whole_spine_done": True, "index_level": None}
        for qid, value in answers.items():
            assert app.session.current_id == qid
            app.session.skip() if value is None else app.session.answer(value)
        app.session.answer("2")  # ESCC 2: compression explains the deficit
        assert [a.id for a in app.session.alerts] == ["mscc_bundle_imaged"]
        assert not any("MRI within 24 h" in line for a in app.session.alerts for line in a.lines)
        app.session.edit("escc_grade", "0")
        app.session.answer("none")  # nothing else on MRI explains it
        assert [a.id for a in app.session.alerts] == ["deficit_unexplained"]
        assert all(a.level != "emergency" for a in app.session.alerts)
