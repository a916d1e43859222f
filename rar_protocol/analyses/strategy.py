"""Review option 2: one MICIP strategy in one building: its cost, how it is funded, whom it reaches, what it achieves.

The strategies table has one row per strategy, building, year, fund source and funding type.
Cost adds up across those rows; participants and outcomes describe the strategy in a building and
year and repeat on each of its funding rows, so they are taken once (never summed across sources).
Participant counts, and every figure computed from them, pass :func:`privacy.suppress`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from rar_protocol.data.loading import Review
from rar_protocol.measures.comparison import building_level
from rar_protocol.measures.privacy import MARKER, minimum_size, suppress
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.display import for_display, labelled
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import DISTRICT_LABEL, LEVEL_WORDS, capitalized, level_words, money, participant_privacy_note, ranked, relative, table_sources, word_list, years_filter

SITE_KEY = ["strategy", "building_code", "school_year"]
SOURCE_WORDS = {"federal": "federal", "state": "state", "local": "local", "state_local": "state and local"}
SOURCE_ORDER = ("federal", "state", "local", "state_local")
# Sustainability tiers: one-time money ends; recurring federal grants depend on yearly allocations;
# recurring state and local money is the district's own base.
TIERS = {"one_time": "One-time money", "federal_recurring": "Recurring federal grants", "state_local_recurring": "Recurring state and local"}
STRATEGY_MEASURES = ["MICIP strategies with cost and participants", "strategy outcomes for participants and non-participants"]


# ---------------------------------------------------------------- words and shared steps


def chosen_strategy(review: Review, strategy: str | None = None) -> str | None:
    """The strategy to study: the one named, else the review's ``option.strategy``."""
    return strategy or review.config.option.strategy


def report_title(review: Review, strategy: str | None = None) -> str:
    """The report's title, naming the strategy."""
    name = chosen_strategy(review, strategy)
    return f"Resource Allocation Inquiry: {capitalized(name)}" if name else "Resource Allocation Inquiry: a MICIP Strategy"


def relevant_measures(review: Review) -> list[str]:
    """The inventory measures option 2 uses: what "data we do not have" checks."""
    return list(STRATEGY_MEASURES)


def sites(review: Review) -> pd.DataFrame:
    """One row per strategy, building and year: cost in total, by fund source and by sustainability tier; participants and outcomes once."""
    rows = review.tables["strategies"]
    by_source = rows.pivot_table(index=SITE_KEY, columns="fund_source", values="cost", aggfunc="sum", fill_value=0.0)
    one_time = rows["funding_type"] == "one_time"
    tiers = (
        rows.assign(
            one_time=rows["cost"].where(one_time, 0.0),
            federal_recurring=rows["cost"].where(~one_time & (rows["fund_source"] == "federal"), 0.0),
            state_local_recurring=rows["cost"].where(~one_time & (rows["fund_source"] != "federal"), 0.0),
        )
        .groupby(SITE_KEY)[["cost", *TIERS]]
        .sum()
    )
    # Participants and outcomes repeat on every funding row of a site: take them once.
    described = rows.groupby(SITE_KEY)[["participants", "outcome_measure", "participant_outcome", "nonparticipant_outcome"]].first()
    frame = tiers.join(by_source.add_suffix("_cost")).join(described).reset_index()
    for source in SOURCE_ORDER:
        if f"{source}_cost" not in frame.columns:
            frame[f"{source}_cost"] = 0.0
    buildings = review.tables["buildings"][["building_code", "building_name", "level"]]
    pupils = review.tables["enrollment"][["building_code", "school_year", "pupils"]]
    frame = frame.merge(buildings, on="building_code", how="left").merge(pupils, on=["building_code", "school_year"], how="left")
    return frame.sort_values(SITE_KEY, kind="stable").reset_index(drop=True)


def _sources_used(frame: pd.DataFrame) -> list[str]:
    return [source for source in SOURCE_ORDER if frame[f"{source}_cost"].abs().sum() > 0]


