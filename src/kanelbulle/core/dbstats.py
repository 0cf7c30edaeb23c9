"""Planner statistics after bulk writes, on PostgreSQL.

PostgreSQL plans each query from its statistics of the tables; autovacuum refreshes them some
time after many rows changed (a minute or more, and never where it is switched off). Right after
an import of thousands of records, or a refresh that rewrote every customer's state, the plans
were made for the tables as they had been: on the 10,000-customer book the gift register's page
was joined as if the year held 4 gifts (it held 919), and every table read as never analysed.
``analyze`` after such writes keeps the first requests' plans right. SQLite keeps no statistics
unless asked, and its plans here come from the indexes, so nothing is done there.
"""

from __future__ import annotations

from django.db import connection, models

#: Fewer rows written than this leave the statistics to autovacuum.
BULK_ROWS = 1000


def analyze(*tables: type[models.Model]) -> bool:
    """ANALYZE these models' tables (none named: the whole database); False on SQLite."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        if not tables:
            cursor.execute("ANALYZE")
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return True
