"""Equity statistics of per-pupil spending across a district's buildings, with their textbook definitions.

Every function is pure: it takes one value per building (per-pupil dollars, say) and, where the
textbook definition counts pupils rather than buildings, one weight per building (its pupils).
The pupil is the unit of analysis in the school-finance literature (Berne and Stiefel, *The
Measurement of Equity in School Finance*, 1984; Odden and Picus, *School Finance: A Policy
Perspective*): a building of 900 pupils weighs nine times one of 100. Each docstring says
whether its statistic is pupil-weighted.

Buildings with no value (NaN) or no pupils are left out of every statistic.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

ArrayLike = np.ndarray | pd.Series | list[float]


def _clean(values: ArrayLike, weights: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Values and weights as float arrays, without the buildings that lack either."""
    values = np.asarray(values, dtype=float)
    weights = np.ones_like(values) if weights is None else np.asarray(weights, dtype=float)
    if values.shape != weights.shape:
        raise ValueError(f"values ({values.shape}) and weights ({weights.shape}) differ in length")
    if (weights < 0).any():
        raise ValueError("weights (pupils) cannot be negative")
    keep = ~np.isnan(values) & ~np.isnan(weights) & (weights > 0)
    return values[keep], weights[keep]


def weighted_mean(values: ArrayLike, weights: ArrayLike) -> float:
    """Pupil-weighted mean: sum of weight x value over the sum of weights (NaN when no pupils)."""
    values, weights = _clean(values, weights)
    if weights.sum() == 0:
        return float("nan")
    return float(np.sum(weights * values) / np.sum(weights))


def weighted_standard_deviation(values: ArrayLike, weights: ArrayLike) -> float:
    """Pupil-weighted population standard deviation: sqrt(sum w (x - mean)^2 / sum w)."""
    values, weights = _clean(values, weights)
    if weights.sum() == 0:
        return float("nan")
    mean = np.sum(weights * values) / np.sum(weights)
    return float(np.sqrt(np.sum(weights * (values - mean) ** 2) / np.sum(weights)))


def coefficient_of_variation(values: ArrayLike, weights: ArrayLike) -> float:
    """Coefficient of variation, pupil-weighted: weighted standard deviation over weighted mean.

    Textbook definition (Berne and Stiefel): CV = sigma_w / mu_w, where both are taken over
    pupils (each building's value counted once per pupil). 0 means every pupil has the same
    spending; school-finance studies commonly treat 0.10 or less as equitable (Odden and Picus).
    """
    mean = weighted_mean(values, weights)
    if not mean:
        return float("nan")
    return weighted_standard_deviation(values, weights) / mean


def weighted_percentile(values: ArrayLike, weights: ArrayLike, percentile: float) -> float:
    """Pupil-weighted percentile: the value of the pupil ``percentile`` percent of the way up the line of pupils.

    Pupils are lined up by their building's value. The p-th percentile is the smallest building
    value at which the cumulative share of pupils reaches p/100 (the "inverted cumulative
    distribution" definition, which always returns a building's actual value).
    """
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {percentile}")
    values, weights = _clean(values, weights)
    if weights.sum() == 0:
        return float("nan")
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative_share = np.cumsum(weights) / np.sum(weights)
    # A small tolerance so that exactly 50% of pupils reaches the 50th percentile despite rounding.
    position = int(np.searchsorted(cumulative_share, percentile / 100 - 1e-12, side="left"))
    return float(values[min(position, len(values) - 1)])


def weighted_median(values: ArrayLike, weights: ArrayLike) -> float:
    """Pupil-weighted median: the 50th pupil-weighted percentile (see :func:`weighted_percentile`)."""
    return weighted_percentile(values, weights, 50)


def mcloone_index(values: ArrayLike, weights: ArrayLike) -> float:
    """McLoone index, pupil-weighted: spending on pupils below the median over its cost at the median.

    Textbook definition (McLoone 1968; Odden and Picus): with M the pupil-weighted median,
    McLoone = sum over buildings with x_i < M of (w_i x_i) / (M x sum over those buildings of w_i).
    That is the total actually spent on the pupils below the median divided by what would be
    spent if each of them were at the median. 1 means no pupil is below the median (perfect
    equality in the lower half); 0.95 or more is the usual equity standard. Buildings exactly at
    the median are not below it. Returns 1.0 when no pupil is below the median.
    """
    values, weights = _clean(values, weights)
    if weights.sum() == 0:
        return float("nan")
    median = weighted_median(values, weights)
    below = values < median
    if not below.any():
        return 1.0
    return float(np.sum(weights[below] * values[below]) / (median * np.sum(weights[below])))


