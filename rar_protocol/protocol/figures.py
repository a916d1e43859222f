"""Charts in one house style: titles that say the finding, labelled axes with units, a colour-blind-safe palette.

Every chart of every report is drawn here. A chart takes its data, labels and colours as
arguments and draws nothing else: the analyses decide what to show, this module how it looks.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # reports are rendered without a screen

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from rar_protocol.measures.privacy import MARKER  # noqa: E402

PALETTE = sns.color_palette("colorblind")
STATE_LOCAL_COLOR = PALETTE[0]
FEDERAL_COLOR = PALETTE[1]
IDENTIFIED_COLOR = PALETTE[3]
DISTRICT_COLOR = "#444444"
HIDDEN_COLOR = "#c8c8c8"  # a value hidden for privacy, drawn but not coloured
# A building among the others: the building under review, buildings of its level, the rest.
BUILDING_COLOR = PALETTE[3]
SAME_LEVEL_COLOR = PALETTE[0]
OTHER_LEVEL_COLOR = "#bbbbbb"
LEVEL_COLORS = {"this building": BUILDING_COLOR, "same level": SAME_LEVEL_COLOR, "other level": OTHER_LEVEL_COLOR}
# Fund sources and the sustainability tiers of a strategy's money.
SOURCE_COLORS = {"federal": FEDERAL_COLOR, "state": STATE_LOCAL_COLOR, "local": PALETTE[2], "state_local": PALETTE[4]}
TIER_COLORS = {"one_time": PALETTE[3], "federal_recurring": FEDERAL_COLOR, "state_local_recurring": STATE_LOCAL_COLOR}
# The building, the district and the building's peers, in that order, in grouped bars and in lines.
GROUP_BAR_COLORS = [IDENTIFIED_COLOR, DISTRICT_COLOR, STATE_LOCAL_COLOR, FEDERAL_COLOR]
GROUP_LINE_COLORS = [IDENTIFIED_COLOR, "black", "#999999"]
# One money format on axes and in words: -$400, never $-400.
dollars = FuncFormatter(lambda value, _: f"-${abs(value):,.0f}" if round(value) < 0 else f"${abs(value):,.0f}")
percent = FuncFormatter(lambda value, _: f"{value:.0f}%")
one_decimal = FuncFormatter(lambda value, _: f"{value:.1f}")
whole_number = FuncFormatter(lambda value, _: f"{value:.0f}")


def _percent() -> FuncFormatter:
    """A percent formatter of the axis's own."""
    return FuncFormatter(lambda value, _: f"{value:.0f}%")


def _dollar_axis(axis: matplotlib.axis.Axis) -> None:
    """Dollar ticks, few enough that the labels never overlap."""
    axis.set_major_locator(MaxNLocator(nbins=6))
    axis.set_major_formatter(dollars)


def apply_house_style() -> None:
    """Seaborn's white grid, the colour-blind palette and a legible font size, for every chart."""
    sns.set_theme(style="whitegrid", palette="colorblind", font="DejaVu Sans", rc={"figure.dpi": 100, "axes.titlesize": 12, "axes.titleweight": "bold", "axes.labelsize": 10, "svg.hashsalt": "rar"})


def _canvas(width: float, height: float) -> Figure:
    """An empty figure in the house style."""
    apply_house_style()
    return Figure(figsize=(width, height))


def _figure(width: float = 8.0, height: float = 4.5) -> tuple[Figure, plt.Axes]:
    """A figure in the house style with one set of axes."""
    figure = _canvas(width, height)
    return figure, figure.add_subplot()


def _panels(width: float, height: float, count: int, **options: object) -> tuple[Figure, np.ndarray]:
    """A figure in the house style with ``count`` panels side by side."""
    figure = _canvas(width, height)
    return figure, figure.subplots(1, count, squeeze=False, **options)[0]


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
    # A hidden share is drawn grey, never left out: matplotlib draws NaN colours transparent by default.
    colour = {"c": table["need"], "cmap": matplotlib.colormaps["viridis"].with_extremes(bad=HIDDEN_COLOR), "plotnonfinite": True} if has_need else {"color": STATE_LOCAL_COLOR}
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
    hidden = f" Grey: share hidden ({MARKER})." if has_need and table["need"].isna().any() else ""
    figure.text(0.01, 0.005, "Dashed lines: district averages. Thick outline: identified building. Bubble size: pupils." + hidden, fontsize=8)
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


