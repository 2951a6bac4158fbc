"""Das Gupta's decomposition (xa.decompose_rate) against the book's worked examples.

Reference values: Das Gupta, P. (1993). Standardization and Decomposition of Rates: A User's
Manual. US Bureau of the Census, Current Population Reports P23-186; examples 2.1, 2.3, 2.5,
2.7 (2 to 5 factors), 3.1 (a difference of two factors), 4.4 (a ratio of sums), 4.5 (3 vector
factors) and 5.1 (age structure × age-specific rates), as reproduced to 4-7 significant
digits by the R package DasGuptR (Josiah King, `dgnpop(...) |> dg_table()`, README of
github.com/josiahpjking/DasGuptR). Tolerance: 5e-4 relative to the largest effect (the book
prints 3-4 decimals).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exitanalysis as xa
from exitanalysis.models.decomposition import decompose_rate

CASES = {
    # name: (a, b, rate function or None, expected effects in factor order, expected R(b)-R(a))
    "2.1 earnings x earners": (
        {"avg_earnings": 10930, "earner_prop": .717892},
        {"avg_earnings": 16591, "earner_prop": .825974},
        None, [4369.913, 1487.262], 5857.175),
    "2.3 births, Austria and Chile": (
        {"birthsw1549": 51.78746, "propw1549": .45919, "propw": .52638},
        {"birthsw1549": 84.90502, "propw1549": .75756, "propw": .51065},
        None, [10.4340333, 10.5608476, -0.6670084], 20.3278726),
    "2.5 four factors, 1971 and 1979": (
        {"birth_preg": 25.3, "preg_actw": .214, "actw_prop": .279, "w_prop": .949},
        {"birth_preg": 32.7, "preg_actw": .290, "actw_prop": .473, "w_prop": .986},
        None, [0.6889411, 0.8125381, 1.3829055, 0.1047547], 2.9891394),
    "2.7 five factors, 1970 and 1980": (
        {"prop_m": .58, "noncontr": .76, "abort": .84, "lact": .66, "fecund": 16.573},
        {"prop_m": .72, "noncontr": .97, "abort": .97, "lact": .56, "fecund": 16.158},
        None, [1.0909785, 1.2298438, 0.7278399, -0.8398707, -0.1290187], 2.0797729),
    "3.1 births minus deaths": (
        {"birth": 19.4, "death": 10.8}, {"birth": 23.7, "death": 9.5},
        lambda f: float(f["birth"] - f["death"]), [4.3, 1.3], 5.6),
    "4.5 three vector factors, 1960 and 1970": (
        {"bm": [393, 407, 369, 274, 184, 90, 16],
         "mw": [.122, .622, .903, .930, .916, .873, .800],
         "wp": [.043, .041, .036, .032, .026, .020, .018]},
        {"bm": [488, 452, 338, 156, 63, 22, 3],
         "mw": [.082, .527, .866, .941, .942, .923, .876],
         "wp": [.058, .038, .032, .030, .026, .023, .019]},
        None, [-7.285632, -2.720633, -1.565181], -11.571446),
    "4.4 a ratio of sums, 1963 and 1983": (
        {"A": [.200, .163, .146, .154, .168, .169], "B": [.866, .325, .119, .099, .099, .121],
         "C": [.007, .021, .023, .015, .008, .002], "D": [.454, .326, .195, .107, .051, .015]},
        {"A": [.169, .195, .190, .174, .150, .122], "B": [.931, .563, .311, .216, .199, .191],
         "C": [.018, .026, .023, .016, .008, .002], "D": [.380, .201, .149, .079, .025, .006]},
        lambda f: float(np.sum(f["A"] * f["B"] * f["C"])
                        / (np.sum(f["A"] * f["B"] * f["C"])
                           + np.sum(f["A"] * (1 - f["B"]) * f["D"]))),
        [-0.00620498, 0.04866154, 0.02705922, 0.02470928], 0.09422505),
    "5.1 age structure x rates, 1970 and 1985": (
        {"age_str": np.array([12.9, 10.9, 9.5, 8.0, 7.8, 8.4, 8.6, 7.8, 7.0, 5.9, 4.7, 3.6,
                              4.9]) / 100,
         "rate": [1.9, 25.8, 45.7, 49.6, 51.2, 51.6, 51.8, 54.9, 58.7, 60.4, 62.8, 66.6, 66.8]},
        {"age_str": np.array([10.1, 11.2, 11.6, 10.9, 9.4, 7.7, 6.3, 6.0, 6.3, 5.9, 5.1, 4.0,
                              5.5]) / 100,
         "rate": [2.2, 24.3, 45.8, 52.5, 56.1, 55.6, 56.0, 57.4, 57.2, 61.2, 63.9, 68.6, 72.2]},
        None, [1.2269, 1.7403], 2.9672),
}


@pytest.mark.parametrize("name", list(CASES))
def test_das_gupta_worked_examples(name: str) -> None:
    a, b, rate, effects, difference = CASES[name]
    result = decompose_rate(a, b, rate=rate)
    scale = max(abs(e) for e in effects)
    assert result.effects == pytest.approx(effects, abs=5e-4 * scale)
    assert result.difference == pytest.approx(difference, abs=5e-4 * scale)
    # The effects add up to the difference exactly, and each is adjusted_b - adjusted_a.
    assert sum(result.effects) == pytest.approx(result.difference, rel=1e-12, abs=1e-12)
    frame = result.to_frame()
    assert np.allclose(frame["adjusted_b"] - frame["adjusted_a"], frame["effect"])
    assert frame["share"].sum() == pytest.approx(1.0)


def test_adjusted_rates_of_example_2_1() -> None:
    # dg_table of example 2.1: the P-alpha adjusted rates 8437.228 / 12807.14 (earnings) and
    # 9878.553 / 11365.82 (earners); crude 7846.560 / 13703.73.
    d = decompose_rate({"earnings": 10930, "earners": .717892},
                       {"earnings": 16591, "earners": .825974})
    assert d.adjusted_a == pytest.approx((8437.228, 9878.553), abs=0.01)
    assert d.adjusted_b == pytest.approx((12807.14, 11365.82), abs=0.01)
    assert (d.crude_a, d.crude_b) == pytest.approx((7846.560, 13703.73), abs=0.01)


def test_two_factors_is_kitagawa() -> None:
    # Kitagawa (1955): composition effect = sum (c_b - c_a)(r_a + r_b)/2, rate effect
    # = sum (r_b - r_a)(c_a + c_b)/2, per category.
    rng = np.random.default_rng(7)
    c_a, c_b = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))
    r_a, r_b = rng.uniform(0, 1, 4), rng.uniform(0, 1, 4)
    d = decompose_rate({"mix": c_a, "rate": r_a}, {"mix": c_b, "rate": r_b})
    assert d.effects[0] == pytest.approx(np.sum((c_b - c_a) * (r_a + r_b) / 2))
    assert d.effects[1] == pytest.approx(np.sum((r_b - r_a) * (c_a + c_b) / 2))


finite = st.floats(min_value=0.01, max_value=100, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=5),
       st.data())
def test_effects_add_up_and_flip_when_swapped(factors: int, categories: int, data) -> None:
    names = [f"f{i}" for i in range(factors)]
    draw = st.lists(finite, min_size=categories, max_size=categories)
    a = {n: data.draw(draw) for n in names}
    b = {n: data.draw(draw) for n in names}
    forward, backward = decompose_rate(a, b), decompose_rate(b, a)
    scale = max(1.0, abs(forward.crude_a), abs(forward.crude_b))
    assert sum(forward.effects) == pytest.approx(forward.difference, abs=1e-9 * scale)
    assert np.allclose(forward.effects, [-e for e in backward.effects], atol=1e-9 * scale)
    # A factor that does not change has no effect.
    same = decompose_rate(a, {**b, names[0]: a[names[0]]})
    assert same.effects[0] == pytest.approx(0.0, abs=1e-9 * scale)


def test_clear_errors_for_mismatched_populations() -> None:
    with pytest.raises(ValueError, match="same factors"):
        decompose_rate({"x": 1, "y": 2}, {"x": 1})
    with pytest.raises(ValueError, match="categories"):
        decompose_rate({"x": [1, 2]}, {"x": [1, 2, 3]})
    with pytest.raises(ValueError, match="finite"):
        decompose_rate({"x": math.nan}, {"x": 1})


def test_public_name_and_plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    d = xa.decompose_rate({"mix": [0.5, 0.5], "rate": [0.2, 0.1]},
                          {"mix": [0.2, 0.8], "rate": [0.2, 0.1]})
    assert d.effects[1] == pytest.approx(0.0) and d.effects[0] == pytest.approx(-0.03)
    assert "mix: -0.03" in d.summary()
    ax = d.plot()
    assert len(ax.patches) == 3 and ax.get_title()
