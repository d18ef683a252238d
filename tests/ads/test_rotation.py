"""Weighted random rotation, checked statistically with a seeded random source."""

import random
from collections import Counter
from types import SimpleNamespace

import pytest

from ads.selection import weighted_sample

DRAWS = 20_000


def fake_ads(*weights):
    return [SimpleNamespace(pk=index, weight=weight) for index, weight in enumerate(weights)]


def chi_square(observed, expected):
    return sum((observed[key] - expected[key]) ** 2 / expected[key] for key in expected)


def test_single_pick_follows_the_weights():
    ads = fake_ads(1, 2, 7)
    rng = random.Random(20260301)
    counts = Counter(weighted_sample(ads, 1, rng)[0].pk for _ in range(DRAWS))
    expected = {0: DRAWS * 0.1, 1: DRAWS * 0.2, 2: DRAWS * 0.7}
    # 2 degrees of freedom: 13.8 is the 0.1 % critical value.
    assert chi_square(counts, expected) < 13.8
    assert counts[2] > counts[1] > counts[0]


def test_equal_weights_are_uniform():
    ads = fake_ads(5, 5, 5, 5)
    rng = random.Random(7)
    counts = Counter(weighted_sample(ads, 1, rng)[0].pk for _ in range(DRAWS))
    expected = dict.fromkeys(range(4), DRAWS / 4)
    assert chi_square(counts, expected) < 16.3  # 3 degrees of freedom, 0.1 %


def test_several_picks_are_distinct_and_favour_heavy_ads():
    ads = fake_ads(1, 1, 8)
    rng = random.Random(3)
    firsts = Counter()
    for _ in range(2000):
        chosen = weighted_sample(ads, 2, rng)
        assert len({ad.pk for ad in chosen}) == 2
        firsts[chosen[0].pk] += 1
    assert firsts[2] / 2000 == pytest.approx(0.8, abs=0.04)


def test_never_more_than_available():
    assert [ad.pk for ad in weighted_sample(fake_ads(1, 1), 5, random.Random(1))] in (
        [0, 1],
        [1, 0],
    )
    assert weighted_sample([], 1, random.Random(1)) == []


def test_slot_rotation_uses_weights(placement, make_ad, render_slots, seeded_rng):
    slot = placement()
    light = make_ad(slot, name="light", weight=1)
    heavy = make_ad(slot, name="heavy", weight=3)
    counts = Counter()
    for _ in range(800):
        html = render_slots("sidebar-1")
        counts["heavy" if f"/ads/{heavy.pk}/click/" in html else "light"] += 1
        assert (f"/ads/{light.pk}/click/" in html) != (f"/ads/{heavy.pk}/click/" in html)
    assert counts["heavy"] / 800 == pytest.approx(0.75, abs=0.05)
