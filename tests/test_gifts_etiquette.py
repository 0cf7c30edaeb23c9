"""Etiquette by country is data: every rule in the file has a case that triggers it and one that
does not, and a bad file is refused with the path of each problem."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kanelbulle.core.money import Money
from kanelbulle.gifts.etiquette import EtiquetteDataError, default_rules, load_rules, parse_rules
from kanelbulle.gifts.rules import GiftRequest

BASE = GiftRequest(
    direction="given",
    category="object",
    description="A book about Swedish design",
    value=Money(Decimal("200.00"), "SEK"),
    date=dt.date(2025, 10, 7),
    country="SE",
)


def req(**kw: Any) -> GiftRequest:
    return replace(BASE, **kw)


# code -> (a gift that triggers it, a near miss that does not)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "cn_clock": (
        {"country": "CN", "description": "Bordsklocka i mässing"},
        {"country": "CN", "description": "Glass vase"},
    ),
    "cn_sharp": (
        {"country": "CN", "description": "Mora knife with logo"},
        {"country": "CN", "description": "Saxophone CD"},
    ),
    "cn_four": (
        {"country": "CN", "description": "Set of 4 glasses"},
        {"country": "CN", "description": "Set of 8 glasses"},
    ),
    "cn_wrapping": (
        {"country": "CN", "description": "Tea, wrapped in white paper"},
        {"country": "CN", "description": "Tea, wrapped in red paper"},
    ),
    "cn_taboo_items": (
        {"country": "CN", "description": "Golf umbrella with logo"},
        {"country": "CN", "description": "Golf balls with logo"},
    ),
    "cn_presentation": ({"country": "CN"}, {"country": "CN", "direction": "received"}),
    "jp_presentation": ({"country": "JP"}, {"country": "KR"}),
    "jp_season": ({"country": "JP", "date": dt.date(2025, 12, 10)}, {"country": "JP", "date": dt.date(2025, 11, 30)}),
    "jp_numbers": (
        {"country": "JP", "description": "Nine cups, boxed"},
        {"country": "JP", "description": "Two cups, boxed"},
    ),
    "jp_sharp_clock": (
        {"country": "JP", "description": "A wall clock"},
        {"country": "JP", "description": "A wall calendar"},
    ),
    "jp_omiyage": (
        {"country": "JP", "description": "Local speciality: cloudberry jam"},
        {"country": "JP", "description": "Pen"},
    ),
    "de_flowers": (
        {"country": "DE", "description": "A bouquet of red roses"},
        {"country": "AT", "description": "A bouquet of red roses"},
    ),
    "de_openly": ({"country": "DE", "category": "event"}, {"country": "DE", "category": "food"}),
    "fr_flowers": (
        {"country": "FR", "description": "Nejlikor"},
        {"country": "FR", "description": "Chocolate truffles"},
    ),
    "fr_wine": (
        {"country": "FR", "description": "A bottle of red wine"},
        {"country": "FR", "description": "A bottle of olive oil"},
    ),
    "fr_business_card": (
        {"country": "FR", "description": "Chocolates with our business card"},
        {"country": "FR", "description": "Chocolates"},
    ),
    "gulf_alcohol": (
        {"country": "AE", "description": "Champagne"},
        {"country": "AE", "description": "Dates and coffee"},
    ),
    "gulf_pork": (
        {"country": "SA", "description": "Vingummi från Sverige"},
        {"country": "SA", "description": "Mörk choklad"},
    ),
    "gulf_knives": (
        {"country": "QA", "description": "Fickkniv med logga"},
        {"country": "QA", "description": "Penna med logga"},
    ),
    "gulf_gold_silk": ({"country": "AE", "description": "Silk tie"}, {"country": "AE", "description": "Silver pen"}),
    "gulf_images": (
        {"country": "KW", "description": "Wall calendar 2026"},
        {"country": "KW", "description": "Notebook"},
    ),
    "gulf_presentation": ({"country": "OM"}, {"country": "SE"}),
    "in_beef_leather": (
        {"country": "IN", "description": "Leather notebook"},
        {"country": "IN", "description": "Paper notebook"},
    ),
    "in_pork_alcohol": (
        {"country": "IN", "description": "Julskinka"},
        {"country": "IN", "description": "Saffron buns"},
    ),
    "in_food": ({"country": "IN", "category": "food"}, {"country": "IN", "category": "object"}),
    "in_wrapping": (
        {"country": "IN", "description": "Sweets in black paper"},
        {"country": "IN", "description": "Sweets in gold paper"},
    ),
    "in_presentation": ({"country": "IN"}, {"country": "IN", "direction": "received"}),
    "se_flowers": ({"country": "SE", "description": "Orkidé i kruka"}, {"country": "SE", "description": "Tulpaner"}),
    "se_deal_timing": ({"country": "SE", "category": "event"}, {"country": "SE", "category": "food"}),
    "no_public_staff": ({"country": "NO", "public_sector": True}, {"country": "NO", "public_sector": False}),
    "no_home_delivery": (
        {"country": "NO", "description": "Flowers sent to her home"},
        {"country": "NO", "description": "Flowers to the office"},
    ),
    "dk_public_staff": ({"country": "DK", "public_sector": True}, {"country": "DK"}),
    "fi_public_staff": ({"country": "FI", "public_sector": True}, {"country": "FI"}),
    "fi_hospitality": ({"country": "FI", "category": "hospitality"}, {"country": "FI", "category": "object"}),
    "us_religious": (
        {"country": "US", "description": "Christmas angel ornament"},
        {"country": "US", "description": "Snowflake ornament, July"},
    ),
    "us_public_staff": ({"country": "US", "public_sector": True}, {"country": "US"}),
    "gb_hospitality": ({"country": "GB", "category": "travel"}, {"country": "GB", "category": "food"}),
    "family": ({"description": "Toy for the kids"}, {"description": "Toy for the office"}),
    "private_use": ({"description": "Bluetooth-högtalare"}, {"description": "Logo mug"}),
    "received_declare": ({"direction": "received"}, {"direction": "given"}),
}


def codes(request: GiftRequest) -> list[str]:
    return [r.code for r in default_rules() if r.applies(request)]


def test_every_rule_in_the_data_has_a_test_case() -> None:
    assert {r.code for r in default_rules()} == set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_triggers_and_its_near_miss_does_not(code: str) -> None:
    hit, miss = CASES[code]
    assert code in codes(req(**hit))
    assert code not in codes(req(**miss))


def test_a_table_clock_for_a_chinese_contact_gets_the_warning_in_both_languages() -> None:
    rule = next(r for r in default_rules() if r.code == "cn_clock")
    for text in ("Table clock with our logo", "Bordsklocka"):
        assert rule.applies(req(country="CN", description=text))
    with translation.override("sv"):
        assert "klockor" in rule.finding().message
    with translation.override("en"):
        assert "deathbed" in rule.finding().message


def test_every_rule_names_its_source() -> None:
    for rule in default_rules():
        assert "GIFTS-AND-PRIVACY.md" in rule.source and "[S" in rule.source


def good_rule(**kw: Any) -> dict[str, Any]:
    rule = {
        "code": "xx_test",
        "countries": ["SE"],
        "terms": {"en": ["clock"]},
        "message": {"en": "a", "sv": "b"},
        "source": "s",
    }
    rule.update(kw)
    return rule


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (good_rule(code="Bad Code"), "rules[0].code"),
        (good_rule(countries=["XX"]), "rules[0].countries[0]"),
        (good_rule(terms={"en": ["(unclosed"]}), "rules[0].terms.en[0]: not a valid regular expression"),
        (good_rule(terms={"de": ["Uhr"]}), "rules[0].terms"),
        (good_rule(message={"en": "only english"}), "rules[0].message"),
        (good_rule(source=""), "rules[0].source"),
        (good_rule(months=[13]), "rules[0].months"),
        (good_rule(categories=["toys"]), "rules[0].categories"),
        (good_rule(directions=["sideways"]), "rules[0].directions"),
        (good_rule(colour="red"), "rules[0].colour: unknown field"),
    ],
)
def test_a_bad_rule_is_refused_with_its_path(rule: dict[str, Any], problem: str) -> None:
    with pytest.raises(EtiquetteDataError) as exc:
        parse_rules({"format": 1, "rules": [rule]})
    assert any(p.startswith(problem) for p in exc.value.problems), exc.value.problems


def test_a_duplicate_code_and_a_broken_file_are_refused(tmp_path: Any) -> None:
    with pytest.raises(EtiquetteDataError, match="used twice"):
        parse_rules({"format": 1, "rules": [good_rule(), good_rule()]})
    bad = tmp_path / "etiquette.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EtiquetteDataError, match="cannot be read"):
        load_rules(bad)
    good = tmp_path / "ok.json"
    good.write_text(json.dumps({"format": 1, "rules": [good_rule()]}), encoding="utf-8")
    assert [r.code for r in load_rules(good)] == ["xx_test"]
