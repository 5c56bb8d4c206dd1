"""The chat transcript: the bot's questions, the clinician's replies and notices, append-only.

Turns are appended as small widgets and never re-rendered, so a 60-turn case costs the same per
answer as a 6-turn one; the newest turn is scrolled into view after each append.
"""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static


class Turn(Static):
    """One entry of the transcript."""

    DEFAULT_CSS = """
    Turn {
        width: 1fr;
        height: auto;
        margin: 0 0 1 0;
        padding: 0 1;
    }
    Turn.-bot { border-left: thick $primary; }
    Turn.-reply {
        border-left: thick $success;
        margin-left: 6;
        background: $boost;
    }
    Turn.-notice { border-left: thick $warning; color: $text-warning; }
    Turn.-info { border-left: thick $secondary; color: $text-muted; }
    Turn.-teaching { border-left: thick $accent; color: $text-muted; margin-left: 2; }
    """


class Transcript(VerticalScroll, can_focus=False):
    """The running conversation; replies can be clicked to edit that answer."""

    DEFAULT_CSS = """
    Transcript {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    class EditRequested(Message):
        """A reply in the transcript was clicked: edit that answer."""

        def __init__(self, question_id: str) -> None:
            self.question_id = question_id
            super().__init__()

    def ask(self, phase_title: str, prompt: str, note: str | None = None) -> Turn:
        """Append the bot's question with its phase."""
        text = Text()
        text.append(f"{phase_title}\n", style="bold dim")
        text.append(prompt, style="bold")
        if note:
            text.append(f"\n{note}", style="italic dim")
        return self._append(Turn(text, classes="-bot"))

    def reply(self, question_id: str, answer: str) -> Turn:
        """Append the clinician's answer as a reply."""
        turn = _Reply(Text(answer), classes="-reply")
        turn.question_id = question_id
        return self._append(turn)

    def notice(self, title: str, lines: list[str] | None = None, *, level: str = "warning") -> Turn:
        """Append a bot notice (a warning alert, a dropped answer, an edit)."""
        text = Text(title, style="bold")
        for line in lines or []:
            text.append(f"\n• {line}")
        return self._append(Turn(text, classes="-notice" if level == "warning" else "-info"))

    def teaching(self, body: str) -> Turn:
        """Append 'why we ask' inline (teaching mode)."""
        return self._append(Turn(Text(body), classes="-teaching"))

    def _append(self, turn: Turn) -> Turn:
        self.mount(turn)
        # Scroll after layout so the new turn's height is known.
        self.call_after_refresh(self.scroll_end, animate=False)
        return turn


class _Reply(Turn):
    question_id: str = ""

    def on_click(self) -> None:
        self.post_message(Transcript.EditRequested(self.question_id))
