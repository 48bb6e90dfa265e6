"""The visitor's rating screen (KTO): a rapportcijfer 1-10 and optionally one line "Wat kan beter?".

A small touch screen at the counter or a kiosk by the exit, in the kiosk's style: big buttons,
short B1 sentences. Anonymous: the screen sends only the cijfer, the line and the service (when
the counter knows it). Untouched for a while, it goes back to its start by itself.

Standing on its own (``python -m baliedesk rating``, :func:`open_rating`) it does not know the visit's
service: it starts with the location's services (one tap), then the cijfer. It acts as a device
account (role kiosk: RATE_VISIT) and never sends who the visitor is or who served them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from baliedesk.domain.norms import COMMENT_MAX_LENGTH
from baliedesk.domain.permissions import Role
from baliedesk.i18n import _
from baliedesk.reports.texts import error_text
from baliedesk.ui.common.tasks import run_task

#: Untouched this long (ms): back to the start, nothing sent.
IDLE_RESET_MS = 30_000
#: The thank-you stays this long (ms).
THANKS_MS = 4_000


class RatingScreen(QWidget):
    """``RatingScreen(client, location_id, service_id=None, services=())``; ``set_service`` when the next
    visit ends. ``services`` ((id, name) pairs): with no service known, the screen starts with these
    to pick from (one tap) and goes back to them after each rating."""

    sent = Signal(int)  # the rating, once stored
    error_shown = Signal(str)

    def __init__(self, client: Any, location_id: int, service_id: int | None = None,
                 parent: QWidget | None = None, *, services: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(parent)
        self.client = client
        self.location_id = location_id
        self.service_id = service_id
        self.known_service = service_id  # the service the screen was told; None: the visitor picks
        self.services = tuple(services)
        self.chosen: int | None = None
        self.setWindowTitle(_("Hoe was uw bezoek?"))
        self.setStyleSheet("QPushButton { font-size: 24pt; min-height: 72px; min-width: 72px; }"
                           "QLabel { font-size: 20pt; } QLineEdit { font-size: 18pt; min-height: 56px; }")
        self.pages = QStackedWidget()
        self.pages.addWidget(self._start_page())
        self.pages.addWidget(self._comment_page())
        self.pages.addWidget(self._thanks_page())
        self.pages.addWidget(self._service_page())  # index 3
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
        self.reset()

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

    def _service_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        title = QLabel(_("Waarvoor was u hier vandaag?"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setWordWrap(True)
        lay.addWidget(title)
        hint = QLabel(_("Tik op uw onderwerp. Daarna geeft u een cijfer."))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.service_buttons: list[QPushButton] = []
        for sid, name in self.services:
            b = QPushButton(name)
            b.clicked.connect(lambda _c=False, sid=sid: self.pick_service(sid))
            lay.addWidget(b)
            self.service_buttons.append(b)
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
        self.known_service = self.service_id = service_id

    def pick_service(self, service_id: int) -> None:
        """The visitor tapped the service of the visit: now the cijfer."""
        self.service_id = service_id
        self.pages.setCurrentIndex(0)
        self.idle.start()

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
        self.service_id = self.known_service
        picking = self.known_service is None and bool(self.services)
        self.pages.setCurrentIndex(3 if picking else 0)


# ---------------------------------------------------------------------------
# standing on its own: ``python -m baliedesk rating``
# ---------------------------------------------------------------------------
class RatingNotConfigured(Exception):
    """No location, or no kiosk (device) account, in the database."""


@dataclass(frozen=True)
class RatingDevice:
    client: Any  # bound to the device account (role kiosk)
    location_id: int
    services: tuple[tuple[int, str], ...]


def resolve_rating_device(door: Any, location_id: int | None = None) -> RatingDevice:
    """Which location the screen stands in, its device account and the services to pick from (worker
    thread). A door with a device token (``device redeem``) acts as that device; a door on this PC's
    database uses the first kiosk account, as the kiosk does."""
    locations = door.setup.list_locations()
    location = (next((loc for loc in locations if loc.id == location_id), None) if location_id
                else (locations[0] if locations else None))
    if location is None:
        raise RatingNotConfigured(f"location {location_id or ''} not found".strip())
    client = door
    if door.user_id is None:
        kiosks = door.setup.sign_in_choices([Role.KIOSK])
        if not kiosks:
            raise RatingNotConfigured("no kiosk account")
        client = door.as_user(kiosks[0].id)
    services = tuple((s.id, s.name) for s in client.setup.list_services(location.id) if s.active)
    return RatingDevice(client, location.id, services)


def not_configured_text(err: BaseException) -> str:
    if isinstance(err, RatingNotConfigured):
        return _("Dit scherm werkt nu niet. Meld u bij de balie.")
    return error_text(err)


def open_rating(door: Any, location_id: int | None, on_ready: Callable[[RatingScreen], None],
                on_error: Callable[[str], None]) -> None:
    """Resolve the device on a worker thread, then make the screen (GUI thread) and hand it over."""
    run_task(lambda: resolve_rating_device(door, location_id),
             lambda dev: on_ready(RatingScreen(dev.client, dev.location_id, services=dev.services)),
             lambda err: on_error(not_configured_text(err)))
