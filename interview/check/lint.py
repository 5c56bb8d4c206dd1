"""`spine-interview check`: lint flow files for errors, unreachable nodes, dead ends and contract drift.

A flow is checked in three steps:

1. **Loading** (:func:`interview.flow.load.load_flow`): schema, names in conditions, reference ids,
   derived/score cycles and questions that look forward. The first such error becomes a finding.
2. **Exploration** (:func:`explore`): thousands of seeded random walks through the flow, answering
   every question from its domain (all options, yes/no, numeric bounds and every number the flow's
   expressions and ranges mention, ±1 and ±0.5 around it). Complete cases are evaluated with the
   engine's own :func:`~interview.engine.rules.recommend`. Anything never seen is reported as
   unreachable (*in N sampled cases*: sampling is evidence, not proof); any case that ends without a
   recommendation is a dead end; a rule that fires reading a question that was never asked and has
   no `otherwise`, or a points score whose `requires` holds but whose total stays null, is reported.
3. **Contract** (spinal flow only): every field of the case contract's ``case_fields.yaml`` must be
   asked with the same id, type, value set, range, `otherwise` and `when`.

Findings print as ``file:line: node: message``, then one summary line. Exit codes: 0 clean,
1 findings (a missing or unreadable flow file is a finding too, like any other broken flow),
2 usage errors (an explicit ``--contract`` file that cannot be read, no flows to check).
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview.engine.values import NOT_KNOWN
from interview.flow import expr as ex
from interview.flow.load import (
    DEFAULT_FLOW,
    FlowError,
    LoadedFlow,
    compose,
    flows_dir,
    load_flow,
    node_line,
    resolve_flow,
    sources_dir,
)
from interview.flow.model import (
    BoolQuestion,
    ChoiceQuestion,
    IntQuestion,
    NumberQuestion,
    PointsScore,
    Question,
    TextQuestion,
)

#: Walks per flow: the shipped flow needs about 2000 (10 seeds tried); 4000 leaves a margin, ~1.5 s CPU.
DEFAULT_SAMPLES = 4000
DEFAULT_SEED = 20240611
EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
#: Flows bound to the case contract: other flows are free to name their questions as they like.
CONTRACT_FLOWS = frozenset({DEFAULT_FLOW})
_CONTRACT_TYPES = {"bool": BoolQuestion, "int": IntQuestion, "number": NumberQuestion,
                   "enum": ChoiceQuestion, "text": TextQuestion}
_KIND_OF_TYPE = {"bool": "bool", "int": "int", "number": "number", "enum": "choice", "text": "text"}


class UsageError(Exception):
    """A command line that cannot be acted on (exit 2), as opposed to a finding in a flow."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a flow file, with where it is."""

    path: str
    line: int | None
    node: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.node + ': ' if self.node else ''}{self.message}"


# --- exploration ---------------------------------------------------------------------------------


@dataclass
class Exploration:
    """What the sampled walks saw: asked questions, fired rules and items, and the edges taken.

    Indexes are positions in the flow's lists (``rules[3]``), so that a finding can name its node.
    """

    cases: int = 0
    asked: set[str] = field(default_factory=set)
    rules: set[int] = field(default_factory=set)
    flags: set[int] = field(default_factory=set)
    advice: set[int] = field(default_factory=set)
    alerts: set[int] = field(default_factory=set)
    urgency: set[int] = field(default_factory=set)
    headlines: set[str] = field(default_factory=set)
    #: (from question, to question or "recommendation") -> answers of the from question seen on it
    edges: dict[tuple[str, str], set[Any]] = field(default_factory=dict)
    #: every answer seen per question (to tell whether an edge depends on the answer)
    answers_seen: dict[str, set[Any]] = field(default_factory=dict)
    #: headline -> the rule ids that chose it
    headline_rules: dict[str, set[str]] = field(default_factory=dict)
    #: problems found while walking: (loc, message) -> first example
    problems: dict[tuple[tuple[Any, ...], str], str] = field(default_factory=dict)


