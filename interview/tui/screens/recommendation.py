"""The recommendation screen: headline, urgency, flags, structured parts, rationale and scores.

Each item expands to the rule and answers behind it. The decision-support notice is docked so it is
always in view. Exports (Markdown now; JSON and FHIR from the case store) and the what-if screen
start here.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Collapsible, Footer, Header, Static

from interview.flow.load import LoadedFlow
from interview.present import basis_words, inputs_lines, is_rule_code, rule_legend, urgency_words
from interview.result import Result, Statement
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
    RecommendationScreen #headline { text-style: bold; color: $primary; margin-top: 1; }
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
        Binding("w", "what_if", "What-if"),
        Binding("escape,b", "review", "Review"),
    ]

    def __init__(self, flow: LoadedFlow, result: Result) -> None:
        super().__init__()
        self.flow = flow
        self.result = result

    def compose(self) -> ComposeResult:
        rec = self.result.recommendation
        yield Header()
        yield Static(Text(rec.notice.strip()), id="notice")
        with VerticalScroll(id="body"):
            yield Static(Text(f"{rec.headline_title}"), id="headline")
            yield Static(Text(rec.headline_summary))
            legend = f"\n{rule_legend(rec.rule)}" if rec.rule else ""
            yield Static(Text(f"Rule {rec.rule}: {rec.rule_text}{legend}", style="dim"))
            yield Static(Text(f"Urgency: {urgency_words(rec.urgency)} — {rec.urgency_text}"),
                         classes=f"urgency-{rec.urgency}")
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
        self.app.export_markdown(self.result)  # type: ignore[attr-defined]

    def action_save_transcript(self) -> None:
        self.app.save_transcript()  # type: ignore[attr-defined]

    def action_what_if(self) -> None:
        self.app.open_what_if()  # type: ignore[attr-defined]

    def action_review(self) -> None:
        self.app.pop_screen()
