"""Etiquette by the recipient's country, as data (``data/etiquette.json``), never as code.

A rule applies to gifts in the directions it names (default: given) to a country it lists (or
``"*"`` for all) and matches when any of its ``terms`` (regular expressions, Swedish and English,
case-insensitive) is found in the description or occasion, or the gift's category is one of its
``categories``; a rule with neither matches every such gift. ``months`` and ``public_sector``
narrow it further. The format is described in docs/gifts.md; ``load_rules`` validates a file and
reports every problem with its path, so a bad edit fails loudly at start-up and in the tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from django.utils.translation import get_language

from kanelbulle.gifts.rules import GIVEN, RECEIVED, Finding, GiftRequest

DATA_FILE = Path(__file__).parent / "data" / "etiquette.json"
CATEGORIES = {"food", "object", "hospitality", "event", "travel", "cash_equivalent"}
LANGUAGES = ("en", "sv")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = {"code", "countries", "directions", "terms", "categories", "months", "public_sector", "message", "source"}


class EtiquetteDataError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Rule:
    code: str
    countries: frozenset[str]
    directions: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    categories: frozenset[str]
    months: frozenset[int]
    public_sector: bool | None
    message: dict[str, str]
    source: str

    def applies(self, request: GiftRequest) -> bool:
        if request.direction not in self.directions:
            return False
        if "*" not in self.countries and request.country.upper() not in self.countries:
            return False
        if self.months and request.date.month not in self.months:
            return False
        if self.public_sector is not None and request.public_sector != self.public_sector:
            return False
        if not self.patterns and not self.categories:
            return True
        if request.category in self.categories:
            return True
        text = f"{request.description}\n{request.occasion}"
        return any(p.search(text) for p in self.patterns)

    def finding(self, language: str | None = None) -> Finding:
        lang = (language or get_language() or "en")[:2]
        return Finding(self.code, self.message.get(lang, self.message["en"]))


def _is_country(code: Any) -> bool:
    return code == "*" or (
        isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code) is not None
    )


def parse_rules(document: Any) -> list[Rule]:
    """Validate a parsed etiquette document; EtiquetteDataError lists every problem by path."""
    problems: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise EtiquetteDataError(['the document must be an object with a "rules" list'])
    if document.get("format") != 1:
        problems.append("format: must be 1")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(document["rules"]):
        at = f"rules[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{at}: must be an object")
            continue
        for key in sorted(set(raw) - _KEYS):
            problems.append(f"{at}.{key}: unknown field")
        code = raw.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            problems.append(f"{at}.code: must be lower_case_with_underscores")
            code = f"?{i}"
        elif code in seen:
            problems.append(f"{at}.code: {code!r} is used twice")
        seen.add(code)
        countries = raw.get("countries")
        if not isinstance(countries, list) or not countries:
            problems.append(f'{at}.countries: a non-empty list of ISO 3166 codes (or "*")')
            countries = []
        for j, c in enumerate(countries):
            if not _is_country(c):
                problems.append(f"{at}.countries[{j}]: {c!r} is not an ISO 3166 alpha-2 code")
        directions = raw.get("directions", [GIVEN])
        if not isinstance(directions, list) or not directions or not set(directions) <= {GIVEN, RECEIVED}:
            problems.append(f'{at}.directions: a list of "given" and/or "received"')
            directions = [GIVEN]
        patterns: list[re.Pattern[str]] = []
        terms = raw.get("terms", {})
        if not isinstance(terms, dict) or not set(terms) <= set(LANGUAGES):
            problems.append(f'{at}.terms: an object {{"en": [...], "sv": [...]}}')
            terms = {}
        for lang, items in terms.items():
            if not isinstance(items, list):
                problems.append(f"{at}.terms.{lang}: must be a list of regular expressions")
                continue
            for j, term in enumerate(items):
                try:
                    if not isinstance(term, str) or not term:
                        raise re.error("must be a non-empty string")
                    patterns.append(re.compile(term, re.IGNORECASE))
                except re.error as exc:
                    problems.append(f"{at}.terms.{lang}[{j}]: not a valid regular expression ({exc})")
        categories = raw.get("categories", [])
        if not isinstance(categories, list) or not set(categories) <= CATEGORIES:
            problems.append(f"{at}.categories: a list of {', '.join(sorted(CATEGORIES))}")
            categories = []
        months = raw.get("months", [])
        if not isinstance(months, list) or not all(isinstance(m, int) and 1 <= m <= 12 for m in months):
            problems.append(f"{at}.months: a list of month numbers 1–12")
            months = []
        public_sector = raw.get("public_sector")
        if public_sector is not None and not isinstance(public_sector, bool):
            problems.append(f"{at}.public_sector: true, false or left out")
            public_sector = None
        message = raw.get("message")
        if not isinstance(message, dict) or not all(
            isinstance(message.get(lang), str) and message[lang].strip() for lang in LANGUAGES
        ):
            problems.append(f'{at}.message: needs non-empty "en" and "sv" texts')
            message = {"en": "", "sv": ""}
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{at}.source: say where the rule comes from (section and source)")
        rules.append(
            Rule(
                code=code,
                countries=frozenset(countries),
                directions=frozenset(directions),
                patterns=tuple(patterns),
                categories=frozenset(categories),
                months=frozenset(months),
                public_sector=public_sector,
                message=dict(message),
                source=str(source),
            )
        )
    if problems:
        raise EtiquetteDataError(problems)
    return rules


def load_rules(path: Path | str = DATA_FILE) -> list[Rule]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EtiquetteDataError([f"{path}: cannot be read ({exc})"]) from None
    return parse_rules(document)


@cache
def default_rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def advise(request: GiftRequest, rules: tuple[Rule, ...] | list[Rule] | None = None) -> list[Finding]:
    """The etiquette advice for one gift, in the active language, in the data file's order."""
    return [r.finding() for r in (default_rules() if rules is None else rules) if r.applies(request)]


def shown(stored: dict[str, Any]) -> str:
    """A gift's stored advice (``{"code", "message"}``) in the reader's language: looked up by its
    code in the data file now, so a Swedish reader of advice given in English reads Swedish; advice
    whose code the data no longer has keeps the words it was stored with."""
    code = stored.get("code")
    for rule in default_rules():
        if rule.code == code:
            return rule.finding().message
    return str(stored.get("message", ""))
