"""The district beside comparison districts, as Massachusetts' RADAR offers: from Michigan's Bulletin 1014.

Peers are named in the review YAML (``peers: [codes]``) or suggested by similarity in size, share
of need and locale (:func:`select_peers` states its rule). Every per-pupil figure is computed from
dollars and pupils; a group of districts is its dollars over its pupils, never an average of
per-pupil figures. Statewide ranks are the published ones where the file has them, else computed
over every district in the table (1 = highest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.data import schema
from rar_protocol.data.config import MAXIMUM_PEERS
from rar_protocol.data.loading import Review
from rar_protocol.measures import privacy
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import capitalized, money

PER_PUPIL = (*schema.REVENUE_SOURCES, "total_revenue", *schema.EXPENDITURE_FUNCTIONS, "total_expenditure")
# Similarity: one doubling of pupils, 10 percentage points of need, or a different locale each count 1.
NEED_POINTS_PER_UNIT = 10.0
LOCALE_DIFFERENCE = 1.0
GROUP_LABEL = "Peer districts together"
STATE_LABEL = "All districts in the table"
BULLETIN_NOTE = (
    "Bulletin 1014 counts pupils as full-time equivalents; every per-pupil figure here is the district's dollars over its pupils "
    "(for basic instruction and added needs, its pupils other than adult education, as the bulletin does), and a group's figure "
    "is the group's dollars over its pupils. Ranks are statewide, 1 = highest; a zero is not ranked."
)


@dataclass(frozen=True)
class PeerSelection:
    """The comparison districts of one review, how they were chosen and the rule in words."""

    district_code: str
    school_year: str
    peers: list[str]
    chosen_by: str  # "review" (named in the YAML) or "similarity"
    rule: str
    candidates: pd.DataFrame = field(repr=False)


def comparison_year(review: Review) -> str | None:
    """The latest review year for which the district has a row in district_finances."""
    finances = review.table("district_finances")
    if finances is None:
        return None
    own = finances[(finances["district_code"] == review.config.district_code) & finances["school_year"].isin(review.config.school_years)]
    return str(own["school_year"].max()) if len(own) else None


def district_measures(finances: pd.DataFrame, school_year: str) -> pd.DataFrame:
    """One row per district in ``school_year``: per-pupil figures, teacher measures, share of need and statewide ranks."""
    rows = finances[finances["school_year"] == school_year].copy()
    table = rows[["district_code", "district_name", "school_year", "pupils", "locale", "teachers"]].copy()
    for measure in PER_PUPIL:
        table[measure] = rows[measure] / _pupils_for(measure, rows)
    computed_salary = rows["teacher_salaries"] / rows["teachers"].where(rows["teachers"] > 0)
    table["average_teacher_salary"] = computed_salary.fillna(rows["average_teacher_salary"])
    table["pupils_per_teacher"] = rows["pupils"] / rows["teachers"].where(rows["teachers"] > 0)
    table["need_percent"] = rows["economically_disadvantaged"] / rows["headcount"].where(rows["headcount"] > 0) * 100
    table["need_students"] = rows["headcount"]
    for measure in schema.PEER_MEASURES:
        # As Bulletin 1014: 1 = highest (fewest pupils per teacher); a zero is not ranked.
        ranked = table[measure].where(table[measure] > 0)
        computed = ranked.rank(ascending=measure in schema.RANK_ORDER, method="min")
        published = rows[f"{measure}_rank"]
        table[f"{measure}_rank"] = published.where(published > 0) if published.notna().any() else computed
        table[f"{measure}_ranked"] = int(ranked.notna().sum())
    return table.sort_values("district_code").reset_index(drop=True)


def _pupils_for(measure: str, rows: pd.DataFrame) -> pd.Series:
    """The pupils a measure is divided by: instruction leaves adult education pupils out, as Bulletin 1014 does."""
    if measure in schema.K12_MEASURES:
        return rows["pupils"] - rows["adult_education_pupils"].fillna(0.0)
    return rows["pupils"]


def select_peers(review: Review) -> PeerSelection | None:
    """The comparison districts: those named in the YAML, else the most similar (rule in ``rule``)."""
    year = comparison_year(review)
    if year is None:
        return None
    table = district_measures(review.tables["district_finances"], year)
    code = review.config.district_code
    own = table[table["district_code"] == code].iloc[0]
    others = table[(table["district_code"] != code) & (table["pupils"] > 0)].copy()
    others["size_difference"] = np.abs(np.log2(others["pupils"] / own["pupils"]))
    distance = others["size_difference"].copy()
    parts = ["size (pupils; a district twice or half as large counts 1)"]
    if pd.notna(own["need_percent"]):
        others = others[others["need_percent"].notna()]
        distance = others["size_difference"] + (others["need_percent"] - own["need_percent"]).abs() / NEED_POINTS_PER_UNIT
        parts.append(f"share of economically disadvantaged pupils ({NEED_POINTS_PER_UNIT:g} percentage points count 1)")
    if pd.notna(own["locale"]):
        distance = distance + np.where(others["locale"] == own["locale"], 0.0, LOCALE_DIFFERENCE)
        parts.append(f"locale (a different locale counts {LOCALE_DIFFERENCE:g})")
    others["distance"] = distance
    others = others.sort_values(["distance", "district_code"], kind="stable")
    if review.config.peers:
        rule = f"The {len(review.config.peers)} comparison districts were named in the review (peers: in the YAML)."
        return PeerSelection(code, year, list(review.config.peers), "review", rule, others)
    chosen = others.head(MAXIMUM_PEERS)
    rule = (
        f"The {len(chosen)} comparison districts were suggested by similarity: the districts closest to this one in "
        + ", ".join(parts[:-1])
        + (" and " if len(parts) > 1 else "")
        + parts[-1]
        + ", adding the differences into one distance. Name other districts with peers: in the review YAML."
    )
    return PeerSelection(code, year, chosen["district_code"].tolist(), "similarity", rule, others)


def _group_row(rows: pd.DataFrame, finances: pd.DataFrame, label: str) -> dict[str, object]:
    """A group of districts as one: its dollars over its pupils, salaries over teachers."""
    dollars = finances[finances["district_code"].isin(rows["district_code"]) & (finances["school_year"] == rows["school_year"].iloc[0])]
    pupils = dollars["pupils"].sum()
    row: dict[str, object] = {"district_code": "", "district_name": label, "pupils": pupils}
    for measure in PER_PUPIL:
        row[measure] = dollars[measure].sum(min_count=1) / _pupils_for(measure, dollars).sum()
    teachers = dollars["teachers"].where(dollars["teacher_salaries"].notna()).sum()
    row["average_teacher_salary"] = dollars["teacher_salaries"].sum(min_count=1) / teachers if teachers else np.nan
    counted = dollars["teachers"].notna()
    row["pupils_per_teacher"] = dollars.loc[counted, "pupils"].sum() / dollars.loc[counted, "teachers"].sum() if counted.any() else np.nan
    row["teachers"] = dollars["teachers"].sum(min_count=1)
    return row


def _comparison_rows(review: Review, selection: PeerSelection) -> tuple[pd.DataFrame, pd.Series, dict[str, object], dict[str, object]]:
    """The district and its peers (district first, peers by pupils), the district's row, the peer group and the state."""
    finances = review.tables["district_finances"]
    table = district_measures(finances, selection.school_year)
    own = table[table["district_code"] == selection.district_code].iloc[0]
    peers = table[table["district_code"].isin(selection.peers)].sort_values(["pupils", "district_code"], ascending=[False, True])
    shown = pd.concat([table[table["district_code"] == selection.district_code], peers], ignore_index=True)
    return shown, own, _group_row(peers, finances, GROUP_LABEL), _group_row(table, finances, STATE_LABEL)


