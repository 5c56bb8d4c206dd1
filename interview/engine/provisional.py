"""The provisional recommendation of CONTRACT §7: exact over every completion of the open answers.

A case with answers ``not_known`` has many completions: each open field takes any allowed value, and
a question that only some values bring onto the path is enumerated too. Enumerating raw values is
exponential (and impossible for a real number), so this module reasons over the flow's conditions:

1. **Finite classes.** Every numeric field's range is cut at the constants the flow compares it with
   (directly, in range tables of derived values and score items, and — for a sum of two fields
   compared with a constant — at every value up to where the sum cannot reach the constant). Within
   one class every condition of the flow has the same value, so one representative per class stands
   for all its values. A field whose raw value is shown in an output (KPS in ``performance``) keeps
   every value.
2. **A product space.** A completion is a point of the product of the open fields' classes: a field
   off the path on that point simply takes its ``otherwise`` value. Every point is a completion and
   every completion is a point, so images (the set of values an output takes) are the same over both.
3. **Abstract evaluation with branching.** A node of the search fixes some open fields; every name of
   the flow is evaluated over *sets* of values (the open fields not fixed yet take their whole
   domain), which over-approximates what the node's completions can give. The image of an output is
   found by depth-first search: a node whose set is a single value, or whose set holds only values
   already found, is not split further; otherwise the next open field the output still rests on at
   that node (its *residual* dependencies: an ``and`` already false, a rule that cannot fire, add
   none) is fixed to each of its classes, fields with fewest classes first. At a node where every
   such field is fixed the set is exact, so the search is exact, and in practice it stops high in the
   tree. Nodes are shared by every query of a case, and a value computed at a node (a name or an
   expression) is inherited by its children unless it rests on the field just fixed.
4. ``decisive`` (a field whose value alone can change the headline: two points that differ only in
   that coordinate) uses the same search over the other fields, comparing the headline sets of the
   field's classes side by side at each node.

The state machine stays the authority for the interview; this module reads the flow's conditions.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from interview.engine.values import NOT_KNOWN, question_name
from interview.flow import expr as ex
from interview.flow.load import LoadedFlow
from interview.flow.model import (
    BoolQuestion,
    ChoiceQuestion,
    IntQuestion,
    NumberQuestion,
    PointsScore,
    SummaryScore,
    ValueScore,
)

#: CONTRACT §7: flags that any completion raises are kept (a pending result never withdraws a precaution).
SAFETY_FLAGS = frozenset({
    "mscc_bundle_dexamethasone_mri_24h", "surgical_consultation_required", "surgical_review_within_48h",
    "prior_rt_reirradiation_limits", "tissue_diagnosis_needed", "pregnancy_obstetric_and_physics_review",
    "atypical_features_exclude_mimics", "obtain_tissue_intraoperatively",
})
URGENCY_ORDER = ("elective", "urgent", "emergency")
#: A numeric field shown as a raw value keeps every value; past this many the flow is not supported.
MAX_ENUMERATED = 5000
_COMPARE = ("<", "<=", ">", ">=", "==", "!=")


class ProvisionalError(ValueError):
    """The flow uses an open numeric field in a way the evaluator cannot split into classes."""


class FrozenDict(dict):  # type: ignore[type-arg]
    """A score's value as one hashable mapping (so sets of score values can be formed)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items(), key=repr)))


# --- classes of numeric fields ----------------------------------------------------------------------


def _numeric(flow: LoadedFlow, name: str) -> bool:
    return name in flow.by_id and isinstance(flow.by_id[name].model, IntQuestion | NumberQuestion)


def _cuts(flow: LoadedFlow) -> tuple[dict[str, set[tuple[float, bool]]], dict[str, list[tuple[str, float]]], set[str]]:
    """Where the flow compares numeric fields: (field -> {(constant, closed start)}), sums, bare uses."""
    cuts: dict[str, set[tuple[float, bool]]] = {}
    sums: dict[str, list[tuple[str, float]]] = {}
    bare: set[str] = set()

    def cut(name: str, op: str, c: float, name_left: bool) -> None:
        if not name_left:  # c op x  ==  x op' c
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        at = cuts.setdefault(name, set())
        if op in ("<", ">="):
            at.add((c, True))
        elif op in ("<=", ">"):
            at.add((c, False))
        else:
            at.update({(c, True), (c, False)})

    def visit(node: ex.Node) -> None:
        if isinstance(node, ex.Binary) and node.op in _COMPARE:
            sides = (node.left, node.right)
            for i, side in enumerate(sides):
                other = sides[1 - i]
                if isinstance(other, ex.Literal) and isinstance(side, ex.Name) and len(side.path) == 1 \
                        and _numeric(flow, side.path[0]):
                    if isinstance(other.value, int | float) and not isinstance(other.value, bool):
                        cut(side.path[0], node.op, other.value, i == 0)
                    return
                if isinstance(other, ex.Literal) and isinstance(side, ex.Binary) and side.op == "+" \
                        and all(isinstance(s, ex.Name) and len(s.path) == 1 and _numeric(flow, s.path[0])
                                for s in (side.left, side.right)) \
                        and isinstance(other.value, int | float) and not isinstance(other.value, bool):
                    a, b = side.left.path[0], side.right.path[0]  # type: ignore[attr-defined]
                    sums.setdefault(a, []).append((b, other.value))
                    sums.setdefault(b, []).append((a, other.value))
                    return
        if isinstance(node, ex.Name) and _numeric(flow, node.path[0]):
            bare.add(node.path[0])
        for child in node.children():
            visit(child)

    for expression in flow.conditions.values():
        visit(expression.tree)
    for d in flow.model.derived:
        if d.ranges_of and _numeric(flow, d.ranges_of):
            for r in d.ranges or []:
                cuts.setdefault(d.ranges_of, set()).update({(r.min, True), (r.max, False)})
    for s in flow.model.scores:
        for item in getattr(s, "items", []):
            if item.ranges_of and _numeric(flow, item.ranges_of):
                for r in item.ranges or []:
                    cuts.setdefault(item.ranges_of, set()).update({(r.min, True), (r.max, False)})
    # Bare uses that only feed a comparison through a derived value are covered above; a field named
    # as a value (``kps: kps``) keeps every value.
    return cuts, sums, bare


