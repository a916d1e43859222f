"""Charts in one house style: titles that say the finding, labelled axes with units, a colour-blind-safe palette."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # reports are rendered without a screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

PALETTE = sns.color_palette("colorblind")
STATE_LOCAL_COLOR = PALETTE[0]
FEDERAL_COLOR = PALETTE[1]
IDENTIFIED_COLOR = PALETTE[3]
DISTRICT_COLOR = "#444444"
dollars = FuncFormatter(lambda value, _: f"${value:,.0f}")


def _dollar_axis(axis: matplotlib.axis.Axis) -> None:
    """Dollar ticks, few enough that the labels never overlap."""
    axis.set_major_locator(MaxNLocator(nbins=6))
    axis.set_major_formatter(dollars)
percent = FuncFormatter(lambda value, _: f"{value:.0f}%")


def apply_house_style() -> None:
    """Seaborn's white grid, the colour-blind palette and a legible font size, for every chart."""
    sns.set_theme(style="whitegrid", palette="colorblind", font="DejaVu Sans", rc={"figure.dpi": 100, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "svg.hashsalt": "rar"})


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, plt.Axes]:
    apply_house_style()
    figure = Figure(figsize=(width, height))
    return figure, figure.add_subplot()


def layered_ranking(table: pd.DataFrame, *, title: str, district_state_local: float) -> Figure:
    """Buildings ranked by state+local per pupil, federal per pupil stacked on top, identified marked.

    ``table`` has columns label, state_local_per_pupil, federal_per_pupil, identified.
    """
    ordered = table.sort_values("state_local_per_pupil")
    figure, axes = _figure(8.0, max(3.0, 0.38 * len(ordered) + 1.2))
    positions = np.arange(len(ordered))
    axes.barh(positions, ordered["state_local_per_pupil"], color=STATE_LOCAL_COLOR, label="State + local per pupil")
    axes.barh(positions, ordered["federal_per_pupil"], left=ordered["state_local_per_pupil"], color=FEDERAL_COLOR, label="Federal per pupil")
    axes.axvline(district_state_local, color=DISTRICT_COLOR, linestyle="--", linewidth=1, label="District state + local (weighted)")
    axes.set_yticks(positions, [f"{label} ★" if identified else label for label, identified in zip(ordered["label"], ordered["identified"])])
    _dollar_axis(axes.xaxis)
    axes.set_xlabel("Per-pupil expenditure (dollars)    ★ identified (CSI, ATS or TSI)")
    axes.set_title(title, loc="left")
    figure.legend(*axes.get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def spending_vs_performance(table: pd.DataFrame, *, title: str, x_label: str, y_label: str, x_line: float, y_line: float) -> Figure:
    """Per-pupil spending (x) against % proficient (y): bubble size pupils, colour % need, quadrant lines.

    ``table`` has columns label, spending, proficiency, pupils, need (percent or NaN), identified.
    """
    figure, axes = _figure(8.0, 5.5)
    sizes = 40 + 400 * table["pupils"] / max(float(table["pupils"].max()), 1.0)
    has_need = table["need"].notna().any()
    colour = {"c": table["need"], "cmap": "viridis"} if has_need else {"color": STATE_LOCAL_COLOR}
    edges = [IDENTIFIED_COLOR if flag else "white" for flag in table["identified"]]
    widths = [2.5 if flag else 0.5 for flag in table["identified"]]
    scatter = axes.scatter(table["spending"], table["proficiency"], s=sizes, alpha=0.8, edgecolors=edges, linewidths=widths, **colour)
    if has_need:
        bar = figure.colorbar(scatter, ax=axes)
        bar.set_label("Economically disadvantaged (%)")
    axes.axvline(x_line, color=DISTRICT_COLOR, linestyle="--", linewidth=1)
    axes.axhline(y_line, color=DISTRICT_COLOR, linestyle="--", linewidth=1)
    for row in table.itertuples(index=False):
        axes.annotate(row.label, (row.spending, row.proficiency), fontsize=7, xytext=(4, 4), textcoords="offset points")
    _dollar_axis(axes.xaxis)
    axes.yaxis.set_major_formatter(percent)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    figure.text(0.01, 0.005, "Dashed lines: district averages. Thick red outline: identified building. Bubble size: pupils.", fontsize=8)
    figure.tight_layout()
    return figure


def trend(table: pd.DataFrame, *, title: str, y_label: str, highlight: list[str], district_label: str = "District (weighted)") -> Figure:
    """One line per building over the school years, the district's weighted line in black.

    ``table`` has columns label, school_year, value; the district line has label ``district_label``.
    """
    figure, axes = _figure(8.0, 4.5)
    for label, rows in table.groupby("label", sort=True):
        rows = rows.sort_values("school_year")
        if label == district_label:
            axes.plot(rows["school_year"], rows["value"], color="black", linewidth=2.5, label=label)
        elif label in highlight:
            axes.plot(rows["school_year"], rows["value"], linewidth=2, marker="o", label=label)
        else:
            axes.plot(rows["school_year"], rows["value"], color="#bbbbbb", linewidth=1)
    _dollar_axis(axes.yaxis)
    axes.set_xlabel("School year")
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    return figure


def scatter_with_fit(table: pd.DataFrame, *, title: str, x_label: str, y_label: str) -> Figure:
    """Points with labels and a least-squares line; ``table`` has columns label, x, y, identified."""
    figure, axes = _figure(8.0, 4.8)
    colors = [IDENTIFIED_COLOR if flag else STATE_LOCAL_COLOR for flag in table["identified"]]
    axes.scatter(table["x"], table["y"], c=colors, s=60)
    for row in table.itertuples(index=False):
        axes.annotate(row.label, (row.x, row.y), fontsize=7, xytext=(4, 3), textcoords="offset points")
    if len(table) >= 3 and table["x"].nunique() > 1:
        slope, intercept = np.polyfit(table["x"], table["y"], 1)
        xs = np.linspace(table["x"].min(), table["x"].max(), 20)
        axes.plot(xs, slope * xs + intercept, color=DISTRICT_COLOR, linestyle="--", linewidth=1)
    _dollar_axis(axes.yaxis)
    axes.xaxis.set_major_formatter(percent)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    figure.tight_layout()
    return figure


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, identical for identical inputs (no timestamps or versions inside)."""
    buffer = io.BytesIO()
    # No bbox_inches="tight": every chart lays itself out already, and a second layout pass doubles the cost.
    figure.savefig(buffer, format="png", dpi=120, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()
