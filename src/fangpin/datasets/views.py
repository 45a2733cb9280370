"""Department data pages: upload (with a column-mapping step when headers differ), the list, a dataset's
report and its error rows as Excel."""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fangpin import pii
from fangpin.accounts.access import get_scoped_or_404, require, scoped
from fangpin.audit.services import record
from fangpin.core.screening import SCHEMAS, auto_mapping
from fangpin.datasets.forms import MappingForm, UploadForm
from fangpin.datasets.models import Dataset
from fangpin.datasets.services import DatasetError, MappingNeeded, do_upload_dataset, read_table
from fangpin.ledger.workbook import Sheet, write_error_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENDING = "dataset_pending"  # session key: the file waiting for its column mapping
CONTEXT = pii.SEALED_DIRS["datasets"]  # rotate_keys re-seals that folder


def _pending_path(token: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "datasets" / f"pending-{token}.bin"


def _keep_pending(request, kind: str, name: str, data: bytes) -> None:
    """The uploaded file waits (encrypted: it holds ID numbers) while the user maps its columns."""
    token = secrets.token_hex(16)
    path = _pending_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pii.seal_bytes(data, CONTEXT))
    path.chmod(0o600)
    old = request.session.get(PENDING)
    if old:
        _pending_path(old["token"]).unlink(missing_ok=True)
    request.session[PENDING] = {"token": token, "kind": kind, "name": name}


def _take_pending(request) -> tuple[str, str, bytes] | None:
    pending = request.session.get(PENDING)
    if not pending:
        return None
    path = _pending_path(pending["token"])
    if not path.exists():
        return None
    return pending["kind"], pending["name"], pii.open_bytes(path.read_bytes(), CONTEXT)


def _drop_pending(request) -> None:
    pending = request.session.pop(PENDING, None)
    if pending:
        _pending_path(pending["token"]).unlink(missing_ok=True)


def _upload(request, kind: str, name: str, data: bytes, chosen=None):
    """Run the upload; on a missing mapping keep the file and show the mapping form."""
    try:
        dataset, created = do_upload_dataset(request.user, kind, data, name, chosen=chosen, request=request)
    except MappingNeeded as need:
        if chosen is None:
            _keep_pending(request, kind, name, data)
        labels = "、".join(SCHEMAS[kind].field(k).header for k in need.missing)
        messages.warning(request, f"文件中没有找到这些列：{labels}。请指定每一项对应文件中的哪一列（保存后下次自动使用）。")
        return redirect("datasets:mapping")
    except DatasetError as exc:
        messages.error(request, str(exc))
        return redirect("datasets:list")
    _drop_pending(request)
    if created:
        messages.success(request, f"已上传：{dataset.rows_total} 行，匹配本辖区人员 {dataset.rows_matched} 行")
    else:
        messages.info(request, "该文件此前已上传过，未作任何修改")
    return redirect("datasets:detail", pk=dataset.pk)


@require("upload_datasets")
@require_http_methods(["GET", "POST"])
def dataset_list(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        return _upload(request, form.cleaned_data["kind"], upload.name, upload.read())
    datasets = scoped(Dataset.objects.select_related("uploaded_by"), request.user, "region__code")
    page = Paginator(datasets, 50).get_page(request.GET.get("page"))
    return render(request, "datasets/list.html", {"form": form, "page": page})


@require("upload_datasets")
@require_http_methods(["GET", "POST"])
def mapping(request):
    pending = _take_pending(request)
    if pending is None:
        messages.error(request, "没有等待指定列对应的文件，请重新上传")
        return redirect("datasets:list")
    kind, name, data = pending
    schema = SCHEMAS[kind]
    try:
        headers, _ = read_table(data, name)
    except DatasetError as exc:
        _drop_pending(request)
        messages.error(request, str(exc))
        return redirect("datasets:list")
    form = MappingForm(request.POST or None, schema=schema, headers=headers,
                       initial_mapping=auto_mapping(schema, headers))
    if request.method == "POST" and form.is_valid():
        chosen = {key: header for key, header in form.cleaned_data.items() if header}
        return _upload(request, kind, name, data, chosen=chosen)
    return render(request, "datasets/mapping.html", {"form": form, "schema": schema, "name": name})


@require("upload_datasets")
def detail(request, pk: int):
    dataset = get_scoped_or_404(Dataset.objects.select_related("uploaded_by", "region"), request.user, "region__code",
                                pk=pk)
    record(request, "dataset.view", obj=dataset, summary=f"查看部门数据 {dataset}")
    return render(request, "datasets/detail.html", {"dataset": dataset, "schema": SCHEMAS[dataset.kind],
                                                    "errors": dataset.errors[:100]})


@require("upload_datasets")
def error_report(request, pk: int):
    dataset = get_scoped_or_404(Dataset.objects.all(), request.user, "region__code", pk=pk)
    if not dataset.errors:
        raise Http404("该数据没有无效行")
    out = io.BytesIO()
    write_error_report(out, dataset.errors, None)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"部门数据错误-{dataset.pk}.xlsx", content_type=XLSX)


@require("upload_datasets")
def template(request, kind: str):
    """A blank file with the standard headers of one kind, and what each column may hold."""
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise Http404("没有这类部门数据")
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = Sheet(book, schema.label[:31], [f.header for f in schema.fields], [max(12, len(f.header) * 2 + 4)
                                                                              for f in schema.fields])
    text = book.add_format({"num_format": "@"})
    sheet.ws.set_column(0, 0, 21, text)  # ID numbers as text, or Excel eats the last digits
    notes = Sheet(book, "填写说明", ["列名", "是否必填", "可填写的值 / 说明", "也认可的列名"], [16, 10, 50, 40])
    for f in schema.fields:
        allowed = "、".join(label for _, label in f.codes) or {
            "id": "18 位身份证号（请设为文本格式）", "date": "日期，如 2026-03-15", "money": "金额（元），不能为负",
            "text": "文字"}.get(f.kind.value, "")
        notes.write([f.header, "必填" if f.required else "", allowed, "、".join(f.aliases)])
    book.close()
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{schema.label}模板.xlsx", content_type=XLSX)
