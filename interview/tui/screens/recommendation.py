"""The recommendation screen: the one-screen summary first, then the details one key away.

The summary (urgency and headline, why, the next timed actions with the time left, the scores on one
line, flags, what is missing or provisional) fits 80×24 with the docked notice. Below it every item
expands to the rule and answers behind it. `c` records a clock event (dexamethasone given, MRI done,
…) in the case's log and the summary follows it. Exports (Markdown, transcript) and what-if start here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Static

from interview.export.clock import Moment, clock_event, event_words, moments
from interview.export.summary import body_lines, build_summary, what_would_change
from interview.flow.load import LoadedFlow
from interview.present import basis_words, inputs_lines, is_rule_code, rule_legend, urgency_words
from interview.result import Result, Statement
from interview.tui.keys import WHAT_IF
from interview.tui.widgets.panel import _short


def statement_detail(flow: LoadedFlow, s: Statement) -> Text:
    """What one recommendation item rests on, in the clinic's words: rule, section, sources, answers."""
    text = Text()
    text.append("Basis: ", style="bold")
    text.append(basis_words(flow, s.basis))
    if s.section:
        text.append(f" · clinical reference {s.section}")
    if s.convention:
        text.append(" · this app's convention", style="italic")
    if is_rule_code(s.basis):  # a routing rule's code (R3c): what it is, in one line
        text.append(f"\n{rule_legend(s.basis)}", style="dim")
    if s.inputs:
        text.append("\nFrom:", style="bold")
        for line in inputs_lines(flow, s.inputs):
            text.append(f"\n  {line}")
    for ref in s.refs:
        text.append(f"\n• {ref.citation}", style="dim")
    return text


def _item(flow: LoadedFlow, s: Statement) -> Collapsible:
    # The whole text, wrapped (CSS below), and as plain content: advice is never cut off at the edge,
    # and a bracket in it is never read as markup.
    return Collapsible(Static(statement_detail(flow, s)), title=Content(s.text), collapsed=True)  # type: ignore[arg-type]