def _domain(flow: LoadedFlow, qid: str) -> tuple[Any, ...]:
    """The classes of one field, each given by one representative value, in value order."""
    cache = flow.__dict__.setdefault("_provisional_domains", {})
    if qid in cache:
        return cache[qid]
    q = flow.by_id[qid].model
    if isinstance(q, BoolQuestion):
        out: tuple[Any, ...] = (False, True)
    elif isinstance(q, ChoiceQuestion):
        out = tuple(o.value for o in q.options)
    elif isinstance(q, IntQuestion | NumberQuestion):
        shape = flow.__dict__.get("_provisional_cuts")
        if shape is None:
            shape = flow.__dict__["_provisional_cuts"] = _cuts(flow)
        out = _numeric_domain(flow, q, *shape)
    else:
        raise ProvisionalError(f"{qid}: a {q.kind} question cannot be open")
    cache[qid] = out
    return out


def _numeric_domain(flow: LoadedFlow, q: Any, cuts: dict[str, set[tuple[float, bool]]],
                    sums: dict[str, list[tuple[str, float]]], bare: set[str]) -> tuple[Any, ...]:
    lo, hi = q.min, q.max
    if isinstance(q, IntQuestion):
        step = q.step
        count = (hi - lo) // step + 1
        if q.id in bare:
            if count > MAX_ENUMERATED:
                raise ProvisionalError(f"{q.id} is shown as a value and has {count} values")
            return tuple(range(lo, hi + 1, step))
        starts = {lo}
        for c, closed in cuts.get(q.id, ()):
            first = math.ceil(c) if closed else math.floor(c) + 1
            starts.add(first)
        for other, c in sums.get(q.id, ()):
            other_q = flow.by_id[other].model
            top = math.floor(c - other_q.min) + 2  # every value the sum can still fall on either side of c
            starts.update(range(lo, min(hi, top) + 1))
        snapped = set()
        for s in starts:
            if s < lo:
                s = lo
            k = -(-(s - lo) // step)  # the first value on a step at or above s
            v = lo + k * step
            if v <= hi:
                snapped.add(v)
        return tuple(sorted(snapped))
    if q.id in bare or sums.get(q.id):
        raise ProvisionalError(f"{q.id} is a real number used as a value or in a sum")
    points = sorted({(float(lo), True), *((float(c), closed) for c, closed in cuts.get(q.id, ()))},
                    key=lambda p: (p[0], not p[1]))
    reps: list[float] = []
    for i, (c, closed) in enumerate(points):
        if not lo <= c <= hi:
            continue
        if closed:
            reps.append(c)
            continue
        nxt = next((p[0] for p in points[i + 1:] if p[0] > c), None)
        upper = min(nxt, hi) if nxt is not None else hi
        if upper > c:
            mid = (c + upper) / 2
            reps.append(int(mid) if float(mid).is_integer() else mid)
    reps = [int(r) if float(r).is_integer() else r for r in reps]
    return tuple(sorted(set(reps)))


# --- the static dependency of every name on questions -------------------------------------------------


def _deps(flow: LoadedFlow) -> dict[str, frozenset[str]]:
    """For every name: the questions whose value (or being on the path) it can rest on."""
    cached = flow.__dict__.get("_provisional_deps")
    if cached is not None:
        return cached
    out: dict[str, frozenset[str]] = {}
    for q in flow.questions:
        acc = {q.id}
        for name in q.when_inputs:
            acc |= out.get(name, {name})
        out[q.id] = frozenset(acc)

    def of(names: Iterable[str]) -> frozenset[str]:
        acc: set[str] = set()
        for qid in flow.answers_behind(names):
            acc |= out[qid]
        return frozenset(acc)

    for name in [*flow.derived, *flow.scores]:
        out[name] = of([name])
    rule_names: set[str] = set()
    for rule in flow.model.rules:
        if rule.when:
            rule_names |= flow.cond(rule).names
    out["rule"] = out["headline"] = of(rule_names)
    out["urgency"] = out["rule"] | of(_urgency_names(flow) - {"rule", "headline"})
    flow.__dict__["_provisional_deps"] = out
    return out


def _names_deps(flow: LoadedFlow, names: Iterable[str]) -> frozenset[str]:
    deps = _deps(flow)
    acc: set[str] = set()
    for name in names:
        acc |= deps.get(name, frozenset()) if name in deps else flow.answers_behind([name])
    return frozenset(acc)


# --- abstract evaluation ------------------------------------------------------------------------------

_SENTINEL = object()


class Space:
    """The completions of one case: fixed answers, open coordinates and their classes."""

    def __init__(self, flow: LoadedFlow, fixed: Mapping[str, Any], coords: list[str]) -> None:
        self.flow = flow
        self.fixed = dict(fixed)
        self.coords = list(coords)
        self.order = {c: i for i, c in enumerate(coords)}
        self.domains = {c: _domain(flow, c) for c in coords}
        deps = _deps(flow)
        open_ = set(coords)
        self.deps = {name: frozenset(d & open_) for name, d in deps.items()}
        self.rule_heads = {r.id: r.headline for r in flow.model.rules}
        #: the open fields each expression node (by id) rests on, filled as nodes are evaluated
        self.edeps: dict[int, frozenset[str]] = {}
        #: every node made so far, by its fixed fields (queries share what they computed)
        self.nodes: dict[frozenset[tuple[str, Any]], Node] = {}

    def root(self) -> Node:
        node = self.nodes.get(frozenset())
        if node is None:
            node = self.nodes[frozenset()] = Node(self, {}, {})
        return node

    def support(self, names: Iterable[str]) -> list[str]:
        """The open fields some names rest on, in the order the search fixes them: fewest classes first
        (a yes/no finding decides most at once), then flow order."""
        acc: set[str] = set()
        for name in names:
            acc |= self.deps.get(name, frozenset())
        return sorted(acc, key=lambda c: (len(self.domains[c]), self.order[c]))

    def condition_support(self, condition: ex.Expression) -> list[str]:
        """The open fields of a condition: those its own names rest on first, then the headline's.

        A condition that also reads ``headline`` or ``rule`` is mostly decided by its own names
        (``headline in [...] and not histology_confirmed``): fixing those first lets the search
        stop before it splits every field the routing reads.
        """
        names = set(condition.names)
        own = self.support(names - {"rule", "headline", "urgency"})
        if not names & {"rule", "headline", "urgency"}:
            return own
        rest = [c for c in self.support(["rule"]) if c not in set(own)]
        return own + rest


class Node:
    """Some open fields fixed; every name's value set, computed lazily and kept."""

    __slots__ = ("space", "assign", "cache", "rcache", "ecache")

    def __init__(self, space: Space, assign: dict[str, Any], cache: dict[str, frozenset[Any]]) -> None:
        self.space = space
        self.assign = assign
        self.cache = cache
        #: name -> the open fields not fixed here that its value can still change with (see :meth:`dep`)
        self.rcache: dict[str, frozenset[str]] = {}
        #: id of an expression node -> its value set here
        self.ecache: dict[int, frozenset[Any]] = {}

    def child(self, coord: str, value: Any) -> Node:
        """The node with one more field fixed; one node per set of fixed fields, shared by every query."""
        assign = {**self.assign, coord: value}
        key = frozenset(assign.items())
        nodes = self.space.nodes
        node = nodes.get(key)
        if node is None:
            deps = self.space.deps
            keep = {k: v for k, v in self.cache.items() if k in deps and coord not in deps[k]}
            node = nodes[key] = Node(self.space, assign, keep)
            edeps = self.space.edeps
            node.ecache = {k: v for k, v in self.ecache.items() if coord not in edeps[k]}
        return node

    # residual dependencies ---------------------------------------------------------------------------

    def dep(self, name: str) -> frozenset[str]:
        """The open fields, not fixed at this node, that the value of ``name`` can still change with.

        Like the static dependencies, but a condition whose value is already one value here (an
        ``and`` with an operand that is false in every completion below, a rule that cannot fire)
        adds nothing: below this node the name is constant in every field left out.
        """
        got = self.rcache.get(name)
        if got is not None:
            return got
        if not (self.space.deps.get(name, frozenset()) - self.assign.keys()) or len(self.val(name)) == 1:
            got = frozenset()
        else:
            got = self._dep(name)
        self.rcache[name] = got
        return got

    def _dep(self, name: str) -> frozenset[str]:
        flow = self.space.flow
        acc: set[str] = set()
        if name in flow.by_id:
            bq = flow.by_id[name]
            on = self.truth(bq.when)
            if True in on and name in self.space.domains and name not in self.assign:
                acc.add(name)
            if bq.when is not None:
                acc |= self.edep(bq.when.tree)
        elif name in flow.derived:
            d = flow.derived[name]
            if d.expr is not None:
                acc |= self.edep(flow.cond(d).tree)
            elif d.cases is not None:
                for case in d.cases:
                    t = self.truth(flow.cond(case) if case.when is not None else None)
                    if case.when is not None:
                        acc |= self.edep(flow.cond(case).tree)
                    if True in t:
                        acc |= self.edep(flow.cond(case, "value").tree)
                    if False not in t:
                        break
            else:
                acc |= self.dep(d.ranges_of)
        elif name in flow.scores:
            sc = flow.scores[name]
            if sc.requires:
                acc |= self.edep(flow.cond(sc, "requires").tree)
            if isinstance(sc, SummaryScore):
                for key in sc.fields:
                    acc |= self.edep(flow.cond(sc, key).tree)
            elif isinstance(sc, ValueScore):
                acc |= self.edep(flow.cond(sc, "expr").tree)
            else:
                for item in sc.items:
                    for source in (item.points_from, item.lookup_of, item.ranges_of, *item.needs):
                        if source:
                            acc |= self.dep(source)
                    for case in item.cases or []:
                        if case.when is not None:
                            acc |= self.edep(flow.cond(case).tree)
        elif name in ("rule", "headline"):
            for rule in flow.model.rules:
                if not rule.when:
                    break
                t = self.truth(flow.cond(rule))
                if t == {False}:
                    continue
                acc |= self.edep(flow.cond(rule).tree)
                if False not in t:
                    break
        else:
            return self.space.deps.get(name, frozenset()) - self.assign.keys()
        return frozenset(acc)

    def edep(self, node: ex.Node) -> frozenset[str]:
        """:meth:`dep` of an expression."""
        kind = type(node)
        if kind is ex.Name:
            return self.dep(node.path[0])
        if kind is ex.Literal:
            return frozenset()
        if len(self.eval(node)) == 1:
            return frozenset()
        if kind is ex.BoolOp:
            acc: set[str] = set()
            decisive = node.op != "and"  # an operand that is this in every completion fixes the result
            for operand in node.operands:
                t = {bool(v) for v in self.eval(operand)}
                if t == {decisive}:
                    return self.edep(operand)
                acc |= self.edep(operand)
            return frozenset(acc)
        if kind is ex.IfElse:
            t = {bool(v) for v in self.eval(node.cond)}
            if t == {True}:
                return self.edep(node.then)
            if t == {False}:
                return self.edep(node.otherwise)
            return self.edep(node.cond) | self.edep(node.then) | self.edep(node.otherwise)
        acc = set()
        for child in node.children():
            acc |= self.edep(child)
        return frozenset(acc)

    # names ---------------------------------------------------------------------------------------------

    def val(self, name: str) -> frozenset[Any]:
        got = self.cache.get(name)
        if got is None:
            got = self.cache[name] = self._compute(name)
        return got

    def _compute(self, name: str) -> frozenset[Any]:
        flow = self.space.flow
        if name in flow.by_id:
            return self._question(name)
        if name in flow.derived:
            return self._derived(flow.derived[name])
        if name in flow.scores:
            return self._score(flow.scores[name])
        if name == "rule":
            return self.rules()
        if name == "headline":
            heads = self.space.rule_heads
            return frozenset(heads[r] for r in self.val("rule"))
        if name == "urgency":
            return self.urgencies()
        raise KeyError(name)

    def _question(self, qid: str) -> frozenset[Any]:
        bq = self.space.flow.by_id[qid]
        on = {True} if bq.when is None else {bool(v) for v in self.eval(bq.when.tree)}
        out: set[Any] = set()
        if True in on:
            if qid in self.assign:
                out.add(self.assign[qid])
            elif qid in self.space.domains:
                out.update(self.space.domains[qid])
            else:
                out.add(self.space.fixed.get(qid))
        if False in on:
            out.add(bq.model.otherwise)
        return frozenset(out)

    def truth(self, expression: ex.Expression | None) -> frozenset[bool]:
        if expression is None:
            return frozenset({True})
        return frozenset(bool(v) for v in self.eval(expression.tree))

    def _derived(self, d: Any) -> frozenset[Any]:
        flow = self.space.flow
        if d.expr is not None:
            return self.eval(flow.cond(d).tree)
        if d.cases is not None:
            out: set[Any] = set()
            for case in d.cases:
                t = self.truth(flow.cond(case) if case.when is not None else None)
                if True in t:
                    out |= self.eval(flow.cond(case, "value").tree)
                if False not in t:
                    return frozenset(out)
            out.add(None)
            return frozenset(out)
        out = set()
        for source in self.val(d.ranges_of):
            value = None
            if source is not None and not isinstance(source, bool):
                value = next((r.value for r in d.ranges or [] if r.min <= source <= r.max), None)
            out.add(value)
        return frozenset(out)

    def _score(self, s: Any) -> frozenset[Any]:
        flow = self.space.flow
        out: set[Any] = set()
        t = self.truth(flow.cond(s, "requires")) if s.requires else frozenset({True})
        if False in t:
            out.add(None)
        if True not in t:
            return frozenset(out)
        if isinstance(s, SummaryScore):
            keys = list(s.fields)
            sets = [self.eval(flow.cond(s, key).tree) for key in keys]
            out.update(FrozenDict(zip(keys, combo, strict=True)) for combo in itertools.product(*sets))
        elif isinstance(s, ValueScore):
            out |= self.eval(flow.cond(s, "expr").tree)
        else:
            assert isinstance(s, PointsScore)
            totals: set[Any] = {0}
            incomplete = False  # some completion may leave an item unscored (then the total is null)
            for item in s.items:
                pts = self._item(s, item)
                if None in pts:
                    incomplete = True
                    pts = pts - {None}
                totals = {a + b for a in totals for b in pts}
            if incomplete:
                totals.add(None)
            from interview.engine.scoring import band_of

            keys = list(s.bands[0].values)
            for total in totals:
                if total is not None and s.ceiling is not None:
                    total = min(total, s.ceiling)
                band = band_of(s, total) if total is not None else None
                value = {"total": total, **{k: (band.values[k] if band else None) for k in keys},
                         "band_label": band.label if band else None}
                out.add(FrozenDict(value))
        return frozenset(out)

    def _item(self, s: Any, item: Any) -> set[Any]:
        flow = self.space.flow
        if item.points_from is not None:
            from interview.engine.scoring import _option_points

            table = _option_points(flow, s.id, item.points_from)
            return {None if v is None else table.get(v) for v in self.val(item.points_from)}
        if item.lookup is not None:
            out = set()
            for v in self.val(item.lookup_of):
                if v is None:
                    out.add(None)
                else:
                    out.add(item.lookup.get(("true" if v else "false") if isinstance(v, bool) else str(v)))
            return out
        if item.ranges is not None:
            out = set()
            for v in self.val(item.ranges_of):
                if v is None or isinstance(v, bool):
                    out.add(None)
                else:
                    out.add(next((r.points for r in item.ranges if r.min <= v <= r.max), None))
            return out
        out = set()
        if any(None in self.val(n) for n in item.needs):
            out.add(None)
            if all(self.val(n) == {None} for n in item.needs):
                return out
        for case in item.cases or []:
            t = self.truth(flow.cond(case) if case.when is not None else None)
            if True in t:
                out.add(case.points)
            if False not in t:
                return out
        out.add(None)
        return out

    def _first_matches(self, items: Iterable[Any], name: Callable[[Any], str]) -> frozenset[str]:
        """The names of the items that can be the first to hold (a first-match list: rules, urgency)."""
        out: set[str] = set()
        flow = self.space.flow
        for item in items:
            t = self.truth(flow.cond(item) if item.when else None)
            if True in t:
                out.add(name(item))
            if False not in t:
                break  # this one holds in every completion: none after it can be first
        return frozenset(out)

    def rules(self) -> frozenset[str]:
        return self._first_matches(self.space.flow.model.rules, lambda rule: rule.id)

    def urgencies(self) -> frozenset[str]:
        return self._first_matches(self.space.flow.model.urgency, lambda level: level.level)

    # expressions ------------------------------------------------------------------------------------

    def eval(self, node: ex.Node) -> frozenset[Any]:
        kind = type(node)
        if kind is ex.Name or kind is ex.Literal:
            return self._eval(node, kind)
        key = id(node)
        got = self.ecache.get(key)
        if got is None:
            got = self.ecache[key] = self._eval(node, kind)
            edeps = self.space.edeps
            if key not in edeps:
                edeps[key] = frozenset().union(*(self.space.deps.get(n, frozenset()) for n in node.names()))
        return got

    def _eval(self, node: Any, kind: type) -> frozenset[Any]:
        if kind is ex.Name:
            root = self.val(node.path[0])
            if len(node.path) == 1:
                return root
            out = set()
            for value in root:
                for part in node.path[1:]:
                    value = value.get(part) if isinstance(value, Mapping) else None
                out.add(value)
            return frozenset(out)
        if kind is ex.Literal:
            return frozenset({node.value})
        if kind is ex.BoolOp:
            is_and = node.op == "and"
            can_true = can_false = False
            for operand in node.operands:
                t = {bool(v) for v in self.eval(operand)}
                if is_and:
                    if False in t:
                        can_false = True
                    if True not in t:
                        return frozenset({False})
                else:
                    if True in t:
                        can_true = True
                    if False not in t:
                        return frozenset({True})
            if is_and:
                return frozenset({True, False}) if can_false else frozenset({True})
            return frozenset({True, False}) if can_true else frozenset({False})
        if kind is ex.Binary:
            fn = ex._BINARY[node.op]
            left, right = self.eval(node.left), self.eval(node.right)
            return frozenset(fn(a, b) for a in left for b in right)
        if kind is ex.Not:
            return frozenset(not v for v in self.eval(node.operand))
        if kind is ex.ListNode:
            return frozenset(itertools.product(*(self.eval(i) for i in node.items)))
        if kind is ex.IfElse:
            t = {bool(v) for v in self.eval(node.cond)}
            out: frozenset[Any] = frozenset()
            if True in t:
                out |= self.eval(node.then)
            if False in t:
                out |= self.eval(node.otherwise)
            return out
        if kind is ex.Neg:
            return frozenset(None if v is None else -v for v in self.eval(node.operand))
        if kind is ex.Call:
            impl = ex.FUNCTIONS[node.func].bound(self.space.flow.model.tables)
            args = [self.eval(a) for a in node.args]
            return frozenset(_hashable(impl(*combo)) for combo in itertools.product(*args))
        raise ProvisionalError(f"cannot evaluate {node!r}")


def _hashable(value: Any) -> Any:
    """A function's value as a member of a value set: a list (``level_regions``) becomes a tuple.

    Only membership (``in``) and equality are asked of it afterwards, and both read a tuple as the list.
    """
    return tuple(value) if isinstance(value, list) else value


# --- images -------------------------------------------------------------------------------------------


def image(node: Node, query: Callable[[Node], frozenset[Any]], support: list[str],
          stop: Callable[[set[Any]], bool] | None = None,
          deps: Callable[[Node], frozenset[str]] | None = None) -> set[Any]:
    """Every value ``query`` takes over the completions below ``node`` (exact; see the module doc).

    ``support`` orders the open fields the query rests on; ``deps`` (a node's residual dependencies of
    the query) lets the search skip fields that can no longer change it below a node.
    """
    found: set[Any] = set()

    def walk(n: Node, i: int) -> bool:
        values = query(n)
        if len(values) == 1 or values <= found:
            found.update(values if len(values) == 1 else ())
            return bool(stop and stop(found))
        live = deps(n) if deps is not None else None
        while i < len(support) and (support[i] in n.assign or (live is not None and support[i] not in live)):
            i += 1
        if i == len(support):  # every field it rests on is fixed: the set is exact
            found.update(values)
            return bool(stop and stop(found))
        coord = support[i]
        return any(walk(n.child(coord, value), i + 1) for value in n.space.domains[coord])

    walk(node, 0)
    return found


def decides(node: Node, coord: str, support: list[str]) -> bool:
    """Whether two completions differing only in ``coord`` can have different headlines."""
    others = [c for c in support if c != coord]
    domain = node.space.domains[coord]

    def walk(n: Node, i: int) -> bool:
        if coord not in n.dep("headline"):
            return False  # below this node the headline does not read the field at all
        sets = [n.child(coord, v).val("headline") for v in domain]
        first = sets[0]
        if len(first) == 1 and all(s == first for s in sets):
            return False  # one headline whatever the field's value
        # Two values whose headline sets do not meet: every completion below differs between them.
        if any(a.isdisjoint(b) for a, b in itertools.combinations(set(sets), 2)):
            return True
        live = n.dep("headline")
        while i < len(others) and (others[i] in n.assign or others[i] not in live):
            i += 1
        if i == len(others):
            return len(set().union(*sets)) > 1
        c = others[i]
        return any(walk(n.child(c, v), i + 1) for v in n.space.domains[c])

    return walk(node, 0)


def _sorted(values: Iterable[Any], order: list[Any] | None = None) -> list[Any]:
    values = list(values)
    if order is not None:
        rank = {v: i for i, v in enumerate(order)}
        return sorted(values, key=lambda v: (rank.get(v, len(rank)), repr(v)))
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return sorted(values)
    return sorted(values, key=lambda v: (v is None, str(v)))


def evaluate(space: Space, pending: list[str]) -> dict[str, Any]:
    """The §7 keys of a provisional case: recommendation, derived values and score objects.

    Args:
        space: the case's completions.
        pending: the open fields answered ``not_known`` (the candidates for ``decisive``).
    """
    flow = space.flow
    root = space.root()
    rule_support = space.support(["rule"])
    rules = image(root, lambda n: n.val("rule"), rule_support, deps=lambda n: n.dep("rule"))
    heads = {space.rule_heads[r] for r in rules}
    urgencies = image(root, lambda n: n.val("urgency"), space.support(["urgency"]))

    flags_all: list[str] = []
    flags_some: list[str] = []
    for flag in flow.model.flags:
        condition = flow.cond(flag)
        support = space.condition_support(condition)
        values = image(root, lambda n, c=condition: n.truth(c), support, stop=lambda f: len(f) == 2,
                       deps=lambda n, c=condition: n.edep(c.tree))
        if values == {True}:
            flags_all.append(flag.id)
        elif True in values:
            (flags_all if flag.id in SAFETY_FLAGS else flags_some).append(flag.id)

    decisive: list[str] = []
    if len(heads) > 1:
        for coord in pending:
            if coord in rule_support and decides(root, coord, rule_support):
                decisive.append(coord)

    derived: dict[str, Any] = {}
    for d in flow.model.derived:
        values = image(root, lambda n, name=d.id: n.val(name), space.support([d.id]), stop=lambda f: len(f) > 1)
        derived[d.id] = next(iter(values)) if len(values) == 1 else None

    scores: dict[str, Any] = {}
    for s in flow.model.scores:
        scores[s.key or s.id] = _score_out(root, space, s)

    rule = next(iter(rules)) if len(rules) == 1 else None
    return {
        "rule": rule,
        "headline": next(iter(heads)) if len(heads) == 1 else None,
        "possible_headlines": sorted(heads),
        "possible_rules": sorted(rules),
        "decisive": sorted(decisive),
        "urgency": max(urgencies, key=URGENCY_ORDER.index),
        "possible_urgencies": _sorted(urgencies, list(URGENCY_ORDER)),
        "flags": sorted(flags_all),
        "possible_flags": sorted(flags_some),
        "derived": derived,
        "scores": scores,
    }


def _urgency_names(flow: LoadedFlow) -> set[str]:
    names: set[str] = set()
    for level in flow.model.urgency:
        if level.when:
            names |= flow.cond(level).names
    return names


def _items(root: Node, s: Any) -> list[dict[str, Any]]:
    """A points score's items for display: value and points where every completion agrees."""
    out = []
    for item in s.items:
        points = root._item(s, item)
        source = item.points_from or item.lookup_of or item.ranges_of
        values = root.val(source) if source else frozenset({None})
        out.append({"id": item.id, "label": item.label,
                    "value": next(iter(values)) if len(values) == 1 else None,
                    "points": next(iter(points)) if len(points) == 1 else None})
    return out


def _score_out(root: Node, space: Space, s: Any) -> Any:
    support = space.support([s.id])
    whole = image(root, lambda n: n.val(s.id), support, stop=lambda f: len(f) > 1) if support else root.val(s.id)
    if len(whole) == 1:
        value = _plain(next(iter(whole)))
        if isinstance(value, dict) and isinstance(s, PointsScore):
            value["items"] = _items(root, s)
        return value
    if not isinstance(s, PointsScore | SummaryScore) or None in whole:
        return None  # a plain value (Frankel) that varies, or a score that exists only in some completions
    keys = ["total", *s.bands[0].values, "band_label"] if isinstance(s, PointsScore) else list(s.fields)
    out: dict[str, Any] = {}
    possible: dict[str, list[Any]] = {}
    band_keys = set(s.bands[0].values) | {"band_label"} if isinstance(s, PointsScore) else set()
    for key in keys:
        values = image(root, lambda n, k=key: frozenset(v.get(k) for v in n.val(s.id)), support)
        if len(values) == 1:
            out[key] = next(iter(values))
            continue
        out[key] = None
        if key in band_keys:
            order = [b.label if key == "band_label" else b.values[key] for b in s.bands]
            possible[key] = _sorted(values, order)
        else:
            possible[key] = _sorted(values)
        if key == "total":
            out["range"] = [min(values), max(values)]
    out["possible"] = possible
    if isinstance(s, PointsScore):
        out["items"] = _items(root, s)
    return out


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, FrozenDict) else value