def _tracing_class() -> type:
    from interview.engine.scoring import Evaluation

    class TracingEvaluation(Evaluation):
        """Records, per derived value or score, the names its computation actually read.

        Reads follow short-circuiting (``neuro_deficit and hours > 48`` reads ``hours`` only when
        there is a deficit), so a guarded read of an unasked question is not mistaken for a gap.
        """

        def __init__(self, flow: LoadedFlow, values: dict[str, Any]) -> None:
            super().__init__(flow, values)
            self.reads: list[set[str]] = [set()]
            self.deps: dict[str, set[str]] = {}

        def __getitem__(self, name: str) -> Any:
            self.reads[-1].add(name)
            return super().__getitem__(name)

        def __missing__(self, name: str) -> Any:
            self.reads.append(set())
            try:
                return super().__missing__(name)
            finally:
                self.deps[name] = self.reads.pop()

        def trace(self, fn: Any) -> set[str]:
            """The question ids a call reads, directly or through derived values and scores."""
            self.reads.append(set())
            try:
                fn(self)
            finally:
                direct = self.reads.pop()
            seen: set[str] = set()
            stack = list(direct)
            questions: set[str] = set()
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                if n in self.deps:
                    stack.extend(self.deps[n])
                elif n in self.flow.by_id:
                    questions.add(n)
            return questions

    return TracingEvaluation


def _expressions(flow: LoadedFlow) -> list[Any]:
    """Every expression of the flow's logic: its named conditions, and each question's `when` and `default`."""
    found = list(flow.conditions.values())
    for q in flow.questions:
        found += [e for e in (q.when, q.default) if e is not None]
    return found


def _literals(source: str, kind: str) -> list[str]:
    """The text of each ``number`` or ``string`` literal of an expression (none if it does not tokenize)."""
    try:
        return [t.text for t in ex.tokenize(source) if t.kind == kind]
    except ex.ExprError:
        return []


def _numbers(flow: LoadedFlow) -> set[float]:
    """Every number the flow's logic compares against: expression literals and range bounds."""
    found = {float(n) for e in _expressions(flow) for n in _literals(e.source, "number")}
    for d in flow.model.derived:
        for r in d.ranges or []:
            found |= {r.min, r.max}
    for s in flow.model.scores:
        if isinstance(s, PointsScore):
            for item in s.items:
                for r in item.ranges or []:
                    found |= {r.min, r.max}
                for key in item.lookup or {}:
                    with contextlib.suppress(ValueError):
                        found.add(float(key))
    return found


def _local_numbers(flow: LoadedFlow) -> dict[str, set[float]]:
    """Per question, the numbers of the expressions and ranges that read it directly."""
    local: dict[str, set[float]] = {q.id: set() for q in flow.questions}
    for e in _expressions(flow):
        numbers = {float(n) for n in _literals(e.source, "number")}
        for name in e.names & local.keys():
            local[name] |= numbers
    for d in flow.model.derived:
        if d.ranges_of in local:
            local[d.ranges_of] |= {b for r in d.ranges or [] for b in (r.min, r.max)}
    for s in flow.model.scores:
        for item in s.items if isinstance(s, PointsScore) else []:
            if item.ranges_of in local:
                local[item.ranges_of] |= {b for r in item.ranges or [] for b in (r.min, r.max)}
    return local


def _strings(flow: LoadedFlow) -> set[str]:
    """Every text the flow's logic compares against (the expressions' string literals, unquoted)."""
    return {t[1:-1] for e in _expressions(flow) for t in _literals(e.source, "string")}


def domain(q: Question, numbers: Iterable[float], strings: Iterable[str] = ()) -> list[Any]:
    """The answers tried for a question: every option, yes/no, or numeric boundary values.

    Args:
        q: the question.
        numbers: numbers the flow compares against; each, ±1 and ±0.5, is tried where allowed.
        strings: string literals of the flow, tried for text questions.
    """
    if isinstance(q, ChoiceQuestion):
        return [o.value for o in q.options]
    if isinstance(q, BoolQuestion):
        return [True, False]
    if isinstance(q, TextQuestion):
        return [q.example or "x", *sorted(s for s in strings if s and len(s) <= q.max_length)]
    assert isinstance(q, IntQuestion | NumberQuestion)
    candidates = {float(q.min), float(q.max), (q.min + q.max) / 2}
    step = q.step if isinstance(q, IntQuestion) else 1
    for n in map(float, numbers):
        # ±step: on a KPS scale in tens, 49 and 51 are not answers but 40 and 60 are.
        candidates |= {n - step, n - 1, n - 0.5, n, n + 0.5, n + 1, n + step}
    values: list[Any] = []
    for c in sorted(candidates):
        if not q.min <= c <= q.max:
            continue
        if isinstance(q, IntQuestion):
            if not c.is_integer() or (int(c) - q.min) % q.step:
                continue
            values.append(int(c))
        else:
            values.append(int(c) if c.is_integer() else c)
    if isinstance(q, IntQuestion) and len(values) < 2:
        values = sorted({q.min, q.max})
    return values


