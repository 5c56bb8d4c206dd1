"""Read a flow file, validate it and bind every expression once: YAML -> :class:`LoadedFlow`.

Errors name the file, the line and the node (``flows/x.yaml:120: questions[4] (frankel): …``) and
never carry a traceback. A flow that loads is one whose every condition parses, whose every name
resolves, whose questions only look back (never at a later answer) and whose derived values and
scores have no cycle.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interview.flow import expr as ex
from interview.flow.model import (
    CASE_MOMENTS,
    Advice,
    Alert,
    ChoiceQuestion,
    Derived,
    Flag,
    Flow,
    IntQuestion,
    NumberQuestion,
    PointsScore,
    Question,
    Rule,
    Score,
    SummaryScore,
    UrgencyLevel,
    ValueScore,
)

# PyYAML is imported where a file is parsed: a flow served from the cache is never parsed.
if TYPE_CHECKING:
    import yaml

DEFAULT_FLOW = "spinal_metastases"
#: Names every recommendation-time expression (flags, urgency, advice) may also use.
DECISION_NAMES = ("headline", "rule")
#: The consistency pairs may also read the urgency level, decided after the flags.
CONSISTENCY_NAME = "urgency"
#: The most items a list of a flow may hold (questions, options, rules, …), and entries a mapping
#: (references, tables): with the 4 MiB file limit, what keeps `check` on any flow within seconds.
MAX_ITEMS = 1000
MAX_ENTRIES = 5000
#: The longest error message a flow can cause, in characters.
MAX_MESSAGE = 500
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)\}")


class FlowError(Exception):
    """A flow file that cannot be used, with where and why."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, node: str | None = None):
        self.path = str(path)
        self.line = line
        # Bounded, whatever a flow holds: a message names values, and a value may be megabytes.
        self.message = message = message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
        node = node if node is None or len(node) <= 120 else node[:119] + "…"
        self.node = node
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {node + ': ' if node else ''}{message}")


def flows_dir() -> Path:
    """Where the shipped flows live: the checkout's ``flows/`` or the copy inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "flows", here / "_flows"):
        if candidate.is_dir():
            return candidate
    return here.parent / "flows"


def sources_dir() -> Path:
    """Where the project's copy of its upstream sources lives (contract and REFERENCE).

    The checkout's ``sources/`` or the copy inside the wheel: the app never reads ``../shared``.
    """
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "sources", here / "_sources"):
        if candidate.is_dir():
            return candidate
    return here.parent / "sources"


def resolve_flow(name_or_path: str | Path | None = None) -> Path:
    """A flow given by path, or by id among the shipped flows (default: the spinal flow)."""
    if name_or_path is None:
        return flows_dir() / f"{DEFAULT_FLOW}.yaml"
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        return path
    return flows_dir() / f"{name_or_path}.yaml"


# --- the loaded, bound flow ----------------------------------------------------------------------


@dataclass
class Template:
    """A text with ``{name}`` placeholders, filled from the evaluation environment."""

    text: str
    parts: dict[str, ex.Expression] = field(default_factory=dict)

    def render(self, env: Mapping[str, Any]) -> str:
        if not self.parts:
            return self.text
        return _PLACEHOLDER.sub(lambda m: _show(self.parts[m.group(1)](env)), self.text)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


@dataclass
class BoundQuestion:
    """A question with its conditions compiled and its position in the flow."""

    model: Question
    index: int
    when: ex.Expression | None
    default: ex.Expression | None
    #: the questions the condition rests on, directly or through derived values and scores
    when_inputs: frozenset[str] = frozenset()
    #: a value pre-selected in the interview only (never filled into an answers file's case)
    proposal: ex.Expression | None = None

    @property
    def id(self) -> str:
        return self.model.id


#: Where a node is written in its flow file, as the loader names it in errors:
#: ``("rules", 3, "when")``, ``("scores", 1, "items", 0, "cases", 2, "when")``.
Location = tuple[str | int, ...]


def _source_of(owner: Any, tag: str) -> str:
    """The expression text of a node's field: ``when`` (or a derived value's ``expr``) by default,
    ``value``, ``requires`` or ``expr`` by name, or one of a summary score's ``fields``."""
    state = owner.__dict__
    if not tag:
        return state.get("when") or state["expr"]
    if tag in ("value", "requires", "expr"):
        return state[tag]
    return state["fields"][tag]


