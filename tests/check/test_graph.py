"""`spine-interview graph`: a valid Mermaid state diagram with every question and headline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interview.check.graph import mermaid, sanitize, short_prompt
from interview.cli import main
from interview.flow.load import load_flow

FIXTURES = Path(__file__).parent.parent / "flow" / "fixtures"
_ID = r"[A-Za-z_][A-Za-z0-9_]*"
#: Every line a diagram may contain (front matter, header, styling, states, edges).
LINE_FORMS = [
    r"---",
    r"title: [^:\"]+",
    r"stateDiagram-v2",
    r"direction (LR|TB)",
    rf"classDef s_{_ID} [a-z]+:[a-z]+(,[a-z]+:[a-z]+)*",
    rf'state "[^":]+" as {_ID}',
    rf"Class {_ID} s_{_ID}",
    rf"{_ID} --> {_ID}: [^\":;#{{}}<>]+",
    rf"\[\*\] --> {_ID}",
    r"",
]


@pytest.fixture(scope="module")
def diagram(flow) -> str:  # noqa: ANN001 - the session fixture from conftest
    """The shipped flow's diagram, drawn once."""
    return mermaid(flow)


def test_front_matter_and_header(diagram: str) -> None:
    """The diagram opens with Mermaid front matter naming the flow, then stateDiagram-v2."""
    lines = diagram.splitlines()
    assert lines[0] == "---"
    assert lines[1].startswith("title: Spinal metastases")
    assert lines[2] == "---"
    assert lines[3] == "stateDiagram-v2"


def test_every_line_is_plausible_mermaid(diagram: str) -> None:
    """Each line is one of the forms Mermaid's state diagram accepts (no stray quotes or colons)."""
    bad = [line for line in diagram.splitlines()
           if not any(re.fullmatch(form, line.strip()) for form in LINE_FORMS)]
    assert bad == []


def test_every_question_and_headline_is_a_state(flow, diagram: str) -> None:  # noqa: ANN001
    """Each question and each headline is a state, and so is the recommendation."""
    states = set(re.findall(rf'^\s*state "[^"]*" as ({_ID})$', diagram, re.M))
    assert {q.id for q in flow.questions} <= states
    assert {f"headline_{h}" for h in flow.model.headlines} <= states
    assert "recommendation" in states


def test_edges(flow, diagram: str) -> None:  # noqa: ANN001
    """The first question starts; a bool branch is labelled with its answer; each headline is reached."""
    assert re.search(rf"^\s*\[\*\] --> {flow.questions[0].id}$", diagram, re.M)
    assert re.search(r"^\s*neuro_deficit --> deficit_progressing: neuro_deficit = yes$", diagram, re.M)
    assert re.search(r"^\s*expected_survival_months --> recommendation: ", diagram, re.M)
    for h in flow.model.headlines:
        assert re.search(rf"^\s*recommendation --> headline_{h}: R\w+", diagram, re.M), h


def test_edges_only_go_forward(flow, diagram: str) -> None:  # noqa: ANN001
    """Between questions, every edge goes to a later question (no engine all-pairs machine, no loops)."""
    order = {q.id: q.index for q in flow.questions}
    for src, dst in re.findall(rf"^\s*({_ID}) --> ({_ID}):", diagram, re.M):
        if src in order and dst in order:
            assert order[dst] > order[src], (src, dst)


def test_deterministic(flow, diagram: str) -> None:  # noqa: ANN001
    """The same flow gives the same diagram."""
    assert mermaid(flow) == diagram


def test_cli_graph_prints_the_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    """`spine-interview graph FLOW` prints the diagram of that flow."""
    assert main(["graph", str(FIXTURES / "tiny.yaml")]) == 0
    out = capsys.readouterr().out
    assert "stateDiagram-v2" in out
    assert re.search(r"walks --> pain: walks = yes", out)
    assert re.search(r"walks --> recommendation: walks = no", out)
    assert "headline_treat" in out and "headline_watch" in out


@pytest.mark.parametrize(("text", "expected"), [
    ('visceral_mets == "present"', "visceral_mets = 'present'"),
    ("sins.total >= 7 and ecog <= 2", "sins.total ≥ 7 and ecog ≤ 2"),
    ("a < 3 or b > 4", "a ‹ 3 or b › 4"),
    ("Note: one; two # three {x} [y] a|b --> c", "Note - one, two no. three (x) (y) a/b –› c"),
    ("  many\n  lines  ", "many lines"),
    ("", "-"),
])
def test_sanitize(text: str, expected: str) -> None:
    """Labels lose everything that would break a Mermaid line."""
    assert sanitize(text) == expected


def test_sanitize_cuts_long_labels() -> None:
    """A long condition is cut with an ellipsis."""
    label = sanitize("x" * 200, limit=20)
    assert len(label) == 20
    assert label.endswith("…")


@pytest.mark.parametrize(("prompt", "expected"), [
    ("Does the patient walk? If not, since when?", "Does the patient walk?"),
    ("Whole-spine MRI done (or CT myelography)?", "Whole-spine MRI done"),
])
def test_short_prompt(prompt: str, expected: str) -> None:
    """A state shows the first clause of the prompt."""
    assert short_prompt(prompt) == expected


def test_tiny_flow_graph_states() -> None:
    """A small flow draws exactly its questions, the recommendation and its headlines."""
    text = mermaid(load_flow(FIXTURES / "tiny.yaml"), samples=200)
    states = re.findall(rf'^\s*state "[^"]*" as ({_ID})$', text, re.M)
    assert states == ["walks", "pain", "recommendation", "headline_treat", "headline_watch"]
