"""Flag facts that reveal a special category of personal data (GDPR Art. 9) on entry.

The rules are data (``data/special-categories.json``): Swedish and English terms per category,
each with its source, so compliance can extend them without a code change. A flagged fact is
refused unless the user records a documented exception (for instance the person's explicit
consent); the advice is to store the preference ("no alcohol"), not the reason for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

RULES_FILE = Path(__file__).parent / "data" / "special-categories.json"

CATEGORY_LABELS = {
    "health": _("health"),
    "religion": _("religious or philosophical beliefs"),
    "political": _("political opinions"),
    "trade_union": _("trade-union membership"),
    "ethnic_origin": _("ethnic origin"),
    "sex_life_orientation": _("sex life or sexual orientation"),
    "biometric_genetic": _("genetic or biometric data"),
}

# The documented exceptions of Art. 9(2) that a seller can record for a fact.
EXCEPTIONS = {
    "explicit_consent": _("The person gave explicit consent (Art. 9(2)(a))"),
    "made_public": _("The person made it manifestly public (Art. 9(2)(e))"),
}


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    source: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Finding:
    code: str
    category: str
    term: str
    source: str

    @property
    def message(self) -> str:
        return str(
            _(
                "“%(term)s” may reveal %(category)s, a special category of personal data (GDPR Art. 9). "
                "It may only be stored with a documented exception; consider storing the preference, not the reason."
            )
            % {"term": self.term, "category": CATEGORY_LABELS.get(self.category, self.category)}
        )


@cache
def rules() -> tuple[Rule, ...]:
    raw = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    loaded = []
    for entry in raw["rules"]:
        if entry["category"] not in CATEGORY_LABELS:
            raise ValueError(f"{RULES_FILE.name}: unknown category {entry['category']!r} in rule {entry['code']!r}")
        terms = [*entry.get("sv", []), *entry.get("en", [])]
        pattern = re.compile(r"(?<!\w)(" + "|".join(terms) + r")(?!\w)", re.IGNORECASE)
        loaded.append(Rule(entry["code"], entry["category"], entry["source"], pattern))
    return tuple(loaded)


def findings(text: str) -> list[Finding]:
    """Every special category the text seems to reveal (at most one finding per rule)."""
    found = []
    for rule in rules():
        match = rule.pattern.search(text)
        if match:
            found.append(Finding(rule.code, rule.category, match.group(0), rule.source))
    return found
