"""The one reader of answers files (issue 17, items 1, 3, 4): nothing misread, nothing hangs, messages bounded."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paths import EXAMPLES, ROOT

from interview.cli import EXIT_BAD_INPUT
from tests.cli.test_run_bad_input import assert_clean_error, run_cli

EXAMPLE = (EXAMPLES / "emergency_breast.answers.yaml").read_text(encoding="utf-8")
CLI = [sys.executable, "-m", "interview"]


def answers(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    """An answers file in tmp_path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def with_line(field: str, value: str) -> str:
    """The example answers with one field's value written as given."""
    text, n = re.subn(rf"(?m)^{field}: .*$", f"{field}: {value}", EXAMPLE)
    assert n == 1, field
    return text


def refused(tmp_path: Path, text: str) -> str:
    """Run an answers text; it must be refused (exit 2) with one clean line, which is returned."""
    rc, out, err = run_cli(["run", "--answers", str(answers(tmp_path, text))])
    assert out == ""
    return assert_clean_error(rc, err, EXIT_BAD_INPUT)


def test_example_still_reads(tmp_path: Path) -> None:
    """The unchanged example answers file runs (the reader refuses only what it should)."""
    rc, out, err = run_cli(["run", "--answers", str(answers(tmp_path, EXAMPLE))])
    assert rc == 0, err
    assert '"headline"' in out


def test_sexagesimal_refused_naming_field_and_value(tmp_path: Path) -> None:
    """`36:00` (2160 to YAML 1.1, base 60) is refused, naming the field and the value."""
    line = refused(tmp_path, with_line("hours_since_deficit_onset", "36:00"))
    assert "hours_since_deficit_onset" in line and "36:00" in line and "base-60" in line


def test_hex_refused(tmp_path: Path) -> None:
    """`kps: 0x50` (80 to YAML 1.1) is refused, naming the field and the value."""
    line = refused(tmp_path, with_line("kps", "0x50"))
    assert "kps" in line and "0x50" in line and "hexadecimal" in line


@pytest.mark.parametrize("value", ["010", "0o10", "0b1010", "1_0"])
def test_octal_and_other_integer_forms_refused(tmp_path: Path, value: str) -> None:
    """`010` (8 to YAML 1.1), `0o10`, `0b1010` and `1_0` are refused with the field and the value."""
    line = refused(tmp_path, with_line("hours_since_deficit_onset", value))
    assert "hours_since_deficit_onset" in line and value in line


@pytest.mark.parametrize("value", ["yes", "no", "on", "off", "y", "n", "Yes", "OFF"])
def test_yes_no_words_refused(tmp_path: Path, value: str) -> None:
    """yes/no/on/off/y/n are refused for a yes/no field: only true and false are booleans."""
    line = refused(tmp_path, with_line("neuro_deficit", value))
    assert "neuro_deficit" in line and value in line and "true or false" in line


def test_quoted_forms_are_text_not_numbers(tmp_path: Path) -> None:
    """A quoted "36:00" is text: refused as a wrong type, not read as a number."""
    line = refused(tmp_path, with_line("hours_since_deficit_onset", '"36:00"'))
    assert "wrong type" in line


def test_duplicate_key_refused_naming_key_and_lines(tmp_path: Path) -> None:
    """A field given twice is refused, naming the key and both lines (the last no longer wins)."""
    first = EXAMPLE.splitlines().index("kps: 70") + 1
    text = EXAMPLE + "kps: 40\n"
    line = refused(tmp_path, text)
    last = len(text.splitlines())
    assert "duplicate key 'kps'" in line and f"lines {first} and {last}" in line


def test_python_tag_refused(tmp_path: Path) -> None:
    """A `!!python/object` tag is refused by name."""
    line = refused(tmp_path, EXAMPLE + "age: !!python/object/apply:os.system ['true']\n")
    assert "tag" in line and "python" in line


def test_fifo_refused_quickly(tmp_path: Path) -> None:
    """A named pipe is refused at once, never waited on (a subprocess, with a timeout)."""
    fifo = tmp_path / "case.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    done = subprocess.run([*CLI, "run", "--answers", str(fifo)], capture_output=True, text=True, timeout=20,
                          cwd=ROOT)
    assert time.monotonic() - start < 20
    assert done.returncode == EXIT_BAD_INPUT
    assert "named pipe" in done.stderr and "Traceback" not in done.stderr


def test_dev_zero_refused() -> None:
    """/dev/zero is refused as a device before anything is read."""
    rc, _, err = run_cli(["run", "--answers", "/dev/zero"])
    assert "device" in assert_clean_error(rc, err, EXIT_BAD_INPUT)