def lines_by_year(lines: pd.DataFrame, *, title: str, y_label: str, axis_format: FuncFormatter, styles: dict[str, dict] | None = None) -> Figure:
    """Series over the school years, one panel per value of ``panel``; a single year shows as points.

    ``lines`` has columns panel, label, school_year, value; ``styles`` maps a label to line keywords.
    """
    panels = list(dict.fromkeys(lines["panel"]))
    years = sorted(lines["school_year"].unique())
    figure, axes_row = _panels(8.0, 4.4, len(panels), sharey=True)
    handles: dict[str, object] = {}
    for axes, panel in zip(axes_row, panels):
        for label, series in lines[lines["panel"] == panel].groupby("label", sort=False):
            values = series.set_index("school_year")["value"].reindex(years)
            (line,) = axes.plot(range(len(years)), values.to_numpy(dtype=float), marker="o", label=label, **(styles or {}).get(label, {}))
            handles.setdefault(label, line)
        axes.set_xticks(range(len(years)), years, rotation=30 if len(years) > 3 else 0)
        axes.set_xlim(-0.5, len(years) - 0.5)
        axes.yaxis.set_major_formatter(axis_format)
        axes.set_xlabel("School year")
        if len(panels) > 1:
            axes.set_title(panel, fontsize=10, loc="left")
    axes_row[0].set_ylabel(y_label)
    figure.suptitle(textwrap.fill(title, 80), x=0.01, ha="left", fontsize=12, fontweight="bold")
    figure.legend(list(handles.values()), list(handles), loc="lower center", ncol=min(3, len(handles)), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.1 if len(handles) <= 3 else 0.14, 1, 0.95))
    return figure


