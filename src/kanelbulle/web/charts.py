"""Small charts drawn on the server as SVG (no JavaScript, no CDN): data in, markup out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# One colour per modality, distinguishable for the common colour-vision deficiencies (Okabe–Ito).
COLOURS = {"in_person": "#D55E00", "video": "#0072B2", "phone": "#009E73", "email": "#CC79A7"}


@dataclass(frozen=True)
class Bar:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def stacked_bars(bars: Sequence[Bar], series: Sequence[tuple[str, str]], *, title: str, width: int = 560) -> str:
    """Horizontal stacked bars, one per row, one segment per series (key, label), with a legend.

    Each segment carries a <title> (its tooltip and accessible name); the caller shows the same
    numbers in a table for screen readers.
    """
    row_h, label_w, pad = 28, 150, 8
    plot_w = width - label_w - 50
    top = 30
    height = top + row_h * max(len(bars), 1) + pad
    peak = max((b.total for b in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = label_w
    for key, label in series:  # legend
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS.get(key, "#888")}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(label)}</text>')
        x += 24 + 7 * len(label)
    for i, bar in enumerate(bars):
        y = top + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" font-size="13" text-anchor="end">{escape(bar.label[:22])}</text>'
        )
        x0 = float(label_w)
        for key, label in series:
            n = bar.counts.get(key, 0)
            if not n:
                continue
            w = plot_w * n / peak
            colour = COLOURS.get(key, "#888")
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}">'
                f"<title>{escape(bar.label)}: {escape(label)} {n}</title></rect>"
            )
            x0 += w
        parts.append(f'<text x="{x0 + 6:.1f}" y="{y + 17}" font-size="13">{bar.total}</text>')
    parts.append("</svg>")
    return "".join(parts)
