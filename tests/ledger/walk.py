"""Ledger URLs for the access walk (tests/test_access_walk.py).

Import jobs are located at the importing user's region; the walk puts one in each village.
"""

from __future__ import annotations

from tests.walk import Case, World


def _job(world: World, village: str) -> dict:
    """A dry run that passed: confirming it would import, were access not refused."""
    from fangpin.ledger.models import ImportJob

    key = f"ledger.job.{village}"
    if key not in world.extra:
        world.extra[key] = ImportJob.objects.create(region_id=village, filename="walk.xlsx", sha256="0" * 64,
                                                    status="done", dry_run=True, counts={})
    return {"pk": world.extra[key].pk}


WALK = {
    "ledger:import": Case("page", lambda w, v: {}, permission="import_ledger"),
    "ledger:template": Case("page", lambda w, v: {}, permission="import_ledger"),
    "ledger:job": Case("object", _job, permission="import_ledger"),
    "ledger:job_status": Case("object", _job, permission="import_ledger"),
    "ledger:job_report": Case("object", _job, permission="import_ledger"),
    # GET only redirects to the job page; the POST (import) must be refused outside the scope.
    "ledger:job_confirm": Case("object", _job, permission="import_ledger", post=lambda w, v: {}, ok_status=(302,)),
    "ledger:export": Case("page", lambda w, v: {}, permission="export_ledger"),
    "ledger:export_file": Case("object", lambda w, v: {"code": v}, permission="export_ledger"),
}
