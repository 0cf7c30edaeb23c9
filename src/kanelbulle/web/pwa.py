"""The installable phone app's frame: the web app manifest, the service worker (Workbox, served
from the site root so its scope is the whole site) and the field page it opens on.

The service worker precaches the static files the field page needs, keyed by a hash of their
content so a new release replaces them; the field page itself is kept network-first. Nothing
else is cached: the data a seller reads offline lives in IndexedDB (static/kanelbulle/outbox.js),
is only what the snapshot API gives that seller, and is cleared on logout.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kanelbulle.web.pages import user_of, workspace

WORKBOX = "kanelbulle/vendor/workbox-7.4.1/"
IDB = "kanelbulle/vendor/idb-8.0.4/idb.umd.js"
OUTBOX = "kanelbulle/outbox.js"
# What the field page needs offline (the page itself is cached network-first by the worker).
PRECACHE = (
    "kanelbulle/app.css",
    "kanelbulle/favicon.svg",
    "kanelbulle/icon-192.png",
    "kanelbulle/icon-512.png",
    "kanelbulle/vendor/htmx-2.0.11.min.js",
    WORKBOX + "workbox-window.prod.umd.js",
    IDB,
    OUTBOX,
    "kanelbulle/app.js",
    "kanelbulle/field.js",
)
FIELD_CACHE = "kanelbulle-field"


@cache
def _revision(path: str) -> str:
    found = finders.find(path)
    if not found or isinstance(found, list):
        return "missing"
    with open(found, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    precache = [{"url": static(p), "revision": _revision(p)} for p in PRECACHE]
    body = render_to_string(
        "web/sw.js",
        {
            "workbox": static(WORKBOX),
            "imports": json.dumps([static(WORKBOX + "workbox-sw.js"), static(IDB), static(OUTBOX)]),
            "precache": json.dumps(precache),
            "field_cache": json.dumps(FIELD_CACHE),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(
        {
            "name": "Kanelbulle",
            "short_name": "Kanelbulle",
            "description": _("Your customers, today's visits and the meeting log, with or without a network."),
            "lang": get_language(),
            "start_url": "/field/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#fffaf3",
            "theme_color": "#b5651d",
            "icons": [
                {"src": static(f"kanelbulle/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png", "purpose": "any"}
                for n in (192, 512)
            ]
            + [
                {
                    "src": static("kanelbulle/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@workspace
def field(request: HttpRequest) -> HttpResponse:
    """The phone app: reads the snapshot and keeps the outbox in IndexedDB (static/kanelbulle/field.js)."""
    user = user_of(request)
    return render(request, "web/phone.html", {"field_user": user.username, "strings": field_strings()})


def field_strings() -> dict[str, str]:
    """The words field.js writes itself, in the page's language (the cached page keeps them)."""
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "as_of": _("what you see is as of %(when)s"),
        "never": _("Nothing kept on this phone yet: open this page once with a network."),
        "waiting": _("waiting to send"),
        "sending": _("sending…"),
        "refused": _("refused by the server"),
        "reason": _("The server's reason: %(reason)s"),
        "correct": _("Correct"),
        "discard": _("Discard"),
        "sent": _("%(count)s sent, stored on the server."),
        "brief": _("Brief"),
        "no_visits": _("No visits planned for the next seven days."),
        "people": _("People"),
        "openers": _("Openers"),
        "requests": _("Asked to meet"),
        "waiting_days": _("waiting %(days)s days"),
        "gifts": _("Gifts"),
        "given": _("given"),
        "received": _("received"),
        "policy": _("Their gift policy"),
        "accepts": _("accepts gifts"),
        "accepts_up_to": _("accepts gifts up to %(value)s"),
        "no_gifts": _("accepts no gifts"),
        "tender": _("open tender until %(date)s: no gifts"),
        "ours": _("Ours: up to %(value)s a gift"),
        "last_meetings": _("Last meetings"),
        "deals": _("Open deals"),
        "none": _("—"),
        "no_request": _("None"),
        "anyone": _("the person you met"),
        "pick_customer": _("Choose the customer."),
        "saved": _("Saved on the phone: it is sent when there is a network."),
        "in_person": _("In person"),
        "video": _("Video"),
        "phone": _("Phone"),
        "email": _("E-mail"),
    }
