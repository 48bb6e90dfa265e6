"""What the meldingen window's panels share: the panel base, small field makers, photo strips, texts.

:class:`_Panel` is the base of every panel in the window (and of the contact
panel): it holds the panel's ``client`` (its only door to the services) and
runs the panel's reads and writes through
:func:`baliedesk.ui.common.tasks.run_task`, ignoring answers that arrive
after the panel closed and wording refusals in Dutch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QWidget,
)

from baliedesk.client import Client
from baliedesk.i18n import _
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import MELDING_STATE_NAMES, message_for
from baliedesk.ui.common.notices import show_notice
from baliedesk.ui.common.tasks import run_task

CHANNEL_NAMES = {
    "balie": "Balie",
    "telefoon": "Telefoon",
    "email": "E-mail",
    "post": "Post",
    "social_media": "Social media",
    "app": "App",
    "website": "Website",
}
URGENCY_NAMES = {"normaal": "Normaal", "hoog": "Hoog (gevaar)"}
#: The melding confirmation and the callback receipt: a receipt printer's 80 mm, or A4 at a workstation
#: with an office printer (``printer_paper``).
SLIP_PAPERS = ("80mm", "A4")
THUMB_PX = 96
INTAKE_THUMB_PX = 64


def _thumbnail(data: bytes, size: int = THUMB_PX) -> QPixmap:
    """A photo scaled down to ``size`` (a grey square when Qt cannot read it)."""
    pixmap = QPixmap()
    if not pixmap.loadFromData(data):
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(theme.PANEL_BORDER))
        return pixmap
    return pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def _photo_item(name: str, data: bytes) -> QListWidgetItem:
    short = name if len(name) <= 14 else name[:12] + "…"
    item = QListWidgetItem(QIcon(_thumbnail(data)), f"{short}\n{max(1, len(data) // 1024)} kB")
    item.setToolTip(name)
    return item


def _photo_strip(name: str, thumb_px: int, grid: QSize, height: int, tooltip: str) -> QListWidget:
    """A one-row strip of photo thumbnails (the intake form's, a melding's details)."""
    strip = QListWidget()
    strip.setObjectName(name)
    strip.setViewMode(QListView.ViewMode.IconMode)
    strip.setIconSize(QSize(thumb_px, thumb_px))
    strip.setGridSize(grid)
    strip.setFlow(QListView.Flow.LeftToRight)
    strip.setWrapping(False)
    strip.setMovement(QListView.Movement.Static)
    strip.setFixedHeight(height)
    strip.setToolTip(tooltip)
    return strip


def _error_label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setProperty("role", "error")
    label.setStyleSheet(f"color: {theme.ERROR}; font-weight: bold;")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


def _comma(value: float) -> str:
    """53.3312 as a Dutch clerk writes it: 53,3312."""
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def days_text(days_left: int, overdue: bool) -> str:
    if overdue:
        late = -days_left
        return _("{n} werkdag te laat").format(n=late) if late == 1 else _("{n} werkdagen te laat").format(n=late)
    if days_left == 0:
        return _("vandaag")
    return _("nog {n} werkdag").format(n=days_left) if days_left == 1 else _("nog {n} werkdagen").format(n=days_left)


MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def urgency_words(urgency: str) -> str:
    """``"hoog"`` -> "hoog (gevaar)": the urgency as the detail says it."""
    return _(URGENCY_NAMES.get(urgency, urgency)).lower()


def short_date(day: dt.date) -> str:
    """``"3 dec 2026"``: short enough for a column."""
    return f"{day.day} {_(MONTHS_SHORT[day.month - 1])} {day.year}"


def state_text(state: str) -> str:
    return _(MELDING_STATE_NAMES.get(state, state))


class _Panel(QWidget):
    """Shared plumbing: tasks whose answers are ignored after closing, errors in Dutch.

    ``client`` is the panel's only door to the services: it acts as the
    signed-in person with the workstation's clock (``client.user_id``,
    ``client.now()`` for showing times); a panel never holds a backend, a user
    id to act as, or a clock of its own.
    """

    error_shown = Signal(str)

    def __init__(self, client: Client, location_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client, self.location_id = client, location_id
        self._closed = False
        self._request_ids: dict[str, str] = {}
        self._saving: set[str] = set()

    def request_id(self, form: str = "save") -> str:
        """The request id of ``form`` (made once, then the same for every retry of that save;
        renewed after a successful save). The service returns the first result for a repeated
        id, so neither a double click nor a retry after a timeout makes two records."""
        if form not in self._request_ids:
            self._request_ids[form] = uuid.uuid4().hex
        return self._request_ids[form]

    def renew_request_id(self, form: str = "save") -> None:
        """After a successful save: the next save of ``form`` is a new record."""
        self._request_ids[form] = uuid.uuid4().hex

    def _save(self, form: str, button: QPushButton, work: Callable[[str], Any],
              on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]) -> None:
        """Run ``work(request_id)``; ``button`` is busy (disabled) until it answers, and a second
        press meanwhile does nothing."""
        if form in self._saving:
            return
        self._saving.add(form)
        button.setEnabled(False)
        request_id = self.request_id(form)

        def settle() -> None:
            self._saving.discard(form)
            button.setEnabled(True)

        def done(result: Any) -> None:
            settle()
            self.renew_request_id(form)
            on_done(result)

        def failed(err: BaseException) -> None:
            settle()  # the same request id for the retry: a save that did land is not made twice
            on_error(err)

        self._run(lambda: work(request_id), done, failed)

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None]) -> None:
        run_task(work, lambda r: None if self._closed else on_done(r),
                 lambda e: None if self._closed else on_error(e))

    def _latest(self, key: str, on_done: Callable[[Any], None]) -> Callable[[Any], None]:
        """``on_done`` only for the newest request of ``key``: a slow older read never overwrites a newer one."""
        generations = self.__dict__.setdefault("_generations", {})
        generations[key] = generations.get(key, 0) + 1
        mine = generations[key]
        return lambda result: on_done(result) if generations[key] == mine else None

    def _fail(self, where: QLabel, err: BaseException) -> None:
        text = message_for(err)
        show_notice(where, text, error=True)
        self.error_shown.emit(text)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._closed = True
        super().closeEvent(event)


def _line(name: str, max_length: int | None = None, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(name)
    if max_length:
        edit.setMaxLength(max_length + 50)  # the service says "te lang"; the field never cuts text off silently
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _combo(name: str, items: dict[str, str]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for value, label in items.items():
        box.addItem(_(label), value)
    return box
