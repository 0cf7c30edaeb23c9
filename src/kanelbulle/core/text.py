"""The one rule for names people type (customers, contacts, users), on every way in.

A name must show something: one made only of zero-width or other invisible characters looks
empty on every page yet is not, and one holding a bidirectional override (U+202A–U+202E,
U+2066–U+2069) can make the text around it read backwards ("Trojan Source"). Models call
``name_problem`` from their ``clean()`` (so forms, the API, the CSV and vCard connectors, which
all go through the actions' ``full_clean``, refuse alike) and the exchange importer calls it on
each name it reads.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern).
BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Unicode categories that draw nothing on their own: spaces, controls, format characters
# (zero-width space and joiners, BOM, marks), combining marks with no base, unassigned.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me", "Cn", "Co", "Cs"})


def is_visible(ch: str) -> bool:
    return ch not in BLANK_GLYPHS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name, or None. An empty value is left to the field's own rule."""
    if not value:
        return None
    if any(ch in BIDI_CONTROLS for ch in value):
        return _("must not contain text-direction override characters (U+202A–U+202E, U+2066–U+2069)")
    if not any(is_visible(ch) for ch in value):
        return _("must contain visible characters, not only spaces or invisible ones")
    return None


def check_names(obj: Model, *fields: str) -> None:
    """For a model's ``clean()``: a ValidationError naming each field whose name is refused."""
    problems = {field: [message] for field in fields if (message := name_problem(getattr(obj, field) or ""))}
    if problems:
        raise ValidationError(problems)
