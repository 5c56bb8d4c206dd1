"""`spine-interview check`: the shipped flow is clean, and each kind of problem is found with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from paths import CONTRACT

from interview.check.lint import (
    Finding,
    domain,
    lint_flow,
    lint_main,
    normalise_expression,
    read_contract,
)
from interview.cli import main
from interview.flow.load import flows_dir, load_flow
from interview.flow.model import BoolQuestion, ChoiceQuestion, IntQuestion, NumberQuestion, Option

SHIPPED = flows_dir() / "spinal_metastases.yaml"
FIXTURES = Path(__file__).parent.parent / "flow" / "fixtures"
CONTRACT_FILE = CONTRACT / "case_fields.yaml"
_MODEL = load_flow(SHIPPED).model


def node(section: str, ident: str) -> str:
    """A node's name as findings give it, from the shipped flow: ``rules[14] (R7d)``."""
    index = next(i for i, item in enumerate(getattr(_MODEL, section)) if item.id == ident)
    return f"{section}[{index}] ({ident})"


#: Enough for every branch of the shipped flow (the directed search stops once all are seen).
SAMPLES = 2000


def line_of(text: str, anchor: str) -> int:
    """The 1-based line where an exact piece of text starts."""
    assert anchor in text, anchor
    return text[: text.index(anchor)].count("\n") + 1


