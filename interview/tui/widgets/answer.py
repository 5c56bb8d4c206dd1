"""The answer area: a widget that fits the open question (numbered choices, yes/no, numbers, text).

Keys that cannot be misread: a list whose values are words is numbered 1, 2, 3… and a digit answers
at once; a list whose values are numbers or codes that start with a digit (ESCC ``0``, ``1a`` … ``3``,
KPS ``100`` … ``10``) is never numbered by position — the key beside each option is its value, typed
whole. A code list answers as soon as what was typed is a value no other value starts with (``3``,
``1b``; ``1`` waits for its letter), and while a value is part-typed every key belongs to it (``b``
completes ``1b``, it does not go back). A number list (KPS) takes the typed value with Enter.

Bad input never leaves the widget: a value the question cannot take shows the engine's reason and
what is allowed inline, and the question stays. Valid answers are posted as :class:`Submitted`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Key, Paste
from textual.message import Message
from textual.widgets import Button, Input

from interview.engine.values import NOT_KNOWN, AnswerError, allowed, coerce, read_typed
from interview.flow.load import LoadedFlow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion, NumberQuestion, TextQuestion
from interview.tui.labels import Choice, choices, typed_keys, waits_for_enter
from interview.tui.widgets.blocks import Block, BlockView
from interview.tui.widgets.steady import Caption, LinkButton, Row, steady_size

#: The visible option of a question that may be answered "not known yet" (its key: ctrl+p).
NOT_KNOWN_CAPTION = "Not known yet · ctrl+p"

#: Lists longer than this get a filter/number entry field instead of single-key answers.
SHORT_LIST = 9


#: The reply field's own keys and their actions, from Input's bindings.
_EDIT_KEYS = {key.strip(): binding.action for binding in Input.BINDINGS if isinstance(binding, Binding)
              for key in binding.key.split(",")}


class _Entry(Input):
    """The reply field, focused for every question; its messages carry the question they were typed for.

    While the question is a short list (`picking`), a key is an answer or a command, never typed by
    the field itself: the answer area takes digits and y/n (or the characters of a value, which it
    shows here), and other keys go on to the screen's bindings (b, e, t, ?).
    One field for every kind of question also means focus never moves between questions, and a
    change of focus cost every switch between a list and a typed answer two more frames.
    """

    question_id: str = ""
    picking: bool = False

    def post_message(self, message: Message) -> bool:
        if isinstance(message, Input.Changed | Input.Submitted):
            message.question_id = self.question_id  # type: ignore[attr-defined]
        return super().post_message(message)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # While picking, printable keys are answers or commands, so the bindings must see them.
        return False if self.picking else super().check_consume_key(key, character)

    @on(Key)
    async def _key(self, event: Key) -> None:
        if event.is_printable:
            if self.picking:
                event.prevent_default()  # not typed; bubbles to the answer area, then to the bindings
            return
        action = _EDIT_KEYS.get(event.key)
        if action is not None:
            # The field's own keys (Enter, Backspace, ctrl+k…) act here and now, in the order they
            # were typed. As bindings they would act only once the key had bubbled up to the app,
            # after a character typed just behind them: "⌫ 7 1 ⏎ 2" recorded no age, or "712".
            event.stop()
            event.prevent_default()
            await self.run_action(action)

    @on(Paste)
    def _pasted(self, event: Paste) -> None:
        if self.picking:
            event.prevent_default()  # a list is answered by a key or Enter, not by pasted text
            event.stop()


def _numbered(number: int, label: str) -> Table:
    """An option as ' 3. label', a long label wrapping under itself rather than under its number."""
    row = Table.grid(padding=(0, 1, 0, 0))
    row.add_column(width=3, justify="right", no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(f"{number}.", label)
    return row


def _keyed(key: str, label: str, width: int) -> Table:
    """An option keyed by its value: ' 1b — thecal sac deformed…', the key in bold, never a position.

    A label that starts with its value ('1b — …', '70 % — …') is not repeated after its key.
    """
    row = Table.grid(padding=(0, 1, 0, 0))
    row.add_column(width=width, justify="right", no_wrap=True)
    row.add_column(ratio=1)
    rest = label
    if label.lower().startswith(key) and not label[len(key):len(key) + 1].isalnum():
        rest = label[len(key):].lstrip()
    row.add_row(Text(key, style="bold"), rest)
    return row


def _alternatives(keys: list[str]) -> str:
    """'0, 1a, 1b or 3'."""
    return keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + " or " + keys[-1]


class ChoiceList(BlockView, can_focus=False):
    """The numbered options of a question, answered from the reply field (or a click)."""

    CURSOR_NEEDS_FOCUS = False
    MARK_GUTTER = True  # "▸" before the highlighted option: seen without colour (NO_COLOR)
    WIDTH_FROM_PARENT = True
    SCOPED_CSS = False  # its rules name the screen's height class (.-short), above this widget

    DEFAULT_CSS = """
    /* Scrolled by the cursor only: a scrollbar that comes and goes with the list's length is a
       layout change, one more frame on entering and leaving every long list. */
    ChoiceList { height: auto; max-height: 12; background: $surface; overflow-y: hidden; }
    /* A list must fit whole in the answer area (a clipped list hid highlighted options): as many
       rows as the terminal's height leaves (the app's vertical breakpoints). */
    .-short ChoiceList { max-height: 6; }
    .-medium ChoiceList { max-height: 9; }
    """

    def set_blocks(self, blocks: Iterable[Block]) -> None:
        """Show these options, from the top of the list."""
        super().set_blocks(blocks)
        self._scroll_now(0)

    @property
    def highlighted(self) -> int | None:
        """Position of the highlighted option among those shown."""
        return self.cursor

    @property
    def option_count(self) -> int:
        """How many options are shown."""
        return len(self.blocks)


class AnswerArea(Vertical):
    """Answer one question; posts :class:`Submitted` with a value the question accepts."""

    virtual_size = steady_size()  # never scrolls: a new height needs no second layout pass

    DEFAULT_CSS = """
    AnswerArea {
        height: auto;
        max-height: 60%;
        border-top: solid $primary;
        padding: 0 1;
    }
    AnswerArea > .hint { color: $text-muted; height: auto; }
    AnswerArea > .note { color: $text-muted; text-style: italic; height: auto; }
    AnswerArea > .error { color: $text-error; text-style: bold; height: auto; }
    /* Focused or not, the entry looks the same: it only ever shows while it has the focus, and a
       style that changes with focus costs every switch between a list and the entry two frames. */
    AnswerArea Input, AnswerArea Input:focus {
        margin: 0; height: 1; border: none; padding: 0 1; background: $boost;
    }
    AnswerArea > #links { height: auto; width: 100%; }
    AnswerArea #links > Button { margin-right: 1; }
    """

    BINDINGS = [
        Binding("s", "skip", "Skip", show=False),  # only while a list is open: a field types it
        Binding("ctrl+s", "skip", "Skip", show=False),  # everywhere
        # Not a letter: a field types letters, and no list value starts with ctrl (p for "pending").
        Binding("ctrl+p", "not_known", "Not known yet", show=False),
    ]

    class Submitted(Message):
        """A valid answer, already coerced for the question; ``note`` says what was assumed ("35 g/L = 3.5 g/dL")."""

        def __init__(self, question_id: str, value: Any, note: str = "") -> None:
            self.question_id = question_id
            self.value = value
            self.note = note
            super().__init__()

    class SkipRequested(Message):
        """The clinician skips the (optional) question."""

        def __init__(self, question_id: str) -> None:
            self.question_id = question_id
            super().__init__()

    def __init__(self, flow: LoadedFlow, question_id: str, proposed: Any = None, *,
                 offer_not_known: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        #: Whether a finding that may still be pending can be answered "not known yet" here (the
        #: interview and the edit dialog; not what-if, which compares known values).
        self.offer_not_known = offer_not_known
        self._load(question_id, proposed)

    def _load(self, question_id: str, proposed: Any) -> None:
        self.question = self.flow.by_id[question_id].model
        #: An open answer is no value to keep: the question starts empty (ctrl+p leaves it open).
        self.was_not_known = proposed == NOT_KNOWN
        self.proposed = None if self.was_not_known else proposed
        self.choices: list[Choice] = choices(self.flow, question_id)
        #: Per option, the value typed as its key, when values are numbers or codes (else None).
        self.codes: list[str] | None = typed_keys(self.choices)
        q = self.question
        long_list = len(self.choices) > SHORT_LIST or (isinstance(q, IntQuestion) and bool(self.choices))
        if isinstance(q, ChoiceQuestion) and self.codes is not None:
            long_list = False  # typed by value, however long: no filter, no option numbers
        self.mode = "pick" if self.choices and not long_list else ("filter" if self.choices else "entry")
        self._shown: list[int] = list(range(len(self.choices)))
        self._error = getattr(self, "_error", "")

    # --- building --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Every part is always there and shown or hidden per question: the interview re-fills one
        # answer area for all its questions (mounting a new one per answer cost several frames).
        yield Caption(self._hint(), classes="hint", id="hint")
        yield Caption(Text(self.question.default_note or ""), classes="note", id="note")
        # The reply field comes first: a long list may be cut short, the field must stay in view.
        # A steady cursor: blinking wakes the app twice a second and, served to a browser, sends a
        # screen update each time; it is also calmer to read (WCAG 2.2.2 asks for a way to stop blinking).
        entry = _Entry(id="entry")
        entry.cursor_blink = False
        yield entry
        choice_list = ChoiceList(id="choices")
        choice_list.set_blocks(self._options())
        yield choice_list
        yield Caption("", classes="error", id="error")
        # Compact buttons for the mouse; never focused, so the keyboard stays in the reply field
        # (their keys, s / ctrl+s and ctrl+p, are said on them).
        with Row(id="links"):
            for caption, id in ((self._skip_caption(), "skip-row"), (NOT_KNOWN_CAPTION, "not-known-row")):
                yield LinkButton(caption, id=id)

    def _apply(self) -> None:
        """Show the parts the current question needs, with its values."""
        q = self.question
        self.query_one("#hint", Caption).show(self._hint())
        note = self.query_one("#note", Caption)
        note.display = bool(q.default_note and self.proposed is not None)
        if note.display:
            note.show(Text(q.default_note or ""))
        entry = self.query_one("#entry", _Entry)
        entry.question_id = q.id
        entry.picking = self.mode == "pick"
        entry.placeholder = self._placeholder()
        entry.max_length = q.max_length if isinstance(q, TextQuestion) else 0
        with entry.prevent(Input.Changed):
            entry.value = "" if self.proposed is None or self.mode == "pick" or (
                self.mode == "filter" and isinstance(q, ChoiceQuestion)) else str(self.proposed)
        # A proposed value is selected: Enter keeps it, typing replaces it (the field keeps the focus
        # from question to question, so focusing it no longer selects it).
        entry.select_all()
        options = self.query_one("#choices", ChoiceList)
        options.display = self.mode in ("pick", "filter")
        options.set_blocks(self._options())
        self.set_error("")
        skip = self.query_one("#skip-row", Button)
        skip.display = q.optional
        if q.optional and str(skip.label) != self._skip_caption():
            skip.label = self._skip_caption()
        self.query_one("#not-known-row", Button).display = self.allows_not_known
        self.query_one("#links").display = q.optional or self.allows_not_known

    def ask(self, question_id: str, proposed: Any = None) -> None:
        """Show another question in the same area (the interview's next question)."""
        self._load(question_id, proposed)
        self._apply()
        self._highlight_proposed()
        self.focus_answer()

    @property
    def allows_not_known(self) -> bool:
        """Whether this question may be answered "not known yet" here (a finding that may be pending)."""
        return self.offer_not_known and self.question.may_be_not_known

    @property
    def letters_are_commands(self) -> bool:
        """Whether a letter typed now is a command (b back, e edit…) rather than text in the field."""
        return self.mode == "pick"

    @property
    def by_value(self) -> bool:
        """Whether this list is answered by typing a value whole (a code list), not by position."""
        return self.mode == "pick" and self.codes is not None

    def _skip_caption(self) -> str:
        # `s` is a letter the reply field would type: it skips only while a list is open.
        return "Skip (optional) · " + ("s or ctrl+s" if self.letters_are_commands else "ctrl+s")

    def _hint(self) -> str:
        q = self.question
        if isinstance(q, BoolQuestion):
            return "y / n, or ↑↓ and Enter"
        if self.by_value:
            assert self.codes is not None
            return (f"Type the value: {_alternatives(self.codes)} — or ↑↓ and Enter"
                    + (" · s skip" if q.optional else ""))
        if self.mode == "pick":
            return f"1–{len(self.choices)}, or ↑↓ and Enter" + (" · s skip" if q.optional else "")
        if self.mode == "filter" and isinstance(q, ChoiceQuestion):
            return "Type to filter or the option's number, ↑↓ to move, Enter to choose"
        if self.mode == "filter":
            return f"Type {allowed(q)}{self._also_typed()} or pick with ↑↓, Enter to answer"
        extra = " · empty Enter skips" if q.optional else ""
        return f"Enter {allowed(q)}{self._also_typed()}{extra}"

    def _also_typed(self) -> str:
        """What else a number question takes when typed: another unit (g/L) or another scale (ECOG)."""
        q = self.question
        if isinstance(q, NumberQuestion) and q.other_unit is not None:
            return f", or in {q.other_unit.unit}"
        if isinstance(q, IntQuestion) and q.other_scale is not None and q.other_scale.values:
            values = q.other_scale.values
            return f" (or {q.other_scale.name} {min(values)}–{max(values)})"
        return ""

    def _placeholder(self) -> str:
        if self.by_value:
            assert self.codes is not None
            return f"type {_alternatives(self.codes)}"
        if self.mode == "pick":
            keys = "y or n" if isinstance(self.question, BoolQuestion) else f"1–{len(self.choices)}"
            return f"your answer: {keys}"
        if self.mode == "filter" and isinstance(self.question, ChoiceQuestion):
            return "filter or number…"
        return allowed(self.question)

    def _options(self) -> list[Block]:
        # Option refs carry their question: a pick queued for the previous question is not applied
        # to the next one, which reuses this area.
        qid = self.question.id
        codes = self.codes
        if codes is not None:
            width = max(3, *(len(k) for k in codes))  # lined up with the numbered lists
            return [Block(f"{qid}:{i}", _keyed(codes[i], self.choices[i].label, width), f"{qid}:{i}")
                    for i in self._shown]
        return [Block(f"{qid}:{i}", _numbered(i + 1, self.choices[i].label), f"{qid}:{i}") for i in self._shown]

    def on_mount(self) -> None:
        self._apply()
        self._highlight_proposed()
        self.focus_answer()

    def focus_answer(self) -> None:
        """Give the keyboard back to the answer widget."""
        # A widget replaced before it finished mounting has no children left: nothing to focus.
        for target in self.query(_Entry):
            target.focus()

    def _highlight_proposed(self) -> None:
        if self.mode == "entry":
            return
        options = self.query_one(ChoiceList)
        index = next((n for n, i in enumerate(self._shown) if self.choices[i].value == self.proposed), None)
        # Nothing is pre-selected unless a value is proposed: a stray Enter must not record the
        # first option (an accidental 'Yes' is a clinical error); arrows start from the top.
        options.move_cursor(index)

    # --- answering -------------------------------------------------------------------------------

    def on_key(self, event: Key) -> None:
        if event.key in ("up", "down"):
            self._move(-1 if event.key == "up" else 1, event)
            return
        if self.mode != "pick":
            return
        if self.codes is not None:
            self._code_key(event)
            return
        if event.character is None:
            return
        char = event.character.lower()
        if isinstance(self.question, BoolQuestion) and char in ("y", "n"):
            event.stop()
            self._submit_raw(char == "y")
        elif char.isdigit() and 1 <= int(char) <= len(self.choices):
            event.stop()
            self._submit_raw(self.choices[int(char) - 1].value)

    def _code_key(self, event: Key) -> None:
        """A key while a code list is open: part of a value, the value itself, or a command."""
        assert self.codes is not None
        entry = self.query_one("#entry", _Entry)
        typed = entry.value
        if event.key == "escape" and typed:
            event.stop()  # clears what was typed; a second Escape goes on to the screen
            self._show_typed("")
            return
        if not event.is_printable or event.character is None:
            return
        if typed and entry.selected_text == typed:
            typed = ""  # a value chosen with ↑↓ is replaced by typing, as in any field
        candidate = typed + event.character.lower()
        matches = [i for i, key in enumerate(self.codes) if key.startswith(candidate)]
        if not matches:
            if typed or event.character.isdigit():
                # Within a value, or a number that is no value: never a command, never a position.
                event.stop()
                self.set_error(f"no value {candidate!r}: type {_alternatives(self.codes)}")
            return  # a letter no value starts with: a command (b back, e edit, ? help…)
        event.stop()
        if candidate in self.codes and not waits_for_enter(candidate, self.codes):
            self._submit_raw(self.choices[self.codes.index(candidate)].value)
            return
        self._show_typed(candidate)

    def _show_typed(self, typed: str) -> None:
        """Show a part-typed value in the field and the options it can still become."""
        assert self.codes is not None
        entry = self.query_one("#entry", _Entry)
        if entry.value != typed:
            with entry.prevent(Input.Changed):
                entry.value = typed
            entry.cursor_position = len(typed)
        self._narrow_to(typed)

    def _narrow_to(self, typed: str) -> None:
        assert self.codes is not None
        codes = self.codes
        shown = [i for i, key in enumerate(codes) if key.startswith(typed)] or list(range(len(codes)))
        options = self.query_one(ChoiceList)
        if shown != self._shown:
            self._shown = shown
            options.set_blocks(self._options())
        exact = next((n for n, i in enumerate(shown) if codes[i] == typed), None)
        options.move_cursor(exact)
        hint = self.query_one("#hint", Caption)
        if typed and exact is None:
            hint.show(f"{typed}…: type {_alternatives([codes[i] for i in shown])}")
            self.set_error("")
        elif typed:
            hint.show(f"{typed}: Enter records it, or type {_alternatives([codes[i] for i in shown if codes[i] != typed])}")
            self.set_error("")
        else:
            hint.show(self._hint())
            self._highlight_proposed()

    @on(ChoiceList.Chosen, "#choices")
    def _picked(self, event: ChoiceList.Chosen) -> None:
        event.stop()
        qid, _, index = event.ref.rpartition(":")
        if qid != self.question.id:
            return
        self._submit_raw(self.choices[int(index)].value)

    @on(Input.Changed, "#entry")
    def _typed(self, event: Input.Changed) -> None:
        if getattr(event, "question_id", None) != self.question.id:
            return  # typed for the previous question
        self.set_error("")
        if self.by_value:
            self._narrow_to(event.value.strip().lower())  # a part-typed value was shortened
            return
        if self.mode == "filter" and self.codes is not None:
            # A number list (KPS): the option of the value typed so far is highlighted.
            typed = event.value.strip().lower().rstrip("% ")  # "80%" highlights 80
            options = self.query_one(ChoiceList)
            options.move_cursor(next((n for n, i in enumerate(self._shown) if self.codes[i] == typed), None))
            return
        if self.mode != "filter" or not isinstance(self.question, ChoiceQuestion):
            return
        needle = event.value.strip().lower()
        if needle.isdigit():
            shown = [int(needle) - 1] if 1 <= int(needle) <= len(self.choices) else []
            shown = shown or list(range(len(self.choices)))
        else:
            shown = [i for i, c in enumerate(self.choices) if self._matches(i, needle)]
        if shown != self._shown:
            self._shown = shown
            options = self.query_one(ChoiceList)
            options.set_blocks(self._options())
            options.move_cursor(0 if shown else None)

    def _matches(self, index: int, needle: str) -> bool:
        """Whether the filter text finds an option: in its label or value, or the start of a synonym ("rcc")."""
        c = self.choices[index]
        if needle in c.label.lower() or needle in str(c.value).lower():
            return True
        q = self.question
        return isinstance(q, ChoiceQuestion) and any(w.lower().startswith(needle) for w in q.options[index].synonyms)

    def _offer(self, values: tuple[Any, ...], question: str) -> None:
        """Show only the values a typed text may mean ("ECOG 1 → KPS 70 or 80?"); nothing is recorded yet."""
        entry = self.query_one("#entry", _Entry)
        with entry.prevent(Input.Changed):
            entry.value = ""
        if self.mode == "filter":
            self._shown = [i for i, c in enumerate(self.choices) if c.value in values]
            options = self.query_one(ChoiceList)
            options.set_blocks(self._options())
            options.move_cursor(None)
            keys = " or ".join(str(v) for v in values)
            self.query_one("#hint", Caption).show(f"{question} Type {keys}, or ↑↓ and Enter")
        self.set_error(question + " Choose one: nothing is recorded yet.")

    def _typed_number(self, text: str) -> None:
        """A number typed whole: its unit or another scale read, what was assumed said with the answer."""
        q = self.question
        assert isinstance(q, IntQuestion | NumberQuestion)
        try:
            reading = read_typed(q, text)
        except AnswerError as err:
            self.set_error(f"{err.reason}: {text!r} — allowed: {err.allowed}")
            return
        if reading.choose:
            self._offer(reading.choose, reading.question)
            return
        self.post_message(self.Submitted(q.id, reading.value, reading.note))

    @on(Input.Submitted, "#entry")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        if getattr(event, "question_id", None) != self.question.id:
            return  # entered for the previous question
        text = event.value.strip()
        q = self.question
        if self.by_value:
            assert self.codes is not None
            typed = text.lower()
            if typed in self.codes:
                self._submit_raw(self.choices[self.codes.index(typed)].value)
            elif typed:
                rest = [key for key in self.codes if key.startswith(typed)]
                self.set_error(f"{text!r} is not a value: type {_alternatives(rest or self.codes)}")
            elif self.query_one(ChoiceList).highlighted is not None:
                options = self.query_one(ChoiceList)
                self._submit_raw(self.choices[self._shown[options.highlighted]].value)
            else:
                self.set_error(self._hint())
            return
        if self.mode == "pick":
            options = self.query_one(ChoiceList)
            if options.highlighted is not None:
                self._submit_raw(self.choices[self._shown[options.highlighted]].value)
            else:
                self.set_error(f"{self._hint()}")
            return
        if self.mode == "filter":
            options = self.query_one(ChoiceList)
            if isinstance(q, ChoiceQuestion) or not text:
                if text.isdigit() and isinstance(q, ChoiceQuestion):
                    n = int(text)
                    if not 1 <= n <= len(self.choices):
                        self.set_error(f"no option {n}: choose 1–{len(self.choices)}")
                        return
                    self._submit_raw(self.choices[n - 1].value)
                elif options.highlighted is not None and self._shown:
                    self._submit_raw(self.choices[self._shown[options.highlighted]].value)
                elif not text and isinstance(q, ChoiceQuestion):
                    self.set_error("type to filter or the option's number, or choose with ↑↓ and Enter")
                elif not text:
                    self.set_error(f"an answer is needed: type {allowed(q)}, or choose with ↑↓ and Enter")
                else:
                    self.set_error(f"nothing matches {text!r}: clear the filter to see every option")
                return
        if not text and q.optional:
            self.post_message(self.SkipRequested(q.id))
            return
        if not text:
            self.set_error(f"an answer is needed: type {allowed(q)}")
            return
        if isinstance(q, IntQuestion | NumberQuestion):
            self._typed_number(text)
            return
        self._submit_raw(text, from_text=True)

    @on(Button.Pressed, "#skip-row")
    def _skip_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_skip()

    @on(Button.Pressed, "#not-known-row")
    def _not_known_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_not_known()

    def action_not_known(self) -> None:
        """Answer "not known yet" (CONTRACT §7) where the finding may be pending; elsewhere say why not."""
        if self.allows_not_known:
            self.post_message(self.Submitted(self.question.id, NOT_KNOWN))
        elif self.offer_not_known:
            self.set_error("this answer is needed now: it cannot be left as not known yet")

    def action_skip(self) -> None:
        """Skip an optional question; a required one says why it cannot be skipped."""
        if self.question.optional:
            self.post_message(self.SkipRequested(self.question.id))
        else:
            self.set_error("this question is required and cannot be skipped")

    def _move(self, delta: int, event: Key) -> None:
        # Arrows in the reply field move the list's highlight.
        if self.mode in ("pick", "filter") and isinstance(self.screen.focused, Input):
            event.stop()
            options = self.query_one(ChoiceList)
            count = options.option_count
            if not count:
                return
            current = options.highlighted
            if current is None:  # nothing highlighted yet: ↓ starts at the first option, ↑ at the last
                index = 0 if delta > 0 else count - 1
            else:
                index = max(0, min(count - 1, current + delta))
            options.move_cursor(index)
            if self.codes is not None:
                # A list typed by value (KPS, ESCC): the field holds the value Enter records, so it
                # follows the highlight; otherwise a proposed 70 stayed in the field and won over a
                # chosen 60. Selected: typing replaces it.
                entry = self.query_one("#entry", _Entry)
                with entry.prevent(Input.Changed):
                    entry.value = self.codes[self._shown[index]]
                entry.select_all()

    def _submit_raw(self, value: Any, *, from_text: bool = False) -> None:
        try:
            stored = coerce(self.question, value, from_text=from_text)
        except AnswerError as err:
            self.set_error(f"{err.reason}: {value!r} — allowed: {err.allowed}")
            return
        self.post_message(self.Submitted(self.question.id, stored))

    def set_error(self, message: str) -> None:
        """Show (or clear) the inline message under the answer."""
        if message == self._error:
            return  # each change is a layout: clearing an empty message on every keystroke was one
        self._error = message
        for error in self.query("#error").results(Caption):
            error.show(message)
