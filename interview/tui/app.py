"""The Textual app: owns the session and the case store, and moves between the interview's screens."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from interview.engine.session import Session, SessionError
from interview.tui import heap
from interview.tui.screens.interview import InterviewScreen
from interview.tui.storage import CaseKeeper

# Only the first question's screen is imported up front: every other screen (review,
# recommendation, modals) and the result model load when first shown, off the startup path.
if TYPE_CHECKING:

    from interview.flow.load import LoadedFlow
    from interview.result import Result

#: Set to exit as soon as the first question is on screen, after writing `first-render <monotonic
#: seconds>` to stderr (the startup benchmark; Linux's monotonic clock is shared by processes).
EXIT_AFTER_FIRST_RENDER = "SPINE_INTERVIEW_EXIT_AFTER_RENDER"


class InterviewApp(App[int]):
    """The spinal-metastasis interview as a chat in the terminal."""

    TITLE = "spine-interview"
    ENABLE_COMMAND_PALETTE = False
    #: Without colour (NO_COLOR, a monochrome terminal) a highlight is reversed, not lost.
    CSS = """
    OptionList:nocolor > .option-list--option-highlighted { text-style: reverse bold; }
    CollapsibleTitle:nocolor:focus { text-style: reverse bold; }
    """
    #: Screen classes by terminal height (lists are sized to fit: see AnswerArea's CSS).
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-medium"), (40, "-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit_case", "Quit", priority=True),
        # A stray `q` (a list open, a reply browsed) never quits: it asks first.
        Binding("q", "ask_quit", "Quit", show=False),
        Binding("ctrl+o", "open_case", "Cases"),
        Binding("ctrl+n", "new_case", "New case"),
        Binding("ctrl+l", "label_case", "Label"),
    ]

    def __init__(self, flow: LoadedFlow, *, session: Session | None = None, keeper: CaseKeeper | None = None,
                 teaching: bool = False, review: bool = False, notes: list[str] | None = None) -> None:
        super().__init__()
        self.flow = flow
        self.session = session or Session(flow)
        self.keeper = keeper or CaseKeeper(None)
        self.teaching = teaching
        self.start_at_review = review
        self.notes = notes or []
        self._first_frame_seen = False
        self.sub_title = flow.model.title

    def on_mount(self) -> None:
        self.push_screen(InterviewScreen(self.session))

    @property
    def stamp_first_render(self) -> bool:
        """Whether the first question's frame is to be time-stamped and the app closed (benchmark)."""
        return bool(os.environ.get(EXIT_AFTER_FIRST_RENDER))

    def first_frame(self) -> None:
        """The first question is on screen: open the case store, say what the user must know about
        it and the case, and collect garbage again (see :mod:`interview.tui.heap`).

        None of it is needed to draw the question, and it takes a few milliseconds, well before the
        user has read it. Only the first time (a resumed case shows a new interview screen). With
        EXIT_AFTER_FIRST_RENDER set, write the time first and close.
        """
        if self._first_frame_seen:
            return
        self._first_frame_seen = True
        if self.stamp_first_render:
            import sys
            import time

            print(f"first-render {time.monotonic()}", file=sys.stderr, flush=True)
            self.exit(0)
        if self.keeper.warning:
            self.notify(self.keeper.warning, severity="warning", timeout=10)
        for note in self.notes:
            self.notify(note, timeout=10)
        self.note_in_transcript(self.notes)
        heap.release()

    def note_in_transcript(self, notes: list[str]) -> None:
        """What opening a saved case found (re-evaluated under a new flow, answers not taken) stays
        in the transcript: a notification fades before a long statement is read."""
        if not notes:
            return
        from interview.tui.widgets.transcript import Transcript

        self.interview.query_one(Transcript).notice("Saved case reopened", list(notes))

    # --- moving between screens ------------------------------------------------------------------

    @property
    def interview(self) -> InterviewScreen:
        return next(s for s in self.screen_stack if isinstance(s, InterviewScreen))

    def open_review(self) -> None:
        """Show the review (the interview is complete)."""
        from interview.tui.screens.recommendation import RecommendationScreen
        from interview.tui.screens.review import ReviewScreen

        if not isinstance(self.screen, ReviewScreen | RecommendationScreen):
            self.push_screen(ReviewScreen(self.session))

    def open_recommendation(self) -> None:
        """Compute the result and show it; the case store marks the case finished."""
        from interview.tui.screens.recommendation import RecommendationScreen

        try:
            result = self.session.result()
        except SessionError as err:
            self.notify(str(err), severity="error")
            return
        warning = self.keeper.finish(result)
        if warning:
            self.notify(warning, severity="warning", timeout=8)
        self.push_screen(RecommendationScreen(self.flow, result))

    def back_from_review(self) -> None:
        """Undo the last answer and return to the interview at that question."""
        self.session.back()
        self._to_interview()

    def _to_interview(self) -> None:
        while not isinstance(self.screen, InterviewScreen):
            self.pop_screen()
        self.interview.sync()

    def edit_answer(self, qid: str) -> None:
        """Edit an answer from the review screen."""
        from interview.tui.screens.modals import EditScreen

        self.push_screen(EditScreen(self.flow, qid, self.session.answers.get(qid)),
                         lambda value: None if value is None else self.apply_edit(qid, value))

    def apply_edit(self, qid: str, value: Any) -> None:
        """Change an answer; dropped answers are named in the transcript; open questions reopen."""
        from interview.tui.screens.modals import EditScreen
        from interview.tui.screens.review import ReviewScreen

        old = self.session.answers.get(qid)
        try:
            dropped = self.session.edit(qid, value)
        except (SessionError, ValueError) as err:
            self.notify(str(err), severity="error")
            return
        interview = self.interview
        if self.session.done:
            interview.record_edit(qid, old, dropped)
            if isinstance(self.screen, ReviewScreen):
                self.screen.refresh_answers()
            if dropped:
                self.notify("dropped: " + ", ".join(dropped))
        else:
            if not isinstance(self.screen, InterviewScreen | EditScreen):
                self.notify("The edit opened new questions: the interview continues there.")
            while not isinstance(self.screen, InterviewScreen | EditScreen):
                self.pop_screen()
            interview.record_edit(qid, old, dropped)

    # --- cases, exports, quitting ----------------------------------------------------------------

    def action_open_case(self) -> None:
        from interview.tui.screens.modals import CasePicker

        if not self.keeper.available:
            self.notify(self.keeper.warning or "Case storage is not available.", severity="warning")
            return
        try:
            cases = self.keeper.list_cases(self.flow)
        except Exception as err:  # noqa: BLE001 - the store's own message is the clearest
            self.notify(f"Cannot list saved cases: {err}", severity="error", markup=False)
            return
        self.push_screen(CasePicker(cases), self._resume)

    def action_new_case(self) -> None:
        """Start a new case. The one open is saved already (it is said so); unsaved, ask first."""
        from interview.tui.screens.modals import ConfirmScreen, LabelScreen

        if isinstance(self.screen, ConfirmScreen | LabelScreen):
            return
        session = self.session
        if not (session.answers or session.skipped):
            self.notify("This is a new case already: answer the first question (ctrl+l sets its label).")
            return
        if self.keeper.saving:
            label = self.keeper.label()
            saved = f"Case {label} is saved" if label else "The case is saved"
            self._start_new_case(f"{saved} (ctrl+o reopens it). New case started.")
            return
        self.push_screen(
            ConfirmScreen("This case is not saved (no case storage). Discard it and start a new case? (y/n)"),
            lambda yes: self._start_new_case("New case started; the previous one was discarded.") if yes else None)

    def _start_new_case(self, message: str) -> None:
        self.keeper.new_case(self.session)
        self.session = Session(self.flow)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(InterviewScreen(self.session))
        self.notify(message, markup=False)

    def action_label_case(self) -> None:
        """Set or change the case label in a small dialog (checked as every label is)."""
        from interview.tui.screens.modals import ConfirmScreen, LabelScreen

        if isinstance(self.screen, ConfirmScreen | LabelScreen):
            return
        self.push_screen(LabelScreen(self.keeper.label(), saved=self.keeper.store is not None), self._set_label)

    def _set_label(self, label: str | None) -> None:
        if label is None:
            return
        try:
            stored = self.keeper.set_label(label)
        except Exception as err:  # noqa: BLE001 - LabelError or the store's error, one line
            self.notify(f"The label was not set: {err}", severity="error", markup=False)
            return
        when = "" if self.keeper.case_id else " (saved with the first answer)"
        self.notify(f"Case label: {stored}{when}", markup=False)

    def _resume(self, case_id: str | None) -> None:
        if not case_id:
            return
        try:
            session, warnings = self.keeper.resume(case_id, self.flow)
        except Exception as err:  # noqa: BLE001
            self.notify(f"Cannot open case {case_id}: {err}", severity="error", markup=False)
            return
        self.session = session
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(InterviewScreen(session))
        for w in warnings:
            self.notify(w, severity="warning", timeout=10, markup=False)  # they quote answers
        self.call_after_refresh(self.note_in_transcript, warnings)

    def export_markdown(self, result: Result) -> Path | None:
        """Write the Markdown report (0600) in :meth:`export_dir`: headed by the case label, date and time,
        with the clock as the recommendation screen shows it (its marks, as of now)."""
        from interview.export.markdown import render_markdown

        clock = getattr(self.screen, "clock_state", None)  # the recommendation's time and marks
        now, marks = clock() if clock else (None, None)
        name = f"spine-case-{self.keeper.case_id or 'unsaved'}.md"
        text = render_markdown(result, self.flow, title=self.keeper.label(), now=now, marks=marks)
        return self.write_file(self.export_dir() / name, text, "report")

    def write_file(self, path: Path, text: str, what: str, *, force: bool = False) -> Path | None:
        """Write an export through the one private writer (:mod:`interview.files.writing`); an
        existing file is replaced only after a yes, a database, link or device never."""
        from interview.files.writing import WriteError, write_private

        try:
            written = write_private(path, text, force=force)
        except WriteError as err:
            if err.exists and not force:
                from rich.text import Text

                from interview.tui.screens.modals import ConfirmScreen

                self.push_screen(ConfirmScreen(Text(f"{path} already exists. Replace it with this {what}? (y/n)")),
                                 lambda yes: self.write_file(path, text, what, force=True) if yes
                                 else self.notify(f"The {what} was not written.", markup=False))
                return None
            self.notify(f"Cannot write the {what}: {err.message}", severity="error", markup=False)
            return None
        self.notify(f"{what[0].upper()}{what[1:]} written: {written}", markup=False)
        return written

    def export_dir(self) -> Path:
        """Where exports go: beside the case database file, else (a server, or no storage) the user data
        directory's `reports` — never silently the working directory."""
        from interview.store import is_server_url

        db = self.keeper.db
        if db and not is_server_url(str(db)):
            return Path(db).expanduser().resolve().parent
        import platformdirs

        return Path(platformdirs.user_data_dir("spine-interview", appauthor=False)) / "reports"

    def save_transcript(self) -> Path | None:
        """Write a plain-text transcript of the session (0600)."""
        from interview.teach.transcript import render_transcript

        name = f"spine-case-{self.keeper.case_id or 'unsaved'}.transcript.txt"
        clock = getattr(self.screen, "clock_state", None)  # the recommendation's time and marks
        if clock:
            now, marks = clock()
            text = render_transcript(self.session, now=now, marks=marks, label=self.keeper.label())
        else:
            text = render_transcript(self.session)
        return self.write_file(self.export_dir() / name, text, "transcript")

    def open_what_if(self) -> None:
        """Open the what-if screen on the case's answers."""
        from interview.tui.screens.whatif import WhatIfScreen

        self.push_screen(WhatIfScreen(self.flow, dict(self.session.answers)))

    def action_ask_quit(self) -> None:
        """Quit after a yes in a dialog (a single `q` never quits; ctrl+q quits at once)."""
        from interview.tui.screens.modals import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        session = self.session
        if not self.keeper.saving and (session.answers or session.skipped):
            question = "This case is not saved (no case storage). Discard it and quit? (y/n)"
        elif session.answers or session.skipped:
            if session.done and session.result().recommendation.provisional:
                question = ("Quit? The case is saved with a PROVISIONAL result: answers are not known yet; "
                            "ctrl+o reopens it to fill them. (y/n)")
            elif session.done:
                question = "Quit? The case is complete and saved. (y/n)"
            else:
                question = "Quit? Every answer so far is saved; ctrl+o continues the case later. (y/n)"
        else:
            question = "Quit spine-interview? (y/n)"
        self.push_screen(ConfirmScreen(question), lambda yes: self.exit(0) if yes else None)

    def action_quit_case(self) -> None:
        """Quit; without storage an unsaved case is discarded only after asking."""
        from interview.tui.screens.modals import ConfirmScreen

        if self.keeper.saving or not (self.session.answers or self.session.skipped):
            self.exit(0)
            return
        self.push_screen(ConfirmScreen("This case is not saved (no case storage). Discard it and quit? (y/n)"),
                         lambda yes: self.exit(0) if yes else None)


def prefill(flow: LoadedFlow, answers: dict[str, Any], session: Session) -> None:
    """Answer what a file gives, in path order, stopping at the first needed question it lacks."""
    from interview.engine.replay import fill

    fill(session, answers)