def mutated(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """A copy of the shipped flow with the first `old` replaced by `new`."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, f"the shipped flow changed: {old!r} not found"
    text = text.replace(old, new, 1)
    path = tmp_path / "spinal_metastases.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def lint(path: Path, contract: bool = False) -> list[Finding]:
    """The findings for a flow file, optionally against the shared contract."""
    fields = read_contract(CONTRACT_FILE) if contract else None
    return lint_flow(path, contract=fields, samples=SAMPLES).findings


def test_shipped_flow_passes(capsys: pytest.CaptureFixture[str]) -> None:
    """`check` with no arguments checks flows/ against the contract and exits 0 with a clean summary."""
    contract = str(CONTRACT_FILE) if CONTRACT_FILE.is_file() else None
    code = lint_main([], contract=contract)
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("1 flow checked: no findings")


def test_check_defaults_to_the_packaged_contract() -> None:
    """With no --contract, `check` reads the contract the package carries, never ../shared."""
    from paths import CONTRACT_V2

    from interview.check.lint import find_contract

    assert find_contract(None).read_bytes() == (CONTRACT_V2 / "case_fields.yaml").read_bytes()


def test_cli_check_runs_lint(capsys: pytest.CaptureFixture[str]) -> None:
    """`spine-interview check FLOW` goes through the CLI to the linter (a tiny flow, not bound to the contract)."""
    assert main(["check", str(FIXTURES / "tiny.yaml")]) == 0
    assert "no findings" in capsys.readouterr().out


# --- one fixture per kind of finding -------------------------------------------------------------

LOAD_ERRORS = [
    # (case, old, new, node, message)
    ("schema", "  - id: neuro_deficit\n    phase: safety\n    kind: bool",
     "  - id: neuro_deficit\n    phase: safety\n    kind: boolean", node("questions", "neuro_deficit"), "kind"),
    ("unknown name", 'when: "not mri_whole_spine_done"\n', 'when: "not mri_done"\n', node("rules", "R1"), "mri_done"),
    ("looks forward", "    when: neuro_deficit\n    otherwise: false",
     "    when: neuro_deficit and kps > 50\n    otherwise: false", node("questions", "deficit_progressing"),
     "not known before this question"),
    ("unknown reference", "    refs: [nice_ng234]\n", "    refs: [nice_ng999]\n", "", "nice_ng999"),
    ("cycle", "expr: 'sins.total >= 13 or (sins.total >= 7 and (sins_pain",
     "expr: 'sins.total >= 13 or cement_candidate or (sins.total >= 7 and (sins_pain", "", "cycle"),
]


@pytest.mark.parametrize(("case", "old", "new", "node", "message"), LOAD_ERRORS, ids=[c[0] for c in LOAD_ERRORS])
def test_load_errors_become_findings(tmp_path: Path, case: str, old: str, new: str, node: str, message: str) -> None:
    """A flow that does not load gives exactly one finding naming the node and what is wrong."""
    path, _ = mutated(tmp_path, old, new)
    findings = lint(path)
    assert len(findings) == 1, findings
    finding = findings[0]
    assert node in (finding.node or "")
    assert message in finding.message
    assert str(finding).startswith(f"{path}")


def test_load_error_has_file_and_line(tmp_path: Path) -> None:
    """A schema error is reported as file:line: node: message, at the broken question."""
    path, text = mutated(tmp_path, "  - id: frankel\n    phase: safety\n    kind: choice",
                         "  - id: frankel\n    phase: safety\n    kind: choice\n    colour: red")
    (finding,) = lint(path)
    assert finding.line == line_of(text, "    colour: red")
    assert str(finding).startswith(f"{path}:{finding.line}: {node('questions', 'frankel')}: ")


@pytest.mark.parametrize(("old", "new", "key", "allowed"), [
    ("  - id: frankel\n    phase: safety\n    kind: choice",
     "  - id: frankel\n    phase: safety\n    kind: choice\n    colour: red", "colour", ("options", "prompt", "why")),
    ("title: ", "titel: x\ntitle: ", "titel", ("questions", "rules", "title")),
], ids=["question", "top level"])
def test_unknown_key_names_the_allowed_keys(tmp_path: Path, old: str, new: str, key: str,
                                            allowed: tuple[str, ...]) -> None:
    """A misspelt key is named, with the keys that class allows (not pydantic's bare "unexpected")."""
    path, _ = mutated(tmp_path, old, new)
    (finding,) = lint(path)
    assert f"unknown key '{key}'; allowed: " in finding.message
    listed = finding.message.split("allowed: ", 1)[1].split(", ")
    assert set(allowed) <= set(listed) and key not in listed


EXPLORATION = [
    # (case, old, new, anchor of the node, node, message)
    ("unreachable question", "    when: 'visceral_mets == \"present\"'\n",
     "    when: 'visceral_mets == \"present\" and visceral_mets == \"none\"'\n",
     "  - id: visceral_mets_removable", node("questions", "visceral_mets_removable"), "never asked"),
    ("rule never fires", "    when: sbrt_suitable\n", '    when: "sbrt_suitable and ecog > 9"\n',
     "  - id: R7g", node("rules", "R7g"), "never fires"),
    ("headline never reached", "    when: sbrt_suitable\n", '    when: "sbrt_suitable and ecog > 9"\n',
     "  sbrt_alone:", "headlines.sbrt_alone", "no case reaches"),
    ("flag never raised", "when: 'escc_grade == \"1c\"'", "when: 'escc_grade == \"1c\" and not mri_whole_spine_done'",
     "  - id: escc_1c_borderline_mdt", node("flags", "escc_1c_borderline_mdt"), "never raised"),
    ("alert never shown", '    after: neuro_deficit\n    when: "neuro_deficit and not mri_whole_spine_done"\n',
     '    after: neuro_deficit\n    when: "neuro_deficit and not neuro_deficit"\n',
     "  - id: mscc_bundle\n", node("alerts", "mscc_bundle"), "never shown"),
    ("advice never given", 'when: "not neuro_deficit and not radicular_pain and not mri_whole_spine_done"',
     'when: "not neuro_deficit and not radicular_pain and not mri_whole_spine_done and neuro_deficit"',
     "  - id: clock_mri_1_week", node("advice", "clock_mri_1_week"), "never given"),
    ("rule reads an unasked input", 'when: "not mri_whole_spine_done"\n',
     'when: "escc_grade == null and not mri_whole_spine_done"\n', "  - id: R1", node("rules", "R1"),
     "reading 'escc_grade', which is not asked"),
    ("score total null", "    requires: mri_whole_spine_done\n    explain: \"SINS",
     "    requires: \"true\"\n    explain: \"SINS", "  - kind: points\n    id: sins", node("scores", "sins"),
     "total is null"),
    ("dead end", "when: 'escc_grade == \"1c\"'", "when: 'escc_grade + 1 > 2'",
     "rules:\n", "rules", "no recommendation"),
]


@pytest.mark.parametrize(("case", "old", "new", "anchor", "node", "message"), EXPLORATION,
                         ids=[c[0] for c in EXPLORATION])
def test_exploration_findings(
    tmp_path: Path, case: str, old: str, new: str, anchor: str, node: str, message: str,
) -> None:
    """Each problem found by walking the flow is reported at the line of its node."""
    path, text = mutated(tmp_path, old, new)
    findings = [f for f in lint(path) if f.node == node and message in f.message]
    assert findings, [str(f) for f in lint(path)]
    assert findings[0].line == line_of(text, anchor)


def test_findings_print_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With findings, each prints as file:line: node: message, then a summary, and the exit code is 1."""
    path, text = mutated(tmp_path, "    when: sbrt_suitable\n", '    when: "sbrt_suitable and ecog > 9"\n')
    code = lint_main([str(path)], contract=None, samples=SAMPLES)
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 1
    assert f"{path}:{line_of(text, '  - id: R7g')}: {node('rules', 'R7g')}: never fires in" in "\n".join(lines)
    assert lines[-1].startswith(f"{len(lines) - 1} findings in 1 flow")


# --- the case contract ---------------------------------------------------------------------------

CONTRACT_DRIFT = [
    ("option value", "      - {value: painfree, points: 0,", "      - {value: pain_free, points: 0,",
     node("questions", "sins_pain"), "option values differ"),
    ("min", "    min: 10\n    max: 100\n    step: 10", "    min: 20\n    max: 100\n    step: 10",
     node("questions", "kps"), "min differs"),
    ("step", "    min: 10\n    max: 100\n    step: 10", "    min: 10\n    max: 100\n    step: 5",
     node("questions", "kps"), "step differs"),
    ("otherwise", "    when: neuro_deficit\n    otherwise: E", "    when: neuro_deficit\n    otherwise: D",
     node("questions", "frankel"), "`otherwise` differs"),
    ("when", "    when: 'visceral_mets == \"present\"'\n", "    when: 'visceral_mets != \"none\"'\n",
     node("questions", "visceral_mets_removable"), "`when` differs"),
    # ASIA: an optional field no expression reads (the index level is read by the SINS location's proposal).
    ("missing optional field", "  - id: asia\n", "  - id: asia_grade\n", "questions", "'asia'"),
    ("kind", "  - id: fit_for_surgery\n    phase: systemic\n    kind: bool",
     "  - id: fit_for_surgery\n    phase: systemic\n    kind: text", node("questions", "fit_for_surgery"),
     "kind differs"),
]


@pytest.mark.skipif(not CONTRACT_FILE.is_file(), reason="the shared contract is not beside the project")
@pytest.mark.parametrize(("case", "old", "new", "node", "message"), CONTRACT_DRIFT, ids=[c[0] for c in CONTRACT_DRIFT])
def test_contract_drift(tmp_path: Path, case: str, old: str, new: str, node: str, message: str) -> None:
    """A question that differs from case_fields.yaml (id, type, values, range, otherwise, when) is a finding."""
    path, _ = mutated(tmp_path, old, new)
    findings = [f for f in lint(path, contract=True) if f.node == node and message in f.message]
    assert findings, [str(f) for f in lint(path, contract=True)]
    assert findings[0].line is not None


def test_contract_binds_only_the_spinal_flow(capsys: pytest.CaptureFixture[str]) -> None:
    """Another flow is not compared with the case contract."""
    assert lint_main([str(FIXTURES / "tiny.yaml")], contract=str(CONTRACT_FILE) if CONTRACT_FILE.is_file() else None,
                     samples=300) == 0


def test_missing_explicit_contract_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An explicit --contract that does not exist exits 2 with one line naming it."""
    code = lint_main([str(FIXTURES / "tiny.yaml")], contract=str(tmp_path / "nope.yaml"))
    err = capsys.readouterr().err
    assert code == 2
    assert "nope.yaml: no such contract file" in err


def test_contract_not_found_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Without a packaged contract (a damaged install), the spinal flow is checked, a note says so, exit 0."""
    monkeypatch.setattr("interview.check.lint.sources_dir", lambda: tmp_path / "repo" / "sources")
    code = lint_main([str(SHIPPED)], contract=None, samples=SAMPLES)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "note: case_fields.yaml not found" in out


@pytest.mark.parametrize(("source", "normal"), [
    ("visceral_mets == 'present'", 'visceral_mets == "present"'),
    ('visceral_mets=="present"', 'visceral_mets == "present"'),
    ("  neuro_deficit  ", "neuro_deficit"),
    (None, None),
])
def test_normalise_expression(source: str | None, normal: str | None) -> None:
    """Conditions compare equal however they are spaced or quoted."""
    assert normalise_expression(source) == normal


# --- garbage in, one clear line out ----------------------------------------------------------------

GARBAGE = [
    ("empty", b"", "empty"),
    ("binary", b"\x00\xff\xfe\x89PNG", "not UTF-8"),
    ("list", b"- a\n- b\n", "not a mapping"),
    ("scalar", b"just words\n", "not a mapping"),
    ("yaml syntax", b"id: [unclosed\n", "not valid YAML"),
    ("wrong shape", b"id: x\nquestions: 3\n", "Field required"),
]


@pytest.mark.parametrize(("case", "content", "message"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str, content: bytes,
                       message: str) -> None:
    """A broken file is one finding naming the file and the problem — never a traceback."""
    path = tmp_path / "broken.yaml"
    path.write_bytes(content)
    assert lint_main([str(path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.out.splitlines()[0].startswith(str(path))
    assert message in captured.out


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_missing_file_or_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """A missing flow file or a directory is a finding (exit 1), not a crash."""
    path = tmp_path / "flow.yaml"
    if kind == "directory":
        path.mkdir()
    assert lint_main([str(path)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert ("no such flow file" if kind == "missing" else "is a directory") in captured.out


# --- answer domains --------------------------------------------------------------------------------


def _q(kind: type, **extra: object) -> object:
    """A question model of the given class with placeholder texts."""
    base = {"id": "q", "phase": "p", "prompt": "?", "why": "."}
    tag = {BoolQuestion: "bool", ChoiceQuestion: "choice", IntQuestion: "int", NumberQuestion: "number"}[kind]
    return kind(kind=tag, **base, **extra)


@pytest.mark.parametrize(("question", "numbers", "expected"), [
    (_q(BoolQuestion), [], [True, False]),
    (_q(ChoiceQuestion, options=[Option(value="a", label="A"), Option(value="b", label="B")]), [], ["a", "b"]),
    (_q(IntQuestion, min=10, max=100, step=10), [50], [10, 40, 50, 60, 100]),
    (_q(IntQuestion, min=0, max=10), [3], [0, 2, 3, 4, 5, 10]),
    (_q(NumberQuestion, min=0, max=600), [3], [0, 2, 2.5, 3, 3.5, 4, 300, 600]),
])
def test_domain_boundary_values(question: object, numbers: list[float], expected: list[object]) -> None:
    """Numeric questions are tried at their bounds and around every number the flow compares with."""
    assert domain(question, numbers) == expected  # type: ignore[arg-type]


def test_same_seed_same_findings(tmp_path: Path) -> None:
    """Sampling is deterministic: two runs give the same findings."""
    path, _ = mutated(tmp_path, "    when: sbrt_suitable\n", '    when: "sbrt_suitable and ecog > 9"\n')
    assert lint(path) == lint(path)


def test_tiny_fixture_loads() -> None:
    """The fixture flow is a valid flow of its own id (so the contract does not apply to it)."""
    assert load_flow(FIXTURES / "tiny.yaml").id == "tiny"