def explore(flow: LoadedFlow, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED) -> Exploration:
    """Walk the flow ``samples`` times with seeded answers and record what happens.

    Three phases share the budget: a sweep (every value of every question at least once, the rest
    random), a coverage-guided random phase (cases that showed something new are kept and a few of
    their answers changed), and a directed search that hill-climbs toward each rule, flag, advice
    or alert not yet seen. Deterministic for a given flow, sample count and seed.
    """
    explorer = _Explorer(flow, seed)
    explorer.run(samples, worked_cases(flow))
    return explorer.out


def worked_cases(flow: LoadedFlow) -> list[dict[str, Any]]:
    """The answers of the worked cases beside a flow file (``cases/*.yaml`` naming no other flow).

    Read by the app's one reader here — the flow layer does not import the teaching package; a case
    file that cannot be read is skipped (the teaching library reports it).
    """
    from interview.files.reading import CASE_LIMIT, ReadError, read_yaml

    folder = Path(flow.path).parent / "cases"
    out: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        try:
            data = read_yaml(path, limit=CASE_LIMIT, kind="teaching case")
        except ReadError:
            continue
        if isinstance(data, dict) and isinstance(data.get("answers"), dict) and data.get("flow", flow.model.id) == flow.model.id:
            # An answer not known yet (CONTRACT §7) stands for any of its values: left out, the
            # exploration draws one, as for every question a worked case does not answer.
            out.append({k: v for k, v in data["answers"].items() if v != NOT_KNOWN})
    return out


