from django.shortcuts import render

from fangpin.accounts.access import require


@require("import_ledger")
def import_page(request):
    return render(request, "ledger/import.html", {})
