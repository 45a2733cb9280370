"""The core is standard library only: importing it must not pull in any framework or engine."""

import ast
import subprocess
import sys
from pathlib import Path

import fangpin

CORE = Path(fangpin.__file__).parent / "core"
ALLOWED_FIRST_PARTY = "fangpin.core"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_core_modules_import_only_stdlib_and_core():
    offenders = []
    for path in CORE.rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith(ALLOWED_FIRST_PARTY) or top == "__future__":
                continue
            if top not in sys.stdlib_module_names:
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_importing_core_loads_no_framework():
    code = (
        "import sys, pkgutil, importlib, fangpin.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__): importlib.import_module('fangpin.core.' + m.name)\n"
        "bad = [m for m in ('django', 'duckdb', 'ibis', 'pyspark', 'polars', 'pandas') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
