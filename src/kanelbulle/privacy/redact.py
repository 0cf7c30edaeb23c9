"""Finding one person in free text: the engine erasure and the importer share.

What identifies a person in a note written by a seller:

* the full name, in any order of its parts, in any case, and inflected: the Swedish genitive
  ("Chen Haos", "Chens", "Moritz'", "Chen:s") and the English possessive ("Chen's", "Chens'");
* each part of the name alone ("Chen", "Hao"), written with its capital as names are, where it
  identifies the person *within their employer*: a part another person there shares (two
  colleagues called Lars) is left, and so are the words of the employer's own name;
* the e-mail address, and its local part ("chen.hao");
* the phone number in any formatting ("+86 574 8765 4321", "0574-87654321", "574 876 543 21"),
  compared by digits after phonenumbers has read it;
* what we knew about them: each fact's text as a whole, and the names inside it ("Max och
  Moritz" in "Två schnauzer, Max och Moritz"): capitalised words not opening a sentence, which are
  neither a place the offline gazetteer knows nor a word of the employer's name.

``within`` applies all of it (the employer's own records); ``beyond`` applies only what points at
the person anywhere (the full name, unless someone else has the same name; the e-mail and the
phone; a fact's whole text of three words or more). Automatic redaction cannot be perfect, so the
caller lists every record it changed for its owner's review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from kanelbulle.core import gazetteer

REDACTED = "[…]"

# Genitive and possessive endings a name takes in Swedish and English (and none).
_SUFFIX = r"(?:[’']s|:s|s[’']|[’'´]|s)?"
# Words that join names in a list ("Max och Moritz", "Max and Moritz", "Max, Moritz").
_JOINERS = ("och", "and", "und", "et", "y", "e", "&", "samt", "eller", "or")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_DIGITS = re.compile(r"\d[\d\s\-./()]{4,}\d")  # six digits or more, however separated


@dataclass(frozen=True)
class Person:
    """What is known of the person to erase, and the words at the employer that are not theirs."""

    name: str
    email: str = ""
    phone: str = ""
    facts: Sequence[str] = ()
    country: str = ""  # the employer's country: how a phone without +CC is read, and places
    employer: str = ""  # the employer's name and city: its words are never redacted alone
    colleagues: Sequence[str] = ()  # the names of the other people there (and our sellers)
    namesakes: bool = False  # someone else in the book has the same full name


def _name_parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\s,]+", name.strip()) if len(p) >= 2 and any(ch.isalpha() for ch in p)]


def _ci(text: str) -> str:
    """A literal, case-insensitive, whitespace-flexible."""
    return r"\s+".join(re.escape(w) for w in text.split())


def _capital(word: str) -> str:
    """The word with its first letter as written (a capital) and the rest in any case."""
    return re.escape(word[0]) + "(?i:" + re.escape(word[1:]) + ")"


def _bounded(body: str) -> str:
    return r"(?<![\w@.])(?:" + body + r")" + _SUFFIX + r"(?![\w@])"


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?\n•-–—"


def names_in_fact(text: str, keep: set[str], places: Iterable[str]) -> tuple[list[str], list[str]]:
    """The runs of names ("Max och Moritz") and the single names in a fact's text.

    A name is a capitalised word that does not open a sentence; one that does counts when a joiner
    and a name follow it ("Max och Moritz är hans hundar")."""
    place_words = {gazetteer.fold(p) for p in places}
    tokens: list[tuple[str, bool, bool]] = []  # (word, a name, a capitalised word opening a sentence)
    for m in _WORD.finditer(text):
        word = m.group(0).strip("'’-")
        capital = len(word) >= 2 and word[0].isupper() and gazetteer.fold(word) not in keep | place_words
        opener = _sentence_start(text, m.start())
        tokens.append((word, capital and not opener, capital and opener))
    for i in range(len(tokens) - 2):
        word, _name, opener = tokens[i]
        if opener and tokens[i + 1][0].lower() in _JOINERS and tokens[i + 2][1]:
            tokens[i] = (word, True, False)
    runs: list[str] = []
    singles: list[str] = []
    current: list[str] = []
    pending: list[str] = []
    for word, is_name, _opener in tokens:
        if is_name:
            current += [*pending, word] if current else [word]
            singles.append(word)
            pending = []
        elif current and word.lower() in _JOINERS and not pending:
            pending = [word]
        else:
            if len([w for w in current if w[0].isupper()]) >= 2:
                runs.append(" ".join(current))
            current, pending = [], []
    if len([w for w in current if w[0].isupper()]) >= 2:
        runs.append(" ".join(current))
    return runs, list(dict.fromkeys(singles))


def _known_places(words: Iterable[str], countries: Iterable[str]) -> set[str]:
    found = set()
    for word in words:
        for country in countries:
            try:
                gazetteer.lookup(word, country)
            except gazetteer.UnknownPlace:
                continue
            found.add(word)
            break
    return found


def _phone_pattern(raw: str, country: str) -> str | None:
    """Any formatting of the number: digits with separators, with or without +CC, 00CC or 0."""
    digits = re.sub(r"\D", "", raw)
    national = digits
    code = ""
    try:
        number = phonenumbers.parse(raw, country.upper() or None)
        national, code = str(number.national_number), str(number.country_code)
    except phonenumbers.NumberParseException:
        pass
    if len(national) < 6:
        return None
    sep = r"[\s\-./()]*"
    body = sep.join(re.escape(d) for d in national)
    prefix = rf"(?:(?:\+|00){sep}{code}{sep}(?:\(0\){sep})?|0{sep})?" if code else r"(?:\+?\d{1,3}[\s\-./()]*|0)?"
    return rf"(?<![\d+]){prefix}{body}(?!\d)"


@dataclass
class Redactor:
    person: Person
    _within: list[re.Pattern[str]] = field(default_factory=list)
    _beyond: list[re.Pattern[str]] = field(default_factory=list)
    _anchors: re.Pattern[str] | None = None
    _phone: bool = False

    def __post_init__(self) -> None:
        p = self.person
        within: list[str] = []
        beyond: list[str] = []
        parts = _name_parts(p.name)
        # Fact texts, longest first, so a whole text goes before the names inside it.
        for text in sorted({" ".join(t.split()) for t in p.facts if t.strip()}, key=len, reverse=True):
            whole = _ci(text.rstrip(".!"))
            if len(text.split()) >= 2:
                within.append(r"(?i:" + whole + r")")
            if len(text.split()) >= 3:
                beyond.append(r"(?i:" + whole + r")")
        # The full name, in the order given and reversed (Chinese and Hungarian order).
        if parts:
            orders = {" ".join(parts), " ".join(reversed(parts))}
            full = [_bounded("(?i:" + _ci(o) + ")") for o in sorted(orders, key=len, reverse=True)]
            within += full
            if not p.namesakes:
                beyond += full
        # Contact details.
        if p.email.strip():
            email = r"(?i:" + re.escape(p.email.strip()) + r")"
            within.append(email)
            beyond.append(email)
            local = p.email.split("@", 1)[0]
            if len(local) >= 4 and re.search(r"[._\d-]", local):
                within.append(r"(?<![\w.])(?i:" + re.escape(local) + r")(?![\w])")
        if p.phone.strip():
            phone = _phone_pattern(p.phone, p.country)
            if phone:
                within.append(phone)
                beyond.append(phone)
        # Names alone, within the employer, where they are the person's.
        keep = {gazetteer.fold(w) for w in _WORD.findall(p.employer)}
        for other in p.colleagues:
            keep |= {gazetteer.fold(w) for w in _name_parts(other)}
        fact_words = [w for t in p.facts for w in _WORD.findall(t)]
        places = _known_places({w for w in fact_words if w[:1].isupper()}, {p.country.upper() or "SE", "SE"})
        singles: list[str] = []
        for text in p.facts:
            runs, names = names_in_fact(text, keep | {gazetteer.fold(w) for w in parts}, places)
            within += [_bounded(_ci(run)) for run in runs]
            singles += names
        singles += [w for w in parts if gazetteer.fold(w) not in keep]
        for word in sorted(set(singles), key=len, reverse=True):
            within.append(_bounded(_capital(word)))
        self._within = [re.compile(x) for x in within]
        self._beyond = [re.compile(x) for x in beyond]
        # A text holds a mention only if it holds one of these words (in any case) or a run of
        # digits that may be the phone: a cheap test that spares most texts the patterns.
        anchors = {w for w in parts} | set(singles)
        anchors |= {t.split()[0] for t in p.facts if t.split()}
        if p.email.strip():
            anchors.add(p.email.split("@", 1)[0])
        words = sorted({a.lower() for a in anchors if a}, key=len, reverse=True)
        self._anchors = re.compile("|".join(re.escape(w) for w in words)) if words else None
        self._phone = bool(p.phone.strip())

    def _mentions(self, text: str) -> bool:
        if self._anchors is not None and self._anchors.search(text.lower()):
            return True
        return self._phone and _DIGITS.search(text) is not None

    def _apply(self, patterns: list[re.Pattern[str]], text: str) -> str:
        if not text or not patterns or not self._mentions(text):
            return text
        for pattern in patterns:
            text = pattern.sub(REDACTED, text)
        return text

    def within(self, text: str) -> str:
        return self._apply(self._within, text)

    def beyond(self, text: str) -> str:
        return self._apply(self._beyond, text)

    def walk(self, value: Any, *, near: bool) -> Any:
        """The same redaction through a JSON value (strings inside lists and objects)."""
        if isinstance(value, str):
            return self.within(value) if near else self.beyond(value)
        if isinstance(value, list):
            return [self.walk(v, near=near) for v in value]
        if isinstance(value, dict):
            return {k: self.walk(v, near=near) for k, v in value.items()}
        return value