def bars_by_building(bars: pd.DataFrame, *, title: str, x_label: str, axis_format: FuncFormatter, colors: dict[str, object], reference: float | None = None, reference_label: str = "") -> Figure:
    """Horizontal bars, one per building, coloured by ``category``, with a dashed reference line (the district).

    ``bars`` has columns label, value, category; a hidden value (suppressed) is written as the privacy marker.
    """
    ordered = bars.sort_values("value", na_position="first", kind="stable").reset_index(drop=True)
    figure, axes = _figure(8.0, max(3.0, 0.36 * len(ordered) + 1.6))
    positions = np.arange(len(ordered))
    axes.barh(positions, ordered["value"].fillna(0).to_numpy(dtype=float), color=[colors[c] for c in ordered["category"]])
    for position, value in zip(positions, ordered["value"]):
        if pd.isna(value):
            axes.text(0, position, f" {MARKER} (not shown)", va="center", fontsize=8, color=DISTRICT_COLOR)
    legend = [Patch(color=colors[c], label=c) for c in dict.fromkeys(ordered["category"])]
    if reference is not None and not pd.isna(reference):
        axes.axvline(reference, color=DISTRICT_COLOR, linestyle="--", linewidth=1)
        legend.append(Line2D([0], [0], color=DISTRICT_COLOR, linestyle="--", label=reference_label))
    axes.set_yticks(positions, ordered["label"])
    axes.xaxis.set_major_formatter(axis_format)
    axes.set_xlabel(x_label)
    axes.set_title(textwrap.fill(title, 70), loc="left")
    figure.legend(handles=legend, loc="lower center", ncol=min(4, len(legend)), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def dumbbells(latest: pd.DataFrame, *, panels: list[str], panel_titles: dict[str, str], highlight: str, title: str) -> Figure:
    """Per building, a line from the group's rate (filled) to all students' rate (open), one panel per subject: the length is the gap.

    ``latest`` has columns building_code, building_name, subject, percent_proficient, all_percent, gap;
    buildings are ordered by the gap in the first panel; ``highlight`` is the building under review's code.
    """
    names = latest[["building_code", "building_name"]].drop_duplicates().set_index("building_code")["building_name"]
    order = latest[latest["subject"] == panels[0]].sort_values("gap", na_position="first", kind="stable")["building_code"].tolist()
    order += [code for code in names.index if code not in order]
    figure, axes_row = _panels(8.0, max(3.2, 0.34 * len(order) + 1.8), len(panels), sharey=True)
    positions = {code: index for index, code in enumerate(order)}
    for axes, subject in zip(axes_row, panels):
        rows = latest[latest["subject"] == subject]
        for row in rows.itertuples(index=False):
            y = positions[row.building_code]
            color = BUILDING_COLOR if row.building_code == highlight else DISTRICT_COLOR
            if pd.notna(row.percent_proficient) and pd.notna(row.all_percent):
                axes.plot([row.percent_proficient, row.all_percent], [y, y], color=color, linewidth=1.2)
            axes.scatter([row.percent_proficient], [y], color=BUILDING_COLOR if row.building_code == highlight else PALETTE[0], s=36, zorder=3)
            axes.scatter([row.all_percent], [y], color="white", edgecolors=color, s=36, zorder=3)
            if pd.isna(row.percent_proficient):
                axes.annotate(MARKER, (row.all_percent if pd.notna(row.all_percent) else 0, y), xytext=(6, -3), textcoords="offset points", fontsize=7)
        axes.xaxis.set_major_formatter(percent)
        axes.set_xlabel("Percent proficient")
        if len(panels) > 1:
            axes.set_title(panel_titles[subject], fontsize=10, loc="left")
    axes_row[0].set_yticks(range(len(order)), [names.get(code, code) for code in order])
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


def stacked_by_year(table: pd.DataFrame, parts: list[tuple[str, str]], *, colors: list[object], title: str, y_label: str, axis_format: FuncFormatter, hidden_marks: bool = False) -> Figure:
    """Stacked bars per school year, one panel per building row label (the building, then the district).

    ``parts`` are (column, label) pairs stacked in order, coloured by ``colors``. With ``hidden_marks``,
    a year with a cost but no per_participant figure is marked with the privacy marker.
    """
    panels = list(dict.fromkeys(table["building_name"]))
    years = sorted(table["school_year"].unique())
    figure, axes_row = _panels(8.0, 4.2, len(panels), sharey=True)
    for axes, panel in zip(axes_row, panels):
        rows = table[table["building_name"] == panel].set_index("school_year").reindex(years)
        bottom = np.zeros(len(years))
        for (column, label), color in zip(parts, colors):
            values = rows[column].fillna(0).to_numpy(dtype=float)
            axes.bar(range(len(years)), values, bottom=bottom, color=color, label=label, width=0.7)
            bottom += values
        if hidden_marks:
            # A year with spending but a hidden participant count: say so rather than draw nothing.
            for position, hidden in enumerate(rows["per_participant"].isna() & rows["cost"].notna()):
                if hidden:
                    axes.text(position, 0, MARKER, ha="center", va="bottom", fontsize=8)
        axes.set_xticks(range(len(years)), years, rotation=30 if len(years) > 4 else 0)
        axes.yaxis.set_major_formatter(axis_format)
        axes.set_title(panel, fontsize=10, loc="left")
    axes_row[0].set_ylabel(y_label)
    figure.suptitle(textwrap.fill(title, 80), x=0.01, ha="left", fontsize=12, fontweight="bold")
    handles, labels = axes_row[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 0.95))
    return figure