def _role(code: str, selection: PeerSelection) -> str:
    return "this district" if code == selection.district_code else "peer"


def _no_peer_data(review: Review) -> DataObject:
    return DataObject(
        name="Peer Districts",
        observations=["The review's district has no row in the district_finances table for the review's years, so it cannot be compared with peers."],
        sources=_sources(review),
        missing=["peer-district comparison (Bulletin 1014)"],
    )


def _sources(review: Review) -> list[str]:
    source = review.config.tables.get("district_finances")
    return [f"district_finances table ({source.file}{', format ' + source.format if source.format else ''})"] if source else []


def peer_districts(review: Review) -> DataObject:
    """Who the district is compared with, how they were chosen, and how alike they are."""
    selection = select_peers(review)
    if selection is None:
        return _no_peer_data(review)
    shown, own, _, _ = _comparison_rows(review, selection)
    candidates = selection.candidates.set_index("district_code")
    minimum = review.config.thresholds.minimum_group_size
    shown = privacy.suppress(shown, count_column="need_students", value_columns=["need_percent"], minimum=minimum)
    own = shown[shown["district_code"] == selection.district_code].iloc[0]
    table = pd.DataFrame(
        {
            "District code": shown["district_code"],
            "District": shown["district_name"],
            "Role": [_role(code, selection) for code in shown["district_code"]],
            "Pupils (FTE)": shown["pupils"].round(1),
            "Economically disadvantaged (%)": shown["need_percent"].round(1),
            "Locale": shown["locale"],
            "Similarity distance": [round(float(candidates.at[code, "distance"]), 2) if code in candidates.index else np.nan for code in shown["district_code"]],
        }
    )
    if table["Locale"].isna().all():
        table = table.drop(columns=["Locale"])
    if selection.chosen_by == "review":
        table = table.drop(columns=["Similarity distance"])
    name = review.district_name
    peers = shown[shown["district_code"] != selection.district_code]
    observations = [selection.rule]
    need = "" if pd.isna(own["need_percent"]) else f" and {own['need_percent']:.1f}% economically disadvantaged pupils"
    observations.append(f"{name} had {own['pupils']:,.0f} pupils (FTE){need} in {selection.school_year}.")
    if len(peers):
        sentence = f"Its peers have {peers['pupils'].min():,.0f} to {peers['pupils'].max():,.0f} pupils"
        if peers["need_percent"].notna().any():
            sentence += f" and {peers['need_percent'].min():.1f}% to {peers['need_percent'].max():.1f}% economically disadvantaged pupils"
        observations.append(sentence + ".")
    return DataObject(
        units=declare(code=["District code"], text=["District", "Role", "Locale"], count=["Pupils (FTE)"], percent=["Economically disadvantaged (%)"], number=["Similarity distance"]),
        name="Peer Districts",
        table=table,
        observations=observations,
        sources=_sources(review),
        filters=[f"school year {selection.school_year}", f"district {selection.district_code} and {len(peers)} comparison districts"],
        notes=["Share of need: economically disadvantaged pupils over the pupils of the same count; not shown for fewer pupils than the privacy threshold."],
    )


