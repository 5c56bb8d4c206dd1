"""Bad input to `spine-interview run` gives exit 2 or 3 and one clear line on stderr — never a traceback."""

from __future__ import annotations

import contextlib
import copy
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import strategies
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import ROOT, example_answers

from interview.cli import EXIT_BAD_INPUT, EXIT_MISSING, EXIT_OK, main

FLOW_FILE = ROOT / "flows" / "spinal_metastases.yaml"
FLOW_DATA = yaml.safe_load(FLOW_FILE.read_text(encoding="utf-8"))
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Call the CLI in-process: (exit code, stdout, stderr). Any exception other than SystemExit escapes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse usage errors
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def assert_clean_error(code: int, err: str, expected_code: int | None = None) -> str:
    """A failing run printed exactly one non-empty stderr line without a traceback; returns that line."""
    assert "Traceback" not in err
    if expected_code is not None:
        assert code == expected_code, f"exit {code}, expected {expected_code}: {err}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {err!r}"
    return lines[0]


def write(path: Path, content: str | bytes) -> Path:
    """Write text or bytes to a file and return its path."""
    content = content_of(content)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def good() -> dict[str, Any]:
    """The stable renal example: the good answers file bad input is made from (read when a test runs)."""
    return example_answers("renal_stable")


class Later(str):
    """File content made when the test runs, so that collection reads no file."""

    def __new__(cls, make: Callable[[], str]) -> Later:
        obj = super().__new__(cls, "")
        obj.make = make  # type: ignore[attr-defined]
        return obj


def content_of(content: str | bytes) -> str | bytes:
    """The text of a table entry: made now when it is a :class:`Later`."""
    return content.make() if isinstance(content, Later) else content  # type: ignore[attr-defined]


def with_(**changes: Any) -> str:
    """The good example with some fields changed (``None`` removes a field), as YAML."""
    def make() -> str:
        data = {k: v for k, v in {**good(), **changes}.items() if v is not None or k not in changes}
        return yaml.safe_dump(data, sort_keys=False)

    return Later(make)


def without(field_id: str) -> str:
    """The good example without one field, as YAML."""
    return Later(lambda: yaml.safe_dump({k: v for k, v in good().items() if k != field_id}, sort_keys=False))


# (id, file content or None for a missing file, exit code, words the message must contain)
BAD_FILES: list[tuple[str, str | bytes | None, int, tuple[str, ...]]] = [
    ("unknown-field", with_(sins_total=9), EXIT_BAD_INPUT, ("sins_total", "unknown field")),
    ("unknown-field-typo", with_(neuro_defict=False), EXIT_BAD_INPUT, ("neuro_defict", "known fields")),
    ("kps-above-range", with_(kps=110), EXIT_BAD_INPUT, ("kps", "110", "10 to 100")),
    ("kps-below-range", with_(kps=0), EXIT_BAD_INPUT, ("kps", "10 to 100")),
    ("kps-off-step", with_(kps=75), EXIT_BAD_INPUT, ("kps", "75", "steps of 10")),
    ("kps-fraction", with_(kps=70.5), EXIT_BAD_INPUT, ("kps", "whole number")),
    ("vertebrae-zero", with_(vertebral_body_mets=0), EXIT_BAD_INPUT, ("vertebral_body_mets", "1 to 33")),
    ("survival-negative", with_(expected_survival_months=-1), EXIT_BAD_INPUT, ("expected_survival_months", "0 to 600")),
    ("survival-nan", with_(expected_survival_months=float("nan")), EXIT_BAD_INPUT, ("expected_survival_months",)),
    ("kps-as-text", with_(kps="ninety"), EXIT_BAD_INPUT, ("kps", "ninety", "whole number")),
    ("kps-as-bool", with_(kps=True), EXIT_BAD_INPUT, ("kps",)),
    ("bool-as-int", with_(neuro_deficit=1), EXIT_BAD_INPUT, ("neuro_deficit", "yes or no")),
    ("bool-as-word", with_(fit_for_surgery="yes"), EXIT_BAD_INPUT, ("fit_for_surgery", "yes or no")),
    ("enum-as-list", with_(sins_pain=["mechanical"]), EXIT_BAD_INPUT, ("sins_pain", "one of")),
    ("enum-outside", with_(primary_tumour="renal"), EXIT_BAD_INPUT, ("primary_tumour", "renal", "kidney")),
    ("enum-otherwise-not-a-value", with_(primary_tumour="unknown"), EXIT_BAD_INPUT, ("primary_tumour", "unknown")),
    ("escc-grade-4", with_(escc_grade="4"), EXIT_BAD_INPUT, ("escc_grade", "1c")),
    ("frankel-f", with_(frankel="F"), EXIT_BAD_INPUT, ("frankel", "A, B, C, D, E")),
    ("malformed-yaml", "neuro_deficit: [true,\n", EXIT_BAD_INPUT, ("malformed", "line")),
    ("malformed-json", '{"neuro_deficit": true,,}', EXIT_BAD_INPUT, ("malformed",)),
    ("not-utf8", b"\xff\xfe\x00neuro", EXIT_BAD_INPUT, ("UTF-8",)),
    ("a-list", "- neuro_deficit\n- kps\n", EXIT_BAD_INPUT, ("mapping", "list")),
    ("a-scalar", "42\n", EXIT_BAD_INPUT, ("mapping", "int")),
    ("empty-file", "", EXIT_BAD_INPUT, ("empty",)),
    ("only-whitespace", "  \n\n", EXIT_BAD_INPUT, ("empty",)),
    ("only-a-comment", "# nothing yet\n", EXIT_BAD_INPUT, ("empty",)),
    ("missing-file", None, EXIT_BAD_INPUT, ("no such answers file",)),
    ("missing-kps", without("kps"), EXIT_MISSING, ("'kps'", "missing")),
    ("missing-first-question", without("neuro_deficit"), EXIT_MISSING, ("'neuro_deficit'",)),
    ("missing-gate-staging", without("staging_done"), EXIT_MISSING, ("'staging_done'",)),
    ("explicit-null-is-missing", Later(lambda: yaml.safe_dump({**good(), "fit_for_surgery": None})), EXIT_MISSING,
     ("'fit_for_surgery'",)),
]


