"""No developer jargon where a clinician reads: the flow's visible texts, teaching texts and every example's report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from paths import EXAMPLES, ROOT

#: Words that belong to the app's developers, not to a clinician's screen or report.
JARGON = re.compile(
    r"CONTRACT|\bcontract v\d|the contract\b|project convention|project reading|REFERENCE\.md|\bREFERENCE §"
    r"|secondary web page|mis-scores|case_fields",
)

#: Keys of a flow (or teaching) file whose text a clinician reads.
VISIBLE = {"title", "description", "notice", "purpose", "prompt", "why", "label", "hint", "default_note",
           "yes_label", "no_label", "labels", "text", "because", "lines", "summary", "explain", "conventions",
           "citation", "note", "narrative", "learning_points", "sign", "example", "pitfall", "synonyms"}


def _texts(node, key=None):
    """Every string under a visible key, with where it is."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _texts(v, k if k in VISIBLE or key in VISIBLE and isinstance(k, int) else
                              (key if key in ("labels",) else k))
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v, key)
    elif isinstance(node, str) and key in VISIBLE:
        yield key, node


FILES = [ROOT / "flows" / "spinal_metastases.yaml", ROOT / "interview" / "teach" / "coaching.yaml",
         *sorted((ROOT / "flows" / "cases").glob("*.yaml"))]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_visible_texts_have_no_jargon(path: Path):
    """Prompts, explanations, labels, advice, alerts and teaching texts use clinicians' words."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = [(k, t) for k, t in _texts(data) if JARGON.search(t)]
    assert not bad, bad


def test_the_scan_sees_the_visible_texts():
    """The scan reads prompts, option labels and alert lines (it would find jargon there)."""
    data = yaml.safe_load((ROOT / "flows" / "spinal_metastases.yaml").read_text(encoding="utf-8"))
    keys = {k for k, _ in _texts(data)}
    assert {"prompt", "why", "label", "lines", "text", "because", "default_note"} <= keys


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.answers.yaml")), ids=lambda p: p.name.split(".")[0])
def test_reports_have_no_jargon_and_explain_rule_codes(flow, example: Path):
    """Each example's report is free of jargon, and a rule code shown has its one-line legend."""
    from interview.engine.replay import replay
    from interview.export.markdown import render_markdown

    answers = yaml.safe_load(example.read_text(encoding="utf-8"))
    result = replay(flow, answers).result
    report = render_markdown(result, flow)
    assert not JARGON.search(report), JARGON.search(report)
    if result.recommendation.rule:
        assert f"Rule {result.recommendation.rule} = " in report


def test_quiz_and_coaching_texts_name_the_clinical_reference(flow):
    """Coaching and learning points read "clinical reference §…" where a section is cited bare."""
    from interview.present import source_words

    assert source_words("unstable (§11.4).") == "unstable (clinical reference §11.4)."
    assert source_words("(§11.10; CAFE, §6.4)") == "(clinical reference §11.10; CAFE, §6.4)"
    assert source_words("REFERENCE §4.1") == "clinical reference §4.1"
