"""The flow's own expressions, written in FHIRPath, so that an SDC form renderer computes what the app does.

Every number and condition of the Questionnaire (each score item, total, the derived values they rest
on, each question's condition) is translated from the flow's parsed expression trees
(:mod:`interview.flow.expr`): nothing is written twice, and a flow change changes the form.

The app's language is null-safe in the way Python is (``not null`` is true, ``null == "x"`` is false,
``null < 3`` is false); FHIRPath propagates the empty collection instead. So each node has two
translations: :meth:`FhirPath.value` (the value, empty for null) and :meth:`FhirPath.truth` (always
``true`` or ``false``, as the app's truth test gives). Names become Questionnaire-level ``variable``
extensions (``%name``), defined once each, in dependency order, and only for what the form uses.

A question off the path takes its ``otherwise`` value in the app, so its variable is
``iif(<asked>, <answer>, <otherwise>)``: the same whether or not a renderer keeps the answers of
disabled items in ``%resource``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from interview.flow import expr as ex
from interview.flow.model import BoolQuestion, ChoiceQuestion, PointsScore, ScoreItem

if TYPE_CHECKING:
    from interview.flow.load import LoadedFlow

#: Names a renderer defines itself: a flow name equal to one of them cannot be a variable.
RESERVED = frozenset({"resource", "context", "questionnaire", "qitem", "rootResource", "ucum", "sct",
                      "loinc", "factory", "terminologies", "server", "ext", "vs"})


class NotExpressible(Exception):
    """An expression uses something FHIRPath cannot say here (the spinal-level text functions)."""


def literal(value: Any) -> str:
    """A FHIRPath literal for a value of the flow (null is the empty collection)."""
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def points_name(score_id: str, item_id: str) -> str:
    """The key of a score item's points (``:`` is never part of a flow name)."""
    return f"item:{score_id}:{item_id}"


def total_name(score_id: str) -> str:
    """The key of a points score's total."""
    return f"total:{score_id}"


def given_name(score_id: str) -> str:
    """The key of "the score's `requires` holds"."""
    return f"given:{score_id}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def variable_name(key: str) -> str:
    """The variable a key is written as: camelCase, since an SDC variable's name is a FHIR ``id``
    (letters, digits, ``-`` and ``.``) that FHIRPath must read as an identifier (no ``-`` or ``.``)."""
    kind, _, rest = key.partition(":")
    if not rest:
        return _camel(key)
    if kind == "item":
        score, item = rest.split(":")
        return f"{_camel(score)}Item{_camel('_' + item)}"
    return _camel(rest) + kind.capitalize()


def answer_path(flow: LoadedFlow, question_id: str) -> str:
    """The recorded answer of a question in the response being filled (``%resource``)."""
    q = flow.by_id[question_id].model
    path = f"%resource.repeat(item).where(linkId={literal(question_id)}).answer.value"
    return path + ".code" if isinstance(q, ChoiceQuestion) else path


