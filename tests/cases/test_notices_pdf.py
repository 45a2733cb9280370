"""Notices as PDF (WeasyPrint, ~1 s each: few tests). The PDF's text is stored as glyphs, so the tests
read what a PDF does keep in its (compressed) streams: the embedded CJK font's name, the page
objects, and the ToUnicode maps that list every character drawn."""

from __future__ import annotations

import re
import sys
import zlib
from urllib.parse import quote

from django.urls import reverse

from fangpin.audit.models import AuditEvent
from tests.cases.test_notices import decided, elim_case, to_notice
from tests.conftest import OWN_VILLAGE


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's bytes with every Flate stream inflated (object streams hide the page dictionaries)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def drawn(text: bytes, chars: str) -> bool:
    """Every character appears in a ToUnicode map (as its UTF-16 hex code)."""
    maps = b"".join(re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S)
                    + re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S)).upper()
    return all(f"<{ord(c):04X}>".encode() in maps for c in chars)


def test_village_notice_pdf(client, users, make_household, policy):
    to_notice(make_household(OWN_VILLAGE, members=(("冯纳入", "head"),)), users)
    elim_case(make_household(OWN_VILLAGE, members=(("褚消除", "head"),)), policy=policy)
    client.force_login(users["village"])
    response = client.get(reverse("cases:notice_village", kwargs={"code": OWN_VILLAGE}),
                          {"format": "pdf", "phone": "0312-5512345", "date": "2026-11-23"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    name = quote("东关村委会公示-20261123.pdf")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"notice-{OWN_VILLAGE}-20261123.pdf\"; filename*=UTF-8''{name}")
    text = pdf_text(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-S(ans|erif)-CJK-SC", text)
    assert len(re.findall(rb"/Type\s*/Page\b", text)) == 2  # one sheet per kind
    assert drawn(text, "冯纳入褚消除东关村委会公示")
    assert not drawn(text, "鑫")  # the check can fail: a character on no page
    event = AuditEvent.objects.get(action="notice.pdf")
    assert event.region_code == OWN_VILLAGE and len(event.detail["cases"]) == 2


def test_county_announcement_pdf(client, users, make_household, policy):
    decided(make_household(OWN_VILLAGE, members=(("卫纳入", "head"),)), users, days_ago=2, policy=policy,
            data={"category": "边缘易致贫户", "risk_types": ["因灾"], "effective_date": "2026-11-01"})
    client.force_login(users["county"])
    response = client.get(reverse("cases:notice_county"), {"format": "pdf", "doc_no": "易防返贫办〔2026〕12号"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" + quote("易县防止返贫监测公告-") in response["Content-Disposition"]
    assert drawn(pdf_text(response.content), "卫纳入易防返贫办〔〕号边缘易致贫户")
    assert AuditEvent.objects.filter(action="notice.pdf", region_code="130633").count() == 1


def test_without_weasyprint_a_clear_503(client, users, policy, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import raises ImportError, as without pango
    client.force_login(users["village"])
    response = client.get(reverse("cases:notice_village", kwargs={"code": OWN_VILLAGE}), {"format": "pdf"})
    assert response.status_code == 503
    assert "无法生成 PDF" in response.content.decode()
    printable = client.get(reverse("cases:notice_village", kwargs={"code": OWN_VILLAGE}))
    assert printable.status_code == 200  # the printable page does not need WeasyPrint
