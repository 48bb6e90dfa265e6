"""The visitor's rating screen (KTO): a rapportcijfer 1-10 and optionally one line "Wat kan beter?".

A small touch screen at the counter or a kiosk by the exit, in the kiosk's style: big buttons,
short B1 sentences. Anonymous: the screen sends only the cijfer, the line and the service (when
the counter knows it). Untouched for a while, it goes back to its start by itself.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from baliedesk.domain.norms import COMMENT_MAX_LENGTH
from baliedesk.i18n import _
from baliedesk.reports.texts import error_text
from baliedesk.ui.common.tasks import run_task

#: Untouched this long (ms): back to the start, nothing sent.
IDLE_RESET_MS = 30_000
#: The thank-you stays this long (ms).
THANKS_MS = 4_000


class RatingScreen(QWidget):
    """``RatingScreen(client, location_id, service_id=None)``; ``set_service`` when the next visit ends."""

    sent = Signal(int)  # the rating, once stored
    error_shown = Signal(str)

    def __init__(self, client: Any, location_id: int, service_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.location_id = location_id
        self.service_id = service_id
        self.chosen: int | None = None
        self.setWindowTitle(_("Hoe was uw bezoek?"))
        self.setStyleSheet("QPushButton { font-size: 24pt; min-height: 72px; min-width: 72px; }"
                           "QLabel { font-size: 20pt; } QLineEdit { font-size: 18pt; min-height: 56px; }")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._start_page())
        self.pages.addWidget(self._comment_page())
        self.pages.addWidget(self._thanks_page())
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_RESET_MS)
        self.idle.timeout.connect(self.reset)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setSingleShot(True)
        self.thanks_timer.setInterval(THANKS_MS)
        self.thanks_timer.timeout.connect(self.reset)

    def _start_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        title = QLabel(_("Welk cijfer geeft u ons bezoek vandaag?"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        lay.addWidget(title)
        hint = QLabel(_("1 is heel slecht. 10 is heel goed."))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(hint)
        grid = QGridLayout()
        self.buttons: list[QPushButton] = []
        for n in range(1, 11):
            b = QPushButton(str(n))
            b.setAccessibleName(_("Cijfer {n}").format(n=n))
            b.clicked.connect(lambda _c=False, n=n: self.choose(n))
            grid.addWidget(b, (n - 1) // 5, (n - 1) % 5)
            self.buttons.append(b)
        lay.addLayout(grid)
        return page

    def _comment_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.comment_title = QLabel("")
        self.comment_title.setWordWrap(True)
        lay.addWidget(self.comment_title)
        self.comment = QLineEdit()
        self.comment.setMaxLength(COMMENT_MAX_LENGTH)
        self.comment.setPlaceholderText(_("Wat kan beter? (mag leeg blijven, zonder uw naam)"))
        self.comment.textEdited.connect(lambda _t: self.idle.start())
        lay.addWidget(self.comment)
        self.send_button = QPushButton(_("Versturen"))
        self.send_button.setProperty("role", "primary")
        self.send_button.clicked.connect(self.send)
        lay.addWidget(self.send_button)
        back = QPushButton(_("Terug"))
        back.clicked.connect(self.reset)
        lay.addWidget(back)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        return page

    def _thanks_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        label = QLabel(_("Dank u wel! Met uw cijfer maken wij onze dienst beter."))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        lay.addWidget(label)
        return page

    # -- flow ----------------------------------------------------------------
    def set_service(self, service_id: int | None) -> None:
        self.service_id = service_id

    def choose(self, rating: int) -> None:
        self.chosen = rating
        self.comment.clear()
        self.message.clear()
        self.comment_title.setText(_("U geeft een {n}. Wilt u nog iets zeggen?").format(n=rating))
        self.pages.setCurrentIndex(1)
        self.idle.start()

    def send(self) -> None:
        if self.chosen is None:
            return
        rating, text = self.chosen, self.comment.text()
        self.send_button.setEnabled(False)
        self.idle.stop()

        def done(_info: Any) -> None:
            self.send_button.setEnabled(True)
            self.pages.setCurrentIndex(2)
            self.thanks_timer.start()
            self.sent.emit(rating)

        def failed(err: BaseException) -> None:
            self.send_button.setEnabled(True)
            text_ = error_text(err)
            self.message.setText(text_)
            self.error_shown.emit(text_)
            self.idle.start()

        run_task(lambda: self.client.reports.record_rating(self.location_id, self.service_id, rating, text or None),
                 done, failed)

    def reset(self) -> None:
        """Back to the start; nothing chosen, nothing typed kept."""
        self.idle.stop()
        self.thanks_timer.stop()
        self.chosen = None
        self.comment.clear()
        self.message.clear()
        self.pages.setCurrentIndex(0)