@dataclass
class LoadedFlow:
    """A validated flow with every expression bound: what the engine runs.

    Bound expressions and templates are kept by their place in the flow file (``conditions``,
    ``templates``): plain data that pickles as it is. An expression is a function of its text (and
    the flow's tables), so :meth:`cond` and :meth:`template` find one by the text a node holds.
    """

    model: Flow
    path: Path
    sha256: str
    questions: list[BoundQuestion]
    conditions: dict[Location, ex.Expression]
    templates: dict[Location, Template]
    #: the names each derived value and score reads (every branch), from binding
    depends_on: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        #: the flow's own id and version: what the store, the reports and the cache name it by
        self.id: str = self.model.id
        self.version: str = self.model.version

    def answers_behind(self, names: Iterable[str]) -> frozenset[str]:
        """The questions some names rest on, directly or through derived values and scores."""
        out: set[str] = set()
        for name in names:
            out |= _closure(name, self.depends_on)
        return frozenset(out & set(self.by_id))

    @cached_property
    def by_id(self) -> dict[str, BoundQuestion]:
        return {q.id: q for q in self.questions}

    @cached_property
    def derived(self) -> dict[str, Derived]:
        return {d.id: d for d in self.model.derived}

    @cached_property
    def scores(self) -> dict[str, Score]:
        return {s.id: s for s in self.model.scores}

    @cached_property
    def _by_source(self) -> dict[str, ex.Expression]:
        return {e.source: e for e in self.conditions.values()}

    @cached_property
    def _by_text(self) -> dict[str, Template]:
        return {t.text: t for t in self.templates.values()}

    def cond(self, owner: object, tag: str = "") -> ex.Expression:
        """The bound expression of a model node's field (see :func:`_source_of` for ``tag``)."""
        return self._by_source[_source_of(owner, tag)]

    def template(self, text: str) -> Template:
        """The bound template of a text a node holds (a rule's ``because``, an advice's ``text``)."""
        return self._by_text[text]


# --- YAML with line numbers ----------------------------------------------------------------------


def _read(path: Path) -> bytes:
    """A flow file's bytes: a regular file of at most 4 MiB (:mod:`interview.files.reading`)."""
    from interview.files.reading import FLOW_LIMIT, ReadError, read_bytes

    try:
        return read_bytes(path, limit=FLOW_LIMIT, kind="flow")
    except ReadError as err:
        raise FlowError(path, err.message) from None


def _read_yaml(path: Path, raw: bytes | None = None) -> tuple[Any, str]:
    """A flow's data and the sha256 of its bytes, read by the app's one reader."""
    from interview.files.reading import FLOW_LIMIT, ReadError, read_yaml

    if raw is None:
        raw = _read(path)
    try:
        data = read_yaml(path, limit=FLOW_LIMIT, kind="flow", raw=raw)
    except ReadError as err:
        message = f"not valid YAML: {err.syntax}" if err.syntax else err.message
        raise FlowError(path, message, line=err.line) from None
    return data, hashlib.sha256(raw).hexdigest()


