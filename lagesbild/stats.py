"""Honest survey statistics: confidence intervals and suppression of small groups."""
from __future__ import annotations

import math

import pandas as pd

Z95 = 1.959963984540054


def wilson_interval(share_percent: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The 95 % Wilson score interval, in percent, for a share observed among n answers."""
    p = share_percent / 100
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return 100 * (centre - half), 100 * (centre + half)


def two_proportion_test(share1: float, n1: int, share2: float, n2: int) -> tuple[float, float]:
    """(z, two-sided p-value) of the difference between two shares in percent, pooled standard error."""
    p1, p2 = share1 / 100, share2 / 100
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (p2 - p1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def with_intervals(results: pd.DataFrame, min_answers: int) -> pd.DataFrame:
    """Results with `low`/`high` and with shares of groups under min_answers suppressed (reason in `missing`)."""
    frame = results.copy()
    small = frame["n"].notna() & (frame["n"] < min_answers) & frame["share"].notna()
    frame.loc[small, "share"] = float("nan")
    frame.loc[small, "missing"] = "<n"
    lows, highs = [], []
    for share, n in zip(frame["share"], frame["n"]):
        if pd.isna(share) or pd.isna(n) or n == 0:
            lows.append(float("nan")); highs.append(float("nan"))
        else:
            low, high = wilson_interval(float(share), int(n))
            lows.append(low); highs.append(high)
    frame["low"], frame["high"] = lows, highs
    return frame


MISSING_REASONS = {
    "..": "uppgift saknas eller är för osäker",
    "–": "noll eller avrundat till noll",
    "U": "undertryckt i källan",
    "XX": "undertryckt i källan",
    "tom": "tom cell i källan",
    "<n": "för få svar",
}