@pytest.mark.parametrize(("content", "code", "words"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_answers_file(tmp_path: Path, content: str | bytes | None, code: int, words: tuple[str, ...]) -> None:
    """Each kind of bad answers file gives its exit code and one line naming the file and the field."""
    path = tmp_path / "case.answers.yaml"
    if content is not None:
        write(path, content)
    rc, out, err = run_cli(["run", "--answers", str(path)])
    line = assert_clean_error(rc, err, code)
    assert out == ""
    assert str(path) in line, "the message must name the file"
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"


def test_directory_as_answers_file(tmp_path: Path) -> None:
    """A directory given as the answers file is refused cleanly."""
    rc, _, err = run_cli(["run", "--answers", str(tmp_path)])
    assert "directory" in assert_clean_error(rc, err, EXIT_BAD_INPUT)


@pytest.mark.parametrize(
    ("flow_text", "words"),
    [
        (None, ("no such flow file",)),
        ("", ("empty",)),
        ("- a\n- b\n", ("list",)),
        ("id: [unclosed\n", ("not valid YAML",)),
    ],
    ids=["missing-flow", "empty-flow", "list-flow", "malformed-flow"],
)
def test_bad_flow_file(tmp_path: Path, flow_text: str | None, words: tuple[str, ...]) -> None:
    """A flow file that cannot be used gives exit 2 and one line naming it."""
    flow_path = tmp_path / "broken.yaml"
    if flow_text is not None:
        write(flow_path, flow_text)
    answers = write(tmp_path / "a.yaml", with_())
    rc, _, err = run_cli(["run", "--answers", str(answers), "--flow", str(flow_path)])
    line = assert_clean_error(rc, err, EXIT_BAD_INPUT)
    assert str(flow_path) in line
    for word in words:
        assert word in line


def test_unused_field_is_accepted_and_reported(tmp_path: Path) -> None:
    """A field given but not on the path is accepted (exit 0) and named on stderr as unused (CONTRACT §1)."""
    answers = write(tmp_path / "a.yaml", with_(frankel="A"))
    rc, out, err = run_cli(["run", "--answers", str(answers)])
    assert rc == EXIT_OK
    assert '"headline"' in out
    assert "frankel" in err and "not used" in err


# --- random bad answers (hypothesis) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for files written by the property tests (module-scoped: hypothesis reuses it)."""
    return tmp_path_factory.mktemp("bad_input")


@HYPOTHESIS
@given(mutation=strategies.answers_mutations())
def test_mutated_answers_give_the_contract_exit_code(scratch: Path, mutation: strategies.Mutation) -> None:
    """One defect in a valid case (unknown id, bad value, wrong type, missing field) gives exit 2/3 naming the field."""
    answers, expected_code, field_id = mutation
    path = write(scratch / "mutated.yaml", yaml.safe_dump(answers, allow_unicode=True))
    rc, out, err = run_cli(["run", "--answers", str(path)])
    line = assert_clean_error(rc, err, expected_code)
    assert out == ""
    assert f"'{field_id}'" in line, f"{field_id!r} not named in {line!r}"


YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELD_IDS = st.sampled_from(sorted(q["id"] for q in FLOW_DATA["questions"]))
JUNK_ANSWERS = st.one_of(
    YAML_VALUES,
    st.dictionaries(FIELD_IDS, YAML_VALUES, max_size=8),
    st.builds(lambda changes: {**good(), **changes}, st.dictionaries(FIELD_IDS, YAML_VALUES, max_size=3)),
)


@HYPOTHESIS
@given(junk=JUNK_ANSWERS)
def test_junk_answers_never_crash(scratch: Path, junk: Any) -> None:
    """Random YAML (scalars, lists, mappings, known ids with random values) gives exit 0, 2 or 3 and clean output."""
    path = write(scratch / "junk.yaml", yaml.safe_dump(junk, allow_unicode=True))
    rc, _, err = run_cli(["run", "--answers", str(path)])
    assert rc in (EXIT_OK, EXIT_BAD_INPUT, EXIT_MISSING), err
    if rc == EXIT_OK:
        assert "Traceback" not in err
    else:
        assert_clean_error(rc, err)


@HYPOTHESIS
@given(junk=st.binary(max_size=200) | st.text(max_size=200))
def test_junk_bytes_never_crash(scratch: Path, junk: bytes | str) -> None:
    """Arbitrary bytes or text as an answers file give exit 2 or 3 with one clean line (0 only for a valid case)."""
    path = write(scratch / "junk.bin", junk)
    rc, _, err = run_cli(["run", "--answers", str(path)])
    assert rc in (EXIT_BAD_INPUT, EXIT_MISSING), err
    assert_clean_error(rc, err)


# --- random flow-file mutations (hypothesis) -----------------------------------------------------------


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (tuple of keys and indexes) into a YAML tree, the root excluded."""
    out: list[tuple[Any, ...]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append((*prefix, key))
        out.extend(node_paths(child, (*prefix, key)))
    return out


QUESTION_IDS = [q["id"] for q in FLOW_DATA["questions"]]


def get(data: Any, path: tuple[Any, ...]) -> Any:
    """The node at a path."""
    for key in path:
        data = data[key]
    return data


def _delete(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    parent = get(data, path[:-1])
    del parent[path[-1]]


def _retype(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    get(data, path[:-1])[path[-1]] = draw(st.sampled_from([None, 0, -1, 3.5, True, "", "x y", [], {}, [1, "a"], {"a": 1}]))


def _break_expression(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    parent = get(data, path[:-1])
    text = str(parent[path[-1]])
    how = draw(st.sampled_from(["truncate", "insert", "rename", "junk", "call"]))
    if how == "truncate" and len(text) > 1:
        text = text[: draw(st.integers(1, len(text) - 1))]
    elif how == "insert":
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(list("()[]\"'.,=<>!+-*/@#$%&|~`{}:;?\\ "))) + text[at:]
    elif how == "rename":
        text = text.replace(draw(st.sampled_from(QUESTION_IDS)), "no_such_name") + " and no_such_name"
    elif how == "call":
        text = draw(st.sampled_from(["__import__('os')", "open('/etc/passwd')", "kps.__class__",
                                    'lookup("nope", kps, "x")', 'lookup("primary_profile", kps, "nope")',
                                    "min()", "kps + \"a\" > 1", "sins.total + true", "[kps] + 1"]))
    else:
        text = draw(st.text(max_size=15))
    parent[path[-1]] = text


def _rename_question(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    q = data["questions"][draw(st.integers(0, len(data["questions"]) - 1))]
    q["id"] = draw(st.sampled_from(["renamed_question", "kps", "sins", "ecog", "Bad-Id", "headline"]))


def _duplicate_question(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    questions = data["questions"]
    i = draw(st.integers(0, len(questions) - 1))
    questions.insert(draw(st.integers(0, len(questions))), copy.deepcopy(questions[i]))


def _drop_reference(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    del data["references"][draw(st.sampled_from(sorted(data["references"])))]


def _move_question(data: Any, path: tuple[Any, ...], draw: Callable[[Any], Any]) -> None:
    questions = data["questions"]
    q = questions.pop(draw(st.integers(0, len(questions) - 1)))
    questions.insert(draw(st.integers(0, len(questions))), q)


FLOW_MUTATIONS = {
    "delete": _delete, "retype": _retype, "break_expression": _break_expression, "rename_question": _rename_question,
    "duplicate_question": _duplicate_question, "drop_reference": _drop_reference, "move_question": _move_question,
}


class MutatedFlow:
    """A damaged copy of the flow data; its repr is the list of defects (the data is 70 kB)."""

    def __init__(self, description: str, data: dict[str, Any]) -> None:
        self.description = description
        self.data = data

    def __repr__(self) -> str:
        return f"MutatedFlow({self.description!r})"


@st.composite
def mutated_flows(draw: Callable[[Any], Any]) -> MutatedFlow:
    """The shipped flow with one to three random defects."""
    data = copy.deepcopy(FLOW_DATA)
    done: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(sorted(FLOW_MUTATIONS)))
        paths = node_paths(data)
        if kind == "break_expression":
            paths = [p for p in paths if p[-1] in ("when", "expr", "value", "requires", "default")
                     and isinstance(get(data, p), str)] or paths
        path = draw(st.sampled_from(paths))
        try:
            FLOW_MUTATIONS[kind](data, path, draw)
        except (KeyError, IndexError, TypeError):
            continue  # the path vanished under an earlier mutation
        done.append(f"{kind} at {'/'.join(map(str, path))}")
    return MutatedFlow("; ".join(done), data)


@settings(max_examples=int(os.environ.get("SPINE_FUZZ_EXAMPLES", "50")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated=mutated_flows())
def test_mutated_flow_files_fail_cleanly(scratch: Path, mutated: MutatedFlow) -> None:
    """A randomly damaged flow file gives exit 0, 2 or 3 and at most one clean stderr line, never a traceback."""
    description, data = mutated.description, mutated.data
    flow_path = write(scratch / "mutated_flow.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    answers = write(scratch / "good.yaml", with_())
    rc, _, err = run_cli(["run", "--answers", str(answers), "--flow", str(flow_path)])
    assert rc in (EXIT_OK, EXIT_BAD_INPUT, EXIT_MISSING), f"{description}: exit {rc}: {err}"
    if rc != EXIT_OK:
        assert_clean_error(rc, err)


def test_an_expression_that_cannot_be_evaluated_is_a_clean_error(tmp_path: Path) -> None:
    """A flow that loads but adds text to a number on this case's path fails with exit 2 and one line."""
    data = copy.deepcopy(FLOW_DATA)
    radiosensitivity = next(d for d in data["derived"] if d["id"] == "radiosensitivity")
    radiosensitivity["cases"][0]["when"] = 'kps + "a" > 1'  # found by test_mutated_flow_files_fail_cleanly
    flow_path = write(tmp_path / "flow.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    answers = write(tmp_path / "a.yaml", with_())
    rc, _, err = run_cli(["run", "--answers", str(answers), "--flow", str(flow_path)])
    assert "cannot be evaluated" in assert_clean_error(rc, err, EXIT_BAD_INPUT)


def test_default_outside_the_options_is_a_clean_error(tmp_path: Path) -> None:
    """A flow whose proposed default is not one of its question's options fails with exit 2 and one line."""
    data = copy.deepcopy(FLOW_DATA)
    tomita = next(q for q in data["questions"] if q["id"] == "tomita_growth")
    tomita["options"][1]["value"] = "medium"  # the primary_profile table still proposes "moderate"
    flow_path = write(tmp_path / "flow.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    answers = write(tmp_path / "a.yaml", without("tomita_growth"))  # renal: proposes moderate
    rc, _, err = run_cli(["run", "--answers", str(answers), "--flow", str(flow_path)])
    assert "tomita_growth" in assert_clean_error(rc, err, EXIT_BAD_INPUT)