def _comparison_sentence(label: str, value: float, group: float, rank: float, ranked: int, *, unit: str = " per pupil") -> str:
    """One measure beside the peer group, e.g. basic instruction: $4,073 per pupil, $548 (12%) less than the peers together; statewide rank 437 of 771."""
    label = capitalized(label)
    if pd.isna(value):
        return f"{label}: not in the table for this district."
    difference = value - group
    direction = "more" if difference >= 0 else "less"
    rank_words = f"; statewide rank {rank:,.0f} of {ranked:,}" if pd.notna(rank) else ""
    if pd.isna(group) or group == 0:
        return f"{label}: {money(value)}{unit}{rank_words}."
    return f"{label}: {money(value)}{unit}, {money(abs(difference))} ({abs(difference) / group * 100:.0f}%) {direction} than the peer districts together ({money(group)}){rank_words}."


def revenue_and_spending(review: Review) -> DataObject:
    """Per-pupil revenue by source and expenditure by function beside the peers, with statewide ranks."""
    selection = select_peers(review)
    if selection is None:
        return _no_peer_data(review)
    shown, own, group, state = _comparison_rows(review, selection)
    rows = pd.concat([shown, pd.DataFrame([group, state])], ignore_index=True)
    table = pd.DataFrame({"District code": rows["district_code"], "District": rows["district_name"], "Pupils (FTE)": rows["pupils"].round(1)})
    for measure in PER_PUPIL:
        table[f"{schema.MEASURE_LABELS[measure].capitalize()} per pupil ($)"] = rows[measure].round(2)
    for measure in PER_PUPIL:
        table[f"Statewide rank: {schema.MEASURE_LABELS[measure]}"] = rows.get(f"{measure}_rank")
    functions = [f"{schema.MEASURE_LABELS[m].capitalize()} per pupil ($)" for m in (*schema.EXPENDITURE_FUNCTIONS, "total_expenditure")]
    display = table[["District", *functions]]
    name = review.district_name
    observations = [f"In {selection.school_year}, {name} compared with its {len(selection.peers)} peer districts together and statewide:"]
    for measure in ("total_revenue", *schema.REVENUE_SOURCES, *schema.EXPENDITURE_FUNCTIONS, "total_expenditure"):
        observations.append(_comparison_sentence(schema.MEASURE_LABELS[measure], own[measure], group[measure], own[f"{measure}_rank"], int(own[f"{measure}_ranked"])))
    draw = partial(_functions_figure, shown, group, selection, title=f"Spending per pupil by function beside the peers, {selection.school_year}")
    return DataObject(
        units=declare(
            code=["District code"],
            text=["District"],
            count=["Pupils (FTE)", *(f"Statewide rank: {schema.MEASURE_LABELS[measure]}" for measure in PER_PUPIL)],
            money=[f"{schema.MEASURE_LABELS[measure].capitalize()} per pupil ($)" for measure in PER_PUPIL],
        ),
        name="Per-Pupil Revenue and Spending Beside Peer Districts",
        table=table,
        display=display,
        draw=draw,
        observations=observations,
        sources=_sources(review),
        filters=[f"school year {selection.school_year}", f"district {selection.district_code} and {len(selection.peers)} comparison districts; the last two rows are groups"],
        notes=[
            BULLETIN_NOTE,
            "Bulletin 1014 groups spending by function: basic instruction (110), added needs (120), instructional support (pupil and instructional staff, 210-220), administration, operations and maintenance (260) and transportation (270). The chart stacks these six; total expenditure also holds the functions outside them.",
        ],
    )


