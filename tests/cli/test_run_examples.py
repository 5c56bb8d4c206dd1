"""`spine-interview run` on the contract examples: the fixed JSON keys, the Markdown report, no Textual."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from typing import Any

import pytest
from paths import EXAMPLES, ROOT

# The examples without not-known answers (CONTRACT §7 has its own issue), and the reference each one's
# rationale must cite for its deciding rule.
RULE_REFERENCE = {
    "cauda_equina": "Patchell", "emergency_breast": "Patchell", "lymphoma_stable": "NICE NG234",
    "neuro_no_compression": "Patchell", "paediatric": "conventions", "prior_rt_stable": "Sahgal",
    "renal_stable": "Sahgal", "unknown_primary": "Fridley",
}
NAMES = sorted(RULE_REFERENCE)


@cache
def run(name: str, fmt: str) -> subprocess.CompletedProcess[str]:
    """Run the headless command on one example, once per format for the whole module."""
    answers = EXAMPLES / f"{name}.answers.yaml"
    return subprocess.run(
        [sys.executable, "-m", "interview", "run", "--answers", str(answers), "--format", fmt],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )


def assert_contains(expected: Any, actual: Any, where: str = "") -> None:
    """Every key of ``expected`` is in ``actual`` with an equal value, recursively; ``flags`` as sets."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key}: missing"
            assert_contains(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):  # flags and other sets: order is free
        assert sorted(map(str, actual)) == sorted(map(str, expected)), f"{where}: {actual} != {expected}"
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_every_complete_example_is_tested() -> None:
    """The project's copy holds these examples and only the provisional one besides (none silently untested)."""
    shipped = sorted(p.name.removesuffix(".answers.yaml") for p in EXAMPLES.glob("*.answers.yaml"))
    assert shipped == sorted([*NAMES, "pending_mri_items"])


@pytest.mark.parametrize("name", NAMES)
def test_json_output_holds_the_expected_keys(name: str) -> None:
    """`run --format json` exits 0 and its output contains every fixed key of the example's expected.json."""
    proc = run(name, "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    output = json.loads(proc.stdout)
    expected = json.loads((EXAMPLES / f"{name}.expected.json").read_text(encoding="utf-8"))
    assert_contains(expected, output)


@pytest.mark.parametrize("name", NAMES)
def test_json_output_has_the_contract_shape(name: str) -> None:
    """The JSON object carries flow id/version/sha256, answers, a path of question ids and the recommendation."""
    output = json.loads(run(name, "json").stdout)
    assert output["flow"]["id"] == "spinal_metastases"
    assert len(output["flow"]["sha256"]) == 64
    import yaml

    answers = yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))
    optional = {"index_level", "asia", "albumin_g_dl"}  # context the examples may leave out
    assert set(output["path"]) - optional >= set(answers) - optional, "an answer of the example is off the path"
    assert output["recommendation"]["rationale"], "a recommendation without a rationale"
    assert output["recommendation"]["notice"].startswith("Decision support")


@pytest.mark.parametrize("name", NAMES)
def test_markdown_report(name: str) -> None:
    """The Markdown report: headline first, urgency, a scores table with bands, rationale with references, notice."""
    proc = run(name, "markdown")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    result = json.loads(run(name, "json").stdout)
    rec = result["recommendation"]
    lines = text.splitlines()

    assert lines[0].startswith("# ") and rec["headline_title"] in lines[0], "the headline is not the title"
    urgency_line = next(line for line in lines if line.startswith("**Urgency:**"))
    assert rec["urgency"] in urgency_line.lower()
    assert text.index(rec["headline_title"]) < text.index("**Urgency:**") < text.index("## Scores")

    assert "| Score | Value | Band |" in text
    for key in ("sins", "tokuhashi", "tomita", "modified_bauer"):
        if result["scores"][key] is None:  # not computable on this path (no MRI or no staging)
            continue
        band = result["scores"][key]["band_label"]
        row = next(line for line in lines if line.startswith("| ") and band in line)
        assert str(result["scores"][key]["total"]) in row, f"{key}: total missing from its row"

    rationale = text[text.index("## Rationale"):]
    assert f"Rule {rec['rule']}" in rationale
    if result["scores"]["sins"] is not None:
        assert "Fisher" in rationale, "the SINS statement must cite Fisher 2010"
    assert RULE_REFERENCE[name] in rationale
    assert "Decision support for the responsible clinician" in text
    assert "not an order" in text


def test_run_does_not_import_textual() -> None:
    """`run` in a fresh interpreter never imports Textual (CONTRACT §2: headless without the TUI)."""
    answers = EXAMPLES / "renal_stable.answers.yaml"
    code = (
        "import sys, io, contextlib\n"
        "from interview.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['run', '--answers', {str(answers)!r}, '--format', 'markdown'])\n"
        "assert rc == 0, rc\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'fhir'))\n"
        "print(','.join(heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"`run` imported: {proc.stdout.strip()[:200]}"



@pytest.mark.parametrize("name", NAMES)
def test_json_answers_file_gives_the_same_result(tmp_path, name: str) -> None:
    """The same answers written as JSON replay to the same output as the YAML file (CONTRACT §1: YAML or JSON)."""
    import contextlib
    import io

    import yaml

    from interview.cli import main

    answers = yaml.safe_load((EXAMPLES / f"{name}.answers.yaml").read_text(encoding="utf-8"))
    json_file = tmp_path / f"{name}.answers.json"
    json_file.write_text(json.dumps(answers), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["run", "--answers", str(json_file)]) == 0
    from_json = json.loads(out.getvalue())
    from_yaml = json.loads(run(name, "json").stdout)
    assert from_json == from_yaml


def test_provisional_example_gives_its_fixed_keys() -> None:
    """The provisional example gives its §7 keys and exits 0 (CONTRACT §2, §7)."""
    proc = run("pending_mri_items", "json")
    assert proc.returncode == 0, proc.stderr
    expected = json.loads((EXAMPLES / "pending_mri_items.expected.json").read_text(encoding="utf-8"))
    assert_contains(expected, json.loads(proc.stdout))


def test_provisional_markdown_has_a_banner_and_the_pending_answers() -> None:
    """`--format markdown` of a provisional case says PROVISIONAL and names what is pending in words, not ids."""
    proc = run("pending_mri_items", "markdown")
    assert proc.returncode == 0, proc.stderr
    banner = next(line for line in proc.stdout.splitlines() if line.startswith("**PROVISIONAL**"))
    assert "radiographic spinal alignment" in banner and "vertebral body collapse" in banner
    assert "sins_alignment" not in proc.stdout and "`None`" not in proc.stdout and "rule None" not in proc.stdout


def test_not_known_on_a_field_not_allowed_is_refused(tmp_path) -> None:
    """`not_known` for a field the contract does not mark may_be_not_known: exit 2, one line naming §7."""
    import yaml

    answers = yaml.safe_load((EXAMPLES / "pending_mri_items.answers.yaml").read_text(encoding="utf-8"))
    answers["mri_whole_spine_done"] = "not_known"
    path = tmp_path / "bad.answers.yaml"
    path.write_text(yaml.safe_dump(answers), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "interview", "run", "--answers", str(path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "CONTRACT §7" in lines[0] and "mri_whole_spine_done" in lines[0], proc.stderr
