"""The small, safe condition language of flow files, parsed once at load time.

Grammar (lowest precedence first)::

    expr    := or ["if" or "else" expr]
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum]
    sum     := unary (("+" | "-") unary)*
    unary   := "-" unary | primary
    primary := NUMBER | STRING | true | false | null | "[" [expr ("," expr)*] "]"
             | NAME ("." NAME)* | FUNC "(" [expr ("," expr)*] ")" | "(" expr ")"

There is no ``eval`` and no attribute access on Python objects: names are looked up in a mapping,
dotted names index into nested mappings, and the only functions are those of :data:`FUNCTIONS`.
``null`` is the value of a question not (yet) answered; ordering comparisons and ``in`` with
``null`` are false, arithmetic with ``null`` gives ``null``, so an unanswered item never raises.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, ClassVar, NamedTuple

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]


class ExprError(ValueError):
    """A condition that does not parse, or that names something that does not exist."""


#: Limits of one expression, so no flow can exhaust the parser's stack, the evaluator or memory:
#: its length, how deep brackets, calls, ``not``/``-`` and ``if``/``else`` may nest, the height
#: of its tree (a long ``a + b + …`` chain is as tall as it is long), and literal sizes.
MAX_SOURCE = 10_000
MAX_DEPTH = 64
MAX_HEIGHT = 128
MAX_STRING = 1_000
MAX_NUMBER = 30
MAX_LIST = 256


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\(|\)|\[|\]|,|\.)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "if", "else", "true", "false", "null"}


class Token(NamedTuple):
    """One lexical token with its column, for error messages."""

    kind: str
    text: str
    col: int


def tokenize(source: str) -> list[Token]:
    """Split an expression into tokens.

    Raises:
        ExprError: on a character the language does not know.
    """
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if not m:
            raise ExprError(f"unexpected character {source[pos]!r} at column {pos + 1}")
        kind = m.lastgroup or ""
        text = m.group()
        if kind != "ws":
            if kind == "name" and text in _KEYWORDS:
                kind = "kw"
            tokens.append(Token(kind, text, pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# --- null-safe operators -------------------------------------------------------------------------


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
            return False
        try:
            return op(a, b)
        except TypeError:
            return False

    return compare


def _contains(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    try:
        return a in b
    except TypeError:
        return False


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        return op(a, b)

    return apply


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": _ordered(lambda a, b: a < b),
    "<=": _ordered(lambda a, b: a <= b),
    ">": _ordered(lambda a, b: a > b),
    ">=": _ordered(lambda a, b: a >= b),
    "in": _contains,
    "not in": lambda a, b: a is not None and b is not None and not _contains(a, b),
    "+": _arith(lambda a, b: a + b),
    "-": _arith(lambda a, b: a - b),
}


# --- functions -----------------------------------------------------------------------------------


class FunctionSpec(NamedTuple):
    """A function the language allows, with its arity and a load-time argument check."""

    arity: tuple[int, int]
    impl: Callable[..., Any]
    needs_tables: bool = False

    def bound(self, tables: Mapping[str, Any]) -> Callable[..., Any]:
        """The function as an expression calls it: with the flow's tables first, for one that reads them."""
        return partial(self.impl, tables) if self.needs_tables else self.impl


