"""Hand-worked examples of the scoring arithmetic."""

from decimal import Decimal as D

import pytest

from talentloop.performance import scoring as s


def test_attainment_higher_is_better():
    assert s.attainment(D(90), D(100), higher_is_better=True) == D(90)
    # 150 / 100 = 150 %, capped at 120
    assert s.attainment(D(150), D(100), higher_is_better=True) == D(120)
    assert s.attainment(D(-5), D(100), higher_is_better=True) == D(0)


def test_attainment_lower_is_better():
    # response time target 1 h, actual 3 h: 100 × 1 / 3 = 33.33…
    assert s.round2(s.attainment(D(3), D(1), higher_is_better=False)) == D("33.33")
    # actual 0 scores the cap
    assert s.attainment(D(0), D(2), higher_is_better=False) == D(120)
    # target 0 with tolerance 4: actual 1 → 100 × (4 − 1) / 4 = 75; actual 5 → below 0 → 0
    assert s.attainment(D(1), D(0), higher_is_better=False, tolerance=D(4)) == D(75)
    assert s.attainment(D(0), D(0), higher_is_better=False, tolerance=D(4)) == D(100)
    assert s.attainment(D(5), D(0), higher_is_better=False, tolerance=D(4)) == D(0)
    with pytest.raises(ValueError):
        s.attainment(D(1), D(0), higher_is_better=False)


@pytest.mark.parametrize("total,rating", [(40, "1.0"), (60, "2.0"), (80, "3.0"), (100, "4.0"), (120, "5.0"),
                                          (30, "1.0"), (130, "5.0"), ("109.99", "4.5"), ("109.98", "4.5"),
                                          ("109.74", "4.5"), ("109.75", "4.5"), ("109.70", "4.5"),
                                          ("109.69", "4.5"), ("108.00", "4.4")])
def test_rating_mapping(total, rating):
    # 109.74 → 1 + 4 × 69.74 / 80 = 4.487 → 4.5 ; 108 → 1 + 4 × 68 / 80 = 4.4
    assert s.rating_from_total(D(str(total))) == D(rating)


def test_rating_rounds_the_total_first():
    # 108.995 rounds half up to 109.00 → 1 + 4 × 69 / 80 = 4.45 → 4.5 (half up)
    assert s.rating_from_total(D("108.995")) == D("4.5")
    # 108.994 rounds to 108.99 → 4.4495 → 4.4
    assert s.rating_from_total(D("108.994")) == D("4.4")


def test_total_from_rating_inverse():
    assert s.total_from_rating(D(4)) == D(100)
    assert s.total_from_rating(D("4.5")) == D(110)
    assert s.rating_from_total(s.total_from_rating(D("3.5"))) == D("3.5")
    with pytest.raises(ValueError):
        s.total_from_rating(D("5.5"))


def test_weighted_mean_spreads_missing_weight():
    # Weights 30 / 25 / 45, the second part missing: (80 × 30 + 100 × 45) / 75 = 92
    parts = [s.Part("a", D(30), D(80)), s.Part("b", D(25), None), s.Part("c", D(45), D(100))]
    assert s.weighted_mean(parts) == D(92)
    # effective weights: 30 × 100 / 75 = 40, 0, 45 × 100 / 75 = 60
    assert [p.effective_weight for p in parts] == [D(40), D(0), D(60)]


def test_weighted_mean_all_missing():
    assert s.weighted_mean([s.Part("a", D(50), None), s.Part("b", D(50), None)]) is None


def test_growth():
    assert s.growth(D("3.5"), D("4.2")) == D("20.0")
    assert s.growth(D(70), D(85)) == D("21.4")
