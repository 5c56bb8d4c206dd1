"""The review screen: every answer by phase, each editable, before the recommendation is shown."""

from __future__ import annotations

from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen

from interview.engine.session import Session
from interview.engine.values import open_answers
from interview.tui.labels import answer_text
from interview.tui.widgets.blocks import Block, BlockView
from interview.tui.widgets.keybar import KeyBar
from interview.tui.widgets.steady import Caption, SkipLink, TitleBar


class ReviewList(BlockView):
    """Every answer under its phase; the cursor stops on answers only."""

    DEFAULT_CSS = """
    ReviewList { height: 1fr; padding: 0 1; }
    """

    def focus_gained(self) -> None:
        """Start on the first answer (the review is read from the top)."""
        if self.cursor is None or self.cursor not in self.choosable():
            self.action_cursor_edge(0)


class ReviewScreen(Screen[None]):
    """All answers by phase; Enter edits one, r shows the recommendation."""

    DEFAULT_CSS = """
    ReviewScreen .title { text-style: bold; color: $primary; padding: 0 1; }
    ReviewScreen #recommend {
        width: auto; margin: 0 1; padding: 0 1; background: $primary; color: $text; text-style: bold;
    }
    ReviewScreen #recommend:hover { background: $primary-lighten-1; }
    """

    BINDINGS = [
        Binding("r", "recommend", "Recommendation"),
        Binding("ctrl+z,b", "back", "Back"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield TitleBar(f"{self.app.title} — {self.session.flow.model.title}")
        with Vertical():
            yield Caption("Review the case — Enter edits an answer, r shows the recommendation", classes="title")
            review = ReviewList(id="review-answers")
            review.set_blocks(self._blocks())
            yield review
            yield SkipLink("Show the recommendation (r)", id="recommend")
        yield KeyBar()

    def _blocks(self) -> list[Block]:
        session = self.session
        flow = session.flow
        out: list[Block] = []
        # Answers not known yet come first: they are what to find out before the plan is final.
        pending = open_answers(session.answers, session.answered_path)
        if pending:
            out.append(Block("phase:not-known", Text(f"Not known yet ({len(pending)}) — Enter answers one when known",
                                                     style="bold reverse")))
            for qid in pending:
                text = Text.assemble(f"{flow.by_id[qid].model.prompt}\n", ("  → not known yet", "bold"))
                out.append(Block(f"open:{qid}", Padding(text, (0, 0, 0, 2)), qid))
        for phase in flow.model.phases:
            ids = [q for q in session.answered_path if flow.by_id[q].model.phase == phase.id]
            if not ids:
                continue
            out.append(Block(f"phase:{phase.id}", Text(phase.title, style="bold")))
            for qid in ids:
                q = flow.by_id[qid].model
                shown = "skipped" if qid in session.skipped else answer_text(q, session.answers[qid])
                text = Text.assemble(f"{q.prompt}\n", ("  → " + shown, "bold"))
                out.append(Block(f"answer:{qid}:{shown}", Padding(text, (0, 0, 0, 2)), qid))
        return out

    def on_mount(self) -> None:
        self.query_one(ReviewList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_answers()

    def refresh_answers(self) -> None:
        """Show the answers as they stand (after an edit); the cursor stays on its question."""
        self.query_one(ReviewList).set_blocks(self._blocks())

    @on(BlockView.Chosen, "#review-answers")
    def _chosen(self, event: BlockView.Chosen) -> None:
        event.stop()
        self.app.edit_answer(event.ref)  # type: ignore[attr-defined]

    @on(SkipLink.Pressed, "#recommend")
    def _recommend_pressed(self, event: SkipLink.Pressed) -> None:
        event.stop()
        self.action_recommend()

    def action_recommend(self) -> None:
        self.app.open_recommendation()  # type: ignore[attr-defined]

    def action_back(self) -> None:
        """Undo the last answer and return to the interview."""
        self.app.back_from_review()  # type: ignore[attr-defined]