def spending_range(values: ArrayLike) -> float:
    """Range, unweighted: the highest building value minus the lowest (every building counts once).

    Buildings, not pupils, are the units: one tiny building sets the range, which is why the
    restricted range below is preferred for judging a district.
    """
    values, _ = _clean(values)
    if len(values) == 0:
        return float("nan")
    return float(values.max() - values.min())


def range_ratio(values: ArrayLike) -> float:
    """Range ratio, unweighted: the highest building value over the lowest."""
    values, _ = _clean(values)
    if len(values) == 0 or values.min() == 0:
        return float("nan")
    return float(values.max() / values.min())


def restricted_range(values: ArrayLike, weights: ArrayLike) -> float:
    """Restricted range, pupil-weighted: the 95th percentile pupil's value minus the 5th percentile pupil's."""
    return weighted_percentile(values, weights, 95) - weighted_percentile(values, weights, 5)


def restricted_range_ratio(values: ArrayLike, weights: ArrayLike) -> float:
    """Restricted range ratio, pupil-weighted: the 95th percentile pupil's value over the 5th percentile pupil's.

    Textbook definition: P95 / P5 with percentiles taken over pupils (see
    :func:`weighted_percentile`), which ignores the extreme 5% of pupils at each end. 1 means
    equality. The "federal range ratio" of the Impact Aid disparity test is this ratio minus 1,
    (P95 - P5) / P5.
    """
    low = weighted_percentile(values, weights, 5)
    if not low:
        return float("nan")
    return weighted_percentile(values, weights, 95) / low


def weighted_correlation(x: ArrayLike, y: ArrayLike, weights: ArrayLike) -> float:
    """Pearson correlation, pupil-weighted: weighted covariance over the product of weighted standard deviations.

    Textbook definition (fiscal neutrality, Berne and Stiefel): r = cov_w(x, y) / (sigma_w(x)
    sigma_w(y)), with means, variances and covariance all taken over pupils. Used here for
    state + local per-pupil spending against the percent of pupils in need: a positive r means
    higher-need buildings receive more. NaN when fewer than 3 buildings or no variation.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = ~np.isnan(x) & ~np.isnan(y) & ~np.isnan(weights) & (weights > 0)
    x, y, weights = x[keep], y[keep], weights[keep]
    if len(x) < 3:
        return float("nan")
    mean_x = np.sum(weights * x) / np.sum(weights)
    mean_y = np.sum(weights * y) / np.sum(weights)
    covariance = np.sum(weights * (x - mean_x) * (y - mean_y))
    spread = np.sqrt(np.sum(weights * (x - mean_x) ** 2) * np.sum(weights * (y - mean_y) ** 2))
    if spread == 0:
        return float("nan")
    return float(covariance / spread)


def weighted_percentile_rank(values: ArrayLike, weights: ArrayLike, value: float) -> float:
    """Percent of pupils in buildings with a lower value than ``value``, plus half of those at it (0-100)."""
    values, weights = _clean(values, weights)
    if weights.sum() == 0 or np.isnan(value):
        return float("nan")
    below = np.sum(weights[values < value])
    at = np.sum(weights[values == value])
    return float((below + at / 2) / np.sum(weights) * 100)


def need_weighted_pupils(pupils: ArrayLike, group_counts: Mapping[str, ArrayLike], need_weights: Mapping[str, float]) -> np.ndarray:
    """Need-weighted pupils: pupils + sum over need groups of (weight x pupils in the group).

    A pupil in a need group counts as 1 + weight pupils (0.35 extra for an economically
    disadvantaged pupil with the default weights); a pupil in two groups gets both extras, as in
    state funding formulas with additive weights. A group count that is unknown (NaN) makes the
    building's weighted pupils unknown: treating it as zero would understate need.
    """
    pupils = np.asarray(pupils, dtype=float)
    total = pupils.copy()
    for group, weight in need_weights.items():
        if group not in group_counts:
            raise KeyError(f"no pupil counts given for need group '{group}'")
        total = total + weight * np.asarray(group_counts[group], dtype=float)
    return total


def statistics(values: ArrayLike, weights: ArrayLike) -> dict[str, float]:
    """Every equity statistic of one set of building values, by name (pupil-weighted where so defined)."""
    values, weights = _clean(values, weights)
    return {
        "buildings": len(values),
        "pupils": float(np.sum(weights)),
        "weighted_mean": weighted_mean(values, weights),
        "weighted_median": weighted_median(values, weights),
        "coefficient_of_variation": coefficient_of_variation(values, weights),
        "mcloone_index": mcloone_index(values, weights),
        "range": spending_range(values),
        "range_ratio": range_ratio(values),
        "percentile_5": weighted_percentile(values, weights, 5),
        "percentile_95": weighted_percentile(values, weights, 95),
        "restricted_range": restricted_range(values, weights),
        "restricted_range_ratio": restricted_range_ratio(values, weights),
    }
