"""The one reader of every YAML/JSON document the app accepts: answers files, flows, teaching cases,
the contract and coaching.

What it guarantees, whatever the file:

* **regular files only** — a directory, a FIFO, a socket or a device (``/dev/zero``) is refused
  with one line before anything is read, so nothing can hang or fill memory (the file is checked
  with ``stat``, opened non-blocking and checked again on the open descriptor);
* **a size limit** per kind of document (at most ``limit + 1`` bytes are ever read);
* **UTF-8 only** (a byte-order mark is allowed and dropped);
* **YAML 1.2 meaning, and nothing that YAML 1.1 would read otherwise**: plain ``true``/``false``
  are booleans, decimal digits are numbers, everything else is text — and a plain value that a
  YAML 1.1 reader would turn into something else (``36:00`` base 60, ``010`` / ``0o10`` octal,
  ``0x10`` hex, ``0b1`` binary, ``1_000``, ``yes``/``no``/``on``/``off``/``y``/``n``) is refused
  with a message naming the field and the value, so a number is never silently misread;
* **no duplicate keys** (the message names the key and both lines), no merge keys (``<<``), no tags
  other than the core ones (``!!python/object`` and friends are refused), at most one document;
* **bounded**: nesting at most :data:`MAX_DEPTH` deep; anchors and aliases refused where a kind of
  document does not need them (answers files) and their expansion counted elsewhere, so a
  "billion laughs" file is refused at once; every value shown in a message is cut to
  :data:`SHOW` characters (:func:`shorten`).

Errors are :class:`ReadError`, ``path:line: message``, one line. PyYAML is imported only when a
document is parsed: reading bytes (the flow cache's key) does not import it.
"""

from __future__ import annotations

import os
import re
import reprlib
import stat
from pathlib import Path
from typing import Any

#: Size limits, in bytes, per kind of document.
ANSWERS_LIMIT = 1 << 20
FLOW_LIMIT = 4 << 20
CASE_LIMIT = 1 << 20
CONTRACT_LIMIT = 1 << 20
COACHING_LIMIT = 1 << 20
#: How deep collections may nest in any document.
MAX_DEPTH = 64
#: The longest number a document may write (digits and signs).
MAX_NUMBER = 40
#: Characters of a value shown in an error message.
SHOW = 80


class ReadError(ValueError):
    """A document that cannot be used: ``path:line: message``, one line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, *, at: bool = True) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        #: for malformed YAML: the parser's own words, without the place
        self.syntax: str | None = None
        where = f"{self.path}:{line}" if line and at else self.path
        super().__init__(f"{where}: {message}")


# --- bounded text of a value --------------------------------------------------------------------

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOW
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = 6


def shorten(value: Any, limit: int = SHOW) -> str:
    """``repr`` of a value, cut to about ``limit`` characters whatever its size or sharing."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"<a number of about {int(value.bit_length() * 0.30103)} digits>"
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still shown as something
        text = f"<{type(value).__name__}>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB" if n >= 1 << 20 else f"{n} bytes"


# --- bytes --------------------------------------------------------------------------------------


