"""The evidence page's charts: matplotlib (Agg) to SVG, made safe to inline under the CSP.

matplotlib writes ``style="…"`` attributes and a ``<style>`` element; the page's Content Security
Policy (``style-src 'self'``) blocks both when the SVG is inline. ``clean_svg`` turns every style
declaration into the equivalent SVG presentation attribute, drops ``<style>``, ``<metadata>``,
comments and any script, and prefixes ids so two charts on one page cannot collide.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kanelbulle.evidence.analysis import Result

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "clip-path",
}
MODALITY_COLOURS = {
    "in_person": "#b8501f",
    "video": "#2f6db3",
    "phone": "#4c9a5b",
    "email": "#8a6bb8",
    "none": "#777777",
}
MIN_CELL = 5  # closed deals a point on the modality chart needs


def clean_svg(svg: str, prefix: str, title: str) -> str:
    """matplotlib's SVG as an inline ``<svg>`` with presentation attributes only."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg.encode())  # noqa: S314 - matplotlib's own output, never user input
    drop = {f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}script"}
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in drop or not isinstance(child.tag, str):
                parent.remove(child)
    href = f"{{{XLINK_NS}}}href"
    for el in root.iter():
        style = el.attrib.pop("style", None)
        if style:
            for decl in style.split(";"):
                if ":" not in decl:
                    continue
                name, value = (part.strip() for part in decl.split(":", 1))
                if name in PRESENTATION:
                    if name == "font-family":
                        value = f"{value}, sans-serif"
                    el.set(name, value)
        for attr in list(el.attrib):
            if attr.lower().startswith("on"):  # no event handlers, ever
                del el.attrib[attr]
        if "id" in el.attrib:
            el.set("id", f"{prefix}-{el.attrib['id']}")
        if href in el.attrib and el.attrib[href].startswith("#"):
            el.set(href, f"#{prefix}-{el.attrib[href][1:]}")
        for attr in ("clip-path", "mask", "filter"):
            if attr in el.attrib:
                el.set(attr, re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", el.attrib[attr]))
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title")
    root.set("class", "evidence-chart")
    title_el = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}-title"})
    title_el.text = title
    root.insert(0, title_el)
    return ET.tostring(root, encoding="unicode")


def _figure_svg(fig: Any, prefix: str, title: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    return clean_svg(buf.getvalue(), prefix, title)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 10, "svg.hashsalt": "kanelbulle-evidence"})
    return plt


