"""The one sanitiser of text that came from a user (case labels, free-text answers, identifiers).

Checked once at entry (:func:`check_label`, :func:`text_problem`): control characters, Unicode
bidi overrides and non-characters are refused with one clear message. Made safe again wherever it
is shown, because a database may hold text written before the check or by another program:

- :func:`for_terminal`: no control characters, no escape sequences (callers render the result as
  ``rich.text.Text`` or ``markup=False``, never as a markup string);
- :func:`for_markdown`: Markdown and HTML specials escaped, so no raw HTML, links or images;
- :func:`for_xhtml`: character data valid in XHTML (the FHIR narrative), escaped.
"""

from __future__ import annotations

import html
import re

#: Unicode bidirectional embeddings, overrides and isolates: they reorder what a reader sees.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
#: ESC/CSI sequences (CSI, OSC, DCS, … up to their terminator) and lone 8-bit introducers.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"                      # CSI … final byte
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"  # OSC/DCS/SOS/PM/APC … ST
    r"|\x1b[ -/]*[0-~]?",                                      # two-byte ESC sequences
    re.DOTALL,
)
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _is_control(c: str) -> bool:
    cp = ord(c)
    return cp < 0x20 or 0x7F <= cp <= 0x9F


def _is_noncharacter(c: str) -> bool:
    cp = ord(c)
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def _is_surrogate(c: str) -> bool:
    return 0xD800 <= ord(c) <= 0xDFFF


def _unsafe(c: str) -> bool:
    return _is_control(c) or c in BIDI_CONTROLS or _is_noncharacter(c) or _is_surrogate(c)


def text_problem(s: str) -> str | None:
    """Why a user's text cannot be stored, or ``None`` when it can."""
    for c in s:
        if _is_control(c):
            return f"it contains a control character (U+{ord(c):04X}); use plain text"
        if c in BIDI_CONTROLS:
            return f"it contains a Unicode bidi control (U+{ord(c):04X}), which reorders what is shown; use plain text"
        if _is_noncharacter(c) or _is_surrogate(c):
            return f"it contains a Unicode non-character (U+{ord(c):04X}); use plain text"
    return None


class LabelError(ValueError):
    """A label that cannot be stored; the message says why, in one line."""


def check_label(s: str, what: str = "a case label", max_length: int = 200) -> str:
    """A label as stored (stripped), or :class:`LabelError` with one clear message.

    Refused: empty text, more than ``max_length`` characters, control characters (escape
    sequences, newlines, C1), bidi overrides and isolates (U+202A–202E, U+2066–2069) and Unicode
    non-characters.
    """
    label = s.strip()
    if not label:
        raise LabelError(f"{what} cannot be empty")
    if len(label) > max_length:
        raise LabelError(f"{what} is longer than {max_length} characters")
    problem = text_problem(label)
    if problem:
        raise LabelError(f"{what} cannot be stored: {problem}")
    return label


def for_terminal(s: object) -> str:
    """Text safe to show on a terminal: escape sequences, control characters (newlines included),
    bidi controls and non-characters removed. Render it as ``Text``, never as markup."""
    text = _ESCAPES.sub("", str(s))
    return "".join(" " if c in "\t\n\r" else c for c in text if c in "\t\n\r" or not _unsafe(c))


def for_markdown(s: object) -> str:
    """Text safe inside a Markdown paragraph or table cell: one line, every Markdown and HTML
    special escaped, so no raw HTML, link, image, emphasis or table break comes through."""
    text = html.escape(for_terminal(s), quote=False)  # <, > and & become entities: no raw HTML
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def for_xhtml(s: object) -> str:
    """Character data valid in XHTML (XML 1.0 Chars only) and escaped: the FHIR narrative."""
    return html.escape(for_terminal(s), quote=True)


__all__ = ["BIDI_CONTROLS", "LabelError", "check_label", "for_markdown", "for_terminal", "for_xhtml", "text_problem"]