def test_billion_laughs_refused_fast(tmp_path: Path) -> None:
    """A 1 KB 'billion laughs' answers file is refused in under 2 s (anchors are not allowed)."""
    parts = ['&a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        parts.append(f"&{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "kps: [" + ", ".join(parts) + "]\n"
    assert len(text) < 1024
    start = time.monotonic()
    line = refused(tmp_path, text)
    assert time.monotonic() - start < 2
    assert "anchors" in line and len(line) <= 300


def test_huge_value_refused_with_a_short_line(tmp_path: Path) -> None:
    """A 50 MB value is refused by size, in one line of at most 300 characters."""
    line = refused(tmp_path, "kps: \"" + "x" * 50_000_000 + "\"\n")
    assert "larger than 1 MiB" in line and len(line) <= 300


def test_large_value_shown_truncated(tmp_path: Path) -> None:
    """A value under the size limit is shown cut to about 80 characters, never whole."""
    line = refused(tmp_path, with_line("kps", "x" * 900_000))
    assert "kps" in line and len(line) <= 600


def test_bounded_repr_of_shared_structure() -> None:
    """shorten() of a deeply shared structure (aliases expanded) is short and instant."""
    from interview.files.reading import shorten

    value: list = ["lol"] * 9
    for _ in range(30):
        value = [value] * 9
    start = time.monotonic()
    assert len(shorten(value)) <= 80
    assert time.monotonic() - start < 1


def test_no_other_module_parses_user_files() -> None:
    """Only interview/files/reading.py parses YAML/JSON documents (no yaml.safe_load/load or json.load)."""
    pattern = re.compile(r"yaml\.(safe_load|load|full_load|unsafe_load)\(|json\.load\(")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "interview").rglob("*.py")
                 if pattern.search(p.read_text(encoding="utf-8")) and p.name != "reading.py"]
    assert offenders == []


# --- fuzzing, in a subprocess with a memory limit ---------------------------------------------------

_KEYS = ["kps", "age", "neuro_deficit", "escc_grade", "hours_since_deficit_onset", "unknown", "<<", "? [a]",
         "1", "yes", "'kps'", "&k kps", "*k"]
_SCALARS = ["36:00", "010", "0o10", "0x10", "0b1", "1_000", "yes", "no", "on", "off", "y", "n", "~", "null",
            ".inf", "-.inf", ".nan", "1e3", "-0", "2024-01-01", "true", "false", "TRUE", "70", "70.0", "1a",
            "!!python/object/apply:os.system ['true']", "!!binary aGk=", "!!set {a: null}", "!!int 0x10",
            "!!str 010", "!!float 1", "!foo bar", "&a [1, 2]", "*a", "&x [*x]", "[[[[[[", "'unterminated",
            '"\\x"', '"\\u00e9"', "{a: 1, a: 2}", "[1, *a]", "- 1", "|\n  text", "\t", "\x00", "\u202e", "9" * 5000,
            "[" * 80 + "]" * 80, "!!timestamp 2024-01-01", "=", "<<"]
_LINE = st.tuples(st.sampled_from(_KEYS), st.one_of(st.sampled_from(_SCALARS), st.text(max_size=20),
                                                      st.integers(), st.floats(allow_nan=True)))
_DOC = st.lists(_LINE, min_size=0, max_size=8).map(
    lambda lines: "".join(f"{k}: {v}\n" for k, v in lines))

_DRIVER = """
import contextlib, io, resource, sys, traceback
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from interview.cli import main
for path in sys.argv[1:]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(["run", "--answers", path])
    except BaseException:
        print("CRASH", path, traceback.format_exc().splitlines()[-1])
        continue
    lines = err.getvalue().splitlines()
    if code not in (0, 2, 3) or "Traceback" in err.getvalue() or (code != 0 and not lines):
        print("BAD", path, code, err.getvalue()[:300])
    elif any(len(line) > 2000 for line in lines):
        print("LONG", path, max(len(line) for line in lines))
"""


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(_DOC, min_size=25, max_size=25))
def test_fuzzed_answers_files_exit_cleanly(tmp_path: Path, docs: list[str]) -> None:
    """Fuzzed answers files (anchors, aliases, tags, odd scalars, duplicate keys) exit 0/2/3, never a
    traceback, bounded in time (timeout) and memory (RLIMIT_AS 1 GiB in the subprocess)."""
    paths = []
    for i, doc in enumerate(docs):
        path = tmp_path / f"fuzz{i}.yaml"
        path.write_text(doc, encoding="utf-8", errors="surrogatepass")
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-c", _DRIVER, *paths], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "", done.stdout[:2000]
