"""WCAG 2.1 contrast of the house colours (text 4.5:1, non-text 3:1), computed from the
theme's and the hall palette's own colours; drop-down lists and spin boxes drawn whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox, QSpinBox, QVBoxLayout, QWidget

from baliedesk import colors
from baliedesk.display import palette as pal
from baliedesk.ui.common import theme

#: Non-text: what shows where a control is, or that it has the focus (WCAG 1.4.11).
NON_TEXT = [
    ("focus ring on the page", theme.FOCUS, theme.BACKGROUND),
    ("focus ring on a panel", theme.FOCUS, theme.PANEL),
    ("input border on the page", theme.INPUT_BORDER, theme.BACKGROUND),
    ("input border on a panel", theme.INPUT_BORDER, theme.PANEL),
    ("primary button on the page", theme.PRIMARY, theme.BACKGROUND),
    ("selected list row on the page", theme.PRIMARY, theme.BACKGROUND),
    ("hall: the newest call's card", pal.CARD, pal.BACKGROUND),
    ("hall: the amber card", pal.HIGHLIGHT, pal.BACKGROUND),
    ("hall: panels' text area vs card", pal.CARD, pal.PANEL),
]
TEXT = [
    ("selected drop-down item", theme.ON_PRIMARY, theme.PRIMARY),
    ("input text", theme.TEXT, theme.BACKGROUND),
    ("placeholder", theme.TEXT_MUTED, theme.BACKGROUND),
    ("hall text", pal.TEXT, pal.BACKGROUND),
    ("hall muted text on a panel", pal.TEXT_MUTED, pal.PANEL),
    ("hall amber card text", pal.HIGHLIGHT_TEXT, pal.HIGHLIGHT),
    ("hall notice", pal.NOTICE_TEXT, pal.NOTICE),
]


@pytest.mark.parametrize(("what", "fg", "bg"), NON_TEXT, ids=[w for w, _f, _b in NON_TEXT])
def test_non_text_contrast_at_least_3(what, fg, bg):
    assert colors.contrast(fg, bg) >= 3.0, f"{what}: {fg} on {bg}"


@pytest.mark.parametrize(("what", "fg", "bg"), TEXT, ids=[w for w, _f, _b in TEXT])
def test_text_contrast_at_least_4_5(what, fg, bg):
    assert colors.contrast(fg, bg) >= 4.5, f"{what}: {fg} on {bg}"


def test_the_stylesheet_uses_those_colours():
    css = theme.base_stylesheet()
    assert f"border: 1px solid {theme.INPUT_BORDER}" in css  # inputs
    assert f"border: 2px solid {theme.FOCUS}" in css
    assert f"border: 4px solid {theme.FOCUS}" in theme.service_button_css("#0B4F8A")  # the kiosk's ring
    assert theme.PANEL_BORDER not in css.split("QLineEdit, QPlainTextEdit")[1].split("}")[0]


def _colours(image, rect) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1)):
        for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)):
            name = image.pixelColor(x, y).name().upper()
            out[name] = out.get(name, 0) + 1
    return out


def test_the_selected_drop_down_item_is_readable(qtbot, qapp):
    from baliedesk.ui.common.app import make_app

    make_app()
    box = QComboBox()
    qtbot.addWidget(box)
    box.addItems(["Paspoort en ID-kaart", "Rijbewijs", "Uittreksel"])
    box.setCurrentIndex(1)
    box.resize(300, 40)
    box.show()
    box.showPopup()
    view = box.view()
    qtbot.waitUntil(lambda: view.isVisible())
    from PySide6.QtCore import QItemSelectionModel

    # The item under the finger or the arrow keys: selected (the bug drew it as an empty white box).
    view.selectionModel().setCurrentIndex(view.model().index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    image = view.viewport().grab().toImage()
    dpr = image.devicePixelRatio()
    rect = view.visualRect(view.model().index(1, 0))
    rect.setRect(int(rect.x() * dpr), int(rect.y() * dpr), int(rect.width() * dpr), int(rect.height() * dpr))
    found = _colours(image, rect)
    background = max(found, key=found.get)
    assert background == theme.PRIMARY  # not an empty white box
    text = [c for c in found if colors.contrast(c, background) >= 4.5]
    assert sum(found[c] for c in text) > 20  # the item's text is there, readable on it
    box.hidePopup()


@pytest.mark.parametrize("kind", [QSpinBox, QComboBox])
def test_spin_box_and_drop_down_arrows_are_drawn(qtbot, qapp, kind):
    from baliedesk.ui.common.app import make_app

    make_app()
    host = QWidget()
    qtbot.addWidget(host)
    lay = QVBoxLayout(host)
    w = kind()
    if kind is QComboBox:
        w.addItems(["een", "twee"])
    lay.addWidget(w)
    host.resize(240, 60)
    host.show()
    qtbot.waitExposed(host)
    image = w.grab().toImage()
    dpr = image.devicePixelRatio()
    width, height = int(w.width() * dpr), int(w.height() * dpr)
    from PySide6.QtCore import QRect

    halves = [QRect(width - int(24 * dpr), int(4 * dpr), int(20 * dpr), height // 2 - int(4 * dpr)),
              QRect(width - int(24 * dpr), height // 2, int(20 * dpr), height // 2 - int(4 * dpr))]
    if kind is QComboBox:
        halves = [QRect(width - int(24 * dpr), int(4 * dpr), int(20 * dpr), height - int(8 * dpr))]
    for rect in halves:
        found = _colours(image, rect)
        dark = sum(n for c, n in found.items() if colors.contrast(c, theme.BACKGROUND) >= 3.0)
        assert dark >= 12, (rect, found)  # an arrow, not a stray line


def test_arrow_images_exist():
    css = theme.base_stylesheet()
    for name in ("arrow-up.svg", "arrow-down.svg"):
        assert name in css
        assert (Path(theme.ICONS) / name).is_file()