class FhirPath:
    """Translates a flow's expressions to FHIRPath and collects the variables they use."""

    def __init__(self, flow: LoadedFlow, *, weights: bool = True) -> None:
        self.flow = flow
        #: whether a choice question that feeds one points score reads its points with ``weight()``
        self.weights = weights
        #: variable name -> FHIRPath, in dependency order
        self.variables: dict[str, str] = {}
        self._names: dict[str, str] = {}  # variable name -> the key it was made from
        self._defining: set[str] = set()

    # --- variables ------------------------------------------------------------------------------

    def variable(self, name: str) -> str:
        """``%variable`` of a key (a flow name, or :func:`total_name` …), defined (with those it rests
        on) the first time."""
        var = variable_name(name)
        if self._names.setdefault(var, name) != name:
            raise NotExpressible(f"{name!r} and {self._names[var]!r} would both be the variable {var!r}")
        if var not in self.variables:
            if var in RESERVED:
                raise NotExpressible(f"the name {name!r} is one a form renderer reserves")
            if name in self._defining:  # a loaded flow is acyclic; this only guards the recursion
                raise NotExpressible(f"{name!r} depends on itself")
            self._defining.add(name)
            try:
                expression = self._define(name)
            finally:
                self._defining.discard(name)
            self.variables[var] = expression
        return f"%{var}"

    def _define(self, name: str) -> str:
        flow = self.flow
        if name in flow.by_id:
            bq = flow.by_id[name]
            answer = answer_path(flow, name)
            if bq.when is None:
                return answer
            return f"iif({self.truth(bq.when.tree)}, {answer}, {literal(bq.model.otherwise)})"
        if name in flow.derived:
            return self._derived(name)
        for s in flow.model.scores:
            if isinstance(s, PointsScore):
                if name == total_name(s.id):
                    return self._total(s)
                for item in s.items:
                    if name == points_name(s.id, item.id):
                        return self._item(s, item)
            if name == given_name(s.id) and s.requires:
                return f"iif({self.truth(flow.cond(s, 'requires').tree)}, true, {{}})"
        raise NotExpressible(f"no FHIRPath for the name {name!r}")

    def _derived(self, name: str) -> str:
        d = self.flow.derived[name]
        if d.expr is not None:
            return self.value(self.flow.cond(d).tree)
        if d.cases is not None:
            out = "{}"
            for case in reversed(d.cases):
                value = self.value(self.flow.cond(case, "value").tree)
                out = value if case.when is None else f"iif({self.truth(self.flow.cond(case).tree)}, {value}, {out})"
            return out
        source = self.variable(d.ranges_of or "")
        out = "{}"
        for r in reversed(d.ranges or []):
            out = f"iif({source} >= {literal(r.min)} and {source} <= {literal(r.max)}, {literal(r.value)}, {out})"
        return out

    def _item(self, s: PointsScore, item: ScoreItem) -> str:
        flow = self.flow
        if item.points_from is not None:
            q = flow.by_id[item.points_from]
            if self.weights and (q.when is None or q.model.otherwise is None):
                # The renderer reads the option's own weight (itemWeight / ordinalValue): the
                # points are written once, on the options, as the flow has them.
                weight = f"%resource.repeat(item).where(linkId={literal(q.id)}).answer.value.weight()"
                return weight if q.when is None else f"iif({self.truth(q.when.tree)}, {weight}, {{}})"
            assert isinstance(q.model, ChoiceQuestion)
            return self._grouped(self.variable(q.id), {o.value: option_points(o, s.id) for o in q.model.options})
        if item.lookup is not None:
            source = self.variable(item.lookup_of or "")
            src = flow.by_id.get(item.lookup_of or "")
            if src is not None and isinstance(src.model, BoolQuestion):
                return (f"iif({source} = true, {literal(item.lookup.get('true'))}, "
                        f"iif({source} = false, {literal(item.lookup.get('false'))}, {{}}))")
            return self._grouped(source, item.lookup)
        if item.ranges is not None:
            source = self.variable(item.ranges_of or "")
            out = "{}"
            for r in reversed(item.ranges):
                out = f"iif({source} >= {literal(r.min)} and {source} <= {literal(r.max)}, {r.points}, {out})"
            return out
        out = "{}"
        for case in reversed(item.cases or []):
            out = str(case.points) if case.when is None else (
                f"iif({self.truth(flow.cond(case).tree)}, {case.points}, {out})")
        if item.needs:
            known = " and ".join(f"{self._known(n)}" for n in item.needs)
            out = f"iif({known}, {out}, {{}})"
        return out

    def _known(self, name: str) -> str:
        """True when a name is not null (a score: when its `requires` holds)."""
        if name in self.flow.scores:
            s = self.flow.scores[name]
            return f"{self.variable(given_name(s.id))}.exists()" if s.requires else "true"
        return f"{self.variable(name)}.exists()"

    def _total(self, s: PointsScore) -> str:
        parts = [self.variable(points_name(s.id, item.id)) for item in s.items]
        total = "(" + " + ".join(parts) + ")"  # empty while any item is: no total yet, as in the app
        if s.ceiling is not None:
            total = f"iif({total} > {s.ceiling}, {s.ceiling}, {total})"
        if s.requires:
            total = f"iif({self.truth(self.flow.cond(s, 'requires').tree)}, {total}, {{}})"
        return total

    @staticmethod
    def _grouped(source: str, points: dict[str, Any]) -> str:
        """``iif(source in (…), p, …)`` with the keys grouped by their points: short and exact."""
        groups: dict[Any, list[str]] = {}
        for key, value in points.items():
            groups.setdefault(value, []).append(key)
        out = "{}"
        for value, keys in reversed(list(groups.items())):
            choices = " | ".join(literal(k) for k in keys)
            out = f"iif({source} in ({choices}), {literal(value)}, {out})"
        return out

    # --- expressions ----------------------------------------------------------------------------

    def truth(self, node: ex.Node) -> str:
        """FHIRPath that is ``true`` exactly when the app's truth test of the node is (never empty)."""
        if isinstance(node, ex.Literal):
            return "true" if node.value else "false"
        if isinstance(node, ex.Not):
            return f"{self.truth(node.operand)}.not()"
        if isinstance(node, ex.BoolOp):
            return "(" + f" {node.op} ".join(self.truth(o) for o in node.operands) + ")"
        if isinstance(node, ex.Binary) and node.op in ("==", "!=", "<", "<=", ">", ">=", "in", "not in"):
            return self._compare(node)
        # A name or value in a truth test: booleans (and the score names of `needs`).
        if isinstance(node, ex.Name) and len(node.path) == 1 and node.path[0] in self.flow.scores:
            return f"{self._known(node.path[0])}"
        return f"iif({self.value(node)} = true, true, false)"

    def _compare(self, node: ex.Binary) -> str:
        op = node.op
        if op in ("==", "!=") and (_is_null(node.left) or _is_null(node.right)):
            other = node.right if _is_null(node.left) else node.left
            if isinstance(other, ex.Name) and len(other.path) == 1 and other.path[0] in self.flow.scores:
                known = self._known(other.path[0])
            else:
                known = f"({self.value(other)}).exists()"
            return known if op == "!=" else f"{known}.not()"
        left, right = self.value(node.left), self.value(node.right)
        if op == "==":
            return f"iif({left} = {right}, true, false)"
        if op == "!=":
            return f"iif({left} = {right}, false, true)"
        if op == "in":
            return f"iif({left} in {right}, true, false)"
        if op == "not in":
            return f"(({left}).exists() and iif({left} in {right}, false, true))"
        return f"iif({left} {op} {right}, true, false)"

    def value(self, node: ex.Node) -> str:
        """FHIRPath for the node's value (the empty collection where the app has null)."""
        if isinstance(node, ex.Literal):
            return literal(node.value)
        if isinstance(node, ex.ListNode):
            return "(" + " | ".join(self.value(i) for i in node.items) + ")" if node.items else "{}"
        if isinstance(node, ex.Name):
            return self._name(node.path)
        if isinstance(node, ex.Not | ex.BoolOp) or (isinstance(node, ex.Binary) and node.op not in ("+", "-")):
            return self.truth(node)
        if isinstance(node, ex.Binary):
            return f"({self.value(node.left)} {node.op} {self.value(node.right)})"
        if isinstance(node, ex.Neg):
            return f"(0 - {self.value(node.operand)})"
        if isinstance(node, ex.IfElse):
            return f"iif({self.truth(node.cond)}, {self.value(node.then)}, {self.value(node.otherwise)})"
        if isinstance(node, ex.Call):
            return self._call(node)
        raise NotExpressible(f"no FHIRPath for {type(node).__name__}")

    def _name(self, path: tuple[str, ...]) -> str:
        root = path[0]
        if len(path) == 1:
            if root in self.flow.scores:
                raise NotExpressible(f"the score {root!r} as a value (only its total, or whether it is known)")
            return self.variable(root)
        s = self.flow.scores.get(root)
        if path[1:] == ("total",) and isinstance(s, PointsScore):
            return self.variable(total_name(root))
        raise NotExpressible(f"no FHIRPath for {'.'.join(path)!r} (only a points score's total)")

    def _call(self, node: ex.Call) -> str:
        if node.func == "lookup":
            table, key, column = node.args
            assert isinstance(table, ex.Literal) and isinstance(column, ex.Literal)
            rows = self.flow.model.tables[table.value]
            column_of = {k: row.get(column.value) for k, row in rows.items()}
            return self._grouped(self.value(key), column_of)
        if node.func == "coalesce":
            out = "{}"
            for arg in reversed(node.args):
                value = self.value(arg)
                out = f"iif(({value}).exists(), {value}, {out})"
            return out
        raise NotExpressible(f"{node.func}() has no FHIRPath here")


def option_points(option: Any, score_id: str) -> Any:
    """The points an option gives in one score (an option may give points to several)."""
    return option.points.get(score_id) if isinstance(option.points, dict) else option.points


def _is_null(node: ex.Node) -> bool:
    return isinstance(node, ex.Literal) and node.value is None