def _check_sizes(path: Path, data: Any) -> None:
    """Refuse a list longer than :data:`MAX_ITEMS` or a mapping larger than :data:`MAX_ENTRIES`."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, list):
            if len(node) > MAX_ITEMS:
                raise FlowError(path, f"{len(node)} items (at most {MAX_ITEMS} in a list)", line_of(path, loc),
                                _node_name(data, loc) if len(loc) > 1 else ".".join(map(str, loc)) or None)
            stack.extend((v, (*loc, i)) for i, v in enumerate(node))
        elif isinstance(node, dict):
            if len(node) > MAX_ENTRIES:
                raise FlowError(path, f"{len(node)} entries (at most {MAX_ENTRIES} in a mapping)",
                                line_of(path, loc), ".".join(map(str, loc)) or None)
            stack.extend((v, (*loc, k)) for k, v in node.items())


def compose(path: Path) -> yaml.Node | None:
    """The YAML node tree of a file (for line numbers), or ``None`` if it cannot be read.

    Only for a file the reader accepted (so its nesting is bounded); the node tree keeps where each
    node is written, which the data does not.
    """
    import yaml

    from interview.files.reading import FLOW_LIMIT, ReadError, decode, read_bytes

    try:
        text = decode(path, read_bytes(path, limit=FLOW_LIMIT, kind="flow"), "flow")
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader)
    except (ReadError, yaml.YAMLError, RecursionError):
        return None


def node_line(root: yaml.Node | None, loc: Iterable[Any]) -> int | None:
    """The 1-based line of the node at a location (``("questions", 4, "when")``) in a node tree."""
    if root is None:
        return None
    import yaml

    node, line = root, root.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if match is None:
                # pydantic adds the discriminator tag ("choice") to the location: skip it.
                continue
            # A mapping entry is where its key is written, not where its value starts.
            line, node = match[0].start_mark.line + 1, match[1]
            continue
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return line


def line_of(path: Path, loc: Iterable[Any]) -> int | None:
    """The 1-based line of a node given its pydantic error location."""
    return node_line(compose(path), loc)


def _node_name(data: Any, loc: tuple[Any, ...]) -> str | None:
    """A readable name for the node an error is in: ``questions[4] (frankel)``."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        section, index = loc[0], loc[1]
        name = f"{section}[{index}]"
        try:
            item = data[section][index]
            if isinstance(item, dict) and "id" in item:
                name += f" ({item['id']})"
        except (KeyError, IndexError, TypeError):
            pass
        return name
    return str(loc[0]) if loc else None


# --- binding -------------------------------------------------------------------------------------


class _Binder:
    """Parses and binds every expression of a flow, collecting the first error with its place."""

    def __init__(self, flow: Flow, path: Path, data: Any) -> None:
        self.flow = flow
        self.path = path
        self.data = data
        self.conditions: dict[Location, ex.Expression] = {}
        self.templates: dict[Location, Template] = {}
        self.tables = flow.tables

    def fail(self, loc: tuple[Any, ...], message: str) -> FlowError:
        return FlowError(self.path, message, line_of(self.path, loc), _node_name(self.data, loc))

    def bind(
        self, owner: object | None, source: str, known: Mapping[str, Any] | set[str], loc: tuple[Any, ...],
    ) -> ex.Expression:
        """Parse and bind one expression; a node's (``owner``) is kept under its place in the file."""
        try:
            expression = ex.parse(source)
            ex.bind(expression, known, self.tables)
        except ex.ExprError as err:
            from interview.files.reading import shorten

            raise self.fail(loc, f"in {shorten(source)}: {err}") from None
        if owner is not None:
            self.conditions[loc] = expression
        return expression

    def template(self, text: str, known: set[str], loc: tuple[Any, ...]) -> None:
        parts: dict[str, ex.Expression] = {}
        for name in _PLACEHOLDER.findall(text):
            try:
                expression = ex.parse(name)
                ex.bind(expression, known, self.tables)
            except ex.ExprError as err:
                raise self.fail(loc, f"placeholder {{{name[:80]}}}: {err}") from None
            parts[name] = expression
        self.templates[loc] = Template(text, parts)


def _unique(binder: _Binder, items: list[Any], section: str, key: str = "id") -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise binder.fail((section, i, key), f"{key} {value!r} is used twice")
        seen.add(value)


def _check_refs(binder: _Binder, owner: Any, loc: tuple[Any, ...]) -> None:
    for ref in getattr(owner, "refs", []) or []:
        if ref not in binder.flow.references:
            raise binder.fail((*loc, "refs"), f"unknown reference id {ref!r}")


