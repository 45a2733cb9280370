"""The screening tests share the cases tests' policy (13-2026-1, line 7,300)."""

from tests.cases.conftest import policy  # noqa: F401
