"""A sentence kept as words (its English message id and parameters), written when it is shown.

What a check says when it runs (a gift's reasons) is stored with the record; stored as finished
text it would stay in the language of whoever ran the check. Stored as ``{"msgid", "params"}``
it is written by :func:`render` in the language of whoever reads it later, amounts by the one
formatter (``core.money.format_money``). The message ids are marked with ``gettext_noop`` where
they are made, so they are in that app's catalogue.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.utils.translation import gettext

from kanelbulle.core.money import Money, format_money


class Said(NamedTuple):
    """A sentence in the active language and the words to write it again later."""

    message: str
    words: dict[str, Any]


def _stored(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, tuple) and all(isinstance(v, Money) for v in value):
        return {"converted": [v.to_json() for v in value]}  # "€27.28 (SEK 300.08)"
    return value


def _shown(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            return format_money(value["amount"], value["currency"])
        if set(value) == {"converted"}:
            first, *rest = (format_money(v["amount"], v["currency"]) for v in value["converted"])
            return first + "".join(f" ({r})" for r in rest)
    return value


def render(words: dict[str, Any]) -> str:
    """``words`` in the active language."""
    params = {k: _shown(v) for k, v in (words.get("params") or {}).items()}
    text = gettext(words["msgid"])
    return text % params if params else text


def say(msgid: str, **params: Any) -> Said:
    """The sentence now (active language) and its words; Money parameters (or a tuple of them: an
    amount and its conversion) are kept as amounts and formatted when shown."""
    words = {"msgid": msgid, "params": {k: _stored(v) for k, v in params.items()}}
    return Said(render(words), words)


def shown(stored: Any) -> str:
    """A stored finding (``{"code", "message", "words"?}`` or an object with those attributes) in
    the active language: from its words when it has them, else its message as it was stored."""
    words = stored.get("words") if isinstance(stored, dict) else getattr(stored, "words", None)
    if words:
        try:
            return render(words)
        except (KeyError, TypeError, ValueError):
            pass
    return str(stored.get("message", "") if isinstance(stored, dict) else getattr(stored, "message", ""))
