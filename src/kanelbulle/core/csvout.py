"""Every CSV the product writes goes through here, so no cell can run as a spreadsheet formula.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets (CSV injection: ``=HYPERLINK("http://…")`` from a
gift's description becomes a link in the auditor's spreadsheet). Such a cell is written with a
leading apostrophe, as OWASP advises, which spreadsheets show as plain text. A plain number
(``-1200.50``, ``+46``) is not a formula and is left as it is, so amounts stay numbers.

Writers: the gift register (``/gifts/report.csv``, ``kanelbulle gifts report --format csv``), the
size-bias list (``/attention/size-bias/?format=csv``) and the audit log
(``/privacy/audit/?format=csv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet shows it as text: formula-like text gets a leading apostrophe."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _NUMBER.match(value):
        return value
    return "'" + value


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose every cell passes through :func:`safe_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})
