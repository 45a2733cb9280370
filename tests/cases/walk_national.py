"""Access walk of the national export (form and file)."""

from tests.walk import Case

WALK = {
    "cases:national": Case("page", lambda w, v: {}, permission="export_ledger"),
    "cases:national_file": Case("object", lambda w, v: {"code": v}, permission="export_ledger"),
}
