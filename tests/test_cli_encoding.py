"""Every command prints on a stream whose encoding lacks a character: redirected output on
Windows is cp1252, an ASCII locale lacks even "—". Nothing may end in UnicodeEncodeError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from testbed.paths import REPO

# A fear track of the bundled catalog with a Cyrillic name, and the arguments whose list holds
# it every time ("more like" another Cyrillic song: nearest first, no randomness).
CYRILLIC_ID, CYRILLIC_NAME = "4g0KtUbQx4LTGRyPe1AdT9", "Салам пацанам"
NEAR_IT = ("recommend", "fear", "--like", "64mTlyWjAaqeZD8mSszh8o", "--limit", "50", "--offline")


def run_redirected(tmp_path: Path, encoding: str, *args: str) -> tuple[int, bytes, str]:
    """Run ``python -m emotune ARGS`` with stdout in a file (as ``> out.txt`` does) and the
    streams' encoding set to ``encoding``; (exit status, stdout bytes, stderr)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    out = tmp_path / "out.txt"
    with out.open("wb") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "emotune", *args],
            stdout=handle,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
            timeout=120,
        )
    return result.returncode, out.read_bytes(), result.stderr.decode(encoding)


def test_recommend_text_on_a_cp1252_stream_windows(tmp_path: Path) -> None:
    status, stdout, stderr = run_redirected(tmp_path, "cp1252", *NEAR_IT)
    assert (status, stderr) == (0, "")
    lines = stdout.decode("cp1252").splitlines()
    assert len(lines) == 50
    escaped = CYRILLIC_NAME.encode("ascii", errors="backslashreplace").decode("ascii")
    assert any(line.startswith(f"{escaped} — ") and CYRILLIC_ID in line for line in lines), lines


def test_recommend_text_on_an_ascii_stream(tmp_path: Path) -> None:
    status, stdout, stderr = run_redirected(tmp_path, "ascii", "recommend", "happy", "--limit", "5", "--offline")
    assert (status, stderr) == (0, "")
    lines = stdout.decode("ascii").splitlines()
    assert len(lines) == 5 and all(" \\u2014 " in line for line in lines)


def test_recommend_json_on_an_ascii_stream_stays_exact(tmp_path: Path) -> None:
    status, stdout, stderr = run_redirected(tmp_path, "ascii", *NEAR_IT, "--json")
    assert (status, stderr) == (0, "")
    records = [json.loads(line) for line in stdout.decode("ascii").splitlines()]
    assert len(records) == 50
    assert {r["id"]: r["name"] for r in records}[CYRILLIC_ID] == CYRILLIC_NAME


def test_json_escapes_keep_astral_characters_exact_on_an_ascii_stream(tmp_path: Path) -> None:
    text = "Party 🎉 — Ё"
    program = (
        "import json, sys; from emotune.text import guard_stdout; guard_stdout(json_output=True); "
        "print(json.dumps({'name': sys.argv[1]}, ensure_ascii=False))"
    )
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", program, text], capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.decode("ascii")) == {"name": text}