# --- building the space from an answers mapping ---------------------------------------------------


def build_space(flow: LoadedFlow, given: Mapping[str, Any]) -> tuple[Space, list[str], list[str]]:
    """The completions of checked answers holding ``not_known`` values.

    Returns:
        (space, pending: the ``not_known`` fields on the path in some completion, missing: the first
        question on the path in every completion that is neither given nor open, as a one-item list)
    """
    fixed: dict[str, Any] = {}
    coords: list[str] = []
    pending: list[str] = []
    for bq in flow.questions:
        qid = bq.id
        value = given.get(qid)
        if value is not None and value != NOT_KNOWN:
            fixed[qid] = value
            continue
        space = Space(flow, fixed, coords)
        root = space.root()
        support = space.support([qid]) if bq.when is not None else []
        support = [c for c in support if c != qid]
        on = image(root, lambda n, w=bq.when: n.truth(w), support) if bq.when is not None else {True}
        if True not in on:
            continue  # asked in no completion: unused
        if value == NOT_KNOWN:
            coords.append(qid)
            pending.append(qid)
            continue
        if bq.model.optional:
            continue  # skipped
        if bq.default is not None:
            proposal = root.eval(bq.default.tree)
            if len(proposal) == 1 and next(iter(proposal)) is not None:
                fixed[qid] = next(iter(proposal))
                continue
        if on == {True}:
            return Space(flow, fixed, coords), pending, [qid]
        coords.append(qid)  # brought onto the path by an open value only: enumerated
    return Space(flow, fixed, coords), pending, []


