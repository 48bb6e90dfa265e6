"""The house colours: every text colour reads (WCAG AA, 4.5:1) on its background."""

from __future__ import annotations

import itertools

import pytest

from baliedesk.services.demo import SERVICES
from baliedesk.ui.common import theme

TEXT_ON = [
    (theme.TEXT, theme.BACKGROUND), (theme.TEXT, theme.PANEL),
    (theme.TEXT_MUTED, theme.BACKGROUND), (theme.TEXT_MUTED, theme.PANEL),
    (theme.ON_PRIMARY, theme.PRIMARY), (theme.ON_PRIMARY, theme.PRIMARY_DARK),
    (theme.SUCCESS, theme.SUCCESS_BG), (theme.WARNING, theme.WARNING_BG), (theme.ERROR, theme.ERROR_BG),
    (theme.SUCCESS, theme.BACKGROUND), (theme.WARNING, theme.BACKGROUND), (theme.ERROR, theme.BACKGROUND),
    (theme.DISABLED_TEXT, theme.DISABLED_BG),
]


def test_contrast_formula():
    assert theme.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#777777") == pytest.approx(1.0)
    assert theme.contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the well-known AA grey


@pytest.mark.parametrize(("fg", "bg"), TEXT_ON)
def test_house_text_colours_pass_aa(fg, bg):
    assert theme.contrast(fg, bg) >= 4.5


@pytest.mark.parametrize("color", [c for _p, _n, c, _m in SERVICES])
def test_demo_service_colours_take_white_text(color):
    c = theme.service_colors(color)
    assert c.fill == color.upper() and c.text == theme.LIGHT_TEXT
    assert theme.contrast(c.text, c.fill) >= 4.5


def test_any_service_colour_gets_readable_text():
    steps = (0x00, 0x33, 0x66, 0x77, 0x88, 0x99, 0xCC, 0xFF)
    for r, g, b in itertools.product(steps, repeat=3):
        c = theme.service_colors(theme.to_hex((r, g, b)))
        assert theme.contrast(c.text, c.fill) >= 4.5, c
        assert theme.contrast(c.text, c.pressed) >= 4.5, c
        assert theme.contrast(c.tint_text, c.tint) >= 4.5, c


def test_light_colour_gets_dark_text_and_mid_colour_is_darkened_for_white():
    assert theme.service_colors("#FFEE00").text == theme.DARK_TEXT
    fill = theme.readable_fill("#3399FF", theme.LIGHT_TEXT)
    assert fill != "#3399FF" and theme.contrast(theme.LIGHT_TEXT, fill) >= 4.5


def test_bad_colour_falls_back():
    assert theme.service_colors("not a colour").fill == theme.PRIMARY
    assert theme.service_colors(None).fill == theme.PRIMARY
