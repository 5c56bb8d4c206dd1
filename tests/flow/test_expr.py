"""The flow condition language: parsing, precedence, null semantics, binding checks and no eval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from interview.flow import expr as ex

TABLES = {"primary_profile": {"kidney": {"tomita_growth": "moderate", "radiosensitivity": "radioresistant"},
                              "myeloma": {"tomita_growth": "moderate", "radiosensitivity": "radiosensitive"}}}
ENV: dict[str, Any] = {
    "kps": 70, "sins": {"total": 9, "category": "potentially_unstable"}, "sins_pain": "mechanical",
    "neuro_deficit": True, "deficit_progressing": False, "frankel": "B", "hours": None, "survival": 2.5,
    "primary_tumour": "kidney", "escc_grade": "2", "missing": None,
}


def evaluate(source: str, env: dict[str, Any] | None = None) -> Any:
    """Parse, bind against the names of ENV (or env) and evaluate."""
    env = ENV if env is None else env
    expression = ex.parse(source)
    ex.bind(expression, set(env), TABLES)
    return expression(env)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("kps >= 70", True), ("kps > 70", False), ("kps == 70", True), ("kps != 70", False), ("kps < 80", True),
        ("kps <= 60", False), ("survival < 3", True), ("kps + 10", 80), ("kps - 100", -30), ("-kps", -70),
        ("1.5 + 1", 2.5), ('"a" == "a"', True), ("'single' == \"single\"", True), ("true", True), ("false", False),
        ("null", None), ("[1, 2]", (1, 2)), ("[]", ()), ('frankel in ["A", "B"]', True),
        ('frankel not in ["A", "B"]', False), ('escc_grade in ["2", "3"]', True), ("sins.total", 9),
        ('sins.category == "potentially_unstable"', True), ("sins.nope", None), ("kps.total", None),
        ("not neuro_deficit", False), ("not not neuro_deficit", True), ("neuro_deficit and deficit_progressing", False),
        ("neuro_deficit or deficit_progressing", True), ('"yes" if neuro_deficit else "no"', "yes"),
        ('"yes" if deficit_progressing else "no"', "no"), ("coalesce(missing, hours, kps)", 70),
        ("coalesce(missing)", None), ("min(kps, 50, missing)", 50), ("max(kps, 90)", 90), ("min(missing)", None),
        ('lookup("primary_profile", primary_tumour, "tomita_growth")', "moderate"),
        ('lookup("primary_profile", "myeloma", "radiosensitivity")', "radiosensitive"),
        ('lookup("primary_profile", "breast", "radiosensitivity")', None),
        ('lookup("primary_profile", missing, "radiosensitivity")', None),
        ('"a\\"b"', 'a"b'),
    ],
)
def test_evaluates(source: str, value: Any) -> None:
    """Each expression of the table evaluates to its value."""
    assert evaluate(source) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("hours > 48", False), ("hours < 48", False), ("hours >= 0", False), ("hours <= 0", False),
        ("hours == null", True), ("hours != null", False), ("hours == 0", False), ("hours + 1", None),
        ("1 - hours", None), ("-hours", None), ('hours in ["A"]', False), ('hours not in ["A"]', False),
        ("frankel in missing", False), ("not hours", True), ("sins.total >= 7 or hours > 48", True),
        ("missing.total", None), ("missing.total >= 13", False), ("neuro_deficit > 0", False),
        ('kps > "a"', False),
    ],
)
def test_null_and_type_mismatches_are_false_not_errors(source: str, value: Any) -> None:
    """Unanswered values (null) and mismatched types make comparisons false and arithmetic null — never raise."""
    assert evaluate(source) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("true or false and false", True),  # and binds tighter than or
        ("(true or false) and false", False),
        ("not false and false", False),  # not binds tighter than and
        ("not (false and false)", True),
        ("1 + 2 == 3", True),  # arithmetic before comparison
        ("not kps == 70", False),  # comparison before not
        ("10 - 3 - 2", 5),  # left-associative
        ("1 if false else 2 if true else 3", 2),  # conditional is right-associative
        ('"x" if true or false else "y"', "x"),
        ("- - kps", 70),
    ],
)
def test_precedence(source: str, value: Any) -> None:
    """Operators bind as the grammar says: or < and < not < comparison < sum < unary."""
    assert evaluate(source) == value


def test_and_or_short_circuit() -> None:
    """`and`/`or` stop at the first deciding operand (a later operand is not evaluated)."""
    calls: list[str] = []

    class Env(dict):
        def __getitem__(self, key: str) -> Any:
            calls.append(key)
            return super().__getitem__(key)

    env = Env(a=False, b=True)
    expression = ex.parse("a and b")
    ex.bind(expression, {"a", "b"}, {})
    assert expression(env) is False
    assert calls == ["a"]


@pytest.mark.parametrize(
    ("source", "names"),
    [("kps >= 70", {"kps"}), ("sins.total >= 13 and sins_pain == 'mechanical'", {"sins", "sins_pain"}),
     ('lookup("primary_profile", primary_tumour, "x")', {"primary_tumour"}), ("true", set()),
     ("coalesce(a, b) if c else [d]", {"a", "b", "c", "d"})],
)
def test_names_are_the_root_names_read(source: str, names: set[str]) -> None:
    """A parsed expression lists the root names it reads (used for dependency and look-back checks)."""
    assert ex.parse(source).names == names


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"), ("   ", "empty expression"), ("kps >=", "expected a value"),
        ("(kps", "expected ')'"), ("kps)", "unexpected text"), ("[1, 2", "expected ']'"),
        ("kps == 1 == 2", "unexpected text"), ("kps @ 2", "unexpected character '@'"),
        ("kps * 2", "unexpected character '*'"), ("a if b", "expected 'else'"), ("sins.", "expected a name"),
        ("sins.1", "expected a name"), ("kps; import os", "unexpected character ';'"),
        ("__import__('os')", "unknown function '__import__'"), ("eval('1')", "unknown function 'eval'"),
        ("open('/etc/passwd')", "unknown function 'open'"), ("exec('x = 1')", "unknown function 'exec'"),
        ("kps.__class__()", "expected"), ("lookup(1, 2)", "takes 3 arguments"), ("min()", "takes 1 to 9"),
        ("'unterminated", "unexpected character"), ("kps ! 2", "unexpected character '!'"),
        ("lambda: 1", "unexpected character ':'"),
    ],
)
def test_parse_errors(source: str, message: str) -> None:
    """Malformed or unsafe text is refused at parse time with a message saying where and what."""
    with pytest.raises(ex.ExprError, match=None) as err:
        ex.parse(source)
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("kpss >= 70", "unknown name 'kpss'"),
        ("__builtins__", "unknown name '__builtins__'"),
        ("sins_total >= 7", "unknown name 'sins_total'"),
        ('lookup("nope", kps, "x")', "unknown table 'nope'"),
        ('lookup("primary_profile", kps, "colour")', "has no column 'colour'"),
        ('lookup(primary_tumour, kps, "x")', "table name as a quoted string"),
        ('lookup("primary_profile", kps, primary_tumour)', "column name as a quoted string"),
        ('max(lookup("nope", kps, "x"))', "unknown table 'nope'"),
    ],
)
def test_bind_errors(source: str, message: str) -> None:
    """Unknown names, tables and columns are refused at bind time, before any case is run."""
    expression = ex.parse(source)
    with pytest.raises(ex.ExprError) as err:
        ex.bind(expression, set(ENV), TABLES)
    assert message in str(err.value)


def test_no_eval_and_no_attribute_access(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluation never calls eval/exec/compile, and dotted names only index mappings, never Python attributes."""
    import builtins

    def forbidden(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the condition language must not use eval/exec/compile")

    expression = ex.parse('kps.real == 70 or kps.__class__ == null and lookup("primary_profile", "kidney", "tomita_growth") == "moderate"')
    ex.bind(expression, {"kps"}, TABLES)
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert expression({"kps": 70}) is True  # kps.real is null (not the int attribute); the lookup holds


def test_unbound_expression_cannot_run() -> None:
    """An expression must be bound (names checked) before it is evaluated."""
    with pytest.raises(AssertionError):
        ex.parse("kps > 1")({"kps": 2})


def test_tokenizer_reports_columns() -> None:
    """Tokens carry their 1-based column, so errors point at the place."""
    tokens = ex.tokenize("kps >= 70")
    assert [(t.kind, t.text, t.col) for t in tokens] == [
        ("name", "kps", 1), ("op", ">=", 5), ("number", "70", 8), ("end", "", 10)]


# --- text literals are read as written, in any script ---------------------------------------------

POLISH = Path(__file__).resolve().parent / "fixtures" / "polish.yaml"


@pytest.mark.parametrize(
    ("source", "env", "value"),
    [
        ('narzad == "płuco"', {"narzad": "płuco"}, True),
        ("narzad == 'płuco'", {"narzad": "pluco"}, False),
        ('narzad in ["wątroba", "kość"]', {"narzad": "kość"}, True),
        ('"zażółć gęślą jaźń"', {}, "zażółć gęślą jaźń"),
        ('"p\\u0142uco" == "płuco"', {}, True),
        ('"\\U0001F600x"', {}, "\U0001F600x"),
    ],
)
def test_text_literals_keep_every_character(source: str, env: dict[str, Any], value: Any) -> None:
    """A literal with Polish (or any non-ASCII) letters is the text as written, and escapes still work."""
    assert evaluate(source, env) == value


def test_a_polish_flow_takes_its_branches() -> None:
    """In a flow written in Polish, a condition on "płuco" asks its question and a rule on it decides."""
    from interview.engine.replay import replay
    from interview.flow.load import load_flow

    flow = load_flow(POLISH, cache=False)
    lung = replay(flow, {"narzad": "płuco", "palacz": True}).result
    assert lung.path == ["narzad", "palacz"]
    assert (lung.recommendation.headline, lung.recommendation.rule_text) == ("pluco", "Narząd płuco, palacz.")
    liver = replay(flow, {"narzad": "wątroba", "zrodlo": True}).result  # written as w\u0105troba in the flow
    assert (liver.path, liver.recommendation.headline) == (["narzad", "zrodlo"], "inne")


def test_check_compares_polish_literals_as_text() -> None:
    """`check` normalises a literal to its characters: "płuco" and "p\\u0142uco" are the same text, "pluco" is not."""
    from interview.check.lint import normalise_expression

    assert normalise_expression('x == "płuco"') == normalise_expression("x == 'p\\u0142uco'")
    assert normalise_expression('x == "płuco"') != normalise_expression('x == "pluco"')
    assert normalise_expression('x == "płuco"') == 'x == ' + json.dumps("płuco")


# --- bound expressions are kept by their place in the flow file -----------------------------------


def _at(data: Any, loc: tuple[Any, ...]) -> Any:
    for key in loc:
        data = data[key]
    return data


def test_every_bound_expression_and_template_is_keyed_by_where_it_is_written(flow) -> None:
    """Each key of `conditions` and `templates` is a location in the flow file holding exactly that text."""
    data = yaml.safe_load(flow.path.read_text(encoding="utf-8"))
    assert flow.conditions and flow.templates
    for loc, expression in flow.conditions.items():
        assert _at(data, loc) == expression.source, loc
    for loc, template in flow.templates.items():
        assert _at(data, loc) == template.text, loc


def test_a_node_finds_its_expression_without_object_identity(flow) -> None:
    """cond() and template() find a node's bound expression from an equal copy of the node, not only the node itself."""
    import copy

    for rule in flow.model.rules:
        twin = copy.deepcopy(rule)
        assert twin is not rule
        assert flow.template(twin.because).text == rule.because
        if rule.when:
            assert flow.cond(twin).source == rule.when
    for d in flow.model.derived:
        for case in d.cases or []:
            assert flow.cond(copy.deepcopy(case), "value").source == case.value
