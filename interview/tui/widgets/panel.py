"""The side panel: the case so far (each answer selectable for edit), live scores and phase progress."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from interview.engine.session import Session
from interview.flow.model import PointsScore
from interview.tui.labels import answer_text
from interview.tui.widgets.blocks import Block, BlockView


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
    return text or Text("No score applies yet.\n", style="dim")


def phases_text(session: Session) -> Table:
    """Phases with their NOMS pillar, progress (answered / asked so far) and purpose."""
    progress = session.progress()
    current = session.current.model.phase if session.current else None
    table = Table.grid(padding=0)
    table.add_column(width=2, no_wrap=True)
    table.add_column(ratio=1)
    for p in session.flow.model.phases:
        done, total = progress[p.id]
        pillar = f"[{p.pillar}] " if p.pillar else ""
        mark = "▶" if p.id == current else ("✓" if total and done == total else " ")
        title = Text(f"{pillar}{p.title} {done}/{total}", style="bold" if p.id == current else "")
        table.add_row(mark, title)
        table.add_row("", Text(p.purpose, style="dim"))  # wrapped under the title, not under the mark
    table.add_row("", "")
    return table


class SidePanel(BlockView):
    """The case so far, scores and phases; Enter (or a click) on an answer asks to edit it.

    One line-drawn view rather than a list and three text widgets: an answer changes every part of
    the panel, and only the parts whose text changed are drawn again.
    """

    COMPONENT_CLASSES = {"sidepanel--title"}
    #: A click edits an answer but leaves the keyboard with the reply field (e browses).
    FOCUS_ON_CLICK = False

    DEFAULT_CSS = """
    SidePanel {
        width: 44;
        border-left: solid $primary;
        padding: 0 1;
        scrollbar-size-vertical: 0;
    }
    SidePanel:focus { scrollbar-size-vertical: 1; }
    SidePanel > .sidepanel--title { color: $primary; text-style: bold; }
    """

    #: The provisional picture of a case with open answers (CONTRACT §7), one statement a line.
    provisional: list[str] | None = None
    _session: Session | None = None

    def show_provisional(self, lines: list[str] | None) -> None:
        """Show (or, with None, take away) the provisional picture above the scores."""
        if lines != self.provisional:
            self.provisional = lines
            if self._session is not None:
                self.show(self._session)

    def show(self, session: Session) -> None:
        """Show the session as it stands (a part whose text is unchanged is not drawn again).

        A provisional picture comes first, then scores and phases, where they stay in view while
        the case grows; the answers follow (e or a click on one: the cursor brings them into view).
        """
        self._session = session
        title = self.get_component_rich_style("sidepanel--title")
        scores, phases = scores_text(session), phases_text(session)
        progress = session.progress()
        phase = session.current.model.phase if session.current else None
        phases_key = f"{phase}:{sorted(progress.items())}"
        blocks = []
        if self.provisional:
            text = Text("\n".join(self.provisional) + "\n")
            blocks += [Block("title:provisional", Text("Provisional — decision support, not final", style=title)),
                       Block(f"provisional:{text.plain}", text)]
        blocks += [
            Block("title:scores", Text("Scores", style=title)),
            Block(f"scores:{scores.plain}", scores),
            Block("title:phases", Text("Phases", style=title)),
            Block(f"phases:{phases_key}", phases),
            Block("title:answers", Text("Case so far (e, then Enter: edit)", style=title)),
        ]
        for qid, shown in self.answers(session):
            # Indented: the cursor's "▸" is drawn in the indent (seen without colour).
            blocks.append(Block(f"answer:{qid}:{shown}", Text.assemble("  ", (f"{qid}: ", "dim"), shown), qid))
        self.set_blocks(blocks)

    @staticmethod
    def answers(session: Session) -> list[tuple[str, str]]:
        """(question id, text shown) for each answered or skipped question on the path."""
        out = []
        for qid in session.answered_path:
            q = session.flow.by_id[qid].model
            out.append((qid, "skipped" if qid in session.skipped else answer_text(q, session.answers[qid])))
        return out

    def shown_answers(self) -> dict[str, str]:
        """What the panel lists: question id -> the text shown (for checks that it matches the session)."""
        return {b.ref: b.key.split(":", 2)[2] for b in self.blocks if b.ref}