def _lookup(tables: Mapping[str, Mapping[str, Mapping[str, Any]]], table: str, key: Any, column: str) -> Any:
    if key is None:
        return None
    row = tables[table].get(str(key))
    return None if row is None else row.get(column)


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def _min(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _max(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


#: Longest level text read by the level functions (a flow's index level field is shorter), so a
#: long text costs nothing; and the most levels one text may name (the whole spine is 29).
_LEVEL_TEXT_MAX = 80
_LEVEL = r"(?:OCCIPUT|OCC|O|C ?\d|TH? ?\d{1,2}|D ?\d{1,2}|L ?\d|S ?\d)"
_LEVEL_RANGE = re.compile(rf"(?<![A-Z0-9])({_LEVEL})(?:\s*(?:-|–|—|TO)\s*({_LEVEL}|\d{{1,2}}))?(?![A-Z0-9])")


def _level_key(token: str, region_of: str = "") -> str:
    """'TH6' and 'D6' (dorsal) -> 'T6'; 'O', 'OCC', 'OCCIPUT' -> 'C0'; a bare '12' after 'T11-' -> 'T12'."""
    if token.isdigit():
        return region_of + str(int(token))
    if token.startswith("O"):
        return "C0"
    letter = "T" if token[0] in "TD" else token[0]
    return letter + str(int(token.lstrip("THD CLS")))


def _level_regions(tables: Mapping[str, Mapping[str, Mapping[str, Any]]], table: str, text: Any,
                   column: str) -> list[Any] | None:
    """The distinct values of `column` over the spinal levels a text names ("T6", "C7-T1", "T11–12").

    The table's rows are the levels in order from the skull down (C0 … S5), so a range covers every
    row between its ends. Null when the text names no level of the table (typed loosely, or not
    at all): nothing is proposed and nothing is checked then.
    """
    if not isinstance(text, str) or len(text) > _LEVEL_TEXT_MAX:
        return None
    rows = tables[table]
    order = list(rows)
    found: list[Any] = []
    for m in _LEVEL_RANGE.finditer(text.upper()):
        first = _level_key(m.group(1))
        last = _level_key(m.group(2), first[0]) if m.group(2) else first
        if first not in rows or last not in rows:
            return None  # "T13", "C9": not a level; better no proposal than a wrong one
        a, b = sorted((order.index(first), order.index(last)))
        for key in order[a:b + 1]:
            value = rows[key].get(column)
            if value is not None and value not in found:
                found.append(value)
    return found or None


def _level_region(tables: Mapping[str, Mapping[str, Mapping[str, Any]]], table: str, text: Any,
                  column: str) -> Any:
    """The one value of `column` over the levels a text names; null when none, or when they differ."""
    found = _level_regions(tables, table, text, column)
    return found[0] if found and len(found) == 1 else None


FUNCTIONS: dict[str, FunctionSpec] = {
    # lookup("table", key, "column"): one cell of a flow table; null for a null key.
    "lookup": FunctionSpec((3, 3), _lookup, needs_tables=True),
    # level_region("table", text, "column"): the one value of a column over the spinal levels a
    # text names ("T6" -> semirigid), null when it names none or they differ; level_regions: the
    # list of them. The table's rows are the levels from the skull down (C0 … S5).
    "level_region": FunctionSpec((3, 3), _level_region, needs_tables=True),
    "level_regions": FunctionSpec((3, 3), _level_regions, needs_tables=True),
    "coalesce": FunctionSpec((1, 9), _coalesce),
    "min": FunctionSpec((1, 9), _min),
    "max": FunctionSpec((1, 9), _max),
}


# --- AST -----------------------------------------------------------------------------------------


class Node:
    """Base of the expression tree: each kind of node declares its parts as annotated fields, in order.

    Plain classes, not dataclasses: a tree is built by the parser and by the flow cache only, and
    generating dataclass methods for the eleven kinds cost more at every start than all the rest of
    this module. A kind's parts are read once from its annotations (:attr:`fields`), so each part is
    named in one place.
    """

    #: the node's parts, in the order the parser gives them: its own annotated fields
    fields: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.fields = tuple(inspect.get_annotations(cls))

    def __init__(self, *parts: Any) -> None:
        for name, value in zip(self.fields, parts, strict=True):
            setattr(self, name, value)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(repr(getattr(self, n)) for n in self.fields)})"

    def children(self) -> list[Node]:
        """The nodes this one is made of, in :attr:`fields` order (a list part gives each of its items)."""
        found: list[Node] = []
        for name in self.fields:
            part = getattr(self, name)
            if isinstance(part, Node):
                found.append(part)
            elif isinstance(part, list):
                found.extend(p for p in part if isinstance(p, Node))
        return found

    def names(self) -> set[str]:
        """Root names this node reads (``sins.total`` reads ``sins``): its parts' names, for all but a Name."""
        return set().union(*(child.names() for child in self.children()))

    def compile(self, tables: Mapping[str, Any]) -> Compiled:  # pragma: no cover - abstract
        raise NotImplementedError


class Literal(Node):
    value: Any

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        value = self.value
        return lambda env: value


class ListNode(Node):
    items: list[Node]

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        parts = [i.compile(tables) for i in self.items]
        if all(isinstance(i, Literal) for i in self.items):
            frozen = tuple(i.value for i in self.items)  # type: ignore[attr-defined]
            return lambda env: frozen
        return lambda env: tuple(p(env) for p in parts)


class Name(Node):
    path: tuple[str, ...]

    def names(self) -> set[str]:
        return {self.path[0]}

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        root, rest = self.path[0], self.path[1:]
        if not rest:
            return lambda env: env[root]

        def get(env: Env) -> Any:
            value = env[root]
            for part in rest:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(part)
            return value

        return get


class Call(Node):
    func: str
    args: list[Node]

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        impl = FUNCTIONS[self.func].bound(tables)
        args = [a.compile(tables) for a in self.args]
        return lambda env: impl(*(a(env) for a in args))


class Not(Node):
    operand: Node

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        inner = self.operand.compile(tables)
        return lambda env: not inner(env)