def grouped_bars(table: pd.DataFrame, *, category: str, series: list[str], title: str, x_label: str, colors: list[object] = GROUP_BAR_COLORS) -> Figure:
    """Horizontal bars, one group per category and one bar per series (building, district, peers), in dollars."""
    figure, axes = _figure(8.0, max(3.0, 0.32 * len(table) * max(len(series), 1) / 1.6 + 1.4))
    positions = np.arange(len(table))
    height = 0.8 / max(len(series), 1)
    for index, name in enumerate(series):
        axes.barh(positions + (index - (len(series) - 1) / 2) * height, table[name], height=height, color=colors[index % len(colors)], label=name)
    axes.set_yticks(positions, table[category])
    axes.invert_yaxis()
    _dollar_axis(axes.xaxis)
    axes.set_xlabel(x_label)
    axes.set_title(title, loc="left")
    figure.legend(*axes.get_legend_handles_labels(), loc="lower center", ncol=len(series), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def percent_bars(table: pd.DataFrame, *, category: str, series: list[str], title: str, x_label: str) -> Figure:
    """Horizontal bars of percents, one group per category and one bar per series."""
    figure = grouped_bars(table, category=category, series=series, title=title, x_label=x_label)
    figure.axes[0].xaxis.set_major_formatter(_percent())
    return figure


def trend_panels(table: pd.DataFrame, *, panels: list[str], groups: list[str], title: str, y_label: str, colors: list[object] = GROUP_LINE_COLORS) -> Figure:
    """One small panel per measure: a line per comparison group over the school years (``table``: school_year, measure, group, value)."""
    figure, axes_list = _panels(8.0, 3.6, len(panels))
    for axes, panel in zip(axes_list, panels):
        rows = table[table["measure"] == panel]
        for index, group in enumerate(groups):
            line = rows[rows["group"] == group].sort_values("school_year")
            axes.plot(line["school_year"], line["value"], marker="o", color=colors[index % len(colors)], linewidth=2.2 if index == 0 else 1.5, label=group)
        axes.set_title(panel, fontsize=10, loc="left")
        _dollar_axis(axes.yaxis)
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes_list[0].set_ylabel(y_label)
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    figure.legend(*axes_list[0].get_legend_handles_labels(), loc="lower center", ncol=len(groups), fontsize=8, frameon=False)
    figure.tight_layout(rect=(0, 0.07, 1, 1))
    return figure


def ranked_bars(labels: pd.Series, values: pd.Series, *, highlight: str, reference: float | None, reference_label: str, title: str, x_label: str) -> Figure:
    """Buildings ranked by one dollar value, the building under review in red, a dashed reference line; a hidden value shows the privacy marker."""
    order = values.reset_index(drop=True).sort_values(na_position="first", kind="stable").index
    labels, values = labels.iloc[order], values.iloc[order]
    figure, axes = _figure(8.0, max(3.0, 0.34 * len(values) + 1.3))
    colors = [IDENTIFIED_COLOR if label == highlight else STATE_LOCAL_COLOR for label in labels]
    axes.barh(np.arange(len(values)), values.fillna(0).to_numpy(dtype=float), color=colors)
    for position, value in enumerate(values):
        if pd.isna(value):
            axes.text(0, position, f" {MARKER} (not shown)", va="center", fontsize=8, color=DISTRICT_COLOR)
    if reference is not None and np.isfinite(reference):
        axes.axvline(reference, color=DISTRICT_COLOR, linestyle="--", linewidth=1, label=reference_label)
        figure.legend(*axes.get_legend_handles_labels(), loc="lower center", fontsize=8, frameon=False)
    axes.set_yticks(np.arange(len(values)), labels)
    _dollar_axis(axes.xaxis)
    axes.set_xlabel(x_label)
    axes.set_title(title, loc="left")
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def pupil_distribution(table: pd.DataFrame, *, highlight: str, statistics: dict[str, float], title: str, y_label: str) -> Figure:
    """Buildings as steps along the line of pupils (step length = pupils), with the pupil-weighted 5th, 50th and 95th percentiles.

    Steps rather than bars: the axis need not start at zero to show differences honestly.
    """
    ordered = table.sort_values("value", kind="stable")
    shares = (ordered["pupils"] / ordered["pupils"].sum() * 100).to_numpy()
    ends = np.cumsum(shares)
    starts = ends - shares
    values = ordered["value"].to_numpy()
    figure, axes = _figure(8.0, 4.4)
    axes.step(np.append(starts, ends[-1]), np.append(values, values[-1]), where="post", color="#bbbbbb", linewidth=1)
    for start, end, value, label in zip(starts, ends, values, ordered["label"]):
        mine = label == highlight
        axes.hlines(value, start, end, color=IDENTIFIED_COLOR if mine else STATE_LOCAL_COLOR, linewidth=5 if mine else 3.5)
        if mine:
            axes.annotate(label, ((start + end) / 2, value), xytext=(0, 8), textcoords="offset points", ha="center", fontsize=8, color=IDENTIFIED_COLOR)
    for name, style in (("percentile_5", ":"), ("weighted_median", "--"), ("percentile_95", ":")):
        axes.axhline(statistics[name], color=DISTRICT_COLOR, linestyle=style, linewidth=1)
    axes.set_xlim(0, 100)
    axes.xaxis.set_major_formatter(_percent())
    _dollar_axis(axes.yaxis)
    axes.set_xlabel("Share of the district's pupils, buildings ordered from lowest to highest (step length = pupils)")
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    figure.text(0.01, 0.005, "Dashed: pupil-weighted median. Dotted: 5th and 95th percentile pupils. Red: the building under review.", fontsize=8)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def lapsing_bars(years: pd.Index, lapsing: pd.Series, carried: pd.Series, *, title: str, y_label: str, labels: tuple[str, str]) -> Figure:
    """Stacked bars per school year: grant dollars that lapsed, and unspent dollars still available later on top."""
    figure, axes = _figure(8.0, 3.8)
    axes.bar(years, lapsing, color=IDENTIFIED_COLOR, label=labels[0])
    axes.bar(years, carried, bottom=lapsing.clip(lower=0), color=STATE_LOCAL_COLOR, label=labels[1])
    _dollar_axis(axes.yaxis)
    axes.set_xlabel("School year")
    axes.set_ylabel(y_label)
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8)
    figure.tight_layout()
    return figure