class RecommendationScreen(Screen[None]):
    """The result of a finished case."""

    DEFAULT_CSS = """
    RecommendationScreen #notice {
        dock: bottom;
        /* Docked widgets overlap: keep the notice above the one-line footer. */
        margin-bottom: 1;
        height: auto;
        background: $warning-muted;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    RecommendationScreen #body { height: 1fr; padding: 0 1; }
    RecommendationScreen #find-out-next { height: auto; }
    RecommendationScreen .find-out-value { padding-left: 4; }
    RecommendationScreen #urgency { margin-top: 1; }
    RecommendationScreen #headline { text-style: bold; color: $primary; }
    RecommendationScreen #summary { height: auto; }
    RecommendationScreen #saved { height: auto; color: $success; display: none; }
    RecommendationScreen .section { text-style: bold; color: $secondary; margin-top: 1; }
    RecommendationScreen .urgency-emergency { color: $text-error; text-style: bold; }
    RecommendationScreen Collapsible { padding: 0; border: none; }
    /* Titles wrap within the screen's width instead of running off the right edge. */
    RecommendationScreen CollapsibleTitle { width: 1fr; }
    RecommendationScreen Collapsible Contents { padding: 0 0 0 3; }
    """

    BINDINGS = [
        Binding("m", "export_markdown", "Markdown"),
        Binding("x", "save_transcript", "Transcript"),
        WHAT_IF,
        Binding("c", "clock", "Clock"),
        Binding("h", "handover", "Handover"),
        Binding("escape,b", "review", "Review"),
    ]

    def __init__(self, flow: LoadedFlow, result: Result) -> None:
        super().__init__()
        self.flow = flow
        self.result = result
        #: when the screen opened: the time an unsaved case's answers count as given
        self.opened = current_time()
        #: clock marks of a case that is not saved (a saved case's are in its log)
        self.unsaved_marks: dict[str, Moment] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A flow without a clock has no events to record: its key is not offered.
        return not (action == "clock" and self.flow.model.clock is None)

    def compose(self) -> ComposeResult:
        rec = self.result.recommendation
        yield Header()
        yield Static(Text(rec.notice.strip()), id="notice")
        with VerticalScroll(id="body"):
            yield Static(Text(urgency_words(rec.urgency)), id="urgency", classes=f"urgency-{rec.urgency}")
            yield Static(Text(f"{rec.headline_title or 'Not decided yet'}"), id="headline")
            yield Static(self._summary(), id="summary")
            yield Static("", id="saved")
            yield Static("Details — Enter expands an item to the rule and answers behind it", classes="section")
            yield Static(Text(rec.headline_summary or ""))
            legend = f"\n{rule_legend(rec.rule)}" if rec.rule else ""
            if rec.rule:
                yield Static(Text(f"Rule {rec.rule}: {rec.rule_text}{legend}", style="dim"))
            yield Static(Text(f"Urgency: {urgency_words(rec.urgency)} — {rec.urgency_text}"),
                         classes=f"urgency-{rec.urgency}")
            changes = what_would_change(self.result, self.flow)
            if changes:  # PROVISIONAL: what each open finding would change, the deciding ones first
                yield Static("Find out next — what each answer would change", classes="section")
                with Vertical(id="find-out-next"):
                    for finding, lines in changes:
                        yield Static(Text(f"• {finding}:"))
                        for change in lines:  # indented as a block: a wrapped line stays under its value
                            yield Static(Text(change), classes="find-out-value")
            if rec.flag_details:
                yield Static("Flags", classes="section")
                for s in rec.flag_details:
                    yield _item(self.flow, s)
            for part in self.flow.model.parts:
                items = rec.part(part.id)
                if items:
                    yield Static(part.title, classes="section")
                    for s in items:
                        yield _item(self.flow, s)
            yield Static("Rationale", classes="section")
            for s in rec.rationale:
                if not s.basis.startswith("flag:"):  # the flags stand once, in their own section above
                    yield _item(self.flow, s)
            yield Static("Scores", classes="section")
            yield Static(self._scores())
            if rec.conventions:
                yield Static("This app's conventions applied", classes="section")
                yield Static(Text("\n".join(f"• {c}" for c in rec.conventions), style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        self.set_interval(60, self.refresh_summary)  # the time left moves on: never frozen at entry

    def refresh_summary(self) -> None:
        """Show the summary again against the current time and the recorded marks."""
        self.query_one("#summary", Static).update(self._summary())

    # --- the summary and the clock ---------------------------------------------------------------

    def _keeper(self) -> Any:
        keeper = getattr(self.app, "keeper", None)
        return keeper if keeper is not None and getattr(keeper, "saving", False) else None

    def marks(self) -> dict[str, Moment]:
        """The case's clock moments: from its log when saved, else its answers as given when the screen opened."""
        keeper = self._keeper()
        if keeper is not None:
            try:
                return moments(keeper.store.events(keeper.case_id), self.flow)
            except Exception:  # noqa: BLE001 - a store that cannot be read: the summary still shows
                pass
        return moments([], self.flow, answers=self.result.answers, answered_at=self.opened) | self.unsaved_marks

    def clock_state(self) -> tuple[datetime, dict[str, Moment]]:
        """The time and the clock marks this screen shows: the report and the transcript use the same."""
        return current_time(), self.marks()

    def _summary(self) -> Text:
        summary = build_summary(self.result, self.flow, now=current_time(), marks=self.marks())
        # Wrapped to the room the body gives it (the padding and the scrollbar take 4 columns of 80).
        width = max(40, self.size.width - 4) if self.size.width else 76
        return Text("\n".join(body_lines(summary, width, self._summary_rows()))
                    + f"\nAs of {summary.as_of}{' · c records a clock event' if self.flow.model.clock else ''}"
                    + " · h the handover")

    def _summary_rows(self) -> int:
        """The rows the summary's body may take and still end above the notice, before any scrolling (less
        its "As of" line): the flags give way to "+N more flags in the details", never a cut word."""
        try:
            summary = self.query_one("#summary", Static)
            body, notice = self.query_one("#body"), self.query_one("#notice", Static)
        except NoMatches:  # composing: the rows of an 80×24 screen (header, urgency, headline, notice, footer)
            return max(8, (self.size.height or 24) - 9)
        if not notice.region.height:
            return max(8, (self.size.height or 24) - 9)
        top = body.region.y + summary.virtual_region.y  # where it starts when the body is not scrolled
        return max(8, notice.region.y - top - 1)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_summary)  # once laid out: the rows above the notice are known

    def action_handover(self) -> None:
        from interview.tui.screens.handover import HandoverScreen

        self.app.push_screen(HandoverScreen(self))

    def action_clock(self) -> None:
        from interview.present import time_words
        from interview.tui.screens.clock import ClockScreen

        done = {k: time_words(m.at.isoformat()) for k, m in self.marks().items()}
        # Offered only when the flow has a clock (check_action): its events are the dialog's list.
        self.app.push_screen(ClockScreen(event_words(self.flow), current_time, done), self._record_clock)

    def _record_clock(self, picked: tuple[str, datetime, str | None] | None) -> None:
        if picked is None:
            return
        event, at, dose = picked
        keeper = self._keeper()
        if keeper is not None:
            try:
                keeper.record([clock_event(self.flow, event, at, dose=dose)])
            except Exception as err:  # noqa: BLE001 - say it failed; nothing typed is lost from the screen
                self.notify(f"The clock event was not saved: {getattr(err, 'message', err)}", severity="error")
                return
        else:
            self.unsaved_marks[event] = Moment(at, dose)
        from interview.present import time_words

        self.refresh_summary()
        saved = "" if keeper is not None else " (this case is not saved: the mark lives only on this screen)"
        self.notify(f"{event_words(self.flow)[event]}: {time_words(at.isoformat())}{saved}", markup=False)

    def _scores(self) -> Text:
        from interview.flow.model import PointsScore

        text = Text()
        for s in self.flow.model.scores:
            value: Any = self.result.scores.get(s.key or s.id)
            text.append(f"{s.title}: ", style="bold")
            if value is None:
                text.append("not scored on this path\n", style="dim")
            elif isinstance(s, PointsScore):
                items = "; ".join(f"{i['label']} {_short(i['points'])}" for i in value["items"])
                text.append(f"{value['total']} — {value['band_label']}\n")
                text.append(f"   {items}\n", style="dim")
            elif isinstance(value, dict):
                text.append(", ".join(f"{k} {_short(v)}" for k, v in value.items()) + "\n")
            else:
                text.append(f"{_short(value)}\n")
        return text

    def action_export_markdown(self) -> None:
        self._saved("Report", self.app.export_markdown(self.result))  # type: ignore[attr-defined]

    def action_save_transcript(self) -> None:
        self._saved("Transcript", self.app.save_transcript())  # type: ignore[attr-defined]

    def _saved(self, what: str, path: Any) -> None:
        """Keep the path of a file just written on screen, under the summary (a notification fades)."""
        if path is not None:
            saved = self.query_one("#saved", Static)
            saved.update(Text(f"{what} saved: {path}", style="bold"))
            saved.display = True

    def action_what_if(self) -> None:
        self.app.open_what_if()  # type: ignore[attr-defined]

    def action_review(self) -> None:
        self.app.pop_screen()


def current_time() -> datetime:
    """Now, for the summary's clock (one place, so a test can fix it)."""
    return datetime.now(UTC)