def bind_flow(flow: Flow, path: Path, data: Any, sha256: str) -> LoadedFlow:
    """Bind every expression of a validated flow; check ids, references and dependency order.

    Raises:
        FlowError: naming the node, the line and what is wrong.
    """
    b = _Binder(flow, path, data)
    _unique(b, flow.questions, "questions")
    _unique(b, flow.phases, "phases")
    _unique(b, flow.derived, "derived")
    _unique(b, flow.scores, "scores")
    _unique(b, flow.rules, "rules")
    _unique(b, flow.flags, "flags")
    _unique(b, flow.advice, "advice")
    _unique(b, flow.alerts, "alerts")

    question_ids = [q.id for q in flow.questions]
    computed_ids = [d.id for d in flow.derived] + [s.id for s in flow.scores]
    clash = sorted(set(question_ids) & set(computed_ids)) or sorted(
        {n for n in computed_ids if computed_ids.count(n) > 1}
    )
    if clash:
        raise FlowError(path, f"name {clash[0]!r} is used by more than one question, derived value or score")
    for i, q in enumerate(flow.questions):
        if q.id in RESERVED_STATES:
            raise b.fail(("questions", i, "id"), f"the id {q.id!r} is reserved for the interview's own states "
                                                 f"({', '.join(RESERVED_STATES)})")
    phases = {p.id for p in flow.phases}
    every_name = set(question_ids) | set(computed_ids)

    # Derived values and scores may read any answer and each other (cycles are checked below).
    deps: dict[str, set[str]] = {}
    for i, d in enumerate(flow.derived):
        deps[d.id] = _bind_derived(b, d, every_name, ("derived", i))
        _check_refs(b, d, ("derived", i))
    for i, s in enumerate(flow.scores):
        deps[s.id] = _bind_score(b, s, every_name, ("scores", i))
        _check_refs(b, s, ("scores", i))
    order = _check_acyclic(path, deps)

    # A question's condition and proposed default may only look back: at earlier answers, or at
    # derived values that themselves rest on earlier answers only.
    bound: list[BoundQuestion] = []
    earlier: set[str] = set()
    for i, q in enumerate(flow.questions):
        loc = ("questions", i)
        if q.phase not in phases:
            raise b.fail((*loc, "phase"), f"unknown phase {q.phase!r} (phases: {', '.join(sorted(phases))})")
        _check_refs(b, q, loc)
        visible = earlier | {n for n in computed_ids if _closure(n, deps) <= earlier}
        when = b.bind(None, q.when, every_name, (*loc, "when")) if q.when else None
        default = b.bind(None, q.default, every_name, (*loc, "default")) if q.default else None
        proposal = b.bind(None, q.proposal, every_name, (*loc, "proposal")) if q.proposal else None
        for expression, key in ((when, "when"), (default, "default"), (proposal, "proposal")):
            if expression is None:
                continue
            later = sorted(expression.names - visible)
            if later:
                raise b.fail((*loc, key), f"{key} uses {later[0]!r}, which is not known before this question")
        unknown_cb = [c for c in q.on_enter if c not in ENGINE_CALLBACKS]
        if unknown_cb:
            raise b.fail((*loc, "on_enter"), f"unknown callback {unknown_cb[0]!r} (allowed: {', '.join(sorted(ENGINE_CALLBACKS))})")
        _check_question_values(b, q, loc)
        inputs = frozenset().union(*(_closure(n, deps) for n in when.names)) if when else frozenset()
        bound.append(BoundQuestion(q, i, when, default, inputs & earlier, proposal))
        earlier.add(q.id)

    decision = every_name | set(DECISION_NAMES)
    headlines = set(flow.headlines)
    for i, r in enumerate(flow.rules):
        loc = ("rules", i)
        if r.when:
            b.bind(r, r.when, every_name, (*loc, "when"))
        if r.headline not in headlines:
            raise b.fail((*loc, "headline"), f"unknown headline {r.headline!r}")
        b.template(r.because, every_name, (*loc, "because"))
        _check_refs(b, r, loc)
    if flow.rules[-1].when is not None:
        raise b.fail(("rules", len(flow.rules) - 1), "the last rule must have no `when`, so that every case gets a headline")
    for section, items in (("flags", flow.flags), ("urgency", flow.urgency), ("advice", flow.advice)):
        for i, item in enumerate(items):
            loc = (section, i)
            if item.when:
                b.bind(item, item.when, decision, (*loc, "when"))
            field_name = "text" if getattr(item, "text", None) else "because"
            b.template(getattr(item, field_name, None) or "", decision, (*loc, field_name))
            _check_refs(b, item, loc)
    if flow.urgency[-1].when is not None:
        raise b.fail(("urgency", len(flow.urgency) - 1), "the last urgency level must have no `when`")
    statement_ids = {f.id for f in flow.flags} | {a.id for a in flow.advice}
    for i, pair in enumerate(flow.consistency):
        loc = ("consistency", i)
        b.bind(pair, pair.when, decision | {CONSISTENCY_NAME}, (*loc, "when"))
        for j, forbidden in enumerate(pair.forbids):
            if forbidden not in statement_ids:
                raise b.fail((*loc, "forbids", j), f"unknown flag or advice {forbidden!r}")
    for i, a in enumerate(flow.alerts):
        loc = ("alerts", i)
        if a.after not in flow_ids(flow):
            raise b.fail((*loc, "after"), f"unknown question {a.after!r}")
        b.bind(a, a.when, every_name, (*loc, "when"))
        _check_refs(b, a, loc)
    marks = _check_clock(b, flow)  # before the handover: its lines and items name the clock's events
    if flow.handover is not None:  # flow-only questions asked after the recommendation (never on its path)
        for i, q in enumerate(flow.handover.questions):
            loc = ("handover", "questions", i)
            if q.id in every_name or any(o.id == q.id for o in flow.handover.questions[:i]):
                raise b.fail((*loc, "id"), f"id {q.id!r} is used twice")
            if q.when:
                b.bind(q, q.when, decision | {CONSISTENCY_NAME}, (*loc, "when"))
            _check_refs(b, q, loc)
            _check_question_values(b, q, loc)
        handover_ids = {q.id for q in flow.handover.questions}
        for i, item in enumerate(flow.handover.items):
            loc = ("handover", "items", i)
            if any(o.id == item.id for o in flow.handover.items[:i]):
                raise b.fail((*loc, "id"), f"id {item.id!r} is used twice")
            if item.question is not None and item.question not in handover_ids:
                raise b.fail((*loc, "question"), f"unknown handover question {item.question!r}")
            for key in ("case_answer", "needs"):
                name = getattr(item, key)
                if name is not None and name not in every_name:
                    raise b.fail((*loc, key), f"unknown question or derived value {name!r}")
        for section in ("situation", "background", "assessment"):
            for i, line in enumerate(getattr(flow.handover, section)):
                loc = ("handover", section, i)
                if line.question is not None and line.question not in question_ids:
                    raise b.fail((*loc, "question"), f"unknown question {line.question!r}")
                if line.handover_answer is not None and line.handover_answer not in handover_ids:
                    raise b.fail((*loc, "handover_answer"), f"unknown handover question {line.handover_answer!r}")
                if line.event is not None and line.event not in marks:
                    raise b.fail((*loc, "event"), f"unknown clock event {line.event!r} "
                                                  f"(allowed: {', '.join(marks) or 'none: the flow has no `clock`'})")
                if line.when:
                    b.bind(line, line.when, decision | {CONSISTENCY_NAME}, (*loc, "when"))
    del order
    return LoadedFlow(flow, path, sha256, bound, b.conditions, b.templates, deps)


