"""The shared colour arithmetic (baliedesk.colors): WCAG contrast and readable shades."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baliedesk import colors

hex_colors = st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(colors.to_hex)


@pytest.mark.parametrize(("a", "b", "ratio"), [("#FFFFFF", "#000000", 21.0), ("#777777", "#777777", 1.0),
                                               ("#FFFFFF", "#0B4F8A", 8.4)])
def test_contrast_matches_the_wcag_figures(a, b, ratio):
    assert colors.contrast(a, b) == pytest.approx(ratio, abs=0.05)


@pytest.mark.parametrize("bad", [None, "", "blauw", "#12345", "#GGGGGG", "#1234567"])
def test_anything_not_a_colour_falls_back(bad):
    assert colors.normalise(bad, "#fff") == "#FFFFFF"
    assert colors.normalise(bad, "ook geen kleur") == colors.DEFAULT


@given(hex_colors)
def test_the_best_text_colour_on_a_readable_shade_reads_at_aa(fill):
    text = colors.best_text(fill, "#FFFFFF", "#111111")
    shade = colors.shade_until_readable(fill, text, 4.5)
    assert colors.contrast(text, shade) >= 4.5
    if colors.contrast(text, fill) >= 4.5:
        assert shade == colors.normalise(fill)  # already readable: left as it is


@given(hex_colors, hex_colors)
def test_contrast_is_symmetric_and_bounded(a, b):
    assert colors.contrast(a, b) == colors.contrast(b, a)
    assert 1.0 <= colors.contrast(a, b) <= 21.0