def _kind_of(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bytes(path: Path | str, *, limit: int, kind: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Args:
        path: the file.
        limit: the largest size accepted, in bytes.
        kind: what the file is, for messages ("answers", "flow").

    Raises:
        ReadError: missing, unreadable, not a regular file, or too large.
    """
    name = str(path)
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise ReadError(name, f"no such {kind} file") from None
    except OSError as err:
        raise ReadError(name, f"cannot be read ({err.strerror})") from None
    a_kind = f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} file"
    what = _kind_of(st.st_mode)
    if what:
        raise ReadError(name, f"is {what}, not {a_kind}")
    too_big = f"is larger than {_size(limit)}, the limit for {a_kind}"
    if st.st_size > limit:
        raise ReadError(name, too_big)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except OSError as err:
        raise ReadError(name, f"cannot be read ({err.strerror})") from None
    try:
        what = _kind_of(os.fstat(fd).st_mode)  # replaced between stat and open
        if what:
            raise ReadError(name, f"is {what}, not {a_kind}")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise ReadError(name, f"cannot be read ({err.strerror})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limit:
        raise ReadError(name, too_big)
    return raw


def decode(path: Path | str, raw: bytes, kind: str) -> str:
    """UTF-8 text (a byte-order mark dropped).

    Raises:
        ReadError: not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ReadError(path, f"not UTF-8 text; the {kind} file must be YAML or JSON in UTF-8", line) from None


# --- YAML with one meaning ----------------------------------------------------------------------

_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = {".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
                  "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
                  "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
                  ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan")}
#: Plain values YAML 1.1 reads as something else than YAML 1.2 does: (pattern, what 1.1 sees, hint).
_AMBIGUOUS = [
    (re.compile(r"yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"),
     "a yes/no word that YAML 1.1 reads as a boolean", "write true or false"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"),
     "a base-60 number to YAML 1.1 (36:00 is 2160)", "write one plain number, e.g. 36"),
    (re.compile(r"[-+]?0[0-9_]+(?:\.[0-9_]*)?"),
     "an octal number to YAML 1.1 (010 is 8)", "write the number without leading zeros"),
    (re.compile(r"[-+]?0o[0-7_]+"), "an octal number", "write a decimal number"),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+"), "a hexadecimal number", "write a decimal number"),
    (re.compile(r"[-+]?0b[01_]+"), "a binary number", "write a decimal number"),
    (re.compile(r"[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?"),
     "a number with underscores to YAML 1.1 (1_000 is 1000)", "write the digits without underscores"),
]
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null")}


class _Frame:
    __slots__ = ("container", "key", "has_key", "lines", "line", "anchor", "size")

    def __init__(self, container: Any, line: int, anchor: str | None) -> None:
        self.container = container
        self.key: Any = None
        self.has_key = False
        self.lines: dict[Any, int] = {}
        self.line = line
        self.anchor = anchor
        self.size = 1


class _Builder:
    """Builds Python data from a YAML event stream, iteratively, with every check on the way."""

    def __init__(self, path: str, *, aliases: bool, budget: int, kind: str) -> None:
        self.path = path
        self.aliases = aliases
        self.budget = budget
        self.kind = kind
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int] | None] = {}
        self.nodes = 0
        self.root: Any = None
        self.documents = 0

    def fail(self, message: str, line: int | None) -> ReadError:
        return ReadError(self.path, message, line)

    def where(self) -> str:
        """The place being read: ``questions[4].when``, or ``the file``."""
        parts: list[str] = []
        for f in self.stack:
            if isinstance(f.container, list):
                parts.append(f"[{len(f.container)}]")
            elif f.has_key:
                parts.append(("." if parts else "") + (f.key if isinstance(f.key, str) else shorten(f.key, 40)))
            else:
                parts.append(("." if parts else "") + "(a key)")
                break
        text = "".join(parts)
        if not text:
            return "the document"
        return f"field {shorten(text, SHOW)}" if self.kind == "answers" else shorten(text, SHOW)

    def count(self, n: int, line: int) -> None:
        self.nodes += n
        if self.nodes > self.budget:
            raise self.fail(f"too many values once aliases are expanded (more than {self.budget}); "
                            "is this a 'billion laughs' document?", line)

    def run(self, events: Any) -> Any:
        import yaml

        for ev in events:
            line = ev.start_mark.line + 1 if ev.start_mark is not None else None
            if isinstance(ev, yaml.ScalarEvent):
                self.count(1, line)
                self.anchor(ev.anchor, line)
                value = self.scalar(ev, line)
                if ev.anchor:
                    self.anchors[ev.anchor] = (value, 1)
                self.put(value, line, 1, scalar=True, plain=bool(ev.implicit[0]) and ev.tag is None)
            elif isinstance(ev, yaml.AliasEvent):
                if not self.aliases:
                    raise self.fail(f"{self.where()}: aliases (*{ev.anchor[:40]}) are not allowed "
                                    f"in this {self.kind} file; write the value out", line)
                target = self.anchors.get(ev.anchor, False)
                if target is False:
                    raise self.fail(f"{self.where()}: unknown alias *{ev.anchor[:40]}", line)
                if target is None:
                    raise self.fail(f"{self.where()}: alias *{ev.anchor[:40]} refers to itself", line)
                value, size = target
                self.count(size, line)
                self.put(value, line, size, scalar=not isinstance(value, dict | list), plain=False)
            elif isinstance(ev, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                self.count(1, line)
                self.anchor(ev.anchor, line)
                if ev.tag not in (None, "!", f"{_CORE}seq", f"{_CORE}map"):
                    raise self.fail(f"{self.where()}: the tag {shorten(ev.tag, 40)} is not allowed", line)
                if len(self.stack) >= MAX_DEPTH:
                    raise self.fail(f"{self.where()}: nested more than {MAX_DEPTH} levels deep", line)
                if self.stack and isinstance(self.stack[-1].container, dict) and not self.stack[-1].has_key:
                    raise self.fail(f"{self.where()}: a key must be a plain value, not a list or mapping", line)
                container: Any = [] if isinstance(ev, yaml.SequenceStartEvent) else {}
                if ev.anchor:
                    self.anchors[ev.anchor] = None  # open: an alias to it now would recurse
                self.stack.append(_Frame(container, line, ev.anchor))
            elif isinstance(ev, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = self.stack.pop()
                if frame.anchor:
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                self.put(frame.container, frame.line, frame.size, scalar=False, plain=False)
            elif isinstance(ev, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(f"more than one YAML document (a second '---'); this {self.kind} file "
                                    "may hold one", line)
        return self.root

    def anchor(self, name: str | None, line: int) -> None:
        if name and not self.aliases:
            raise self.fail(f"{self.where()}: anchors (&{name[:40]}) are not allowed in this "
                            f"{self.kind} file; write each value out", line)

    def put(self, value: Any, line: int, size: int, *, scalar: bool, plain: bool) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.size += size
        if isinstance(top.container, list):
            top.container.append(value)
            return
        if not top.has_key:
            if not scalar:
                raise self.fail(f"{self.where()}: a key must be a plain value, not a list or mapping", line)
            if plain and value == "<<":
                raise self.fail(f"{self.where()}: merge keys (<<) are not supported; write the keys out", line)
            if value in top.lines:
                raise self.fail(f"duplicate key {shorten(value)} (lines {top.lines[value]} and {line}); "
                                "each key may be given once", line)
            top.key, top.has_key = value, True
            top.lines[value] = line
            return
        top.container[top.key] = value
        top.key, top.has_key = None, False

    def scalar(self, ev: Any, line: int) -> Any:
        value: str = ev.value
        tag = ev.tag
        if tag in (None, "!"):
            if not (tag is None and ev.implicit[0]):
                return value  # quoted, or the non-specific tag: text
            return self.plain(value, line)
        if tag not in _SCALAR_TAGS:
            raise self.fail(f"{self.where()}: the tag {shorten(tag, 40)} is not allowed", line)
        if tag == f"{_CORE}str":
            return value
        resolved = self.plain(value, line)
        expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[tag[len(_CORE):]]
        if not isinstance(resolved, expected) or (tag.endswith(("int", "float")) and isinstance(resolved, bool)):
            raise self.fail(f"{self.where()}: {shorten(value)} is not a valid {tag[len(_CORE):]}", line)
        return float(resolved) if tag.endswith("float") else resolved

    def plain(self, value: str, line: int) -> Any:
        """A plain scalar's value under YAML 1.2's core schema; YAML 1.1-only forms refused."""
        if len(value) <= 5:
            if _NULL.fullmatch(value):
                return None
            if _TRUE.fullmatch(value):
                return True
            if _FALSE.fullmatch(value):
                return False
        first = value[:1]
        if not first or not (first.isdigit() or first in "-+.yYnNoO"):
            return value
        if _INT.fullmatch(value) and not re.fullmatch(r"[-+]?0[0-9]+", value):
            if len(value) > MAX_NUMBER:
                raise self.fail(f"{self.where()}: a number of {len(value)} characters "
                                f"(at most {MAX_NUMBER})", line)
            return int(value)
        if _FLOAT.fullmatch(value) and not re.match(r"[-+]?0[0-9]", value) and any(
                c.isdigit() for c in value):
            if len(value) > MAX_NUMBER:
                raise self.fail(f"{self.where()}: a number of {len(value)} characters "
                                f"(at most {MAX_NUMBER})", line)
            return float(value)
        if value in _SPECIAL_FLOAT:
            return _SPECIAL_FLOAT[value]
        if self.kind == "answers" and value in ("y", "Y", "n", "N"):
            # YAML 1.1 lists y/n as booleans too (PyYAML did not): in an answers file, never a guess.
            raise self.fail(f"{self.where()}: {shorten(value)} is ambiguous: it is a yes/no letter that "
                            "YAML 1.1 reads as a boolean; write true or false, or quote it (\"...\") if text "
                            "is meant", line)
        for pattern, reading, hint in _AMBIGUOUS:
            if pattern.fullmatch(value) and any(c.isalnum() for c in value):
                raise self.fail(
                    f"{self.where()}: {shorten(value)} is ambiguous: it is {reading}; "
                    f"{hint}, or quote it (\"...\") if text is meant", line)
        return value


def parse_yaml(path: Path | str, text: str, *, kind: str, aliases: bool = True) -> Any:
    """The data of one YAML (or JSON) document, read as described in this module's docstring.

    Raises:
        ReadError: malformed, ambiguous, duplicated, too deep or too large once expanded.
    """
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    loader = loader_class(text)
    builder = _Builder(str(path), aliases=aliases, budget=len(text) + 10_000, kind=kind)

    def events() -> Any:
        while loader.check_event():
            yield loader.get_event()

    try:
        return builder.run(events())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or (str(err).splitlines() or ["syntax error"])[0]
        context = getattr(err, "context", None)
        line = mark.line + 1 if mark else None
        message = f"malformed YAML/JSON{f' at line {line}' if line else ''}: {problem}"
        message += f" ({context})" if context else ""
        error = ReadError(path, message[:300], line, at=False)
        error.syntax = (problem + (f" ({context})" if context else ""))[:300]
        raise error from None
    finally:
        loader.dispose()


def read_yaml(path: Path | str, *, limit: int, kind: str, aliases: bool = True,
              raw: bytes | None = None) -> Any:
    """Read and parse one document file (``raw``: its bytes, when already read).

    Raises:
        ReadError: see :func:`read_bytes`, :func:`decode` and :func:`parse_yaml`.
    """
    if raw is None:
        raw = read_bytes(path, limit=limit, kind=kind)
    return parse_yaml(path, decode(path, raw, kind), kind=kind, aliases=aliases)


def read_answers(path: Path | str) -> dict[str, Any]:
    """An answers file: a mapping of field id to value, 1 MiB at most, no anchors or aliases.

    Raises:
        ReadError: one clear line for each way it can be wrong.
    """
    raw = read_bytes(path, limit=ANSWERS_LIMIT, kind="answers")
    text = decode(path, raw, "answers")
    if not text.strip():
        raise ReadError(path, "the answers file is empty; expected a mapping of field id to value")
    data = parse_yaml(path, text, kind="answers", aliases=False)
    if data is None:
        raise ReadError(path, "the answers file is empty; expected a mapping of field id to value")
    if not isinstance(data, dict):
        raise ReadError(path, f"expected a mapping of field id to value, found a {type(data).__name__}")
    return data