def _totals(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """Per year, the sites summed: cost, each source and tier, participants; a weighted cost per participant follows from them."""
    columns = ["cost", *TIERS, *(f"{s}_cost" for s in SOURCE_ORDER), "participants", "pupils"]
    sums = frame.groupby("school_year", sort=True)[columns].sum(min_count=1)
    sums["buildings"] = frame.groupby("school_year").size()
    return sums.reset_index().assign(building_code="", building_name=label, level="")


def _with_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["per_participant"] = frame["cost"] / frame["participants"].replace(0, np.nan)
    for source in SOURCE_ORDER:
        frame[f"{source}_per_participant"] = frame[f"{source}_cost"] / frame["participants"].replace(0, np.nan)
        frame[f"{source}_share"] = frame[f"{source}_cost"] / frame["cost"].replace(0, np.nan) * 100
    for tier in TIERS:
        frame[f"{tier}_share"] = frame[tier] / frame["cost"].replace(0, np.nan) * 100
    frame["reach"] = frame["participants"] / frame["pupils"] * 100
    return frame


def _participant_values() -> list[str]:
    return ["participants", "per_participant", "reach", *(f"{s}_per_participant" for s in SOURCE_ORDER)]


def hidden_sites(review: Review, all_sites: pd.DataFrame | None = None) -> set[tuple[str, str, str]]:
    """The (strategy, building, year) sites whose participants no table may show.

    Decided once for the whole review, so that every data object hides the same sites: below the
    threshold, or hidden beside one that is, so that the strategy's total cannot reveal it.
    """
    frame = (sites(review) if all_sites is None else all_sites)[SITE_KEY + ["participants"]]
    checked = suppress(frame, count_column="participants", value_columns=[], minimum=minimum_size(review), complementary_within=["strategy", "school_year"])
    return set(map(tuple, checked.loc[checked["suppressed"], SITE_KEY].to_numpy()))


def _protect(review: Review, frame: pd.DataFrame, hidden: set[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Hide participant counts and what is computed from them: below the threshold, or at a ``hidden`` site."""
    frame = frame.reset_index(drop=True)
    if hidden is not None:
        frame["suppressed"] = [key in hidden for key in zip(frame["strategy"], frame["building_code"], frame["school_year"])]
    return suppress(frame, count_column="participants", value_columns=_participant_values(), minimum=minimum_size(review))


class _Context:
    """What every option 2 analysis starts from: the strategy, its sites, and the building's rows."""

    def __init__(self, review: Review, building_code: str, strategy: str | None) -> None:
        self.review = review
        self.building_code = str(building_code)  # papermill's -p turns a numeric code into an int
        self.building_name = review.building_name(self.building_code)
        self.strategy = chosen_strategy(review, strategy)
        self.problem: tuple[str, list[str]] | None = None
        self.all_sites = pd.DataFrame()
        self.hidden: set[tuple[str, str, str]] = set()
        self.sites = pd.DataFrame()
        if not review.has("strategies"):
            self.problem = (
                "The review has no strategies table, so the cost, funding and participants of MICIP strategies cannot be studied. Add one row per strategy, building, year and fund source (see the data dictionary).",
                ["MICIP strategies with cost and participants"],
            )
            return
        if not self.strategy:
            self.problem = ("The review's configuration names no strategy (option.strategy), so there is no strategy to study.", ["the MICIP strategy to review (option.strategy)"])
            return
        self.all_sites = sites(review)
        self.hidden = hidden_sites(review, self.all_sites)
        self.sites = self.all_sites[self.all_sites["strategy"] == self.strategy]
        if self.sites.empty:
            names = ", ".join(sorted(self.all_sites["strategy"].unique()))
            self.problem = (f"The strategies table has no rows for '{self.strategy}' (strategies found: {names}).", [f"cost and participants of {self.strategy}"])

    @property
    def label(self) -> str:
        return capitalized(self.strategy or "Strategy")

    @property
    def runs_here(self) -> bool:
        return bool((self.sites["building_code"] == self.building_code).any())

    @property
    def level(self) -> str:
        return building_level(self.review, self.building_code)

    def not_here_sentence(self) -> str:
        names = sorted(self.sites["building_name"].dropna().unique())
        return f"{self.building_name} does not run {self.strategy} in any year of the review; it runs in {len(names)} other building(s) ({', '.join(names)}), whose figures follow."

    def missing_object(self, name: str) -> DataObject:
        observation, missing = self.problem
        return DataObject(name=name, observations=[observation], sources=table_sources(self.review, "strategies"), missing=missing)


def _strategy_analysis(title: str) -> Callable[[Callable[..., DataObject]], Callable[..., DataObject]]:
    """An option 2 analysis: called with the review, the building and the strategy, it is handed their
    :class:`_Context` and its data object's name (``title`` with ``{label}``, the strategy), and says so
    instead when the review cannot support it."""

    def decorate(body: Callable[..., DataObject]) -> Callable[..., DataObject]:
        def analysis(review: Review, building_code: str, *, strategy: str | None = None) -> DataObject:
            context = _Context(review, building_code, strategy)
            name = title.format(label=context.label)
            if context.problem:
                return context.missing_object(name)
            return body(review, context.building_code, context, name)

        analysis.__name__, analysis.__qualname__, analysis.__doc__ = body.__name__, body.__qualname__, body.__doc__
        return analysis

    return decorate


def braiding(row: pd.Series, used: list[str], *, per_participant: bool) -> str:
    """How a cost is funded, in words: "braided from federal $1,783 (81%) and state $416 (19%)"."""
    parts = []
    for source in used:
        share = row[f"{source}_share"]
        if pd.isna(share) or share <= 0:
            continue
        amount = row[f"{source}_per_participant"] if per_participant else row[f"{source}_cost"]
        parts.append((SOURCE_WORDS[source], f"{SOURCE_WORDS[source]} {money(amount)} ({share:.0f}%)" if pd.notna(amount) else f"{SOURCE_WORDS[source]} ({share:.0f}%)"))
    if not parts:
        return "with no cost recorded"
    if len(parts) == 1:
        return f"paid entirely from {parts[0][0]} funds"
    return "braided from " + word_list([text for _, text in parts])


# ---------------------------------------------------------------- cost per participant by fund source


@_strategy_analysis("{label} Cost per Participant by Fund Source")
def cost_by_fund_source(review: Review, building_code: str, context: _Context, name: str) -> DataObject:
    """Cost per participant by fund source, in the building and district-wide, over the years: how the strategy is braided."""
    used = _sources_used(context.sites)
    own = _protect(review, _with_ratios(context.sites[context.sites["building_code"] == building_code]), context.hidden)
    district = _protect(review, _with_ratios(_totals(context.sites, DISTRICT_LABEL)))
    table = pd.concat([own, district], ignore_index=True)
    observations = [] if context.runs_here else [context.not_here_sentence()]
    observations += _braiding_observations(own, context.building_name, context.strategy, used)
    observations += _braiding_observations(district, "the district", context.strategy, used, district=True)
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building": "building_name",
            "Buildings running it": "buildings",
            "Participants": "participants",
            "Cost ($)": ("cost", 2),
            **{f"{capitalized(SOURCE_WORDS[s])} cost ($)": table[f"{s}_cost"].round(2) for s in used},
            "Cost per participant ($)": ("per_participant", 2),
            **{f"{capitalized(SOURCE_WORDS[s])} per participant ($)": table[f"{s}_per_participant"].round(2) for s in used},
            **{f"{capitalized(SOURCE_WORDS[s])} share (%)": table[f"{s}_share"].round(1) for s in used},
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = for_display(shown.drop(columns=[c for c in shown.columns if c.endswith("cost ($)") and c != "Cost ($)"]))
    parts = [(f"{s}_per_participant", capitalized(SOURCE_WORDS[s])) for s in used]
    draw = partial(
        figures.stacked_by_year,
        table,
        parts,
        colors=[figures.SOURCE_COLORS[s] for s in used],
        title=f"{context.label}: cost per participant by fund source",
        y_label="Dollars per participant",
        axis_format=figures.dollars,
        hidden_marks=True,
    )
    return DataObject(
        units=declare(
            code=["School year"],
            text=["Building"],
            count=["Buildings running it", "Participants"],
            money=["Cost ($)", "Cost per participant ($)", *(f"{capitalized(SOURCE_WORDS[s])} {what} ($)" for s in used for what in ("cost", "per participant"))],
            percent=[f"{capitalized(SOURCE_WORDS[s])} share (%)" for s in used],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "strategies"),
        filters=[f"strategy: {context.strategy}", f"building {building_code} ({context.building_name}) and the district", years_filter(list(table["school_year"].unique()))],
        notes=[
            "Cost adds up over fund sources; participants are counted once per building and year. District figures are all the strategy's dollars over all its participants.",
            participant_privacy_note(minimum_size(review)),
        ],
    )


def _braiding_observations(frame: pd.DataFrame, who: str, strategy: str, used: list[str], *, district: bool = False) -> list[str]:
    if frame.empty:
        return []
    ordered = frame.sort_values("school_year")
    latest = ordered.iloc[-1]
    year = latest["school_year"]
    where = f"District-wide in {year}, {strategy} ran in {int(latest['buildings'])} building(s) and" if district else f"In {year}, {strategy} at {who}"
    if pd.notna(latest["per_participant"]):
        sentence = (
            f"{where} cost {money(latest['cost'])} for {latest['participants']:,.0f} participants ({money(latest['per_participant'])} per participant), {braiding(latest, used, per_participant=True)}."
        )
    else:
        sentence = f"{where} cost {money(latest['cost'])}, {braiding(latest, used, per_participant=False)}; its participant count is hidden (below the threshold, or beside one that is), so the cost per participant is not shown."
    observations = [sentence]
    visible = ordered.dropna(subset=["per_participant"])
    if len(visible) >= 2:
        first, last = visible.iloc[0], visible.iloc[-1]
        observations.append(
            f"{capitalized('district-wide' if district else 'at ' + who)}, cost per participant went from {money(first['per_participant'])} in {first['school_year']} to "
            f"{money(last['per_participant'])} in {last['school_year']} ({(last['per_participant'] / first['per_participant'] - 1) * 100:+.0f}%)."
        )
    for source in used:
        first_share, last_share = ordered.iloc[0][f"{source}_share"], latest[f"{source}_share"]
        if len(ordered) >= 2 and pd.notna(first_share) and pd.notna(last_share) and abs(last_share - first_share) >= 10:
            observations.append(
                f"{capitalized(SOURCE_WORDS[source])} money's share {'at ' + who if not district else 'district-wide'} went from {first_share:.0f}% in {ordered.iloc[0]['school_year']} to {last_share:.0f}% in {year}."
            )
    return observations


# ---------------------------------------------------------------- sustainability


@_strategy_analysis("{label} One-Time and Grant Funding")
def sustainability(review: Review, building_code: str, context: _Context, name: str) -> DataObject:
    """The share of the strategy's cost from one-time money and from recurring federal grants: what happens when they end."""
    own = _protect(review, _with_ratios(context.sites[context.sites["building_code"] == building_code]), context.hidden)
    district = _protect(review, _with_ratios(_totals(context.sites, DISTRICT_LABEL)))
    table = pd.concat([own, district], ignore_index=True)
    observations = [] if context.runs_here else [context.not_here_sentence()]
    observations += _sustainability_observations(own, context.building_name, context.strategy)
    observations += _sustainability_observations(district, "district-wide", context.strategy, district=True)
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building": "building_name",
            "Cost ($)": ("cost", 2),
            **{f"{words} ($)": table[tier].round(2) for tier, words in TIERS.items()},
            **{f"{words} share (%)": table[f"{tier}_share"].round(1) for tier, words in TIERS.items()},
            "Participants": "participants",
            "Cost per participant ($)": ("per_participant", 2),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = for_display(shown.drop(columns=[f"{words} ($)" for words in TIERS.values()]))
    draw = partial(
        figures.stacked_by_year,
        table,
        [(f"{tier}_share", words) for tier, words in TIERS.items()],
        colors=list(figures.TIER_COLORS.values()),
        title=f"{context.label}: where the money comes from",
        y_label="Share of the strategy's cost",
        axis_format=figures.percent,
    )
    return DataObject(
        units=declare(
            code=["School year"],
            text=["Building"],
            money=["Cost ($)", "Cost per participant ($)", *(f"{words} ($)" for words in TIERS.values())],
            percent=[f"{words} share (%)" for words in TIERS.values()],
            count=["Participants"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "strategies"),
        filters=[f"strategy: {context.strategy}", f"building {building_code} ({context.building_name}) and the district", years_filter(list(table["school_year"].unique()))],
        notes=[
            "One-time money is the strategies table's funding_type one_time (one-time grants such as ESSER, one-time allocations). Recurring federal grants (Title I, II, III, IDEA) "
            "are yearly allocations the district does not control; recurring state and local money is its own base.",
            participant_privacy_note(minimum_size(review)),
        ],
    )


def _sustainability_observations(frame: pd.DataFrame, who: str, strategy: str, *, district: bool = False) -> list[str]:
    if frame.empty:
        return []
    ordered = frame.sort_values("school_year").reset_index(drop=True)
    latest = ordered.iloc[-1]
    year = latest["school_year"]
    where = "district-wide" if district else f"at {who}"
    observations = [
        f"In {year}, {latest['one_time_share']:.0f}% of {strategy}'s cost {where} came from one-time money, {latest['federal_recurring_share']:.0f}% from recurring federal grants "
        f"and {latest['state_local_recurring_share']:.0f}% from recurring state and local funds ({money(latest['cost'])} in all)."
    ]
    with_one_time = ordered[ordered["one_time"] > 0]
    if len(ordered) >= 2 and len(with_one_time):
        observations.append(f"One-time money paid for part of the strategy {where} in {len(with_one_time)} of {len(ordered)} years ({', '.join(with_one_time['school_year'])}).")
    for index in range(1, len(ordered)):
        before, after = ordered.iloc[index - 1], ordered.iloc[index]
        if before["one_time_share"] - after["one_time_share"] >= 50:
            sentence = f"When one-time money fell away in {after['school_year']} ({before['one_time_share']:.0f}% to {after['one_time_share']:.0f}% of cost), the cost {where} went from {money(before['cost'])} to {money(after['cost'])}"
            if pd.notna(before["per_participant"]) and pd.notna(after["per_participant"]):
                sentence += f" and the cost per participant from {money(before['per_participant'])} to {money(after['per_participant'])}; participants from {before['participants']:,.0f} to {after['participants']:,.0f}"
            observations.append(sentence + ".")
    if latest["one_time"] > 0:
        observations.append(f"If the one-time money ends, {money(latest['one_time'])} a year {where} would have to come from recurring funds to keep the strategy at its {year} size.")
    return observations


# ---------------------------------------------------------------- cost and participants by building


@_strategy_analysis("{label} Cost and Participants by Building")
def cost_by_building(review: Review, building_code: str, context: _Context, name: str) -> DataObject:
    """Cost, participants, cost per participant and reach in every building running the strategy, against the district."""
    buildings = _protect(review, _with_ratios(context.sites), context.hidden)
    district = _protect(review, _with_ratios(_totals(context.sites, "All buildings running it")))
    table = pd.concat([buildings, district], ignore_index=True)
    year = max(context.sites["school_year"])
    observations = [] if context.runs_here else [context.not_here_sentence()]
    observations += _building_observations(table, context, year)
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building": "building_name",
            "Level": table["level"].map(LEVEL_WORDS).fillna(""),
            "Pupils": "pupils",
            "Participants": "participants",
            "Participants per 100 pupils": ("reach", 1),
            "Cost ($)": ("cost", 2),
            "Cost per participant ($)": ("per_participant", 2),
            "One-time share (%)": ("one_time_share", 1),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = for_display(shown[shown["School year"] == year].drop(columns=["Building code", "School year"]))
    latest = buildings[buildings["school_year"] == year]
    categories = ["this building" if code == building_code else "same level" if level == context.level else "other level" for code, level in zip(latest["building_code"], latest["level"])]
    reference = district.loc[district["school_year"] == year, "per_participant"]
    draw = partial(
        figures.bars_by_building,
        pd.DataFrame({"label": latest["building_name"], "value": latest["per_participant"], "category": categories}),
        colors=figures.LEVEL_COLORS,
        title=f"{context.label}: cost per participant by building, {year}",
        x_label="Dollars per participant",
        axis_format=figures.dollars,
        reference=float(reference.iloc[0]) if len(reference) else None,
        reference_label="All buildings running it (weighted)",
    )
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building", "Level"],
            count=["Pupils", "Participants"],
            number=["Participants per 100 pupils"],
            money=["Cost ($)", "Cost per participant ($)"],
            percent=["One-time share (%)"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "strategies", "enrollment", "buildings"),
        filters=[f"strategy: {context.strategy}", "every building running it", years_filter(list(table["school_year"].unique()))],
        notes=["Participants per 100 pupils: how much of the building the strategy reaches. Totals are summed dollars over summed participants.", participant_privacy_note(minimum_size(review))],
    )


def _building_observations(table: pd.DataFrame, context: _Context, year: str) -> list[str]:
    observations = []
    latest = table[table["school_year"] == year]
    buildings = latest[latest["building_code"] != ""]
    total = latest[latest["building_code"] == ""].iloc[0]
    own = buildings[buildings["building_code"] == context.building_code]
    if len(own) and pd.notna(own["per_participant"].iloc[0]):
        row = own.iloc[0]
        ranked = buildings.dropna(subset=["per_participant"]).sort_values("per_participant", ascending=False).reset_index(drop=True)
        position = int(ranked.index[ranked["building_code"] == context.building_code][0]) + 1
        observations.append(
            f"In {year}, {context.building_name} spent {money(row['per_participant'])} per participant on {context.strategy}, {relative(row['per_participant'], total['per_participant'])} "
            f"the {money(total['per_participant'])} across the {len(buildings)} buildings running it; it ranked {position} of {len(ranked)} from the most expensive."
        )
        observations.append(f"It served {row['participants']:,.0f} participants, {row['reach']:.0f} per 100 pupils, against {total['reach']:.0f} per 100 pupils across the buildings running it.")
    elif len(own):
        observations.append(
            f"In {year}, {context.building_name} spent {money(own['cost'].iloc[0])} on {context.strategy}; its participant count is below the threshold (or hidden so that a small one elsewhere cannot be found by subtraction), so its cost per participant is not shown."
        )
    else:
        observations.append(f"In {year}, the {len(buildings)} buildings running {context.strategy} spent {money(total['per_participant'])} per participant together.")
    same_level = buildings[(buildings["level"] == context.level) & (buildings["building_code"] != context.building_code)].dropna(subset=["per_participant"])
    level_name = level_words(context.level)
    if len(same_level) == 1:
        row = same_level.iloc[0]
        observations.append(f"In the other {level_name} building running it ({row['building_name']}), cost per participant was {money(row['per_participant'])}.")
    elif len(same_level) > 1:
        low, high = same_level.loc[same_level["per_participant"].idxmin()], same_level.loc[same_level["per_participant"].idxmax()]
        pooled = same_level["cost"].sum() / same_level["participants"].sum()
        observations.append(
            f"In the other {len(same_level)} {level_name} buildings running it with figures shown, cost per participant ranged from {money(low['per_participant'])} ({low['building_name']}) "
            f"to {money(high['per_participant'])} ({high['building_name']}); together {money(pooled)}."
        )
    shown = buildings.dropna(subset=["per_participant"])
    # Say the district-wide range only when it adds buildings of other levels.
    if len(shown) >= 2 and (shown["level"] != context.level).any():
        low, high = shown.loc[shown["per_participant"].idxmin()], shown.loc[shown["per_participant"].idxmax()]
        observations.append(
            f"Across all buildings running it, cost per participant ranged from {money(low['per_participant'])} ({low['building_name']}) to {money(high['per_participant'])} ({high['building_name']})."
        )
    hidden = buildings[buildings["per_participant"].isna()]
    if len(hidden):
        observations.append(f"{len(hidden)} building(s) have their participant counts hidden in {year} (fewer than the threshold, or hidden so that a small one cannot be found from the total).")
    return observations


# ---------------------------------------------------------------- outcomes


@_strategy_analysis("{label} Participant and Non-Participant Outcomes")
def participant_outcomes(review: Review, building_code: str, context: _Context, name: str) -> DataObject:
    """Outcomes of participants against non-participants, in the building and across the buildings running the strategy."""
    frame = context.sites.dropna(subset=["participant_outcome", "nonparticipant_outcome"], how="all").copy()
    if frame.empty:
        return DataObject(
            name=name,
            observations=[
                f"The strategies table gives no outcomes for {context.strategy}, so participants cannot be compared with non-participants. Add outcome_measure, participant_outcome and nonparticipant_outcome."
            ],
            sources=table_sources(review, "strategies"),
            missing=["strategy outcomes for participants and non-participants"],
        )
    frame["nonparticipants"] = frame["pupils"] - frame["participants"]
    table = _outcome_table(review, frame, context.hidden)
    measure = "; ".join(sorted(frame["outcome_measure"].dropna().unique())) or "the outcome given"
    observations = [] if context.runs_here else [context.not_here_sentence()]
    observations += _outcome_observations(table, context, measure)
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building": "building_name",
            "Outcome measure": "outcome_measure",
            "Participants": "participants",
            "Participant outcome": ("participant_outcome", 1),
            "Non-participant outcome": ("nonparticipant_outcome", 1),
            "Participants minus non-participants": ("difference", 1),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = for_display(shown[shown["Building code"].isin([building_code, ""])].drop(columns=["Building code", "Outcome measure"]))
    own = table[table["building_code"] == building_code]
    district = table[table["building_code"] == ""]
    lines = []
    for rows, label in ((own, context.building_name), (district, "All buildings running it")):
        lines.append(pd.DataFrame({"panel": "", "label": f"{label}: participants", "school_year": rows["school_year"], "value": rows["participant_outcome"]}))
        lines.append(pd.DataFrame({"panel": "", "label": f"{label}: non-participants", "school_year": rows["school_year"], "value": rows["nonparticipant_outcome"]}))
    styles = {
        f"{context.building_name}: participants": {"color": figures.BUILDING_COLOR, "linewidth": 2.2},
        f"{context.building_name}: non-participants": {"color": figures.BUILDING_COLOR, "linestyle": "--"},
        "All buildings running it: participants": {"color": "black", "linewidth": 2.2},
        "All buildings running it: non-participants": {"color": "black", "linestyle": "--"},
    }
    draw = partial(
        figures.lines_by_year,
        pd.concat(lines, ignore_index=True),
        title=f"{context.label}: participants and non-participants ({measure})",
        y_label="Outcome",
        axis_format=figures.whole_number,
        styles=styles,
    )
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building", "Outcome measure"],
            count=["Participants"],
            number=["Participant outcome", "Non-participant outcome", "Participants minus non-participants"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "strategies", "enrollment"),
        filters=[f"strategy: {context.strategy}", f"outcome: {measure}", years_filter(list(table["school_year"].unique()))],
        notes=[
            "Participants are usually chosen because they need more help: an outcome below non-participants does not by itself mean the strategy failed. Growth from a lower start, "
            "or a comparison with similar students who did not take part, says more.",
            "Across buildings, participants' outcomes are weighted by participants and non-participants' by the building's pupils minus participants.",
            participant_privacy_note(minimum_size(review)) + f" A non-participant outcome from fewer than {minimum_size(review)} students is hidden too.",
        ],
    )


def _outcome_table(review: Review, frame: pd.DataFrame, hidden: set[tuple[str, str, str]]) -> pd.DataFrame:
    """Building rows and a pooled row per year; outcomes from too few participants or non-participants hidden."""
    minimum = minimum_size(review)
    frame = frame.copy()
    frame["nonparticipant_outcome"] = frame["nonparticipant_outcome"].where(frame["nonparticipants"].isna() | (frame["nonparticipants"] >= minimum))
    pooled = []
    for year, rows in frame.groupby("school_year", sort=True):
        participants = rows.dropna(subset=["participants", "participant_outcome"])
        others = rows.dropna(subset=["nonparticipants", "nonparticipant_outcome"])
        pooled.append(
            {
                "school_year": year,
                "building_code": "",
                "building_name": "All buildings running it",
                "outcome_measure": "; ".join(sorted(rows["outcome_measure"].dropna().unique())),
                "participants": rows["participants"].sum(min_count=1),
                "participant_outcome": np.average(participants["participant_outcome"], weights=participants["participants"]) if participants["participants"].sum() > 0 else np.nan,
                "nonparticipant_outcome": np.average(others["nonparticipant_outcome"], weights=others["nonparticipants"]) if others["nonparticipants"].sum() > 0 else np.nan,
            }
        )
    frame["suppressed"] = [key in hidden for key in zip(frame["strategy"], frame["building_code"], frame["school_year"])]
    buildings = suppress(frame.reset_index(drop=True), count_column="participants", value_columns=["participant_outcome"], minimum=minimum)
    totals = suppress(pd.DataFrame(pooled), count_column="participants", value_columns=["participant_outcome"], minimum=minimum)
    table = pd.concat([buildings, totals], ignore_index=True)
    table["difference"] = table["participant_outcome"] - table["nonparticipant_outcome"]
    return table


def _is_percent(measure: object) -> bool:
    """An outcome measure named as a percent or rate ("percent proficient", "attendance rate", "% meeting growth")."""
    return bool(re.search(r"percent|%|\brate\b|share", str(measure), re.IGNORECASE))


def _outcome_words(measure: object) -> Callable[[float], str]:
    """How a sentence writes an outcome of ``measure``: "53.2%" for a percent, "412.0" for a score."""
    if _is_percent(measure):
        return lambda value: f"{value:.1f}%"
    return lambda value: f"{value:.1f}"


def _outcome_difference(difference: float, measure: object) -> str:
    """'4.1 points higher' for a percent, '4.1 higher' for a score."""
    unit = " points" if _is_percent(measure) else ""
    return f"{abs(difference):.1f}{unit} {'higher' if difference >= 0 else 'lower'}"


def _outcome_observations(table: pd.DataFrame, context: _Context, measure: str) -> list[str]:
    observations = []
    own = table[table["building_code"] == context.building_code].sort_values("school_year").dropna(subset=["difference"])
    pooled = table[table["building_code"] == ""].sort_values("school_year").dropna(subset=["difference"])
    if len(own):
        latest = own.iloc[-1]
        written = _outcome_words(latest["outcome_measure"])
        observations.append(
            f"In {latest['school_year']} at {context.building_name}, participants scored {written(latest['participant_outcome'])} and non-participants {written(latest['nonparticipant_outcome'])} "
            f"on '{latest['outcome_measure']}': participants {_outcome_difference(latest['difference'], latest['outcome_measure'])}."
        )
        ahead = int((own["difference"] > 0).sum())
        if len(own) >= 2:
            observations.append(f"Participants at the building outscored non-participants in {ahead} of {len(own)} years with both outcomes shown.")
    elif context.runs_here:
        observations.append(f"{context.building_name}'s outcomes are not shown: too few participants or non-participants, or the outcomes are not given.")
    if len(pooled):
        latest = pooled.iloc[-1]
        written = _outcome_words(latest["outcome_measure"])
        observations.append(
            f"Across the buildings running it in {latest['school_year']}, participants averaged {written(latest['participant_outcome'])} and non-participants {written(latest['nonparticipant_outcome'])} "
            f"(weighted): participants {_outcome_difference(latest['difference'], latest['outcome_measure'])}."
        )
        if len(pooled) >= 2:
            first = pooled.iloc[0]
            observations.append(f"The pooled difference went from {first['difference']:+.1f} in {first['school_year']} to {latest['difference']:+.1f} in {latest['school_year']}.")
    return observations


# ---------------------------------------------------------------- against the district's other strategies


@_strategy_analysis("{label} Compared with Other Strategies")
def compared_with_other_strategies(review: Review, building_code: str, context: _Context, name: str) -> DataObject:
    """Cost per participant and one-time share of every strategy in the district, the chosen one marked, and those in the building."""
    rows = []
    for (name_of, _year), members in context.all_sites.groupby(["strategy", "school_year"], sort=True):
        totals = _totals(members, name_of).assign(strategy=name_of)
        rows.append(totals)
    district = _protect(review, _with_ratios(pd.concat(rows, ignore_index=True)))
    here = context.all_sites[context.all_sites["building_code"] == building_code]
    own = _protect(review, _with_ratios(here), context.hidden) if len(here) else pd.DataFrame(columns=["strategy", "school_year", "per_participant"])
    own_cost = own.set_index(["strategy", "school_year"])["per_participant"] if len(own) else pd.Series(dtype=float)
    district["here"] = [own_cost.get((s, y), np.nan) for s, y in zip(district["strategy"], district["school_year"])]
    district["runs_here"] = [(s, y) in own_cost.index for s, y in zip(district["strategy"], district["school_year"])]
    year = max(district["school_year"])
    observations = _strategy_observations(district, context, year)
    shown = (
        pd.DataFrame(
            {
                "School year": district["school_year"],
                "Strategy": district["strategy"],
                "The strategy under review": (district["strategy"] == context.strategy).map({True: "yes", False: ""}),
                "Buildings running it": district["buildings"],
                "Participants": district["participants"],
                "Cost ($)": district["cost"].round(2),
                "Cost per participant, district ($)": district["per_participant"].round(2),
                f"Cost per participant, {context.building_name} ($)": district["here"].round(2),
                "One-time share (%)": district["one_time_share"].round(1),
                "Suppressed (fewer than threshold)": district["suppressed"],
            }
        )
        .sort_values(["School year", "Cost per participant, district ($)"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )
    display = for_display(shown[shown["School year"] == year].drop(columns=["School year"]))
    # A strategy the building runs with its participants hidden shows the marker, not a blank.
    here_column = f"Cost per participant, {context.building_name} ($)"
    hidden_here = display["Strategy"].map(dict(zip(district.loc[district["school_year"] == year, "strategy"], district.loc[district["school_year"] == year, "runs_here"]))).astype(bool) & (
        display[here_column] == ""
    )
    display[here_column] = display[here_column].astype(object).where(~hidden_here, MARKER)
    latest = district[district["school_year"] == year]
    draw = partial(
        figures.bars_by_building,
        pd.DataFrame(
            {"label": latest["strategy"], "value": latest["per_participant"], "category": ["the strategy under review" if s == context.strategy else "other strategies" for s in latest["strategy"]]}
        ),
        colors={"the strategy under review": figures.BUILDING_COLOR, "other strategies": figures.SAME_LEVEL_COLOR},
        title=f"Cost per participant of the district's strategies, {year}",
        x_label="Dollars per participant (all buildings running each)",
        axis_format=figures.dollars,
    )
    return DataObject(
        units=declare(
            code=["School year"],
            text=["Strategy", "The strategy under review"],
            count=["Buildings running it", "Participants"],
            money=["Cost ($)", "Cost per participant, district ($)", f"Cost per participant, {context.building_name} ($)"],
            percent=["One-time share (%)"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "strategies"),
        filters=["every strategy in the strategies table", years_filter(list(district["school_year"].unique()))],
        notes=[
            "Strategies differ in intensity and in who counts as a participant (coaching may count the students of coached teachers): compare cost with what each delivers.",
            participant_privacy_note(minimum_size(review)),
        ],
    )


def _strategy_observations(district: pd.DataFrame, context: _Context, year: str) -> list[str]:
    observations = []
    latest = district[district["school_year"] == year].dropna(subset=["per_participant"]).sort_values("per_participant", ascending=False).reset_index(drop=True)
    chosen = latest[latest["strategy"] == context.strategy]
    if len(chosen):
        row = chosen.iloc[0]
        others = latest[latest["strategy"] != context.strategy]
        position = int(chosen.index[0]) + 1
        listing = "; ".join(f"{r['strategy']} {money(r['per_participant'])}" for _, r in others.iterrows())
        observations.append(
            f"In {year}, {context.strategy} cost {money(row['per_participant'])} per participant district-wide, the {ranked(position)} of {len(latest)} strategies"
            + (f" (others: {listing})." if listing else ".")
        )
        if pd.notna(row["one_time_share"]):
            one_time = latest[latest["one_time_share"] > 0]
            observations.append(f"{row['one_time_share']:.0f}% of its cost came from one-time money; {len(one_time)} of {len(latest)} strategies used one-time money in {year}.")
    else:
        observations.append(f"{context.strategy} has no participants shown district-wide in {year}, so its cost per participant cannot be ranked.")
    here = district[(district["school_year"] == year) & district["runs_here"]]
    if len(here):
        parts = [f"{r['strategy']} {money(r['here'])}" if pd.notna(r["here"]) else f"{r['strategy']} (participants hidden)" for _, r in here.iterrows()]
        observations.append(f"{context.building_name} ran {len(here)} of the district's strategies in {year}; cost per participant there: " + "; ".join(parts) + ".")
    else:
        observations.append(f"{context.building_name} ran none of the district's listed strategies in {year}.")
    return observations


# ---------------------------------------------------------------- the report


def data_objects(review: Review, building_code: str, *, strategy: str | None = None) -> list[DataObject]:
    """Every data object of the option 2 inquiry for one building, in report order."""
    return [analysis(review, building_code, strategy=strategy) for analysis in (cost_by_fund_source, sustainability, cost_by_building, participant_outcomes, compared_with_other_strategies)]