# --- the provisional Result ---------------------------------------------------------------------------


class _Shown(dict):  # type: ignore[type-arg]
    """A rendering environment: a name's value where every completion agrees, else 'not known yet'."""

    def __init__(self, root: Node) -> None:
        super().__init__()
        self.root = root

    def __missing__(self, name: str) -> Any:
        values = self.root.val(name)
        value = _plain(next(iter(values))) if len(values) == 1 else None
        if value is None and len(values) > 1:
            return "not known yet"
        return value


def provisional_result(flow: LoadedFlow, given: Mapping[str, Any]) -> tuple[Any, list[str], str | None]:
    """The result of checked answers with ``not_known`` values, and the given answers no completion uses.

    Returns:
        (result, unused, missing): ``result`` is ``None`` when ``missing`` names a question on the
        path in every completion that the answers neither give nor leave open (exit 3).
    """
    from interview.engine.rules import cite
    from interview.result import FlowInfo, Recommendation, Result, Statement

    space, pending, missing = build_space(flow, given)
    if missing:
        return None, [], missing[0]
    root = space.root()
    on_some: list[str] = []
    for bq in flow.questions:
        if bq.when is None:
            on_some.append(bq.id)
            continue
        support = [c for c in space.support([bq.id]) if c != bq.id]
        if True in image(root, lambda n, w=bq.when: n.truth(w), support, stop=lambda f: True in f):
            on_some.append(bq.id)
    on = set(on_some)
    unused = [k for k in given if k not in on]
    answers = {q: given[q] for q in on_some if q in given}
    out = evaluate(space, pending)
    shown = _Shown(root)
    model = flow.model

    def statement(node: Any, sid: str, text: str, basis: str) -> Statement:
        return Statement(id=sid, text=text, basis=basis, section=node.section, refs=cite(flow, node),
                         convention=getattr(node, "convention", False))

    flags = [*out["flags"]]
    flag_details = [statement(f, f.id, flow.template(f.text).render(shown), f"flag:{f.id}")
                    for f in model.flags if f.id in flags]
    headline = out["headline"]
    rule = next((r for r in model.rules if r.id == out["rule"]), None)
    rule_text = flow.template(rule.because).render(shown) if rule is not None else None
    level = next(u for u in model.urgency if u.level == out["urgency"])
    # Named in the clinic's words: these texts reach every screen and report.
    open_names = "; ".join(question_name(flow.by_id[q].model) for q in pending if q in flow.by_id)
    urgency_text = (f"the most urgent of the possible urgencies ({', '.join(out['possible_urgencies'])}) "
                    f"while these are not known yet: {open_names}.")

    parts: dict[str, list[Any]] = {p.id: [] for p in model.parts}
    for item in model.advice:
        condition = flow.cond(item) if item.when else None
        if condition is not None:
            support = space.condition_support(condition)
            held = image(root, lambda n, c=condition: n.truth(c), support, stop=lambda f: False in f,
                         deps=lambda n, c=condition: n.edep(c.tree))
            if held != {True}:
                continue  # advice only where every completion gives it
        parts[item.part].append(statement(item, item.id, flow.template(item.text).render(shown), f"advice:{item.id}"))

    possible = "; ".join(model.headlines[h].title for h in out["possible_headlines"])
    rationale = [Statement(
        id="provisional", basis="provisional:open_answers",
        text=(f"Provisional: not known yet — {open_names}. Possible headlines over every completion: "
              f"{possible}." + (" The headline depends on: "
                                + "; ".join(question_name(flow.by_id[q].model) for q in out["decisive"]) + "."
                                if out["decisive"] else "")),
    )]
    if rule is not None:
        rationale.append(statement(rule, f"rule_{rule.id}", f"Rule {rule.id}: {rule_text}", rule.id))
    rationale.append(statement(level, "urgency", f"Urgency {out['urgency']}: {urgency_text}", f"urgency:{level.level}"))
    rationale.extend(flag_details)

    head = model.headlines[headline] if headline else None
    if rule_text is None:
        rule_text = f"no single rule while answers are pending (possible: {', '.join(out['possible_rules'])})."
    recommendation = Recommendation(
        headline=headline,
        headline_title=head.title if head else "Provisional — the headline depends on answers not known yet",
        headline_summary=head.summary if head else f"Possible headlines: {possible}.",
        rule=out["rule"], rule_text=rule_text,
        urgency=out["urgency"], urgency_text=urgency_text, flags=flags, provisional=True,
        possible_headlines=out["possible_headlines"], decisive=out["decisive"],
        possible_urgencies=out["possible_urgencies"], possible_flags=out["possible_flags"], pending=pending,
        flag_details=flag_details, rationale=rationale, conventions=list(model.conventions), notice=model.notice,
        parts=parts,
    )
    result = Result(
        flow=FlowInfo.of(flow),
        answers=answers, path=[q for q in on_some if q in given],
        derived=out["derived"], scores=out["scores"], recommendation=recommendation,
        defaults_applied=sorted(q for q, v in space.fixed.items() if q not in given and v is not None),
        notice=model.notice,
    )
    return result, unused, None