def teachers(review: Review) -> DataObject:
    """Average teacher salary and pupils per teacher beside the peers, with statewide ranks."""
    selection = select_peers(review)
    if selection is None:
        return _no_peer_data(review)
    shown, own, group, state = _comparison_rows(review, selection)
    rows = pd.concat([shown, pd.DataFrame([group, state])], ignore_index=True)
    table = pd.DataFrame(
        {
            "District code": rows["district_code"],
            "District": rows["district_name"],
            "Pupils (FTE)": rows["pupils"].round(1),
            "Teachers (FTE)": rows["teachers"].round(1),
            "Average teacher salary ($)": rows["average_teacher_salary"].round(0),
            "Pupils per teacher": rows["pupils_per_teacher"].round(1),
            "Statewide rank: average teacher salary": rows.get("average_teacher_salary_rank"),
            "Statewide rank: pupils per teacher": rows.get("pupils_per_teacher_rank"),
        }
    )
    name = review.district_name
    observations = [
        _comparison_sentence(
            f"{name}'s average teacher salary", own["average_teacher_salary"], group["average_teacher_salary"], own["average_teacher_salary_rank"], int(own["average_teacher_salary_ranked"]), unit=""
        ),
    ]
    if pd.notna(own["pupils_per_teacher"]):
        rank = own["pupils_per_teacher_rank"]
        rank_words = f"; statewide rank {rank:,.0f} of {int(own['pupils_per_teacher_ranked']):,} ({schema.RANK_ORDER['pupils_per_teacher']})" if pd.notna(rank) else ""
        observations.append(
            f"{name} had {own['pupils_per_teacher']:.1f} pupils per teacher, against {group['pupils_per_teacher']:.1f} in the peer districts together "
            f"and {state['pupils_per_teacher']:.1f} across all districts{rank_words}."
        )
    observations.append("Salary differences reflect teachers' experience on the salary schedule as well as the schedule itself.")
    return DataObject(
        units=declare(
            code=["District code"],
            text=["District"],
            count=["Pupils (FTE)", "Teachers (FTE)", "Statewide rank: average teacher salary", "Statewide rank: pupils per teacher"],
            money=["Average teacher salary ($)"],
            number=["Pupils per teacher"],
        ),
        name="Teacher Salary and Pupils per Teacher Beside Peer Districts",
        table=table,
        observations=observations,
        sources=_sources(review),
        filters=[f"school year {selection.school_year}", f"district {selection.district_code} and {len(selection.peers)} comparison districts; the last two rows are groups"],
        notes=["Average salary is teachers' salaries over teachers (FTE); a group's is its salaries over its teachers. Ranks are statewide: 1 = highest salary, and 1 = fewest pupils per teacher."],
    )


def _functions_figure(shown: pd.DataFrame, group: dict[str, object], selection: PeerSelection, *, title: str) -> Figure:
    """Stacked bars of spending per pupil by function, one bar per district, the district and the peer group marked."""
    bars = pd.concat([shown, pd.DataFrame([group])], ignore_index=True)
    labels = [f"{str(name).title()}{' (this district)' if code == selection.district_code else ''}" for name, code in zip(bars["district_name"], bars["district_code"])]
    parts = [(measure, schema.MEASURE_LABELS[measure]) for measure in schema.EXPENDITURE_FUNCTIONS]
    bold = [code in (selection.district_code, "") for code in bars["district_code"]]
    return figures.stacked_ranking(bars, parts, labels=labels, bold=bold, title=title, x_label="Spending per pupil (dollars)")


def data_objects(review: Review) -> list[DataObject]:
    """The peer comparison's data objects, or none when the review has no Bulletin 1014 data."""
    if not review.has("district_finances"):
        return []
    return [peer_districts(review), revenue_and_spending(review), teachers(review)]


def similarity_distance(pupils: float, other_pupils: float, need: float | None = None, other_need: float | None = None, same_locale: bool | None = None) -> float:
    """The similarity rule for two districts, as :func:`select_peers` applies it (for checking by hand)."""
    distance = abs(math.log2(other_pupils / pupils))
    if need is not None and other_need is not None:
        distance += abs(other_need - need) / NEED_POINTS_PER_UNIT
    if same_locale is not None and not same_locale:
        distance += LOCALE_DIFFERENCE
    return distance