def measure_panels(table: pd.DataFrame, *, measures: list[str], formats: dict[str, str], building: str, peers: str | None, title: str) -> Figure:
    """Small multiples: one panel per measure, the building against the district (and its peers) over the school years.

    ``table`` has columns measure, school_year, building, district, peers; ``formats`` gives a
    measure's axis: "dollars", "percent", or anything else for plain numbers.
    """
    columns = min(3, len(measures))
    rows = int(np.ceil(len(measures) / columns))
    figure = _canvas(8.0, 2.5 * rows + 0.9)
    axes_grid = figure.subplots(rows, columns, squeeze=False)
    for index, axes in enumerate(axes_grid.flat):
        if index >= len(measures):
            axes.set_visible(False)
            continue
        panel = table[table["measure"] == measures[index]].sort_values("school_year")
        axes.plot(panel["school_year"], panel["building"], marker="o", color=IDENTIFIED_COLOR, linewidth=2.2, label=building)
        axes.plot(panel["school_year"], panel["district"], marker="o", color="black", linewidth=1.5, label="District")
        if peers and panel["peers"].notna().any():
            axes.plot(panel["school_year"], panel["peers"], marker="o", color="#999999", linewidth=1.2, label=peers)
        axes.set_title("\n".join(_wrap(measures[index], 34)), fontsize=9, loc="left")
        axes.yaxis.set_major_locator(MaxNLocator(nbins=4))
        if formats.get(measures[index]) == "dollars":
            axes.yaxis.set_major_formatter(dollars)
        elif formats.get(measures[index]) == "percent":
            axes.yaxis.set_major_formatter(_percent())
        axes.tick_params(axis="x", labelrotation=45, labelsize=7)
        axes.tick_params(axis="y", labelsize=8)
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    handles, labels = axes_grid.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    # Fixed margins in inches rather than tight_layout: ten of these charts per report, and tight_layout measures every label.
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.09, right=0.98, top=1 - 1.0 / height, bottom=1.0 / height, hspace=0.75, wspace=0.35)
    return figure


def _wrap(text: str, width: int) -> list[str]:
    """Words in lines of at most ``width`` characters (a longer word stands on a line of its own)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line]


def diverging_bars(labels: list[str], values: pd.Series, neutral: pd.Series, *, title: str, x_label: str, footnote: str) -> Figure:
    """Diverging bars from zero: red to the right (less favourable), blue to the left, grey where ``neutral``; the first label on top."""
    labels, values, neutral = labels[::-1], values.iloc[::-1], neutral.iloc[::-1]
    figure, axes = _figure(8.0, max(3.0, 0.3 * len(values) + 1.5))
    colors = ["#999999" if flat else (IDENTIFIED_COLOR if value > 0 else STATE_LOCAL_COLOR) for flat, value in zip(neutral, values)]
    positions = np.arange(len(values))
    axes.barh(positions, values, color=colors)
    axes.axvline(0, color=DISTRICT_COLOR, linewidth=1)
    axes.set_yticks(positions, labels, fontsize=8)
    axes.set_xlabel(x_label)
    axes.set_title(title, loc="left")
    figure.text(0.01, 0.005, footnote, fontsize=8)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    return figure


def stacked_ranking(bars: pd.DataFrame, parts: list[tuple[str, str]], *, labels: list[str], bold: list[bool], title: str, x_label: str) -> Figure:
    """Stacked horizontal bars in dollars, one bar per row of ``bars`` from the top down, ``parts`` (column, label) stacked in palette order."""
    figure, axes = _figure(8.0, max(3.0, 0.45 * len(bars) + 1.6))
    positions = np.arange(len(bars))[::-1]
    left = np.zeros(len(bars))
    for index, (column, label) in enumerate(parts):
        values = bars[column].astype(float).fillna(0.0).to_numpy()
        axes.barh(positions, values, left=left, color=PALETTE[index % len(PALETTE)], label=label)
        left += values
    axes.set_yticks(positions, labels, fontsize=8)
    for tick, strong in zip(axes.get_yticklabels(), bold):
        if strong:
            tick.set_fontweight("bold")
    _dollar_axis(axes.xaxis)
    axes.set_xlabel(x_label)
    axes.set_title(title, loc="left")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.3 / max(len(bars), 1)), ncol=3, fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def _extent(artist: object, renderer: object) -> object:
    return artist.get_window_extent(renderer)


def _overflow(box: object, width: float, height: float) -> tuple[float, float]:
    """How far a box reaches past the figure's sides and past its top or bottom, in pixels (0 when inside)."""
    return max(0.0, -box.x0, box.x1 - width), max(0.0, -box.y0, box.y1 - height)


