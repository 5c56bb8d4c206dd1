"""Limits on flow files (issue 17, item 9): nesting, literal sizes, list lengths, total size — clear errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from paths import EXAMPLES, ROOT

from interview.flow import expr as ex
from interview.flow.load import FlowError, load_flow

SHIPPED = ROOT / "flows" / "spinal_metastases.yaml"
ANSWERS = EXAMPLES / "emergency_breast.answers.yaml"
CLI = [sys.executable, "-m", "interview"]


def with_when(tmp_path: Path, expression: str) -> Path:
    """A copy of the shipped flow whose first `when: not neuro_deficit` is the given expression."""
    text = SHIPPED.read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(\s+)when: not neuro_deficit$", lambda m: f"{m.group(1)}when: {expression}", text,
                     count=1)
    assert n == 1, "the shipped flow changed"
    path = tmp_path / "flow.yaml"
    path.write_text(new, encoding="utf-8")
    return path


def one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    """stderr is one line, no traceback."""
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    return lines[0]


def test_500_deep_expression_is_a_clean_error_in_run(tmp_path: Path) -> None:
    """An expression nested 500 deep: `run --flow` exits 2 with one line, not a RecursionError."""
    flow = with_when(tmp_path, '"' + "(" * 500 + "neuro_deficit" + ")" * 500 + '"')
    done = subprocess.run([*CLI, "run", "--flow", str(flow), "--answers", str(ANSWERS)], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    line = one_clean_line(done)
    assert "nested more than 64 levels" in line and f"{flow}:" in line and len(line) < 500


def test_500_deep_expression_in_check(tmp_path: Path) -> None:
    """`check` reports the deep expression as a finding with its line, not 'the linter failed'."""
    flow = with_when(tmp_path, '"' + "not " * 500 + 'neuro_deficit"')
    done = subprocess.run([*CLI, "check", str(flow)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "nested more than 64 levels" in done.stdout and "linter failed" not in done.stdout


@pytest.mark.parametrize(("source", "words"), [
    ("(" * 65 + "1" + ")" * 65, "nested more than 64"),
    ("-" * 100 + "1", "nested more than 64"),
    ("not " * 100 + "a", "nested more than 64"),
    ("+".join(["1"] * 500), "nested 129 levels"),
    ("1 == " + "9" * 5000, "a number of 5000 characters"),
    ("a == '" + "x" * 2000 + "'", "a text of 2000 characters"),
    ("a in [" + ",".join(["1"] * 300) + "]", "more than 256 items"),
    ("a == " + "1 + " * 4000 + "1", "characters long"),
    ('a == "\\x"', "unknown escape \\x"),
    ('a == "\\q"', "unknown escape \\q"),
    ('a == "\\ud800"', "invalid character escape"),
])
def test_expression_limits_are_expr_errors(source: str, words: str) -> None:
    """Each limit of the expression language is an ExprError with a clear message, never another error."""
    with pytest.raises(ex.ExprError, match=re.escape(words)):
        ex.parse(source)


def test_escapes_and_non_ascii_text_still_parse() -> None:
    """Known escapes work, and non-ASCII text is kept as written (no latin-1 mangling)."""
    assert ex.parse('"a\\"b\\n\\u00e9"').tree.value == 'a"b\né'
    assert ex.parse('"é"').tree.value == "é"
    depth = "(" * 60 + "1" + ")" * 60
    assert ex.parse(depth).tree.value == 1


def test_bad_escape_in_flow_is_a_flow_error(tmp_path: Path) -> None:
    """A bad string escape in a flow is a FlowError with file, line and node."""
    flow = with_when(tmp_path, "'neuro_deficit == \"\\x\"'")
    with pytest.raises(FlowError, match=r"flow\.yaml:\d+: questions\[\d+\] .*unknown escape"):
        load_flow(flow, cache=False)


def test_flow_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    """A flow file over 4 MiB is refused before it is parsed."""
    path = tmp_path / "big.yaml"
    path.write_bytes(SHIPPED.read_bytes() + b"#" + b"x" * (4 << 20) + b"\n")
    with pytest.raises(FlowError, match="larger than 4 MiB"):
        load_flow(path, cache=False)


def test_flow_list_over_the_item_limit_is_refused(tmp_path: Path) -> None:
    """A list of more than 1000 items in a flow is refused with its place."""
    text = SHIPPED.read_text(encoding="utf-8").replace("\nquestions:\n", "\npadding: [" + ",".join(["1"] * 1001)
                                                       + "]\nquestions:\n", 1)
    path = tmp_path / "flow.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlowError, match="1001 items"):
        load_flow(path, cache=False)


def test_flow_fifo_and_billion_laughs_refused(tmp_path: Path) -> None:
    """A FIFO flow is refused at once; a 'billion laughs' flow is refused by the alias budget."""
    import os
    import time

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(FlowError, match="named pipe"):
        load_flow(fifo, cache=False)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.monotonic()
    with pytest.raises(FlowError, match="billion laughs"):
        load_flow(path, cache=False)
    assert time.monotonic() - start < 2


def test_flow_yaml_11_forms_refused(tmp_path: Path) -> None:
    """A flow writing `max: 0x10` is refused with the place and the value (no silent 16)."""
    text = SHIPPED.read_text(encoding="utf-8")
    new, n = re.subn(r"(?m)^(\s+)max: 600$", r"\1max: 0x258", text, count=1)
    assert n == 1
    path = tmp_path / "flow.yaml"
    path.write_text(new, encoding="utf-8")
    with pytest.raises(FlowError, match=r"flow\.yaml:\d+: .*max.*'0x258'.*hexadecimal"):
        load_flow(path, cache=False)
