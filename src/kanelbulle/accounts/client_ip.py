"""The address a request came from, for the login lockout (django-axes calls this).

Without configuration only the connection's own address (``REMOTE_ADDR``) counts: a client can
write any ``X-Forwarded-For`` it likes, so the header is ignored. Behind reverse proxies set
``KANELBULLE_TRUSTED_PROXIES`` to how many there are (1 for the nginx of a usual deployment):
each proxy appends the address it was connected from, so the client's address is the one that
many places from the right of ``X-Forwarded-For`` plus ``REMOTE_ADDR``; whatever the client put
further left is not believed. (django-ipware's ``proxy_count`` counts differently — it expects
the last proxy's own address inside the header — so it would pick a proxy's address here.)
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(raw: str) -> str | None:
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "KANELBULLE_TRUSTED_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    chain = [*forwarded, remote or ""]
    if len(chain) <= proxies:
        return remote  # a request that did not come through all the proxies: its own address
    return _address(chain[-(proxies + 1)]) or remote
