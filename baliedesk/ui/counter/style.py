"""The counter window's stylesheet (and the drop-down arrow it needs as a file)."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap, QPolygonF

from baliedesk.ui.common import theme

log = logging.getLogger(__name__)

_ARROW: str | None = None


def _arrow_file() -> str:
    """A drop-down arrow for combo boxes: a stylesheet that styles a combo box
    loses the platform's arrow, and stylesheets take images only from files."""
    global _ARROW
    if _ARROW is None:
        pix = QPixmap(32, 20)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.TEXT))
        painter.drawPolygon(QPolygonF([QPointF(2, 2), QPointF(30, 2), QPointF(16, 18)]))
        painter.end()
        # One shared file (same name, same content for every start), written atomically.
        path = Path(tempfile.gettempdir()) / f"baliedesk-combo-arrow-{theme.TEXT.lstrip('#').lower()}.png"
        try:
            if not path.exists():
                scratch = path.with_name(f"{path.stem}-{os.getpid()}.tmp")
                if pix.save(str(scratch), "PNG"):
                    os.replace(scratch, path)
        except OSError:
            log.warning("could not write the combo box arrow to %s", path, exc_info=True)
        _ARROW = path.as_posix()
    return _ARROW


def counter_stylesheet() -> str:
    arrow = _arrow_file()
    return f"""
#counterRoot {{ background: {theme.BACKGROUND}; }}
#visitorNumber {{ color: {theme.TEXT}; }}
QPushButton#nextButton {{ border-radius: {theme.RADIUS * 2}px; padding: 8px 16px; }}
QPushButton#nextButton:focus, QPushButton#finishButton:focus {{ border: 4px solid {theme.FOCUS}; }}
QCheckBox {{ spacing: 10px; }}
#counterHeader QPushButton {{ color: {theme.ON_PRIMARY}; background: {theme.PRIMARY_DARK};
border: 1px solid {theme.ON_PRIMARY}; padding: 6px 18px; }}
#counterHeader QPushButton:focus {{ border: 3px solid {theme.FOCUS}; }}
QComboBox {{ min-height: 32px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 36px;
border: none; border-left: 1px solid {theme.PANEL_BORDER}; }}
QComboBox::down-arrow {{ image: url("{arrow}"); width: 16px; height: 10px; }}
"""
