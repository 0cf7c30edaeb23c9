"""The API's own words for what went wrong, in the caller's language (gettext, core's catalogue).

Every error the API answers is written when the answer is made, in the language of the request:
``Accept-Language`` (Django's LocaleMiddleware), or for a token without that header the user's
own language (``api.BearerToken``). The messages of the shared API code (``api.py``,
``connectors/``) live here because those modules belong to no app with a catalogue; each app's
``api.py`` translates its own. Paths (``customer``, ``facts[0].kind``) are never translated:
they name fields of the JSON.

Pydantic's messages ("Field required") are English only, so a validation error is written from
its type and context (``missing``, ``string_too_long`` with ``max_length``…) when the type is
one listed here; any other type keeps pydantic's English text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NO_SUCH_RECORD = gettext_lazy("no such record")
NO_SUCH_PATH = gettext_lazy("no such API path: %(path)s")
TOO_BIG = gettext_lazy("the body is larger than the %(limit)s bytes a request may carry")
MAY_NOT_CHANGE = gettext_lazy("you may see this record but not change it")
DUPLICATE = gettext_lazy("that conflicts with a record stored meanwhile (a duplicate ref?)")
NEED_TOKEN = gettext_lazy("send a valid token: Authorization: Bearer TOKEN")
NOT_NULL = gettext_lazy("may not be null")
NUL_CHARACTERS = gettext_lazy("must not contain NUL characters")
YEAR_RANGE = gettext_lazy("year must be between 1900 and 2200")
NOT_CURRENCY = gettext_lazy('%(value)s is not an ISO 4217 currency code such as "SEK"')
REF_PREFIX = gettext_lazy("choose a ref that starts with %(prefix)s (your prefix, shown by GET /me), or leave ref out")
REF_TAKEN = gettext_lazy("a %(kind)s %(ref)s already exists")
BAD_ETAG = gettext_lazy('must be an ETag from this API, such as "3"')
ETAG_DISAGREES = gettext_lazy("If-Match and version disagree")
SEND_VERSION = gettext_lazy("send the version you read, as If-Match or in the body's version field")
NO_USER = gettext_lazy("there is no user %(name)s")
NO_TEAM = gettext_lazy("there is no team %(name)s")
USERS_NO_CHANGE_TIME = gettext_lazy("users carry no change time; list them all")
BAD_FEED_TOKEN = gettext_lazy("not a valid calendar feed token for this user")


def say(message: Any, **params: Any) -> str:
    """``message`` (one of the lazy texts above) in the active language, with its parameters."""
    text = str(message)
    return text % params if params else text


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "")


def _validation_words() -> dict[str, Any]:
    """Pydantic's error types, each with its message in the active language (``ctx`` fills it)."""
    return {
        "missing": lambda ctx: _("this field is required"),
        "extra_forbidden": lambda ctx: _("unknown field: leave it out"),
        "string_type": lambda ctx: _("must be text"),
        "string_too_short": lambda ctx: _("must have at least %(n)s characters") % {"n": ctx.get("min_length")},
        "string_too_long": lambda ctx: _("must have at most %(n)s characters") % {"n": ctx.get("max_length")},
        "string_pattern_mismatch": lambda ctx: (
            _("does not have the expected form (%(pattern)s)") % {"pattern": ctx.get("pattern")}
        ),
        "int_parsing": lambda ctx: _("must be a whole number"),
        "int_type": lambda ctx: _("must be a whole number"),
        "int_from_float": lambda ctx: _("must be a whole number"),
        "float_parsing": lambda ctx: _("must be a number"),
        "decimal_parsing": lambda ctx: _("must be a number"),
        "greater_than_equal": lambda ctx: _("must be at least %(n)s") % {"n": ctx.get("ge")},
        "less_than_equal": lambda ctx: _("must be at most %(n)s") % {"n": ctx.get("le")},
        "greater_than": lambda ctx: _("must be more than %(n)s") % {"n": ctx.get("gt")},
        "less_than": lambda ctx: _("must be less than %(n)s") % {"n": ctx.get("lt")},
        "bool_parsing": lambda ctx: _("must be true or false"),
        "bool_type": lambda ctx: _("must be true or false"),
        "date_parsing": lambda ctx: _("must be a date (YYYY-MM-DD)"),
        "date_from_datetime_parsing": lambda ctx: _("must be a date (YYYY-MM-DD)"),
        "date_type": lambda ctx: _("must be a date (YYYY-MM-DD)"),
        "datetime_parsing": lambda ctx: _("must be a date and time with its offset (2026-01-31T09:00:00+01:00)"),
        "datetime_from_date_parsing": lambda ctx: _(
            "must be a date and time with its offset (2026-01-31T09:00:00+01:00)"
        ),
        "datetime_type": lambda ctx: _("must be a date and time with its offset (2026-01-31T09:00:00+01:00)"),
        "timezone_aware": lambda ctx: _("must carry its UTC offset, such as +01:00"),
        "enum": lambda ctx: _("must be one of %(choices)s") % {"choices": _expected(ctx)},
        "literal_error": lambda ctx: _("must be one of %(choices)s") % {"choices": _expected(ctx)},
        "list_type": lambda ctx: _("must be a list"),
        "dict_type": lambda ctx: _("must be an object"),
        "model_type": lambda ctx: _("must be an object"),
        "model_attributes_type": lambda ctx: _("must be an object"),
        "json_invalid": lambda ctx: _("the body is not valid JSON"),
        "too_short": lambda ctx: _("must have at least %(n)s items") % {"n": ctx.get("min_length")},
        "too_long": lambda ctx: _("must have at most %(n)s items") % {"n": ctx.get("max_length")},
    }


def validation_message(error: dict[str, Any]) -> str:
    """One pydantic error as the caller reads it. Our own validators raise ValueError with a
    message already in the caller's language (``value_error``): that message is kept."""
    kind = str(error.get("type", ""))
    words = _validation_words().get(kind)
    if words is not None:
        try:
            return str(words(error.get("ctx") or {}))
        except (KeyError, TypeError, ValueError):
            pass
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")
