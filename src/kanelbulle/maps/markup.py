"""Shared drawing vocabulary: the palette, safe text, and numbers written the same way every time."""

from __future__ import annotations

from urllib.parse import urlsplit

#: One colour per day, in the order the days come; all readable on the pale land and sea.
DAY_COLOURS: tuple[str, ...] = (
    "#1f6fb4",
    "#d62728",
    "#2a9d3a",
    "#8e4fc2",
    "#e8710a",
    "#0f9aa8",
    "#8c564b",
    "#d4439c",
    "#7a8a12",
    "#34407a",
    "#b5452a",
    "#4d6b2f",
)
NO_DAY_COLOUR = "#555f6d"

SEA = "#d8e6ef"
LAND = "#f5f2ec"
BORDER = "#b8ae9f"
INK = "#1d2733"
HALO = "#ffffff"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def xml_safe(text: str, limit: int = 0) -> str:
    """Drop what XML 1.0 cannot hold (control characters, lone surrogates); shorten if asked.

    Escaping of ``<``, ``&`` and quotes is left to ElementTree, which always does it.
    """
    kept = "".join(
        ch
        for ch in str(text)
        if ch in "\t\n\r"
        or "\x20" <= ch <= "\ud7ff"
        or "\ue000" <= ch <= "\ufffd"
        or "\U00010000" <= ch <= "\U0010ffff"
    )
    kept = " ".join(kept.split())
    if limit and len(kept) > limit:
        kept = kept[: limit - 1].rstrip() + "…"
    return kept


def n(value: float) -> str:
    """A coordinate with one decimal, never ``-0.0``: fixed width keeps the output deterministic."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def n2(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def safe_href(href: str) -> str:
    """Keep relative links and http(s) URLs; anything else (``javascript:``, ``data:``) is dropped."""
    href = xml_safe(href).strip()
    if not href:
        return ""
    return href if urlsplit(href).scheme in ("", "http", "https") else ""
