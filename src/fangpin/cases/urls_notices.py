"""Village notices (公示) and county announcements (公告), printable and PDF (mounted at /cases/notices/)."""

urlpatterns: list = []