def _check_clock(b: _Binder, flow: Flow) -> list[str]:
    """Every clock name the flow uses is one its `clock` declares: the timers' moments and events, and
    the handover items' events (a wrong one would never be met, and the deadline never shown as done).

    Returns every name a case's clock may hold (:meth:`Clock.marks`), for the handover lines' check.
    """
    clock = flow.clock
    if clock is not None:
        for i, event in enumerate(clock.events):
            if event.id in CASE_MOMENTS or any(o.id == event.id for o in clock.events[:i]):
                raise b.fail(("clock", "events", i, "id"), f"id {event.id!r} is used twice (or is a case moment: "
                                                           f"{', '.join(CASE_MOMENTS)})")
        onset = clock.onset_question
        asked = flow_question(flow, onset) if onset is not None else None
        if onset is not None and not (isinstance(asked, IntQuestion | NumberQuestion) and asked.unit == "h"):
            # Its answer, in hours, is subtracted from the time it was given: any other number (an age)
            # would date an onset that never was, and every deadline from it.
            raise b.fail(("clock", "onset_question"), f"{onset!r} is not a number question in hours (unit: h)")
    events = clock.event_words() if clock else {}
    moments = clock.moment_words() if clock else {}
    for i, advice in enumerate(flow.advice):
        if advice.timer is None:
            continue
        loc = ("advice", i, "timer")
        if clock is None:
            raise b.fail(loc, "a timer needs the flow's `clock`: the events that meet it")
        if advice.timer.after not in moments:
            raise b.fail((*loc, "after"), f"unknown moment {advice.timer.after!r} (allowed: {', '.join(moments)})")
        if advice.timer.done_by not in events:
            raise b.fail((*loc, "done_by"), f"unknown clock event {advice.timer.done_by!r} "
                                             f"(allowed: {', '.join(events)})")
    marks = clock.marks() if clock else []
    for i, item in enumerate(flow.handover.items if flow.handover else ()):
        loc = ("handover", "items", i)
        if item.event is not None and item.event not in marks:
            allowed = ", ".join(marks) or "none: the flow has no `clock`"
            raise b.fail((*loc, "event"), f"unknown clock event {item.event!r} (allowed: {allowed})")
        if item.question is None and item.event is not None:
            # Held by a clock event alone: it must be one a doctor can record, and say when it is asked.
            if item.event not in events:
                raise b.fail((*loc, "event"), f"{item.event!r} is a moment of the case, not an event a doctor "
                                              f"records; give a `question` too (events: {', '.join(events)})")
            if item.needs is None:
                raise b.fail(loc, "an item held by a clock event alone needs `needs`: when it is asked")
    return marks


