"""The CI security gate: .ci/pip_audit.py fails on known vulnerabilities unless ignored with a reason."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "pip_audit.py"
spec = importlib.util.spec_from_file_location("pip_audit_gate", SCRIPT)
gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)

VULNERABLE = {"dependencies": [
    {"name": "django", "version": "5.2.0", "vulns": [
        {"id": "PYSEC-2025-1", "aliases": ["CVE-2025-0001"], "fix_versions": ["5.2.1"]}]},
    {"name": "xlsxwriter", "version": "3.3.1", "vulns": []},
    {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"},
], "fixes": []}


def test_a_known_vulnerability_fails_and_names_the_fix():
    status, lines = gate.judge(VULNERABLE, {}, strict=False)
    assert status == 1
    assert "  django 5.2.0 PYSEC-2025-1 (fixed in: 5.2.1)" in lines
    assert "pip-audit: 2 packages audited, 1 could not be looked up" in lines


def test_an_ignored_vulnerability_passes_by_id_or_alias_and_shows_the_reason():
    status, lines = gate.judge(VULNERABLE, {"CVE-2025-0001": "only the admin site, which fangpin does not mount"},
                               strict=True)
    assert status == 0
    assert lines[0] == "ignored django 5.2.0 PYSEC-2025-1: only the admin site, which fangpin does not mount"


def test_nothing_audited_warns_and_fails_only_when_strict():
    offline = {"dependencies": [{"name": "django", "skip_reason": "not found"}]}
    assert gate.judge(offline, {}, strict=False)[0] == 0
    status, lines = gate.judge(offline, {}, strict=True)
    assert status == 2 and any("could not audit any package" in line for line in lines)


def test_an_ignore_entry_needs_a_reason(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("# comment\n\nGHSA-aaaa-bbbb-cccc  not reachable: we never parse YAML\n", encoding="utf-8")
    assert gate.read_ignores(good) == {"GHSA-aaaa-bbbb-cccc": "not reachable: we never parse YAML"}
    bad = tmp_path / "bad.txt"
    bad.write_text("GHSA-aaaa-bbbb-cccc\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="has no reason"):
        gate.read_ignores(bad)
    assert gate.read_ignores(gate.IGNORE_FILE) is not None  # the committed list parses


def test_the_script_exit_code_from_a_saved_report(tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(VULNERABLE), encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), "--json", str(report)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 1 and "KNOWN VULNERABILITIES" in done.stderr
