import datetime as dt
from decimal import Decimal

from tests.walk import Case


def _visit(world, village):
    """A visit record on the village's household (made directly: the walk tests access, not rules)."""
    from fangpin.cases.models import VisitRecord

    key = ("visit", village)
    if key not in world.extra:
        world.extra[key] = VisitRecord.objects.create(
            household=world.households[village], visitor=world.users["village"], visit_date=dt.date(2026, 1, 5),
            income_12m=Decimal("20000"))
    return world.extra[key]


def _photo(world, village):
    from fangpin.cases.photos import save_photos

    key = ("photo", village)
    if key not in world.extra:
        visit = _visit(world, village)
        [world.extra[key]] = save_photos(visit, [(b"\x89PNG\r\n\x1a\n" + b"walk", "image/png")])
    return world.extra[key]


def _application(world, village):
    from fangpin import pii
    from fangpin.cases.models import PublicApplication
    from tests.conftest import new_id

    key = ("application", village)
    if key not in world.extra:
        id_number = new_id(village[:6])
        world.extra[key] = PublicApplication.objects.create(
            receipt_no=f"SQ{village}", submitted_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            name=f"申请人{village[-4:]}", id_cipher=pii.encrypt(id_number), id_index=pii.id_index(id_number),
            id_masked="130633********0011", phone_cipher=pii.encrypt("13900000000"),
            phone_index=pii.phone_index("13900000000"), phone_masked="139****0000", village_id=village,
            risk_type="因病", text="住院", ip_hash="x")
    return world.extra[key]


WALK: dict = {
    "public:apply": Case("public", lambda w, v: {}),
    "public:villages": Case("public", lambda w, v: {}),
    "public:status": Case("public", lambda w, v: {}),
    "cases:visit_new": Case("page", lambda w, v: {}, permission="handle_cases"),
    "cases:visit_photo": Case("object", lambda w, v: {"pk": _photo(w, v).visit_id, "photo_pk": _photo(w, v).pk},
                              permission="handle_cases"),
    "cases:visit_detail": Case("object", lambda w, v: {"pk": _visit(w, v).pk}, permission="handle_cases"),
    "cases:visit_list": Case("list", lambda w, v: ({}, "", f">{_visit(w, v).household.hh_no}<"),
                             permission="handle_cases"),
    "cases:application_list": Case("list", lambda w, v: ({}, "", _application(w, v).receipt_no),
                                   permission="handle_cases"),
    "cases:application_match": Case("object", lambda w, v: {"pk": _application(w, v).pk}, permission="handle_cases",
                                    post=lambda w, v: {}, ok_status=(405,)),
}
