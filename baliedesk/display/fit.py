"""A one-line label for the hall screen whose text always fits.

Its font size is a fraction of the window height (so the whole screen scales
from 1280x720 to 3840x2160), made smaller only when the text would not fit the
space the layout gives the label; only then, at the smallest size, is the text
shortened with an ellipsis. Labels ignore their text for layout purposes, so a
long counter name never pushes the screen's columns about.

Colours and font go into the label's own style sheet: a style sheet on the
application (the desktop windows' theme, when the demo runs them in one
process) cannot override them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from baliedesk.display.palette import FONT_FAMILIES


class FitGroup:
    """Labels that share one font size: rows of a list, or the service tiles, look even
    instead of each text having its own size. The shared size is the smallest that fits
    them all, except that one very long text (under 3/4 of the typical size) does not
    drag the others down: it alone gets smaller."""

    OUTLIER = 0.75

    def __init__(self) -> None:
        self.members: list[FitLabel] = []

    def add(self, *labels: FitLabel) -> None:
        for label in labels:
            label._group = self
            self.members.append(label)

    def fit(self) -> None:
        best = {id(m): m.best_px() for m in self.members}
        sizes = sorted(best[id(m)] for m in self.members if m.full_text())
        shared = None
        if sizes:
            floor = self.OUTLIER * sizes[len(sizes) // 2]
            shared = min(s for s in sizes if s >= floor)
        for m in self.members:
            own = best[id(m)]
            m.apply_px(own if shared is None else min(shared, own))


#: Room left over for hinting and rounding differences between measuring and drawing.
SAFETY = 0.97


def make_font(px: int, bold: bool) -> QFont:
    f = QFont()
    f.setFamilies(list(FONT_FAMILIES))
    f.setPixelSize(max(1, px))
    f.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
    return f


class FitLabel(QLabel):
    def __init__(self, parent: QWidget | None = None, *, size: float, bold: bool = False,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                 min_px: int = 9, fg: str = "#FFFFFF", bg: str = "#000000", lines: int = 1) -> None:
        super().__init__(parent)
        self._size = size  # font pixel size as a fraction of the window height
        self._lines = lines  # 2: a long text may break at a space, when that lets it be larger
        self._bold = bold
        self._min_px = min_px
        self._full = ""
        self._px = 0
        self._fg, self._bg = fg, bg
        self._group: FitGroup | None = None
        self.setTextFormat(Qt.TextFormat.PlainText)  # data from the database is never markup
        self.setWordWrap(False)
        self.setAlignment(align)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)
        self._style()

    # -- what the screen sets ------------------------------------------------
    def set_full_text(self, text: str) -> None:
        if text != self._full:
            self._full = text
            self.fit()

    def full_text(self) -> str:
        return self._full

    def set_colors(self, fg: str, bg: str) -> None:
        if (fg, bg) != (self._fg, self._bg):
            self._fg, self._bg = fg, bg
            self._style()

    def colors(self) -> tuple[str, str]:
        """(text colour, background colour) as drawn: for the contrast test."""
        return self._fg, self._bg

    def target_px(self) -> int:
        return max(self._min_px, round(self._size * self.window().height()))

    # -- fitting -------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        if self._group is not None:
            self._group.fit()
        else:
            self.apply_px(self.best_px())

    def _metrics(self, px: int) -> QFontMetrics:
        return QFontMetrics(make_font(px, self._bold))

    def _avail(self) -> tuple[int, int]:
        rect = self.contentsRect()
        return int(rect.width() * SAFETY), rect.height()

    def _layouts(self) -> list[str]:
        """The text on one line, and (``lines=2``) broken at the space nearest its middle."""
        text = self._full
        out = [text]
        if self._lines > 1 and " " in text.strip():
            spaces = [i for i, ch in enumerate(text) if ch == " "]
            cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
            out.append(text[:cut] + "\n" + text[cut + 1:])
        return out

    @staticmethod
    def _extent(fm: QFontMetrics, text: str) -> tuple[int, int]:
        lines = text.split("\n")
        return (max(fm.horizontalAdvance(line) for line in lines),
                fm.height() + (len(lines) - 1) * fm.lineSpacing())

    def _best_for(self, text: str) -> int:
        avail_w, avail_h = self._avail()
        px = self.target_px()
        fm = self._metrics(px)
        _w, height = self._extent(fm, text)
        if height > avail_h > 0:
            px = max(self._min_px, int(px * avail_h / height))
            fm = self._metrics(px)
            while px > self._min_px and self._extent(fm, text)[1] > avail_h:
                px -= 1
                fm = self._metrics(px)
        width, _h = self._extent(fm, text)
        if text and width > avail_w > 0:
            px = max(self._min_px, int(px * avail_w / width))
            fm = self._metrics(px)
            while px > self._min_px and self._extent(fm, text)[0] > avail_w:
                px -= 1
                fm = self._metrics(px)
        return px

    def best_px(self) -> int:
        """The largest size up to the target at which the text fits the label."""
        return max(self._best_for(text) for text in self._layouts())

    def apply_px(self, px: int) -> None:
        avail_w, avail_h = self._avail()
        fm = self._metrics(px)
        layouts = self._layouts()
        shown = next((t for t in layouts if all(a <= b for a, b in zip(self._extent(fm, t), (avail_w, avail_h),
                                                                        strict=True))), None)
        if shown is None:  # too long even at the smallest size: shorten the one line
            shown = fm.elidedText(layouts[0], Qt.TextElideMode.ElideRight, max(0, avail_w)) if layouts[0] else ""
        if px != self._px:
            self._px = px
            self._style()
        if shown != self.text():
            self.setText(shown)

    def _style(self) -> None:
        families = ", ".join(f'"{f}"' for f in FONT_FAMILIES)
        weight = 700 if self._bold else 400
        px = self._px or self._min_px
        self.setStyleSheet(
            f"QLabel {{ color: {self._fg}; background-color: {self._bg}; font-family: {families}; "
            f"font-size: {px}px; font-weight: {weight}; padding: 0px; margin: 0px; border: none; }}"
        )
