from django.db import connection
from django.http import JsonResponse

from .models import Item


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


def items(request):
    return JsonResponse({"items": [{"name": i.name, "quantity": i.quantity} for i in Item.objects.all()]})
