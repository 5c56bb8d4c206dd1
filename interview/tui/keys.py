"""Key bindings that more than one screen offers, declared once: the same key and the same words everywhere."""

from __future__ import annotations

from textual.binding import Binding

#: Change one answer of the case and compare (the recommendation screen and the quiz).
WHAT_IF = Binding("w", "what_if", "What-if")
