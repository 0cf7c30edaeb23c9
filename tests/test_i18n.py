"""Swedish is complete: every catalogue string is translated, and the compiled catalogue matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import kanelbulle

CATALOGUES = sorted(Path(kanelbulle.__file__).parent.glob("*/locale/sv/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_swedish_catalogue() -> None:
    apps = {p.parts[-5] for p in CATALOGUES}
    assert {"web", "customers", "meetings", "deals", "gifts", "accounts"} <= apps


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_the_swedish_catalogue_is_complete_and_compiled(po_path: Path) -> None:
    with po_path.open("rb") as f:
        catalogue = read_po(f)
    untranslated = [
        m.id for m in catalogue if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [], f"untranslated in {po_path}"
    assert fuzzy == [], f"fuzzy in {po_path}"
    with po_path.with_suffix(".mo").open("rb") as f:
        compiled = read_mo(f)
    for message in catalogue:
        if message.id:
            entry = compiled.get(message.id, message.context)  # a msgctxt is part of the key
            assert entry is not None, f"{message.id!r} is not compiled; run scripts/i18n.sh"
            expected = tuple(message.string) if isinstance(message.string, (tuple, list)) else message.string
            got = tuple(entry.string) if isinstance(entry.string, (tuple, list)) else entry.string
            assert got == expected, f"{message.id!r}: the .mo is stale; run scripts/i18n.sh"