class Neg(Node):
    operand: Node

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        inner = self.operand.compile(tables)

        def neg(env: Env) -> Any:
            v = inner(env)
            return None if v is None else -v

        return neg


class BoolOp(Node):
    op: str
    operands: list[Node]

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        parts = [o.compile(tables) for o in self.operands]
        if self.op == "and":
            return lambda env: all(p(env) for p in parts)
        return lambda env: any(p(env) for p in parts)


class Binary(Node):
    op: str
    left: Node
    right: Node

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        fn = _BINARY[self.op]
        left, right = self.left.compile(tables), self.right.compile(tables)
        return lambda env: fn(left(env), right(env))


class IfElse(Node):
    then: Node
    cond: Node
    otherwise: Node

    def compile(self, tables: Mapping[str, Any]) -> Compiled:
        then, cond, otherwise = (n.compile(tables) for n in (self.then, self.cond, self.otherwise))
        return lambda env: then(env) if cond(env) else otherwise(env)


# --- parser --------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: str) -> None:
        if len(source) > MAX_SOURCE:
            raise ExprError(f"the expression is {len(source)} characters long (at most {MAX_SOURCE})")
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    def nested(self, parse: Callable[[], Node]) -> Node:
        """``parse()`` one level of nesting deeper; refused past :data:`MAX_DEPTH` (never a RecursionError)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"nested more than {MAX_DEPTH} levels deep")
        node = parse()
        self.depth -= 1
        return node

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def accept(self, kind: str, text: str | None = None) -> Token | None:
        t = self.tok
        if t.kind == kind and (text is None or t.text == text):
            self.i += 1
            return t
        return None

    def expect(self, kind: str, text: str) -> Token:
        t = self.accept(kind, text)
        if t is None:
            raise self.error(f"expected {text!r}")
        return t

    def error(self, message: str) -> ExprError:
        t = self.tok
        found = "end of expression" if t.kind == "end" else repr(t.text if len(t.text) <= 40 else t.text[:39] + "…")
        return ExprError(f"{message} at column {t.col}, found {found}")

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ExprError("empty expression")
        node = self.expr()
        if self.tok.kind != "end":
            raise self.error("unexpected text")
        return node

    def expr(self) -> Node:
        return self.nested(self.conditional)

    def conditional(self) -> Node:
        node = self.or_()
        if self.accept("kw", "if"):
            cond = self.or_()
            self.expect("kw", "else")
            node = IfElse(node, cond, self.expr())
        return node

    def or_(self) -> Node:
        parts = [self.and_()]
        while self.accept("kw", "or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else BoolOp("or", parts)

    def and_(self) -> Node:
        parts = [self.not_()]
        while self.accept("kw", "and"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else BoolOp("and", parts)

    def not_(self) -> Node:
        return Not(self.nested(self.not_)) if self.accept("kw", "not") else self.compare()

    def compare(self) -> Node:
        left = self.sum_()
        t = self.tok
        if t.kind == "op" and t.text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return Binary(t.text, left, self.sum_())
        if self.accept("kw", "in"):
            return Binary("in", left, self.sum_())
        if t.kind == "kw" and t.text == "not" and self.tokens[self.i + 1].text == "in":
            self.i += 2
            return Binary("not in", left, self.sum_())
        return left

    def sum_(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.take().text
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        return Neg(self.nested(self.unary)) if self.accept("op", "-") else self.primary()

    def primary(self) -> Node:
        t = self.tok
        if t.kind == "number":
            if len(t.text) > MAX_NUMBER:
                raise self.error(f"a number of {len(t.text)} characters (at most {MAX_NUMBER})")
            self.take()
            return Literal(float(t.text) if "." in t.text else int(t.text))
        if t.kind == "string":
            if len(t.text) - 2 > MAX_STRING:
                raise self.error(f"a text of {len(t.text) - 2} characters (at most {MAX_STRING})")
            self.take()
            return Literal(string_value(t))
        if t.kind == "kw" and t.text in ("true", "false", "null"):
            self.take()
            return Literal({"true": True, "false": False, "null": None}[t.text])
        if self.accept("op", "("):
            node = self.expr()
            self.expect("op", ")")
            return node
        if self.accept("op", "["):
            items: list[Node] = []
            if not self.accept("op", "]"):
                items.append(self.expr())
                while self.accept("op", ","):
                    if len(items) >= MAX_LIST:
                        raise self.error(f"a list of more than {MAX_LIST} items")
                    items.append(self.expr())
                self.expect("op", "]")
            return ListNode(items)
        if t.kind == "name":
            self.take()
            if self.accept("op", "("):
                return self.call(t)
            path = [t.text]
            while self.accept("op", "."):
                part = self.take()
                if part.kind != "name":
                    raise ExprError(f"expected a name after '.' at column {part.col}")
                path.append(part.text)
            return Name(tuple(path))
        raise self.error("expected a value, a name or '('")

    def call(self, name: Token) -> Node:
        if name.text not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise ExprError(f"unknown function {name.text!r} at column {name.col} (allowed: {allowed})")
        args: list[Node] = []
        if not self.accept("op", ")"):
            args.append(self.expr())
            while self.accept("op", ","):
                args.append(self.expr())
            self.expect("op", ")")
        lo, hi = FUNCTIONS[name.text].arity
        if not lo <= len(args) <= hi:
            raise ExprError(f"{name.text}() takes {lo}{'' if lo == hi else f' to {hi}'} arguments, got {len(args)}")
        return Call(name.text, args)


class Expression:
    """A parsed condition or value: its source, tree, root names and compiled function."""

    __slots__ = ("source", "tree", "names", "fn")

    def __init__(self, source: str, tree: Node, names: frozenset[str] = frozenset(),
                 fn: Compiled | None = None) -> None:
        self.source = source
        self.tree = tree
        self.names = names
        self.fn = fn

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def __call__(self, env: Env) -> Any:
        assert self.fn is not None, "expression used before bind()"
        return self.fn(env)


def parse(source: str) -> Expression:
    """Parse an expression (no name resolution yet).

    Raises:
        ExprError: if the text is not a valid expression.
    """
    tree = _Parser(str(source)).parse()
    height = _height(tree)
    if height > MAX_HEIGHT:
        raise ExprError(f"the expression is nested {height} levels deep (at most {MAX_HEIGHT}); split it "
                        "into derived values")
    return Expression(str(source), tree, frozenset(tree.names()))


def bind(expr: Expression, known: Mapping[str, Any] | set[str], tables: Mapping[str, Mapping[str, Any]]) -> None:
    """Check every name and table the expression uses, then compile it.

    Args:
        expr: a parsed expression.
        known: the names visible where the expression is used.
        tables: the flow's lookup tables, by name.

    Raises:
        ExprError: naming the first unknown name, table or column.
    """
    unknown = sorted(n for n in expr.names if n not in known)
    if unknown:
        raise ExprError(f"unknown name {unknown[0]!r}")
    _check_calls(expr.tree, tables)
    expr.fn = expr.tree.compile(tables)


def _check_calls(node: Node, tables: Mapping[str, Mapping[str, Any]]) -> None:
    if isinstance(node, Call) and FUNCTIONS[node.func].needs_tables:
        table, column, func = node.args[0], node.args[2], node.func
        if not (isinstance(table, Literal) and isinstance(table.value, str)):
            raise ExprError(f"{func}() needs the table name as a quoted string")
        if table.value not in tables:
            raise ExprError(f"{func}() names unknown table {table.value!r}")
        if not (isinstance(column, Literal) and isinstance(column.value, str)):
            raise ExprError(f"{func}() needs the column name as a quoted string")
        rows = tables[table.value]
        if rows and not any(column.value in row for row in rows.values()):
            raise ExprError(f"table {table.value!r} has no column {column.value!r}")
    for child in node.children():
        _check_calls(child, tables)


_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|(.))", re.DOTALL)


def string_value(t: Token) -> str:
    """The text of a string literal token, every character as written (``"płuco"`` is ``płuco``):
    only the ``\\ \\" \\' \\n \\t \\r \\0 \\xHH \\uHHHH \\UHHHHHHHH`` escapes are read, never the
    text as bytes; any other escape is an error naming its column.

    The one reading of a literal, for the parser and for anything that compares expression texts
    (:func:`interview.check.lint.normalise_expression`).
    """

    def one(m: re.Match[str]) -> str:
        code = m.group(1) or m.group(2) or m.group(3)
        if code:
            n = int(code, 16)
            if n > 0x10FFFF or 0xD800 <= n <= 0xDFFF:
                raise ExprError(f"invalid character escape {m.group()!r} in the text at column {t.col}")
            return chr(n)
        c = m.group(4)
        if c in _ESCAPES:
            return _ESCAPES[c]
        raise ExprError(f"unknown escape {m.group()[:2]} in the text at column {t.col + m.start() + 1} "
                        "(allowed: \\\\ \\\" \\' \\n \\t \\r \\0 \\xHH \\uHHHH)")

    body = t.text[1:-1]
    return _ESCAPE.sub(one, body) if "\\" in body else body


def _height(root: Node) -> int:
    """The height of a tree, without recursion (stops counting past :data:`MAX_HEIGHT`)."""
    best, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        best = max(best, depth)
        if best > MAX_HEIGHT:
            return best
        stack.extend((child, depth + 1) for child in node.children())
    return best
