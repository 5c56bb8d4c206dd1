"""The dialogs: the :class:`Dialog` frame they all share (the clock and handover dialogs too), and
edit one answer, help for a question, confirm, case label and the saved-case picker."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from interview.engine.values import NOT_KNOWN
from interview.flow.load import LoadedFlow
from interview.tui.widgets.answer import AnswerArea


class Dialog(ModalScreen[Any]):
    """A dialog over the screen: a framed box in the middle, its title in bold, then its body.

    Every dialog of the app is one (edit, help, confirm, label, saved cases, clock, handover): the
    frame, the title line and its styles, Escape to cancel and closing once live here. A dialog's
    title is the screen's own (``TITLE``, or ``title`` set in the constructor), shown as plain text,
    never read as markup; its parts come from :meth:`compose_body`, its ``DEFAULT_CSS`` adds to this.
    """

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > #dialog {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    Dialog .title { text-style: bold; color: $primary; }
    Dialog .hint { color: $text-muted; height: auto; }
    Dialog .error { color: $text-error; text-style: bold; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    #: Whether the box scrolls (help's long text) instead of holding its parts in a plain column.
    SCROLLS = False

    # Not `_closing`: that name is Textual's own MessagePump flag, and setting it makes the screen
    # refuse every message, including the one that removes it (the app then never exits).
    _dismissing = False

    def compose(self) -> ComposeResult:
        with (VerticalScroll if self.SCROLLS else Vertical)(id="dialog"):
            if self.title:
                yield Static(Text(self.title), classes="title")
            yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        """The dialog's parts below its title."""
        yield from ()

    def close(self, value: Any = None) -> None:
        """Dismiss with a value, once: keys queued while the dialog closes must not dismiss it again."""
        if self._dismissing:
            return
        self._dismissing = True
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.close(None)


def help_text(flow: LoadedFlow, question_id: str) -> Text:
    """Why a question is asked, its REFERENCE section and its sources."""
    q = flow.by_id[question_id].model
    text = Text()
    text.append("Why we ask: ", style="bold")
    text.append(q.why)
    if q.section:
        text.append(f"\nREFERENCE {q.section}", style="italic")
    for ref in q.refs:
        r = flow.model.references.get(ref)
        if r is not None:
            extra = f" doi:{r.doi}" if r.doi else (f" PMID {r.pmid}" if r.pmid else "")
            text.append(f"\n• {r.citation}{extra}", style="dim")
    return text