def _wrapped(text: object, renderer: object, width: float) -> bool:
    """Wrap a title or label that runs past the figure's sides at spaces, to the width the figure leaves it."""
    box = _extent(text, renderer)
    alignment = text.get_horizontalalignment()
    if alignment == "left":
        room = width - max(box.x0, 0.0) - 8
    elif alignment == "right":
        room = min(box.x1, width) - 8
    else:
        # Centred: as wide as the nearer side of the figure allows on both sides of its centre.
        centre = (box.x0 + box.x1) / 2
        room = 2 * min(centre, width - centre) - 8
    characters = len(max(text.get_text().splitlines(), key=len))
    fitting = int(characters * max(room, 40.0) / max(box.width, 1.0) * 0.95)
    if fitting >= characters or fitting < 8:
        return False
    text.set_text("\n".join(textwrap.fill(line, fitting) for line in text.get_text().splitlines()))
    return True


def fit_texts(figure: Figure) -> Figure:
    """Keep every title, axis label and legend inside the figure, as the exported PNG is cut at its edges:
    titles and labels too wide are wrapped at spaces, legends too wide lose columns, and the axes make
    room for what grew taller. Measured with the renderer the exports use."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    texts = [axes.title for axes in figure.axes] + [axes._left_title for axes in figure.axes] + [axes.xaxis.label for axes in figure.axes] + list(figure.texts)
    changed = False
    for text in texts:
        if text.get_visible() and text.get_text().strip() and _overflow(_extent(text, renderer), width, height)[0] > 0:
            changed |= _wrapped(text, renderer, width)
    for legend in list(figure.legends):
        columns = legend._ncols
        while _overflow(_extent(legend, renderer), width, height)[0] > 0 and columns > 1:
            # A legend lays out its columns when made: a narrower one is made again, with the same entries.
            columns -= 1
            handles, labels = legend.legend_handles, [text.get_text() for text in legend.get_texts()]
            size, location, anchor = legend.get_texts()[0].get_fontsize(), legend._loc, legend._bbox_to_anchor
            legend.remove()
            legend = figure.legend(handles, labels, loc=location, ncol=columns, fontsize=size, frameon=False, **({"bbox_to_anchor": anchor} if anchor is not None else {}))
            changed = True
    if not changed:
        return figure
    # What grew past the top or bottom pushes the axes in: titles down from the top, legends up from the bottom.
    top = max((_extent(text, renderer).y1 - height for text in texts if text.get_visible() and text.get_text().strip()), default=0.0)
    bottom = max((-_extent(legend, renderer).y0 for legend in figure.legends), default=0.0)
    for legend in figure.legends:
        if bottom > 0:
            legend.set_bbox_to_anchor((0, bottom / height, 1, 1), transform=figure.transFigure)
    # Four pixels of air beyond what is needed.
    shrink_top = (top + 4) / height if top > 0 else 0.0
    raise_bottom = (bottom + 4) / height if bottom > 0 else 0.0
    if shrink_top or raise_bottom:
        for axes in figure.axes:
            box = axes.get_position()
            axes.set_position([box.x0, box.y0 + raise_bottom, box.width, box.height - shrink_top - raise_bottom])
    return figure


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, identical for identical inputs (no timestamps or versions inside)."""
    buffer = io.BytesIO()
    # No bbox_inches="tight": every chart lays itself out already, and a second layout pass doubles the cost.
    figure.savefig(buffer, format="png", dpi=120, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()
