"""Each customer's folded search text (customers/search.py), filled for the customers there are."""

from typing import Any

from django.db import migrations, models

CHUNK = 500


def fill(apps: Any, schema_editor: Any) -> None:
    from kanelbulle.customers.search import text_of

    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    Fact = apps.get_model("customers", "Fact")
    db = schema_editor.connection.alias
    ids = list(Customer.objects.using(db).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        parts = {pk: [name, city] for pk, name, city in Customer.objects.using(db).filter(pk__in=chunk).values_list("pk", "name", "city")}
        for pk, name in Contact.objects.using(db).filter(customer_id__in=chunk).values_list("customer_id", "name"):
            parts[pk].append(name)
        for pk, text in Fact.objects.using(db).filter(contact__customer_id__in=chunk).values_list("contact__customer_id", "text"):
            parts[pk].append(text)
        rows = [Customer(pk=pk, search_text=text_of(p[0], p[1], p[2:])) for pk, p in parts.items()]
        Customer.objects.using(db).bulk_update(rows, ["search_text"], batch_size=CHUNK)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_customer_list_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
