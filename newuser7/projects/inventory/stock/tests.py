from django.test import TestCase

from .models import Item


class ItemTests(TestCase):
    def test_items_json(self):
        Item.objects.create(name="bolt", quantity=3)
        self.assertEqual(self.client.get("/stock/items/").json(), {"items": [{"name": "bolt", "quantity": 3}]})