def forest_plot(result: Result, prefix: str = "forest") -> str:
    """The four adjusted effects with 95% intervals; the naive ones beside them, hollow and grey."""
    plt = _pyplot()
    ratio_rows = [
        ("win", _("Winning (odds ratio)")),
        ("deal_size", _("Deal size, won deals (ratio)")),
        ("time_to_close", _("Speed of winning (hazard ratio)")),
    ]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(7.2, 3.6), gridspec_kw={"height_ratios": [3, 1.3]}, constrained_layout=True
    )

    def draw(ax: Any, rows: list[tuple[str, Any]], none: float, log: bool) -> None:
        ys = list(range(len(rows)))[::-1]
        values: list[float] = [none]
        for y, (key, _label) in zip(ys, rows, strict=True):
            outcome = result.outcomes[key]
            if outcome.ok and outcome.adjusted is not None:
                a = outcome.adjusted
                ax.errorbar(
                    [a.value],
                    [y + 0.12],
                    xerr=[[a.value - a.ci95[0]], [a.ci95[1] - a.value]],
                    fmt="o",
                    color="#b8501f",
                    ecolor="#b8501f",
                    capsize=3,
                    markersize=6,
                )
                values += [a.ci95[0], a.ci95[1]]
                n = outcome.naive_estimate
                if n is not None:
                    ax.errorbar(
                        [n.value],
                        [y - 0.18],
                        xerr=[[n.value - n.ci95[0]], [n.ci95[1] - n.value]],
                        fmt="o",
                        color="#888888",
                        ecolor="#aaaaaa",
                        mfc="white",
                        capsize=2,
                        markersize=5,
                    )
                    values += [n.ci95[0], n.ci95[1]]
            else:
                ax.text(
                    0.5,
                    y,
                    _("not enough data"),
                    transform=ax.get_yaxis_transform(),
                    ha="center",
                    va="center",
                    color="#555555",
                    fontsize=9,
                )
        ax.axvline(none, color="#333333", linestyle="--", linewidth=0.8)
        ax.set_yticks(ys, [str(label) for _k, label in rows])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        if log:
            ax.set_xscale("log")
            lo, hi = min(values), max(values)
            ax.set_xlim(min(lo, 1 / hi) / 1.2, max(hi, 1 / lo) * 1.2)
            from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

            left, right = ax.get_xlim()
            ticks = [t for t in (0.0625, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if left <= t <= right]
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.xaxis.set_minor_locator(NullLocator())
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
        else:
            span = max(abs(v - none) for v in values) or 1.0
            ax.set_xlim(none - span * 1.2, none + span * 1.2)
        ax.spines[["top", "right"]].set_visible(False)

    draw(top, ratio_rows, 1.0, True)
    top.set_xlabel(str(_("ratio, met in person against not (1 = no difference)")), fontsize=9)
    draw(bottom, [("margin", _("Margin (percentage points)"))], 0.0, False)
    bottom.set_xlabel(str(_("difference in percentage points (0 = no difference)")), fontsize=9)
    from matplotlib.lines import Line2D

    top.legend(
        handles=[
            Line2D([], [], marker="o", color="#b8501f", linestyle="", label=str(_("adjusted"))),
            Line2D([], [], marker="o", color="#888888", mfc="white", linestyle="", label=str(_("naive"))),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
    )
    return _figure_svg(fig, prefix, str(_("Adjusted effects of meeting in person, with 95% intervals")))


def modality_plot(result: Result, prefix: str = "modality") -> str:
    """Win rate of closed deals by quarter of closing and the modality of the deal's first meeting."""
    plt = _pyplot()
    labels = {
        "in_person": _("In person"),
        "video": _("Video"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "none": _("No meeting"),
    }
    # Half-years, and only cells with enough closed deals: a quarter of three deals is noise.
    cells: dict[tuple[str, str], list[int]] = {}
    for row in result.over_time:
        year, quarter = row.period.split("-Q")
        cell = cells.setdefault((f"{year}-H{1 if int(quarter) <= 2 else 2}", row.modality), [0, 0])
        cell[0] += row.closed
        cell[1] += row.won
    periods = sorted({p for p, _m in cells})
    fig, ax = plt.subplots(figsize=(7.2, 3.0), constrained_layout=True)
    for modality, label in labels.items():
        points = [
            (periods.index(p), won / closed, closed)
            for (p, m), (closed, won) in sorted(cells.items())
            if m == modality and closed >= MIN_CELL
        ]
        if not points:
            continue
        xs, ys, ns = zip(*points, strict=True)
        ax.plot(xs, [100 * y for y in ys], color=MODALITY_COLOURS[modality], label=str(label), linewidth=1.4)
        ax.scatter(xs, [100 * y for y in ys], s=[8 + 2 * n for n in ns], color=MODALITY_COLOURS[modality])
    if periods:
        step = max(1, len(periods) // 8)
        ax.set_xticks(range(0, len(periods), step), periods[::step], fontsize=8)
        ax.set_xlim(-0.5, len(periods) - 0.5)
    else:
        ax.text(0.5, 0.5, _("no closed deals yet"), transform=ax.transAxes, ha="center", color="#555555")
    ax.set_ylim(0, 100)
    ax.set_ylabel(str(_("won, per cent of closed deals")), fontsize=9)
    ax.set_xlabel(
        str(_("half-year of closing; colour: how the deal's first meeting was held; dot size: closed deals")),
        fontsize=9,
    )
    ax.spines[["top", "right"]].set_visible(False)
    if periods:
        ax.legend(fontsize=8, frameon=False, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0))
    return _figure_svg(fig, prefix, str(_("Win rate by modality of the first meeting, by half-year")))