def flow_question(flow: Flow, question_id: str) -> Question | None:
    return next((q for q in flow.questions if q.id == question_id), None)


def flow_ids(flow: Flow) -> set[str]:
    return {q.id for q in flow.questions}


def _check_question_values(b: _Binder, q: Question, loc: tuple[Any, ...]) -> None:
    if isinstance(q, ChoiceQuestion):
        for j, o in enumerate(q.options):
            if isinstance(o.points, dict):
                for score_id in o.points:
                    if score_id not in {s.id for s in b.flow.scores}:
                        raise b.fail((*loc, "options", j, "points"), f"points for unknown score {score_id!r}")


def _bind_derived(b: _Binder, d: Derived, names: set[str], loc: tuple[Any, ...]) -> set[str]:
    used: set[str] = set()
    if d.expr is not None:
        used |= b.bind(d, d.expr, names, (*loc, "expr")).names
    if d.cases is not None:
        for j, case in enumerate(d.cases):
            if case.when:
                used |= b.bind(case, case.when, names, (*loc, "cases", j, "when")).names
            used |= b.bind(case, case.value, names, (*loc, "cases", j, "value")).names
    if d.ranges_of is not None:
        if d.ranges_of not in names:
            raise b.fail((*loc, "ranges_of"), f"unknown name {d.ranges_of!r}")
        used.add(d.ranges_of)
    return used