# --- what each open finding would change (the quiz's working, the report's "find out next") -----------


#: per open finding: (its values, the headlines they still allow); a value is a choice, or a run of
#: numbers given as (first, next class's first value or None for "up to the maximum")
Outcomes = dict[str, list[tuple[list[Any], list[str]]]]


def value_headlines(flow: LoadedFlow, answers: dict[str, Any]) -> tuple[Outcomes, set[str]]:
    """For each open finding: its values grouped by the headlines each still allows, in value order;
    and the rules that give the headline in some completion.

    Read from the provisional evaluator's own completions (:mod:`interview.engine.provisional`): the
    finding is fixed to each of its classes (a run of numbers every condition of the flow treats alike
    has one representative, its first value) and the headline's image is found by the same search that
    gives ``possible_headlines``, the other open answers staying open.
    """
    space, pending, _ = build_space(flow, answers)
    root = space.root()
    support = space.support(["rule"])
    out: Outcomes = {}
    fired: set[str] = set()
    for qid in pending:
        numeric = isinstance(flow.by_id[qid].model, IntQuestion | NumberQuestion)
        domain = list(space.domains[qid])
        groups: dict[tuple[str, ...], list[Any]] = {}
        previous: tuple[str, ...] | None = None
        for i, value in enumerate(domain):
            rules = image(root.child(qid, value), lambda n: n.val("rule"), support, deps=lambda n: n.dep("rule"))
            fired |= rules
            heads = tuple(h for h in flow.model.headlines if h in {space.rule_heads[r] for r in rules})
            values = groups.setdefault(heads, [])
            if not numeric:
                values.append(value)
            else:
                upper = domain[i + 1] if i + 1 < len(domain) else None
                if previous == heads:
                    values[-1] = (values[-1][0], upper)  # the run before gives the same headlines: one run
                else:
                    values.append((value, upper))
            previous = heads
        out[qid] = [(values, list(heads)) for heads, values in groups.items()]
    return out, fired