class _Explorer:
    """The state of one exploration (see :func:`explore`)."""

    def __init__(self, flow: LoadedFlow, seed: int) -> None:
        from interview.engine.rules import contradictions, recommend
        from interview.engine.scoring import Evaluation
        from interview.engine.session import walk

        self.flow = flow
        self.model = model = flow.model
        self._recommend, self._evaluation, self._walk = recommend, Evaluation, walk
        self._contradictions = contradictions
        self._tracing = _tracing_class()
        numbers, strings = _numbers(flow), _strings(flow)
        self.domains = {q.id: domain(q.model, numbers, strings) for q in flow.questions}
        # Most draws use the numbers that touch the question itself, so that `== 0` is hit often.
        self.local = {qid: domain(flow.by_id[qid].model, found, strings) if found else self.domains[qid]
                      for qid, found in _local_numbers(flow).items()}
        self.rng = random.Random(seed)
        self.out = Exploration()
        self.flag_ids = {f.id: i for i, f in enumerate(model.flags)}
        self.advice_ids = {a.id: i for i, a in enumerate(model.advice)}
        self.rule_index = {r.id: i for i, r in enumerate(model.rules)}
        self.targets = _targets(flow)
        self.fired = {"rules": self.out.rules, "flags": self.out.flags, "advice": self.out.advice,
                      "alerts": self.out.alerts}
        self.corpus: list[tuple[dict[str, Any], set[str]]] = []
        self.features: set[tuple[Any, ...]] = set()

    def draw(self, qid: str) -> Any:
        return self.rng.choice(self.local[qid] if self.rng.random() < 0.8 else self.domains[qid])

    def random_case(self) -> tuple[dict[str, Any], set[str]]:
        answers: dict[str, Any] = {}
        skipped: set[str] = set()
        for q in self.flow.questions:
            if q.model.optional and self.rng.random() < 0.25:
                skipped.add(q.id)
            else:
                answers[q.id] = self.draw(q.id)
        return answers, skipped

    def mutate(self, answers: dict[str, Any], skipped: set[str], pool: Sequence[str]) -> tuple[dict[str, Any], set[str]]:
        answers, skipped = dict(answers), set(skipped)
        for qid in self.rng.sample(list(pool), k=min(len(pool), self.rng.randint(1, 3))):
            skipped.discard(qid)
            answers[qid] = self.draw(qid)
        return answers, skipped

    def missing(self) -> list[tuple[tuple[str, int], set[str], list[Any]]]:
        return [t for t in self.targets if t[0][1] not in self.fired[t[0][0]]]

    def seed(self, cases: Sequence[dict[str, Any]]) -> int:
        """Start the corpus from worked cases (the teaching cases beside the flow); returns the cases spent.

        Random walks find a rule behind six or seven conjunctions only by luck; a worked case that
        reaches it makes the exploration deterministic where it matters, and the mutations around it
        explore its neighbourhood.
        """
        optional = {q.id for q in self.flow.questions if q.model.optional}
        for answers in cases:
            skipped = optional - set(answers)  # a worked case leaves out the optional questions it skips
            # Off-path questions get drawn answers, so that a mutation that brings one onto the path
            # finds it answered, as in every random case.
            full = {**self.random_case()[0], **answers}
            seen = self.case(full, skipped)
            if seen is not None:
                self.features |= seen[1]
                self.corpus.append((full, skipped))
        return len(cases)

    def run(self, samples: int, seeds: Sequence[dict[str, Any]] = ()) -> None:
        every = [q.id for q in self.flow.questions]
        sweep = [(qid, v) for qid, values in self.domains.items() for v in values]
        guided_until = max(len(sweep), samples * 6 // 10)
        n = self.seed(seeds)
        while n < min(samples, guided_until):
            if n >= len(sweep) and self.corpus and self.rng.random() < 0.5:
                answers, skipped = self.mutate(*self.rng.choice(self.corpus), every)
            else:
                answers, skipped = self.random_case()
                if n < len(sweep):
                    qid, value = sweep[n]
                    answers[qid] = value
                    skipped.discard(qid)
            seen = self.case(answers, skipped)
            n += 1
            if seen is not None and not seen[1] <= self.features:
                self.features |= seen[1]
                self.corpus.append((answers, skipped))
        # Directed: for each target still unseen, climb from the corpus case closest to it.
        missing = self.missing()
        while n < samples and missing:
            budget = max(1, (samples - n) // len(missing))
            target, pool, parts = missing[0]
            n += self.climb(target, sorted(pool) or every, parts, min(budget, samples - n))
            missing = self.missing()
            if missing and missing[0][0] == target:
                missing = missing[1:]  # gave up on this one within its budget

    def climb(self, target: tuple[str, int], pool: list[str], parts: list[Any], budget: int) -> int:
        """Hill-climb toward one target; returns the cases spent."""
        best: tuple[dict[str, Any], set[str]] | None = None
        best_distance = float("inf")
        spent = 0
        for answers, skipped in self.rng.sample(self.corpus, k=min(len(self.corpus), 20)):
            seen = self.case(answers, skipped)
            spent += 1
            d = self.distance(target, parts, seen and seen[0])
            if d < best_distance:
                best, best_distance = (answers, skipped), d
        if best is None:
            best = self.random_case()
        while spent < budget and target[1] not in self.fired[target[0]]:
            answers, skipped = self.mutate(*best, pool)
            seen = self.case(answers, skipped)
            spent += 1
            d = self.distance(target, parts, seen and seen[0])
            if d <= best_distance:
                best, best_distance = (answers, skipped), d
        return spent

    def distance(self, target: tuple[str, int], parts: list[Any], env: Any) -> float:
        """How far a case is from firing a target: its `and` parts that fail, earlier rules that hold."""
        if env is None:
            return float("inf")
        section, index = target
        try:
            d = sum(1 for part in parts if not part(env))
            if section == "rules":
                flow = self.flow
                d += sum(1 for r in self.model.rules[:index] if r.when is not None and flow.cond(r)(env))
        except Exception:  # noqa: BLE001 - a condition that raises is reported by `case` already
            return float("inf")
        return d

    def case(self, answers: dict[str, Any], skipped: set[str]) -> tuple[Any, set[tuple[Any, ...]]] | None:
        """Walk and evaluate one case, recording what it shows.

        Returns:
            The evaluation and the case's coverage features, or None when the case failed.
        """
        flow, out = self.flow, self.out
        out.cases += 1
        try:
            w = self._walk(flow, answers, skipped)
        except Exception as err:  # noqa: BLE001 - any failure of a walk is a dead end to report
            _problem(out, ("questions",), f"walking the flow fails: {_err(err)}", answers)
            return None
        out.asked.update(w.path)
        _record_edges(out, w.path, answers)
        if w.current is not None:
            _problem(out, ("questions",), f"a case stops at {w.current!r} with every answer given", answers)
            return None
        values = {k: v for k, v in w.env.items() if k in flow.by_id}
        env = self._evaluation(flow, values)
        try:
            rec = self._recommend(flow, env)
        except Exception as err:  # noqa: BLE001
            _problem(out, ("rules",), f"dead end: no recommendation for a complete case ({_err(err)})", answers)
            return None
        pair_index = {pair.id: i for i, pair in enumerate(self.model.consistency)}
        for pair_id, forbidden in self._contradictions(flow, env, rec):
            _problem(out, ("consistency", pair_index[pair_id]),
                     f"a case holds the forbidden statement {forbidden!r} together with this condition", answers)
        try:
            return self._record(answers, skipped, w, values, env, rec)
        except Exception as err:  # noqa: BLE001
            _problem(out, ("rules",), f"evaluating a complete case fails: {_err(err)}", answers)
            return None

    def _record(self, answers: dict[str, Any], skipped: set[str], w: Any, values: dict[str, Any], env: Any,
                rec: Any) -> tuple[Any, set[tuple[Any, ...]]]:
        flow, model, out = self.flow, self.model, self.out
        ri = self.rule_index[rec.rule]
        out.rules.add(ri)
        out.headlines.add(rec.headline)
        out.headline_rules.setdefault(rec.headline, set()).add(rec.rule)
        out.flags.update(self.flag_ids[f] for f in rec.flags)
        for items in rec.parts.values():
            out.advice.update(self.advice_ids[s.id] for s in items)
        level = next(i for i, u in enumerate(model.urgency) if u.when is None or flow.cond(u)(env))
        out.urgency.add(level)
        for i, a in enumerate(model.alerts):
            if a.after in answers and a.after in w.path and flow.cond(a)(env):
                out.alerts.add(i)
        # The rule that decided: did it read a question this case never asked, with no fallback?
        rule = model.rules[ri]
        if rule.when is not None:
            # Traced on a fresh evaluation: tracing every read of `recommend` would double its cost.
            for qid in self._tracing(flow, values).trace(flow.cond(rule)):
                q = flow.by_id[qid].model
                if qid in w.off_path and q.otherwise is None:
                    _problem(out, ("rules", ri), f"fires reading {qid!r}, which is not asked on this path "
                             "and has no `otherwise`", answers)
                elif qid in skipped and qid in w.path:
                    _problem(out, ("rules", ri), f"fires reading {qid!r}, an optional question that may be "
                             "skipped", answers)
        features = {("rule", ri), ("urgency", level), *(("flag", f) for f in rec.flags),
                    *(("derived", d, _feature(v)) for d, v in env.derived_values().items())}
        for si, s in enumerate(model.scores):
            if isinstance(s, PointsScore):
                value = env[s.id]
                features.add(("band", s.id, None if value is None else value["band_label"]))
                if value is not None and value["total"] is None:
                    open_items = ", ".join(i["id"] for i in value["items"] if i["points"] is None)
                    _problem(out, ("scores", si), "`requires` holds but the total is null at the end of a "
                             f"complete case (no points for: {open_items})", answers)
        return env, features


def _targets(flow: LoadedFlow) -> list[tuple[tuple[str, int], set[str], list[Any]]]:
    """Every conditional rule, flag, advice and alert: the questions its condition rests on and
    its compiled `and` parts (the whole condition when it is not a conjunction)."""
    out: list[tuple[tuple[str, int], set[str], list[Any]]] = []
    for section in ("rules", "flags", "advice", "alerts"):
        for i, node in enumerate(getattr(flow.model, section)):
            if getattr(node, "when", None) is None:
                continue
            questions = set(flow.answers_behind(flow.cond(node).names))
            if section == "rules" and out:
                # A rule fires only when every earlier rule does not: their inputs matter too.
                questions |= out[-1][1]
            parts = [p.compile(flow.model.tables) for p in _and_parts(flow, flow.cond(node).tree)]
            out.append(((section, i), questions, parts))
    return out


def _and_parts(flow: LoadedFlow, tree: ex.Node, depth: int = 0) -> list[ex.Node]:
    """The parts of a conjunction, opening derived values that are conjunctions themselves.

    ``mechanically_unstable and cement_candidate`` becomes the five criteria of `cement_candidate`
    and the rest: a search then sees progress on each criterion, not only on the whole.
    """
    if isinstance(tree, ex.BoolOp) and tree.op == "and":
        return [p for operand in tree.operands for p in _and_parts(flow, operand, depth)]
    if isinstance(tree, ex.Name) and len(tree.path) == 1 and depth < 4:
        d = flow.derived.get(tree.path[0])
        if d is not None and d.expr is not None:
            inner = flow.cond(d).tree
            if isinstance(inner, ex.BoolOp) and inner.op == "and":
                return _and_parts(flow, inner, depth + 1)
    return [tree]


def _feature(value: Any) -> Any:
    """A derived value as a coverage feature: numbers only by sign, so that a KPS is not 'new'."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | float):
        return (value > 0) - (value < 0)
    return type(value).__name__


def _record_edges(out: Exploration, path: list[str], answers: dict[str, Any]) -> None:
    for src, dst in zip(path, [*path[1:], "recommendation"], strict=True):
        value = answers.get(src)
        key = value if isinstance(value, bool | str) else None
        out.edges.setdefault((src, dst), set()).add(key)
        out.answers_seen.setdefault(src, set()).add(key)


def _err(err: Exception) -> str:
    return f"{type(err).__name__}: {err}" if str(err) else type(err).__name__


def _problem(out: Exploration, loc: tuple[Any, ...], message: str, answers: dict[str, Any]) -> None:
    key = (loc, message)
    if key not in out.problems:
        example = ", ".join(f"{k}={_short(v)}" for k, v in answers.items())
        out.problems[key] = example


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- line numbers --------------------------------------------------------------------------------


class _Lines:
    """Line numbers of flow nodes, from the YAML composed once."""

    def __init__(self, path: Path) -> None:
        self.root = compose(path)

    def line(self, loc: Sequence[Any]) -> int | None:
        return node_line(self.root, loc)


def _node(flow: LoadedFlow, loc: Sequence[Any]) -> str:
    """``rules[7] (R6a)``, ``questions[3] (frankel)``, ``urgency[0] (emergency)``, ``headlines.x``."""
    if not loc:
        return "flow"
    section = loc[0]
    if len(loc) < 2:
        return str(section)
    key = loc[1]
    if isinstance(key, str):
        return f"{section}.{key}"
    item = getattr(flow.model, section)[key]
    name = getattr(item, "id", None) or getattr(item, "level", None)
    return f"{section}[{key}]" + (f" ({name})" if name else "")


# --- contract ------------------------------------------------------------------------------------


def find_contract(explicit: str | None = None) -> Path | None:
    """Where ``case_fields.yaml`` is: ``--contract``, else the copy the package carries.

    Raises:
        UsageError: when an explicit file does not exist.
    """
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise UsageError(f"{explicit}: no such contract file")
        return path
    packaged = sources_dir() / "contract" / "case_fields.yaml"
    return packaged if packaged.is_file() else None


def read_contract(path: Path) -> dict[str, Any]:
    """The contract's fields, each with ``optional`` set for the `optional:` section.

    Raises:
        UsageError: when the file cannot be read or is not a contract.
    """
    from interview.files.reading import CONTRACT_LIMIT, ReadError, read_yaml

    try:
        data = read_yaml(path, limit=CONTRACT_LIMIT, kind="contract")
    except ReadError as err:
        raise UsageError(f"cannot read the contract file: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict):
        raise UsageError(f"{path}: not a case contract (expected a mapping with `fields:`)")
    fields: dict[str, Any] = {}
    for section, optional in (("fields", False), ("optional", True)):
        for name, spec in (data.get(section) or {}).items():
            if not isinstance(spec, dict) or spec.get("type") not in _CONTRACT_TYPES:
                raise UsageError(f"{path}: field {name!r} has no valid type "
                                 f"(allowed: {', '.join(_CONTRACT_TYPES)})")
            fields[str(name)] = {**spec, "optional": optional}
    return fields


def normalise_expression(source: str | None) -> str | None:
    """An expression as tokens joined by single spaces, strings double-quoted: for comparing text."""
    if source is None:
        return None
    try:
        tokens = ex.tokenize(str(source))
    except ex.ExprError:
        return " ".join(str(source).split())
    out = []
    for t in tokens:
        if t.kind == "string":
            try:  # the parser's own reading: "płuco" stays płuco (never decoded as bytes)
                out.append(json.dumps(ex.string_value(t)))
            except ex.ExprError:
                out.append(t.text)
        elif t.kind != "end":
            out.append(t.text)
    return " ".join(out)


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same kind: ``False`` is not ``0`` and ``"1"`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def check_contract(flow: LoadedFlow, fields: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """Every way the flow's questions differ from the contract's fields: (loc, message) pairs."""
    found: list[tuple[tuple[Any, ...], str]] = []
    for name, spec in fields.items():
        kind = _KIND_OF_TYPE[spec["type"]]
        bq = flow.by_id.get(name)
        if bq is None:
            found.append((("questions",), f"contract field {name!r} ({spec['type']}) is not asked: no question "
                          "has that id"))
            continue
        q = bq.model
        loc = ("questions", bq.index)

        def differ(what: str, flow_value: Any, contract_value: Any, loc: tuple[Any, ...] = loc) -> None:
            found.append((loc, f"{what} differs from the contract: flow has {_short(flow_value)}, "
                          f"contract has {_short(contract_value)}"))

        if q.kind != kind:
            differ("kind", q.kind, kind)
            continue
        if isinstance(q, ChoiceQuestion):
            ours = [o.value for o in q.options]
            theirs = [str(v) for v in spec.get("values") or []]
            if set(ours) != set(theirs):
                missing = sorted(set(theirs) - set(ours))
                extra = sorted(set(ours) - set(theirs))
                detail = "; ".join(p for p in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"not in the contract {', '.join(extra)}" if extra else "") if p)
                found.append(((*loc, "options"), f"option values differ from the contract ({detail})"))
        if isinstance(q, IntQuestion | NumberQuestion):
            for key in ("min", "max"):
                if key in spec and not _same(getattr(q, key), spec[key]):
                    differ(key, getattr(q, key), spec[key], (*loc, key))
        if isinstance(q, IntQuestion) and not _same(q.step, spec.get("step", 1)):
            differ("step", q.step, spec.get("step", 1), (*loc, "step"))
        if spec["optional"] and not q.optional:
            found.append((loc, "the contract lists this as optional context, but the question is not `optional: true`"))
        if not spec["optional"] and q.optional:
            found.append((loc, "the contract requires this field, but the question is `optional: true`"))
        if q.may_be_not_known != bool(spec.get("may_be_not_known", False)):
            differ("`may_be_not_known`", q.may_be_not_known, bool(spec.get("may_be_not_known", False)),
                   (*loc, "may_be_not_known"))
        if not spec["optional"]:
            if not _same(q.otherwise, spec.get("otherwise")):
                differ("`otherwise`", q.otherwise, spec.get("otherwise"), (*loc, "otherwise"))
            ours_when, theirs_when = normalise_expression(q.when), normalise_expression(spec.get("when"))
            if ours_when != theirs_when:
                differ("`when`", ours_when, theirs_when, (*loc, "when"))
    return found


# --- the linter ----------------------------------------------------------------------------------


@dataclass
class Report:
    """The findings for one flow file, and what was sampled."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    cases: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def lint_flow(
    path: Path | str,
    *,
    contract: dict[str, Any] | None = None,
    contract_note: str | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
) -> Report:
    """Check one flow file.

    Args:
        path: the flow file.
        contract: the contract's fields (:func:`read_contract`), checked for the spinal flow only.
        contract_note: said instead, when the contract was looked for and not found.
        samples: walks to sample.
        seed: the random seed (the same seed gives the same findings).
    """
    started = time.perf_counter()
    path = Path(path)
    shown = _display(path)
    report = Report(path)
    try:
        flow = load_flow(path, cache=False)  # checking a flow means validating it, every time
    except FlowError as err:
        report.findings.append(Finding(shown, err.line, err.node, err.message))
        return report
    lines = _Lines(path)

    def add(loc: Sequence[Any], message: str) -> None:
        report.findings.append(Finding(shown, lines.line(loc), _node(flow, loc), message))

    try:
        seen = explore(flow, samples, seed)
    except Exception as err:  # noqa: BLE001 - never a traceback: a crash of the engine is a finding
        add(("questions",), f"exploring the flow fails: {_err(err)}")
        return report
    report.cases = n = seen.cases
    model = flow.model
    for q in flow.questions:
        if q.id not in seen.asked:
            add(("questions", q.index), f"never asked in {n} sampled cases")
    for section, fired, verb in (
        ("rules", seen.rules, "never fires"), ("flags", seen.flags, "never raised"),
        ("advice", seen.advice, "never given"), ("alerts", seen.alerts, "never shown"),
        ("urgency", seen.urgency, "never applies"),
    ):
        for i in range(len(getattr(model, section))):
            if i not in fired:
                add((section, i), f"{verb} in {n} sampled cases")
    for hid in model.headlines:
        if hid not in seen.headlines:
            add(("headlines", hid), f"no case reaches this headline in {n} sampled cases")
    for (loc, message), example in sorted(seen.problems.items(), key=lambda kv: str(kv[0])):
        add(loc, f"{message} (e.g. {example})")
    if model.id in CONTRACT_FLOWS:
        if contract is not None:
            for loc, message in check_contract(flow, contract):
                add(loc, message)
        elif contract_note:
            report.notes.append(f"{shown}: note: {contract_note}")
    report.findings.sort(key=lambda f: (f.line or 0, f.node or "", f.message))
    report.seconds = time.perf_counter() - started
    return report


def default_flows() -> list[Path]:
    """Every flow directly in ``flows/`` (not ``flows/cases/``, which holds teaching cases)."""
    return sorted(p for p in flows_dir().glob("*.yaml") if p.is_file())


def lint_main(
    flows: list[str], contract: str | None = None, *, samples: int = DEFAULT_SAMPLES, seed: int = DEFAULT_SEED,
) -> int:
    """`spine-interview check`: print findings and a summary; 0 clean, 1 findings, 2 usage error."""
    try:
        paths = [resolve_flow(f) for f in flows] if flows else default_flows()
        if not paths:
            raise UsageError(f"no flows to check in {_display(flows_dir())}")
        contract_path = find_contract(contract)
        fields = read_contract(contract_path) if contract_path else None
    except UsageError as err:
        print(f"spine-interview check: {err}", file=sys.stderr)
        return EXIT_USAGE
    note = None if fields else ("case_fields.yaml not found (the package has no copy; give --contract); "
                                "the contract check was skipped")
    total = 0
    cases = 0
    started = time.perf_counter()
    for path in paths:
        try:
            report = lint_flow(path, contract=fields, contract_note=note, samples=samples, seed=seed)
        except Exception as err:  # noqa: BLE001 - the linter must never print a traceback
            report = Report(path, [Finding(_display(path), None, None, f"the linter failed: {_err(err)}")])
        for finding in report.findings:
            print(finding)
        for line in report.notes:
            print(line)
        total += len(report.findings)
        cases += report.cases
    seconds = time.perf_counter() - started
    flows_word = f"{len(paths)} flow{'s' if len(paths) != 1 else ''}"
    if total:
        print(f"{total} finding{'s' if total != 1 else ''} in {flows_word} ({cases} sampled cases, {seconds:.1f} s)")
        return EXIT_FINDINGS
    print(f"{flows_word} checked: no findings ({cases} sampled cases, {seconds:.1f} s)")
    return EXIT_CLEAN


__all__ = [
    "DEFAULT_SAMPLES", "DEFAULT_SEED", "Exploration", "Finding", "Report", "UsageError", "check_contract",
    "default_flows", "domain", "explore", "find_contract", "lint_flow", "lint_main", "normalise_expression",
    "read_contract",
]
