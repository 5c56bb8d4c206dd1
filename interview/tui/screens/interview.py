"""The interview screen: transcript, the answer area for the open question, side panel and banner."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from interview.engine.session import Session, SessionError
from interview.engine.values import NOT_KNOWN, AnswerError, open_answers
from interview.tui.labels import answer_text
from interview.tui.provisional import live_picture, picture_lines
from interview.tui.screens.modals import EditScreen, HelpScreen, help_text
from interview.tui.widgets.answer import AnswerArea
from interview.tui.widgets.banner import EmergencyBanner
from interview.tui.widgets.blocks import BlockView
from interview.tui.widgets.keybar import KeyBar
from interview.tui.widgets.panel import SidePanel
from interview.tui.widgets.steady import Column, Row, TitleBar
from interview.tui.widgets.transcript import Transcript

#: Below this width the side panel starts hidden (F2 shows it).
PANEL_MIN_WIDTH = 100
#: Seconds without a new answer before the live provisional picture is worked out (see _refresh_provisional).
PICTURE_AFTER_IDLE = 0.3


def _breakpoint_classes(app: Any) -> list[str]:
    """The app's breakpoint classes for its present size (as Screen gives them on a resize)."""
    width, height = app.size
    found = []
    for size, points in ((width, app.HORIZONTAL_BREAKPOINTS), (height, app.VERTICAL_BREAKPOINTS)):
        reached = [name for threshold, name in sorted(points or ()) if size >= threshold]
        found.extend(reached[-1:])
    return found


