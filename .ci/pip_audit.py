#!/usr/bin/env python3
"""pip-audit over the installed environment, with an ignore list that must give reasons.

    .ci/pip_audit.py [--json FILE]     (FILE: a saved `pip-audit -f json` report, for tests)

Fails (exit 1) on any known vulnerability not listed in .ci/pip-audit-ignore.txt, and on an
ignore entry without a reason. A package pip-audit could not look up is reported; when nothing at
all could be audited (no route to the vulnerability service) it prints a loud warning and fails
only with FANGPIN_PIP_AUDIT_STRICT=1, so an offline CI run still tests everything else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
IGNORE_FILE = HERE / "pip-audit-ignore.txt"


def read_ignores(path: Path = IGNORE_FILE) -> dict[str, str]:
    """``ID reason...`` per line, ``#`` comments; an ID without a reason is an error."""
    ignores: dict[str, str] = {}
    if not path.exists():
        return ignores
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {vuln_id} has no reason; write why it is safe to ignore")
        ignores[vuln_id] = reason.strip()
    return ignores


def run_pip_audit() -> dict:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    done = subprocess.run([str(pip_audit), "--skip-editable", "--progress-spinner", "off", "-f", "json"],  # noqa: S603
                          capture_output=True, text=True, check=False, timeout=600)
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        print(done.stdout + done.stderr, file=sys.stderr)
        raise SystemExit("pip-audit did not produce a report") from None


def judge(report: dict, ignores: dict[str, str], strict: bool) -> tuple[int, list[str]]:
    lines: list[str] = []
    found, audited, skipped = [], 0, []
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped.append(dep["name"])
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            waived = sorted(ids & set(ignores))
            if waived:
                lines.append(f"ignored {dep['name']} {dep['version']} {vuln['id']}: {ignores[waived[0]]}")
            else:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
                found.append(f"{dep['name']} {dep['version']} {vuln['id']} (fixed in: {fixes})")
    lines.append(f"pip-audit: {audited} packages audited, {len(skipped)} could not be looked up")
    status = 0
    if found:
        lines += ["KNOWN VULNERABILITIES:", *(f"  {f}" for f in found),
                  f"upgrade, or add the ID with a reason to {IGNORE_FILE.name}"]
        status = 1
    if audited == 0 and skipped:
        lines.append("!" * 72)
        lines.append("WARNING: pip-audit could not audit any package (no route to the vulnerability service?)")
        lines.append("!" * 72)
        if strict:
            status = status or 2
    return status, lines


def main(argv: list[str]) -> int:
    ignores = read_ignores()
    if len(argv) == 2 and argv[0] == "--json":
        report = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    else:
        report = run_pip_audit()
    status, lines = judge(report, ignores, strict=os.environ.get("FANGPIN_PIP_AUDIT_STRICT") == "1")
    print("\n".join(lines), file=sys.stderr if status else sys.stdout)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
