"""REFERENCE.md by section number, for the help beside a question ("§4.1" -> the SINS table).

The file is read the first time help asks for it, never at start-up (start-up time is benchmarked),
and it comes from the project's own copy (:func:`~interview.flow.load.sources_dir`), never
``../shared``. No UI here: the flow layer stays free of Textual, and callers decide how to show the
text (it is Markdown, and must never be read as console markup).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from interview.flow.load import sources_dir

#: Shown instead of the sections when the install has no readable REFERENCE.md.
UNAVAILABLE = "REFERENCE.md is not available in this install"

# Only numbered `##`/`###` headings start a section ("## 4. Scores…", "### 4.1 SINS — …"); deeper
# headings (####) belong to the body of the section they sit in.
_HEADING = re.compile(r"^(#{1,3})\s+(?:(\d+(?:\.\d+)*)\.?\s+)?(.*?)\s*$")
# One cited number or range inside a section string: "4.1", "4.6–4.8" (en dash, em dash or hyphen).
_CITED = re.compile(r"(\d+(?:\.\d+)*)(?:\s*[–—-]\s*(\d+(?:\.\d+)*))?")

Key = tuple[int, ...]


def _key(number: str) -> Key:
    return tuple(int(part) for part in number.split("."))


@dataclass(frozen=True)
class Section:
    """One numbered section of REFERENCE.md: its number ("4.1"), title and Markdown body."""

    number: str
    title: str
    body: str

    @property
    def key(self) -> Key:
        return _key(self.number)

    @property
    def heading(self) -> str:
        return f"§{self.number} {self.title}"

    def markdown(self) -> str:
        """The section as a Markdown block with its own heading (for a Markdown widget)."""
        return f"### {self.heading}\n\n{self.body}".rstrip() + "\n"


def parse_sections(text: str) -> dict[str, Section]:
    """Split REFERENCE.md at its numbered ``##``/``###`` headings, keyed by number ("4", "4.1", "11.4")."""
    sections: dict[str, Section] = {}
    current: tuple[str, str] | None = None
    lines: list[str] = []
    in_fence = False

    def close() -> None:
        if current is not None:
            number, title = current
            body = "\n".join(lines).strip("\n")
            # The `---` rule that ends a chapter is layout, not part of its last section.
            body = re.sub(r"(?:\n\s*)*-{3,}\s*$", "", body).rstrip()
            sections.setdefault(number, Section(number, title, body))

    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence  # a "## " line inside a code block is not a heading
        match = None if in_fence else _HEADING.match(line)
        if match:
            hashes, number, title = match.groups()
            if number and len(hashes) >= 2:
                close()
                current, lines = (number, title), []
                continue
            if len(hashes) <= 2:
                # An unnumbered top heading ends the section before it; its text has no number.
                close()
                current, lines = None, []
                continue
        if current is not None:
            lines.append(line)
    close()
    return sections


def cited_ranges(cited: str) -> list[tuple[Key, Key]]:
    """The numbers and ranges a section string cites: "§1.2–1.3, §6.2" -> [((1,2),(1,3)), ((6,2),(6,2))]."""
    ranges = []
    for match in _CITED.finditer(cited):
        start = _key(match.group(1))
        end = _key(match.group(2)) if match.group(2) else start
        if len(end) < len(start):
            # "§4.6–8" is short for "§4.6–4.8" (only when that reading goes forwards).
            longer = start[: len(start) - len(end)] + end
            if longer >= start:
                end = longer
        ranges.append((start, end))
    return ranges


def _within(key: Key, start: Key, end: Key) -> bool:
    # A number covers its own sub-sections: "§7" is all of chapter 7, "§4.6–4.8" includes 4.8.x.
    return start <= key and (key <= end or key[: len(end)] == end)


class Reference:
    """REFERENCE.md's sections, and what a question's section string points to."""

    def __init__(self, sections: dict[str, Section]) -> None:
        self.sections = sections
        self._ordered = sorted(sections.values(), key=lambda s: s.key)

    def get(self, number: str) -> Section | None:
        return self.sections.get(number.lstrip("§").strip())

    def resolve(self, cited: str | None) -> list[Section]:
        """The sections a string like "§1.2–1.3, §6.2" names, in citation order, each once.

        Ranges expand over the sub-sections that exist; a number REFERENCE.md lacks adds nothing
        (see :meth:`unknown`), so an unknown section gives an empty list rather than an error.
        """
        found: list[Section] = []
        for start, end in cited_ranges(cited or ""):
            for section in self._ordered:
                if _within(section.key, start, end) and section not in found:
                    found.append(section)
        return found

    def unknown(self, cited: str | None) -> list[str]:
        """The numbers or ranges in `cited` that match no section of REFERENCE.md."""
        missing = []
        for start, end in cited_ranges(cited or ""):
            if not any(_within(s.key, start, end) for s in self._ordered):
                text = ".".join(map(str, start))
                missing.append(f"§{text}" if start == end else f"§{text}–{'.'.join(map(str, end))}")
        return missing


def reference_path() -> Path:
    """Where this install's REFERENCE.md is (the checkout's ``sources/`` or the wheel's copy)."""
    return sources_dir() / "clinical" / "REFERENCE.md"


@functools.cache
def _load(path: Path) -> Reference | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Reference(parse_sections(text))


def load_reference(path: Path | None = None) -> Reference | None:
    """REFERENCE.md parsed into sections (read once per path), or ``None`` when it cannot be read."""
    return _load(path or reference_path())