class InterviewScreen(Screen[None]):
    """One question at a time, as a chat; every change goes through the session."""

    DEFAULT_CSS = """
    InterviewScreen #main { height: 1fr; }
    InterviewScreen #chat { width: 1fr; }
    InterviewScreen SidePanel.-hidden { display: none; }
    """
    #: The reply field, not the first focusable widget (the transcript): focus moves once.
    AUTO_FOCUS = "#entry"

    BINDINGS = [
        Binding("ctrl+z", "back", "Back", priority=True),
        # Letters are commands only while a list is open (a text or number field types them); the
        # key legend then leaves them out, and ctrl+s / ctrl+z skip and go back from any question.
        Binding("b", "back", "Back", show=False),
        Binding("ctrl+s", "skip", "Skip", priority=True),
        # Shown only for a finding that may still be pending (CONTRACT §7); kept in a narrow legend.
        Binding("ctrl+p", "not_known", "Not known yet", priority=True),
        Binding("e", "focus_panel", "Edit"),
        Binding("shift+up", "focus_replies", "Replies", priority=True),
        Binding("f1", "help", "Help", priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("t", "teaching", "Teaching"),
        Binding("f2", "toggle_panel", "Panel", priority=True),
        Binding("escape", "focus_answer", "Answer", show=False),
    ]

    def __init__(self, session: Session) -> None:
        # Born with the size classes its first resize would give it, so that resize restyles nothing.
        super().__init__(classes=" ".join(_breakpoint_classes(self.app)))
        self.session = session
        self.asked: str | None = None
        self.seen_alerts: set[str] = set()
        #: Open answers (not known yet) of a reopened case, asked again before anything else.
        self._picture_key: tuple[Any, ...] | None = None
        self._picture_timer: Timer | None = None
        self.reasking: list[str] = open_answers(session.answers, session.answered_path)

    @property
    def flow(self) -> Any:
        return self.session.flow

    def compose(self) -> ComposeResult:
        title = self.title_line()
        self._title_shown = title.plain
        yield TitleBar(title, id="title")
        yield EmergencyBanner(id="banner")
        with Row(id="main"):
            with Column(id="chat"):
                yield Transcript(id="transcript")
                qid = self.reasking[0] if self.reasking else self.session.current_id
                if qid is not None:
                    # Part of the first layout: the first question is on screen in the first frame.
                    yield AnswerArea(self.flow, qid, self.session.suggested(qid), offer_not_known=True)
            yield SidePanel(id="panel", classes="-hidden" if self.app.size.width < PANEL_MIN_WIDTH else "")
        yield KeyBar()

    def on_mount(self) -> None:
        transcript = self.query_one(Transcript)
        for qid in self.session.answered_path:
            # A resumed or prefilled case: its answers so far, as replies.
            self._ask_turn(qid, teaching=False)
            transcript.reply(qid, self._shown(qid))
        self.sync()
        first_frame = getattr(self.app, "first_frame", None)
        if first_frame is not None:
            self.call_after_refresh(first_frame)
        if self.session.done and not self.reasking:
            # A complete case (prefilled from a file or resumed): straight to the review.
            self.call_after_refresh(self.app.open_review)  # type: ignore[attr-defined]

    def on_screen_resume(self) -> None:
        # Back from a dialog: the label may have been set there (read here, not on every answer:
        # reading it is a read of the case store).
        self.show_label()
        self.sync()

    # --- keeping the view in step with the session -----------------------------------------------

    def sync(self) -> None:
        """Show the session as it stands: alerts, panel, and the open question (or the review)."""
        session = self.session
        alerts = session.alerts
        self.query_one(EmergencyBanner).show_alerts(alerts, compact=self.app.size.height < 30)
        transcript = self.query_one(Transcript)
        active = {a.id for a in alerts}
        for a in alerts:
            if a.id not in self.seen_alerts and a.level != "emergency":
                transcript.notice(a.title, a.lines, level="warning" if a.level == "warning" else "info")
        self.seen_alerts = active
        transcript.on_path = set(session.answered_path)
        self.query_one(SidePanel).show(session)
        self._refresh_provisional()
        if self.reasking:
            self._reask()
            return
        if session.current_id != self.asked:
            areas = list(self.query(AnswerArea))
            if any(not area.is_mounted for area in areas):
                # An area still mounting cannot be re-filled yet; let it finish first.
                self.call_after_refresh(self.sync)
                return
            self.asked = session.current_id
            qid = session.current_id
            if qid is not None:
                self._ask_turn(qid, teaching=self.app.teaching)  # type: ignore[attr-defined]
                if areas:
                    # One answer area for the whole interview, re-filled per question: mounting a
                    # new one per answer was most of an answer's latency.
                    area = areas[0]
                    area.display = True
                    area.ask(qid, session.suggested(qid))
                else:
                    area = AnswerArea(self.flow, qid, session.suggested(qid), offer_not_known=True)
                    self.query_one("#chat").mount(area)
                self._legend_for(area)
            else:
                for area in areas:
                    area.display = False
                self.app.open_review()  # type: ignore[attr-defined]

    def _refresh_provisional(self) -> None:
        """For a case with open answers, work out the provisional picture in a worker thread (it can
        take tens of milliseconds: never on the path of an answer); the panel shows it when done."""
        session = self.session
        answers = {q: session.answers[q] for q in session.answered_path if q in session.answers}
        key = (tuple(sorted(answers.items())), frozenset(session.skipped))
        if key == self._picture_key:
            return
        self._picture_key = key
        if self._picture_timer is not None:
            self._picture_timer.stop()
            self._picture_timer = None
        if NOT_KNOWN not in answers.values():
            self.query_one(SidePanel).show_provisional(None)
            return
        # After a short pause in the typing, not at once: the picture takes tens of milliseconds of the
        # same interpreter, so worked out between two quick answers it would slow the second one down.
        work = partial(live_picture, self.flow, answers, frozenset(session.skipped))
        self._picture_timer = self.set_timer(PICTURE_AFTER_IDLE, partial(self._work_out_picture, work))

    def _work_out_picture(self, work: Any) -> None:
        self._picture_timer = None
        self.run_worker(work, thread=True, exclusive=True, group="provisional", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "provisional":
            return
        panel = self.query_one(SidePanel)
        if event.state == WorkerState.SUCCESS:
            picture = event.worker.result
            panel.show_provisional(picture_lines(self.flow, picture) if picture is not None else None)
        elif event.state == WorkerState.ERROR:
            panel.show_provisional([f"The provisional picture could not be worked out: {event.worker.error}"])

    def _reask(self) -> None:
        """Ask the first open answer of a reopened case again (its answer is an edit)."""
        qid = self.reasking[0]
        if self.asked == qid:
            return
        areas = list(self.query(AnswerArea))
        if any(not area.is_mounted for area in areas):
            self.call_after_refresh(self.sync)
            return
        self.asked = qid
        q = self.flow.by_id[qid].model
        phase = next(p for p in self.flow.model.phases if p.id == q.phase)
        transcript = self.query_one(Transcript)
        transcript.notice(f"Not known yet when last seen — is it known now? ({len(self.reasking)} open)",
                          ["answer it, or ctrl+p: still not known"], level="info", question_id=qid)
        transcript.ask(qid, phase.title, q.prompt)
        if areas:
            area = areas[0]
            area.display = True
            area.ask(qid, None)
        else:
            area = AnswerArea(self.flow, qid, None, offer_not_known=True)
            self.query_one("#chat").mount(area)
        self._legend_for(area)

    def _reanswered(self, qid: str, value: Any) -> None:
        """An open answer asked again: a value is an edit of the case; ctrl+p leaves it open."""
        self.reasking.pop(0)
        transcript = self.query_one(Transcript)
        if value == NOT_KNOWN:
            transcript.reply(qid, "still not known")
            self.sync()  # `asked` stays this question: whatever comes next (or the review) is new
            return
        old = self.session.answers.get(qid)
        self._save_first()
        try:
            dropped = self.session.edit(qid, value)
        except (AnswerError, SessionError) as err:
            self.reasking.insert(0, qid)
            for area in self.query(AnswerArea):
                area.set_error(str(err))
            return
        self.reasking = [q for q in self.reasking if q in self.session.answered_path]
        transcript.reply(qid, self._shown(qid))
        self.record_edit(qid, old, dropped)  # follows the session: the next open answer, or on

    def title_line(self) -> Text:
        """The top line: the case's label first (whose case this is, never cut off), then the app and flow."""
        keeper = getattr(self.app, "keeper", None)
        label = keeper.label() if keeper is not None else None
        if label and keeper.case_id and label == f"case-{keeper.case_id[:4]}":
            label = None  # the store's pseudonym for an unlabelled case, not a label anyone gave it
        line = Text(no_wrap=True, overflow="ellipsis")
        if label:
            line.append(f"Case {label}", style="reverse")
            line.append(" · ")
        line.append(f"{self.app.title} — {self.flow.model.title}")
        return line

    def show_label(self) -> None:
        """Show the case label as it stands now (set with ctrl+l, or a case reopened)."""
        title = self.title_line()
        if title.plain != self._title_shown:
            self._title_shown = title.plain
            self.query_one("#title", TitleBar).update(title)

    def _legend_for(self, area: AnswerArea) -> None:
        """The key legend says what works now: no letters while the field types them, Skip when optional,
        Not known yet where the finding may be pending."""
        hidden = set() if area.question.optional else {"skip"}
        if not area.allows_not_known:
            hidden.add("not_known")
        self.query_one(KeyBar).fit_to(typing=not area.letters_are_commands, hidden=frozenset(hidden))

    def _ask_turn(self, qid: str, *, teaching: bool) -> None:
        q = self.flow.by_id[qid].model
        phase = next(p for p in self.flow.model.phases if p.id == q.phase)
        transcript = self.query_one(Transcript)
        transcript.ask(qid, phase.title, q.prompt)
        if teaching:
            transcript.teaching(qid, help_text(self.flow, qid).plain)

    def _shown(self, qid: str) -> str:
        if qid in self.session.skipped:
            return "skipped"
        return answer_text(self.flow.by_id[qid].model, self.session.answers.get(qid))

    # --- answering -------------------------------------------------------------------------------

    @on(AnswerArea.Submitted)
    def _answered(self, event: AnswerArea.Submitted) -> None:
        event.stop()
        if self.reasking:
            if event.question_id == self.reasking[0]:
                self._reanswered(event.question_id, event.value)
            return
        if event.question_id != self.session.current_id:
            return
        self._save_first()
        try:
            self.session.answer(event.value)
        except (AnswerError, SessionError) as err:
            event.control.set_error(str(err))
            return
        shown = self._shown(event.question_id)
        if event.note:  # what was assumed from the typed text, beside the answer ("35 g/L = 3.5 g/dL")
            shown += f" ({event.note})"
        with self.app.batch_update():
            self.query_one(Transcript).reply(event.question_id, shown)
            self.sync()

    @on(AnswerArea.SkipRequested)
    def _skipped(self, event: AnswerArea.SkipRequested) -> None:
        event.stop()
        if event.question_id != self.session.current_id:
            return
        self._save_first()
        try:
            self.session.skip()
        except SessionError as err:
            for area in self.query(AnswerArea):
                area.set_error(str(err))
            return
        self.query_one(Transcript).reply(event.question_id, "skipped")
        self.sync()

    def _save_first(self) -> None:
        keeper = self.app.keeper  # type: ignore[attr-defined]
        created = keeper.case_id is None
        warning = keeper.ensure_case(self.session)
        if warning:
            self.notify(warning, severity="warning", timeout=8)
        elif created and keeper.case_id is not None:
            self.show_label()  # the case now exists, with the label it was given (or the store's own)

    # --- back, edit, help ------------------------------------------------------------------------

    def action_back(self) -> None:
        """Undo the last answer; it is offered again as the proposal. While open answers are asked
        again, back leaves the rest of them open and goes on where the case stands."""
        if self.reasking:
            self.reasking.clear()
            self.asked = None
            self.query_one(Transcript).notice("The other open answers stay not known yet.", level="info")
            self.sync()
            return
        if not self.session.back():
            self.notify("Already at the first question.")
            return
        q = self.session.current
        self.query_one(Transcript).notice(f"↶ Back to: {q.model.prompt if q else 'the last question'}",
                                          level="info")
        self.asked = None  # ask again even if it is the same question
        self.sync()

    def action_skip(self) -> None:
        """Skip the open question (ctrl+s, whatever the reply field holds); a required one says why not."""
        for area in self.query(AnswerArea):
            if area.display:
                area.action_skip()

    def action_not_known(self) -> None:
        """Answer "not known yet" where the open finding may be pending (ctrl+p, whatever the field holds)."""
        for area in self.query(AnswerArea):
            if area.display:
                area.action_not_known()

    def action_focus_panel(self) -> None:
        panel = self.query_one(SidePanel)
        if panel.has_class("-hidden"):
            panel.remove_class("-hidden")
        if panel.choosable():
            panel.focus()
        else:
            self.notify("No answers to edit yet.")

    def action_focus_replies(self) -> None:
        """Browse the replies in the transcript (↑/↓, Enter edits, Esc goes back to the answer)."""
        transcript = self.query_one(Transcript)
        if transcript.choosable():
            transcript.focus()
        else:
            self.notify("No answers to edit yet.")

    def action_focus_answer(self) -> None:
        for area in self.query(AnswerArea):
            area.focus_answer()

    @on(BlockView.Chosen, "#transcript, #panel")
    def _edit_requested(self, event: BlockView.Chosen) -> None:
        """An answer was chosen in the transcript or the panel."""
        event.stop()
        self.edit(event.ref)

    def edit(self, qid: str) -> None:
        """Open the edit dialog for an answer on the path."""
        if qid not in self.session.answered_path:
            self.notify(f"{qid} is no longer on this case's path.", severity="warning")
            return

        def apply(value: Any) -> None:
            if value is not None:
                self.app.apply_edit(qid, value)  # type: ignore[attr-defined]
            self.action_focus_answer()

        self.app.push_screen(EditScreen(self.flow, qid, self.session.answers.get(qid)), apply)

    def record_edit(self, qid: str, old: Any, dropped: list[str]) -> None:
        """Note an edit (and the answers it dropped) in the transcript, then follow the session."""
        q = self.flow.by_id[qid].model
        lines = [f"{answer_text(q, old) if old is not None else 'skipped'} → {self._shown(qid)}"]
        if dropped:
            lines.append("dropped: " + ", ".join(dropped))
        self.query_one(Transcript).notice(f"✎ Edited: {q.prompt}", lines, level="info", question_id=qid)
        self.sync()

    def action_help(self) -> None:
        qid = self.session.current_id
        if qid is None:
            self.notify("Every question is answered.")
            return
        section = self.flow.by_id[qid].model.section
        self.app.push_screen(HelpScreen(help_text(self.flow, qid), section=section))

    def action_teaching(self) -> None:
        self.app.teaching = not self.app.teaching  # type: ignore[attr-defined]
        on_now = self.app.teaching  # type: ignore[attr-defined]
        self.notify(f"Teaching mode {'on' if on_now else 'off'}.")
        if on_now and self.session.current_id:
            qid = self.session.current_id
            self.query_one(Transcript).teaching(qid, help_text(self.flow, qid).plain)

    def action_toggle_panel(self) -> None:
        self.query_one(SidePanel).toggle_class("-hidden")
