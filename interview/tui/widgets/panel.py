"""The side panel: the case so far (each answer selectable for edit), live scores and phase progress."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from interview.engine.session import Session
from interview.flow.model import PointsScore
from interview.tui.labels import answer_text


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def scores_text(session: Session) -> Text:
    """Every score that applies so far: total and band, or the range and bands still possible."""
    env = session.evaluation
    text = Text()
    for s in session.flow.model.scores:
        value = env[s.id]
        if value is None:
            continue
        text.append(f"{s.title}: ", style="bold")
        if isinstance(s, PointsScore):
            if value["total"] is not None:
                text.append(f"{value['total']} — {value['band_label']}\n")
            else:
                low, high = value["range"]
                text.append(f"so far {low}–{high}; possible: {', '.join(value['possible_bands'])}\n")
            for item in value["items"]:
                pts = "…" if item["points"] is None else str(item["points"])
                text.append(f"  {item['label']}: {pts}\n", style="dim" if item["points"] is None else "")
        elif isinstance(value, dict):
            text.append(", ".join(f"{k} {_short(v)}" for k, v in value.items()) + "\n")
        else:
            text.append(f"{_short(value)}\n")
    return text or Text("No score applies yet.", style="dim")


def phases_text(session: Session) -> Text:
    """Phases with their NOMS pillar, purpose and progress (answered / asked so far)."""
    progress = session.progress()
    current = session.current.model.phase if session.current else None
    text = Text()
    for p in session.flow.model.phases:
        done, total = progress[p.id]
        pillar = f"[{p.pillar}] " if p.pillar else ""
        mark = "▶ " if p.id == current else ("✓ " if total and done == total else "  ")
        text.append(f"{mark}{pillar}{p.title} {done}/{total}\n", style="bold" if p.id == current else "")
        text.append(f"   {p.purpose}\n", style="dim")
    return text


class SidePanel(VerticalScroll):
    """The case so far, scores and phases; Enter on an answer asks to edit it."""

    DEFAULT_CSS = """
    SidePanel {
        width: 44;
        border-left: solid $primary;
        padding: 0 1;
    }
    SidePanel .title { text-style: bold; color: $primary; margin-top: 1; }
    SidePanel OptionList, SidePanel OptionList:focus { height: auto; border: none; padding: 0; }
    SidePanel Static { height: auto; }
    """

    class EditRequested(Message):
        """An answer in the panel was chosen for edit."""

        def __init__(self, question_id: str) -> None:
            self.question_id = question_id
            super().__init__()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._drawn: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("Case so far (Enter: edit)", classes="title")
        yield OptionList(id="case-answers")
        yield Static("Scores", classes="title")
        yield Static(id="scores")
        yield Static("Phases", classes="title")
        yield Static(id="phases")

    def show(self, session: Session) -> None:
        """Show the session as it stands, touching only what changed (each change is a repaint)."""
        options = self.query_one("#case-answers", OptionList)
        wanted = self.answer_options(session)
        had = [(o.id, str(o.prompt)) for o in options.options]
        now = [(o.id, str(o.prompt)) for o in wanted]
        if now[: len(had)] == had:
            # The usual case: one more answer at the end.
            if len(now) > len(had):
                options.add_options(wanted[len(had):])
        else:
            keep = options.highlighted
            options.set_options(wanted)
            if keep is not None and options.option_count:
                options.highlighted = min(keep, options.option_count - 1)
        for widget_id, text in (("#scores", scores_text(session)), ("#phases", phases_text(session))):
            if self._drawn.get(widget_id) != text.plain:
                self._drawn[widget_id] = text.plain
                self.query_one(widget_id, Static).update(text)

    @staticmethod
    def answer_options(session: Session) -> list[Option]:
        """One option per answered or skipped question on the path, id = question id."""
        out = []
        for qid in session.answered_path:
            q = session.flow.by_id[qid].model
            shown = "skipped" if qid in session.skipped else answer_text(q, session.answers[qid])
            out.append(Option(Text.assemble((f"{qid}: ", "dim"), shown), id=qid))
        return out

    def shown_answers(self) -> dict[str, str]:
        """What the panel lists: question id -> the text shown (for checks that it matches the session)."""
        options = self.query_one("#case-answers", OptionList)
        return {o.id: str(o.prompt).split(": ", 1)[1] for o in options.options if o.id}

    @on(OptionList.OptionSelected, "#case-answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.EditRequested(event.option.id))
