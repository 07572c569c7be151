"""Survey statistics against hand-computed values."""
from __future__ import annotations

import pandas as pd
import pytest

from lagesbild.stats import two_proportion_test, wilson_interval, with_intervals


def test_wilson_interval_for_30_of_100():
    # p = 0.3, n = 100, z = 1.96: centre 0.30740, half-width 0.08845 → 21.89 % – 39.59 %
    low, high = wilson_interval(30, 100)
    assert (round(low, 2), round(high, 2)) == (21.89, 39.58)


def test_wilson_interval_stays_inside_0_and_100():
    assert wilson_interval(0, 20)[0] == pytest.approx(0, abs=1e-12)
    assert wilson_interval(100, 20)[1] == pytest.approx(100, abs=1e-12)


def test_two_proportion_test_by_hand():
    # 72 % of 412 vs 70 % of 398: pooled 0.71017, se 0.031904 → z = -0.6269, p = 0.5307
    z, p = two_proportion_test(72, 412, 70, 398)
    assert (round(z, 3), round(p, 3)) == (-0.627, 0.531)
    z, p = two_proportion_test(30, 1000, 40, 1000)
    assert p < 0.001


def test_small_groups_are_suppressed_and_missing_n_gives_no_interval():
    frame = pd.DataFrame({"share": [50.0, 60.0, 70.0], "n": pd.array([40, 41, None], dtype="Int64"),
                          "missing": [None, None, None]})
    shown = with_intervals(frame, 41)
    assert pd.isna(shown.loc[0, "share"]) and shown.loc[0, "missing"] == "<n"
    assert shown.loc[1, "share"] == 60 and shown.loc[1, "low"] < 60 < shown.loc[1, "high"]
    assert shown.loc[2, "share"] == 70 and pd.isna(shown.loc[2, "low"])
