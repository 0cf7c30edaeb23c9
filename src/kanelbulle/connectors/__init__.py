"""The doors in and out: the API's shared parts, iCalendar, vCard and CSV from other CRMs.

Plain modules, not a Django app: they call the apps' actions and never hold rules of their own.
`kanelbulle import` dispatches here: ``.ics`` to ``import_ics``, ``.vcf`` to ``import_vcard``
(with the customer), ``.csv`` with ``--preset`` to ``import_csv``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["import_csv", "import_ics", "import_vcard"]


def __getattr__(name: str) -> Any:
    # Imported lazily: the API's helpers live in this package too and load before the models.
    if name == "import_ics":
        from kanelbulle.connectors.ical import import_ics

        return import_ics
    if name == "import_csv":
        from kanelbulle.connectors.crm_csv import import_csv

        return import_csv
    if name == "import_vcard":
        from kanelbulle.connectors.vcard import import_vcard

        return import_vcard
    raise AttributeError(name)
