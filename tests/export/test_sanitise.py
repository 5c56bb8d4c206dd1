"""Issue 17, items 5 and 6: user text is checked at entry and made safe wherever it is shown.

Each test names the defect it holds fixed; every one of them failed before the fix.
"""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import pytest
from store.helpers import EXAMPLES, example_answers, stored_example

from interview.cli import main
from interview.store.sqlite import CaseStore, StoreError
from interview.text import LabelError, check_label, for_markdown, for_terminal, for_xhtml

ANSWERS = str(EXAMPLES / "renal_stable.answers.yaml")
#: Retitle the terminal, clear it, a C1 CSI, a bell: what a label must never do to `cases list`.
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31mred\x07"
BIDI = "abc\u202edef"
NONCHAR = "abc\ufffe"


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _raw_label(db_path, case_id: str, label: str) -> None:
    """Store a label as an old version or another program might have: past the entry check."""
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE cases SET label = ? WHERE id = ?", (label, case_id))


def _no_controls(text: str) -> bool:
    return not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in text)


# --- the sanitiser ----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [ESCAPES, BIDI, NONCHAR, "a\nb", "a\x85b", "\u2066x\u2069", "x\ufdd0"])
def test_check_label_refuses_controls_bidi_and_noncharacters(bad):
    """Defect 6: a label with escapes, C1 controls, bidi overrides/isolates or non-characters is refused."""
    with pytest.raises(LabelError, match="cannot be stored"):
        check_label(bad)


def test_check_label_keeps_ordinary_text():
    """Brackets, accents and other scripts are ordinary text (`[T8] Kowalski`, `x[/]`)."""
    for good in ("[T8] Kowalski", "x[/]", "Łukasz Żółć", "患者 7", "<b>bold</b>"):
        assert check_label(f"  {good} ") == good


def test_for_terminal_strips_escape_sequences_and_controls():
    """Defect 6: for_terminal leaves no ESC, C1 control, bidi control or non-character."""
    shown = for_terminal(f"a{ESCAPES}b{BIDI}{NONCHAR}")
    assert shown == "aredbabcdefabc"
    assert _no_controls(shown)


def test_for_markdown_leaves_no_html_links_or_images():
    """Defect 6: raw HTML, links and remote images come out as text."""
    shown = for_markdown('<img src="http://evil/x.png"> ![t](http://evil/y.png) [click](javascript:x) *b* |')
    assert "<" not in shown and "](" not in shown and "![" not in shown
    assert "\\[click\\]" in shown and "\\|" in shown


def test_for_xhtml_is_valid_xml():
    """Defect 6: any text becomes valid XHTML character data."""
    div = f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{for_xhtml("a<b>&" + ESCAPES + BIDI)}</p></div>'
    assert ET.fromstring(div).find("{http://www.w3.org/1999/xhtml}p").text.startswith("a<b>&")


# --- at entry ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [ESCAPES, BIDI, NONCHAR])
def test_run_save_refuses_a_bad_label(label, db_path, capsys):
    """Defect 6: `run --save --label` with escapes, bidi or a non-character exits 2 and stores nothing."""
    code, out, err = _run(capsys, "run", "--answers", ANSWERS, "--save", "--label", label)
    assert code == 2 and out == "" and err.startswith("spine-interview: --label:") and err.count("\n") == 1
    assert "\x1b" not in err
    assert not db_path.exists()


def test_store_refuses_a_bad_label(store, flow):
    """Defect 6: the store itself refuses such labels (create and rename)."""
    with pytest.raises(StoreError, match="bidi"):
        store.create_case(flow, label=BIDI)
    case_id = store.create_case(flow, label="ok")
    with pytest.raises(StoreError, match="control character"):
        store.set_label(case_id, ESCAPES)


@pytest.mark.parametrize("value", ["T8\u202e", "T8\x9b2J", "T8\ufffe"])
def test_free_text_answer_refuses_bidi_c1_and_noncharacters(value, tmp_path, capsys):
    """Defect 6: a free-text answer (index_level) with bidi, C1 or a non-character is exit 2."""
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps(example_answers("renal_stable") | {"index_level": value}), encoding="utf-8")
    code, out, err = _run(capsys, "run", "--answers", str(answers))
    assert code == 2 and "index_level" in err and out == ""


