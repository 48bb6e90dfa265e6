"""The kiosk's own widgets: labels and touch buttons that scale with the screen, the service buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from baliedesk import hourstext
from baliedesk.services.dto import ServiceQueue
from baliedesk.services.schedule_dto import ServiceHours
from baliedesk.ui.common import theme
from baliedesk.ui.kiosk.texts import closed_text, wait_text, waiting_text


def label(text: str = "", *, size: float = theme.SIZE_BODY, bold: bool = False, role: str | None = None,
           align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, wrap: bool = True) -> QLabel:
    lbl = QLabel(text)
    lbl.setFont(theme.font(size, bold=bold))
    lbl.setProperty("kioskSize", float(size))  # the size at the design resolution; see KioskWindow.rescale
    lbl.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    lbl.setWordWrap(wrap)
    if role:
        lbl.setProperty("role", role)
    return lbl


def touch_button(text: str, name: str, *, size: float, on_click: Callable[[], object],
            primary: bool = False) -> QPushButton:
    """A touch button of the kiosk, hidden until the screen needs it."""
    button = QPushButton(text)
    button.setObjectName(name)
    if primary:
        button.setProperty("role", "primary")
    button.setFont(theme.font(size, bold=True))
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.clicked.connect(lambda: on_click())
    button.hide()
    return button


class ServiceButton(QPushButton):
    """One big touch target: letter, name, and how busy it is."""

    def __init__(self, sq: ServiceQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service_id = sq.service.id
        self.setObjectName(f"service_{sq.service.id}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(theme.TOUCH_MIN * 2)

        row = QHBoxLayout(self)
        row.setContentsMargins(24, 12, 24, 12)
        row.setSpacing(24)
        self.letter = label(sq.service.prefix, size=44, bold=True, align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.letter.setObjectName("letter")
        self.letter.setFixedSize(96, 96)
        row.addWidget(self.letter, 0, Qt.AlignmentFlag.AlignVCenter)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        self.name = label(sq.service.name, size=26, bold=True)
        self.status = label("", size=18)
        texts.addStretch(1)
        texts.addWidget(self.name)
        texts.addWidget(self.status)
        texts.addStretch(1)
        row.addLayout(texts, 1)
        for child in (self.letter, self.name, self.status):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.closed: bool | None = None
        self.update_from(sq)

    def update_from(self, sq: ServiceQueue, hours: ServiceHours | None = None, today: dt.date | None = None,
                    floor: str = hourstext.OPEN) -> None:
        """``hours``: this service's hours today (None: no schedule, always open);
        ``floor``: the whole kiosk's state (hourstext.OPEN, CLOSING or CLOSED)."""
        closed = hours is not None and not hours.kiosk_open
        self.name.setText(sq.service.name)
        if closed:
            self.status.setText(closed_text(hours, today, floor))
        else:
            self.status.setText(f"{waiting_text(sq.waiting)}  ·  {wait_text(sq)}")
        self.setAccessibleName(f"{sq.service.prefix} {sq.service.name}. {self.status.text()}")
        if closed != self.closed:
            self.closed = closed
            self.setEnabled(not closed)
            selector = f"QPushButton#{self.objectName()}"
            c = theme.service_colors(sq.service.color)
            css = theme.service_button_css(sq.service.color, selector)
            edge = c.text
            if closed:  # greyed out, text still readable (the labels do not follow :disabled)
                css += f"{selector} QLabel {{ color: {theme.DISABLED_TEXT}; }}"
                edge = theme.DISABLED_TEXT
            self.setStyleSheet(css + f"QLabel#letter {{ border: 3px solid {edge}; border-radius: {theme.RADIUS}px; }}")


class TouchCatcher(QObject):
    """Reports any press on a widget and its children (the confirmation screen)."""

    def __init__(self, on_touch: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._on_touch = on_touch

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self._on_touch()
            return True
        return False