def _bind_score(b: _Binder, s: Score, names: set[str], loc: tuple[Any, ...]) -> set[str]:
    used: set[str] = set()
    if s.requires:
        used |= b.bind(s, s.requires, names, (*loc, "requires")).names
    if isinstance(s, PointsScore):
        for j, item in enumerate(s.items):
            iloc = (*loc, "items", j)
            for key in ("points_from", "lookup_of", "ranges_of"):
                name = getattr(item, key)
                if name is None:
                    continue
                if name not in names:
                    raise b.fail((*iloc, key), f"unknown name {name!r}")
                used.add(name)
            if item.points_from is not None:
                q = next((q for q in b.flow.questions if q.id == item.points_from), None)
                if not isinstance(q, ChoiceQuestion):
                    raise b.fail((*iloc, "points_from"), f"{item.points_from!r} is not a choice question")
                for o in q.options:
                    p = o.points.get(s.id) if isinstance(o.points, dict) else o.points
                    if p is None:
                        raise b.fail((*iloc, "points_from"), f"option {o.value!r} of {q.id!r} has no points for {s.id!r}")
            for name in item.needs:
                if name not in names:
                    raise b.fail((*iloc, "needs"), f"unknown name {name!r}")
                used.add(name)
            for k, case in enumerate(item.cases or []):
                if case.when:
                    used |= b.bind(case, case.when, names, (*iloc, "cases", k, "when")).names
    elif isinstance(s, SummaryScore):
        for key, source in s.fields.items():
            used |= b.bind(s, source, names, (*loc, "fields", key)).names
    elif isinstance(s, ValueScore):
        used |= b.bind(s, s.expr, names, (*loc, "expr")).names
    used.discard(s.id)
    return used


def _closure(name: str, deps: Mapping[str, set[str]]) -> set[str]:
    """Every answer a derived value or score rests on, through other derived values."""
    seen: set[str] = set()
    answers: set[str] = set()
    stack = [name]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in deps:
            stack.extend(deps[n])
        else:
            answers.add(n)
    return answers


def _check_acyclic(path: Path, deps: Mapping[str, set[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n: str, trail: list[str]) -> None:
        if state.get(n) == 2 or n not in deps:
            return
        if state.get(n) == 1:
            cycle = " -> ".join([*trail[trail.index(n):], n])
            raise FlowError(path, f"derived values and scores form a cycle: {cycle}")
        state[n] = 1
        for m in sorted(deps[n]):
            visit(m, [*trail, n])
        state[n] = 2
        order.append(n)

    for n in deps:
        visit(n, [])
    return order


#: Callback names a flow may attach to a question's `on_enter`; the engine maps them to methods.
ENGINE_CALLBACKS = frozenset({"propose_default"})
#: The state machine's own states before the first question and after the last: no question may
#: take these ids.
RESERVED_STATES = ("start", "done")


def load_flow(name_or_path: str | Path | None = None, *, cache: bool = True) -> LoadedFlow:
    """Load, validate and bind a flow.

    A flow file that validated before, unchanged and with the same code, comes from the disk cache
    of :mod:`interview.flow.cache`; any other is parsed, validated and bound, then cached.

    Args:
        name_or_path: a path to a flow file, or the id of a shipped flow; default the spinal flow.
        cache: use and fill the cache of validated flows (``False``: always validate, never store).

    Raises:
        FlowError: one clear message naming the file, line and node.
    """
    from interview.flow import cache as flow_cache

    path = resolve_flow(name_or_path)
    raw = _read(path)
    if cache:
        cached = flow_cache.load(path, raw)
        if cached is not None:
            return cached
    loaded = _validate(path, raw)
    if cache:
        flow_cache.store(path, raw, loaded)
    return loaded


def _validate(path: Path, raw: bytes) -> LoadedFlow:
    data, sha = _read_yaml(path, raw)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}, not a mapping"
        raise FlowError(path, f"the flow file is {kind}")
    _check_sizes(path, data)
    from interview.flow.schema import SchemaError, validate_flow  # pydantic: only for a fresh read

    try:
        flow = validate_flow(data)
    except SchemaError as err:
        raise FlowError(path, str(err), line_of(path, err.loc), _node_name(data, err.loc)) from None
    return bind_flow(flow, path, data, sha)


__all__ = [
    "Advice", "Alert", "BoundQuestion", "DEFAULT_FLOW", "Flag", "FlowError", "LoadedFlow", "Rule",
    "Template", "UrgencyLevel", "flows_dir", "load_flow", "resolve_flow",
]