# --- where it is shown ----------------------------------------------------------------------------


def test_cases_list_and_show_never_drive_the_terminal(db_path, flow, capsys):
    """Defect 6: a stored label with escapes is shown without them by `cases list`, `show` and `delete`."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    _raw_label(db_path, case_id, f"Kowalski{ESCAPES}{BIDI}")
    for argv in (["cases", "list"], ["cases", "show", case_id], ["cases", "list", "--format", "json"],
                 ["cases", "show", case_id, "--format", "json"], ["cases", "delete", case_id]):
        code, out, err = _run(capsys, *argv)
        assert code == 0, err
        assert _no_controls(out + err) and "\u202e" not in out + err, argv
        assert "Kowalski" in out + err


def test_json_output_keeps_the_data(db_path, flow, capsys):
    """The JSON list escapes C1 and bidi characters as \\u escapes: same data, nothing raw."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    _raw_label(db_path, case_id, "a\x9bb\u202ec")
    _, out, _ = _run(capsys, "cases", "list", "--format", "json")
    assert "\x9b" not in out and "\u202e" not in out
    assert json.loads(out)[0]["label"] == "a\x9bb\u202ec"


def test_markdown_report_escapes_free_text(db_path, flow, tmp_path, capsys):
    """Defect 6: a free-text answer in the Markdown report carries no raw HTML, link or remote image."""
    answers = tmp_path / "a.json"
    evil = '<img src=//e.vil/a>![x](//e.vil)'
    answers.write_text(json.dumps(example_answers("renal_stable") | {"index_level": evil}), encoding="utf-8")
    code, out, err = _run(capsys, "run", "--answers", str(answers), "--format", "markdown")
    assert code == 0, err
    assert "<img" not in out and "![x](" not in out and "&lt;img" in out


def test_markdown_title_escapes_the_label(flow):
    """Defect 6: a case label used as the report's title is escaped."""
    from interview.engine.replay import replay
    from interview.export.markdown import render_markdown

    result = replay(flow, example_answers("renal_stable")).result
    text = render_markdown(result, flow, title="<script>x</script> [a](http://e)")
    assert "<script>" not in text.splitlines()[0] and "](" not in text.splitlines()[0]


@pytest.mark.parametrize("version", ["R4B", "R5"])
def test_fhir_narrative_is_valid_xhtml_whatever_the_label(version, db_path, flow, capsys):
    """Defect 6: a label with escapes and `<&` still gives a valid, validated FHIR narrative."""
    with CaseStore(db_path) as store:
        case_id = stored_example(store, flow, "renal_stable")
    _raw_label(db_path, case_id, f"<b>&{ESCAPES}")
    code, out, err = _run(capsys, "cases", "export", case_id, "--format", "fhir", "--fhir-version", version)
    assert code == 0, err
    bundle = json.loads(out)
    for entry in bundle["entry"]:
        div = entry["resource"]["text"]["div"]
        root = ET.fromstring(div)  # raises on invalid XML
        assert root.tag == "{http://www.w3.org/1999/xhtml}div"
    narrative = "".join(ET.fromstring(bundle["entry"][1]["resource"]["text"]["div"]).itertext())
    assert "<b>&" in narrative and _no_controls(narrative)


# --- the saved-case picker (defect 5) --------------------------------------------------------------


@pytest.mark.parametrize("label", ["x[/]", "[T8] Kowalski", "[bold red]loud", "a[link=http://e]b"])
async def test_case_picker_shows_labels_as_typed(label, tmp_path, flow):
    """Defect 5: a label that looks like Textual markup neither crashes the picker nor loses text."""
    from textual.widgets import OptionList

    from interview.tui.app import InterviewApp
    from interview.tui.screens.modals import CasePicker
    from interview.tui.storage import CaseKeeper

    db = tmp_path / "cases.sqlite3"
    with CaseStore(db) as store:
        stored_example(store, flow, "renal_stable", label=label)
    async with InterviewApp(flow, keeper=CaseKeeper(str(db))).run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, CasePicker)
        options = picker.query_one(OptionList)
        shown = "".join(options.render_line(y).text for y in range(options.size.height))
        assert f"{label} · " in shown
        await pilot.press("escape")
        await pilot.pause()
