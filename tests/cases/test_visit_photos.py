"""Visit photos: real images only, at most three, kept encrypted, served in scope and audited."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangpin.accounts.models import User
from fangpin.audit.models import AuditEvent
from fangpin.cases.models import VisitPhoto, VisitRecord
from tests.cases.test_visits_record import NEW, visit
from tests.conftest import OWN_VILLAGE, SIBLING_VILLAGE

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40 + b"png-body"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40 + b"jpeg-body"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(name, data, kind="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=kind)


def test_photos_are_stored_encrypted_and_served_to_the_village_only(client, users, policy, make_household, media):
    household = make_household(OWN_VILLAGE)
    client.force_login(users["village"])
    response = client.post(NEW, {**visit(household.hh_no), "photos": [upload("a.jpg", JPEG), upload("b.png", PNG)]})
    assert response.status_code == 302
    photos = list(VisitPhoto.objects.order_by("id"))
    assert [(p.content_type, p.size) for p in photos] == [("image/jpeg", len(JPEG)), ("image/png", len(PNG))]
    on_disk = (media / "visits" / photos[0].stored_name).read_bytes()
    assert b"jpeg-body" not in on_disk and JPEG not in on_disk
    url = reverse("cases:visit_photo", kwargs={"pk": photos[0].visit_id, "photo_pk": photos[0].pk})
    page = client.get(response["Location"]).content.decode()
    assert url in page
    served = client.get(url)
    assert served.content == JPEG and served["Content-Type"] == "image/jpeg" and "no-store" in served["Cache-Control"]
    assert AuditEvent.objects.filter(action="visit.photo", object_id=str(photos[0].pk)).count() == 1
    assert AuditEvent.objects.get(action="visit.create").detail["photos"] == 2
    sibling = User.objects.create_user("sibling", password="x", role="village", region_id=SIBLING_VILLAGE)
    client.force_login(sibling)
    assert client.get(url).status_code == 404


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(client, users, policy, make_household):
    household = make_household(OWN_VILLAGE)
    client.force_login(users["village"])
    response = client.post(NEW, {**visit(household.hh_no), "photos": [upload("fake.jpg", b"<html>not an image")]})
    assert response.status_code == 200
    assert "“fake.jpg”不是 JPEG、PNG 或 WebP 图片" in response.content.decode()
    assert not VisitRecord.objects.exists() and not VisitPhoto.objects.exists()


def test_at_most_three_photos(client, users, policy, make_household):
    household = make_household(OWN_VILLAGE)
    client.force_login(users["village"])
    response = client.post(NEW, {**visit(household.hh_no), "photos": [upload(f"{i}.png", PNG) for i in range(4)]})
    assert "现场照片最多 3 张，本次选择了 4 张" in response.content.decode()
    assert not VisitRecord.objects.exists()