class EditScreen(Dialog):
    """Change one earlier answer; dismisses with the new value, or ``None`` when cancelled.

    The interview's own answer area, with its keys (numbers for a list of words, the value itself for
    numbers and codes), opened on the current answer: it is highlighted and marked ``▸``, and Enter
    keeps it. The list is as tall as the screen allows and scrolls, so every option can be reached.
    """

    DEFAULT_CSS = """
    EditScreen #edit-answer { max-height: 100%; }
    /* The list scrolls (a scrollbar says there is more), sized to the screen in _fit_list. */
    EditScreen #edit-answer ChoiceList { overflow-y: auto; scrollbar-gutter: stable; }
    EditScreen .now { height: auto; }
    """

    #: Rows kept free below the list for an inline error message.
    _SPARE_ROWS = 1

    def __init__(self, flow: LoadedFlow, question_id: str, current: Any) -> None:
        super().__init__()
        self.flow = flow
        self.question_id = question_id
        self.current = current
        self.title = f"Edit: {flow.by_id[question_id].model.prompt}"

    def compose_body(self) -> ComposeResult:
        from interview.tui.labels import answer_text

        q = self.flow.by_id[self.question_id].model
        now = "skipped" if self.current is None else answer_text(q, self.current)
        yield Static(Text.assemble(("Now: ", "bold"), now,
                                   "  (▸ marks it below; Enter keeps it)"
                                   if self.current not in (None, NOT_KNOWN) else ""),
                     classes="now")
        yield AnswerArea(self.flow, self.question_id, self.current, offer_not_known=True, id="edit-answer")
        yield Static("Escape cancels. Answers that leave the path are dropped and shown.", classes="hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self._fit_list)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_list)

    def _fit_list(self) -> None:
        """Let the option list take every row the dialog has (90% of the screen) besides its text."""
        from interview.tui.widgets.answer import ChoiceList

        choices = self.query_one(ChoiceList)
        if not choices.display:
            return
        box = self.query_one("#dialog")
        limit = int(self.size.height * 0.9)
        chrome = box.outer_size.height - choices.outer_size.height
        rows = max(3, limit - chrome - self._SPARE_ROWS)
        if choices.styles.max_height is None or choices.styles.max_height.value != rows:
            choices.styles.max_height = rows
            self.call_after_refresh(choices.move_cursor, choices.cursor)  # the current answer stays in view

    @on(AnswerArea.Submitted)
    def _done(self, event: AnswerArea.Submitted) -> None:
        event.stop()
        self.close(event.value)

    @on(AnswerArea.SkipRequested)
    def _no_skip(self, event: AnswerArea.SkipRequested) -> None:
        event.stop()
        self.query_one(AnswerArea).set_error("an edit needs a value; to skip it instead, go back (ctrl+z) to it")


def reference_widget(section: str) -> Static:
    """The text of the REFERENCE sections a question cites, read from REFERENCE.md now (not at start-up)."""
    from interview.flow.reference import UNAVAILABLE, load_reference

    reference = load_reference()
    if reference is None:
        return Static(Text(UNAVAILABLE, style="italic"), id="reference")
    # The file is rendered as Markdown (Rich's: its tables share the width far better than Textual's
    # widget in a narrow modal), which never reads "[…]" as console markup. Imported here: the
    # Markdown parser is not needed at start-up.
    from rich.markdown import Markdown

    blocks = [s.markdown() for s in reference.resolve(section)]
    blocks += [f"*{missing} is not a section of REFERENCE.md.*\n" for missing in reference.unknown(section)]
    # Links stay text: help never offers to open a browser (the app makes no network calls).
    return Static(Markdown("\n".join(blocks), hyperlinks=False), id="reference")


class HelpScreen(Dialog):
    """'Why we ask' with its REFERENCE section and sources, the section's own text, plus the keys."""

    TITLE = "Help"
    DEFAULT_CSS = "HelpScreen #reference { margin: 1 0; }"
    BINDINGS = [Binding("escape,q,f1,question_mark", "cancel", "Close")]
    SCROLLS = True

    def __init__(self, body: Text, section: str | None = None) -> None:
        super().__init__()
        self.body = body
        self.section = section

    def compose_body(self) -> ComposeResult:
        yield Static(self.body)
        if self.section:
            yield reference_widget(self.section)
        yield Static(Text(
            "Keys: 1–9 / y n answer · ↑↓ Enter pick · s skip (optional) · ctrl+z or b back · "
            "shift+↑ your replies (Enter or a click edits one) · e the same from the panel · "
            "esc back to the reply field · t teaching · f2 side panel · ctrl+o saved cases · "
            "ctrl+n new case · ctrl+l case label · ctrl+q quit",
            style="dim"))


class ConfirmScreen(Dialog):
    """A yes/no question: y (or Yes) confirms; n, Escape, or Enter on No (focused first) declines."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str | Text) -> None:
        super().__init__()
        self.question = question

    def compose_body(self) -> ComposeResult:
        # A Text (e.g. holding a file name) is never read as markup.
        yield Static(self.question)
        with Horizontal():
            yield Button("Yes (y)", id="yes", variant="error")
            yield Button("No (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.close(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.close(value)

    def action_cancel(self) -> None:
        self.close(False)  # declining, whichever of the Escape bindings runs


class LabelScreen(Dialog):
    """Set or change the case label; dismisses with the label typed, or ``None``.

    The label is checked as every label is (:func:`interview.text.check_label`): a refused one shows
    why under the field and the dialog stays.
    """

    TITLE = "Case label"
    DEFAULT_CSS = "LabelScreen Input { margin: 0; }"

    def __init__(self, current: str | None, *, saved: bool = True) -> None:
        super().__init__()
        self.current = current
        #: whether the case is kept in a case store (else the label only heads its report and transcript)
        self.saved = saved

    def compose_body(self) -> ComposeResult:
        from interview.text import for_terminal

        now = for_terminal(self.current) if self.current else "none yet"
        yield Static(Text.assemble(("Now: ", "bold"), now))
        field = Input(value=for_terminal(self.current or ""), placeholder="e.g. bed 12 T8 — no names",
                      id="label", max_length=200)
        field.cursor_blink = False
        yield field
        yield Static("", classes="error", id="label-error")
        where = ("A label helps you find the case (ctrl+o)" if self.saved else
                 "Cases are not saved in this session (no case storage): the label heads its report "
                 "and transcript only")
        yield Static(f"Enter sets it · Escape cancels. {where}; avoid names and other identifying details.",
                     classes="hint")

    def on_mount(self) -> None:
        field = self.query_one("#label", Input)
        field.focus()
        field.select_all()

    @on(Input.Submitted, "#label")
    def _entered(self, event: Input.Submitted) -> None:
        from interview.text import LabelError, check_label

        event.stop()
        try:
            label = check_label(event.value)
        except LabelError as err:
            self.query_one("#label-error", Static).update(Text(f"✗ {err}"))
            return
        self.close(label)


class CasePicker(Dialog):
    """Saved cases to continue; dismisses with a case id, or ``None``."""

    TITLE = "Continue a saved case (Enter), Escape to cancel"
    DEFAULT_CSS = "CasePicker OptionList { height: auto; max-height: 20; }"

    def __init__(self, cases: list[Any]) -> None:
        super().__init__()
        self.cases = cases

    def compose_body(self) -> ComposeResult:
        if not self.cases:
            yield Static("No saved cases yet.")
        yield OptionList(*[Option(case_prompt(c), id=str(c.id)) for c in self.cases])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.close(event.option.id)


def case_prompt(case: Any) -> Text:
    """A saved case's line in the picker: a ``Text``, so a label like ``x[/]`` or ``[T8] Kowalski`` is
    shown as typed, never read as markup; escapes and control characters are removed."""
    from interview.present import status_words, time_words
    from interview.text import for_terminal

    line = f"{case.label} · {status_words(case.status)} · updated {time_words(case.updated)}"
    outcome = getattr(case, "headline_title", None) or getattr(case, "headline", None)
    if outcome:
        line += f" · {outcome}"
    return Text(for_terminal(line))
