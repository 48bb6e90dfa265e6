"""Meldingen window: intake, work list, callback notes, complaints.

* :class:`IntakeForm` — a new melding at the counter or the KCC. While the
  clerk types the street or postcode, possible duplicates appear (looked up
  off the GUI thread, 400 ms after the last key); one click links the new
  melding to an existing one instead. A refusal shows one Dutch sentence next
  to the field it is about, and everything typed stays.
* :class:`WorkListPanel` — filter by status, category, team, channel, overdue
  and text; overdue meldingen stand out; days left in working days; change
  the status with a note; the history of the selected melding.
* :class:`CallbackPanel` — write a callback note (due in 2 working days), the
  open notes by due date, mark one as called back with the outcome.
* :class:`ComplaintsPanel` — register a complaint, confirm receipt, extend
  once with a reason, close with the outcome.

All database work runs through :func:`baliedesk.ui.common.tasks.run_task`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk import hourstext
from baliedesk.domain import meldingen as rules
from baliedesk.domain.errors import StorageUnavailable, ValidationError
from baliedesk.i18n import _
from baliedesk.services import contacts, meldingen
from baliedesk.services.melding_dto import (
    CallbackInfo,
    CategoryInfo,
    ComplaintInfo,
    DuplicateCandidate,
    IntakeResult,
    MeldingDetail,
    WorkList,
)
from baliedesk.printing.config import branding_from
from baliedesk.printing.slips import callback_slip, melding_slip
from baliedesk.ui.common import theme
from baliedesk.ui.common.feedwatcher import FeedWatcher
from baliedesk.ui.common.messages import MELDING_STATE_NAMES, message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.printbar import PrintBar
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
DUPLICATE_DELAY_MS = 400
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


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


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


def short_date(day: dt.date) -> str:
    """``"3 dec 2026"``: short enough for a column."""
    return f"{day.day} {_(MONTHS_SHORT[day.month - 1])} {day.year}"


def state_text(state: str) -> str:
    return _(MELDING_STATE_NAMES.get(state, state))


class _Panel(QWidget):
    """Shared plumbing: tasks whose answers are ignored after closing, errors in Dutch."""

    error_shown = Signal(str)

    def __init__(self, backend: Any, user_id: int, location_id: int, clock: Callable[[], dt.datetime],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend, self.user_id, self.location_id, self.clock = backend, user_id, location_id, clock
        self._closed = False

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


# ---------------------------------------------------------------------------
# intake
# ---------------------------------------------------------------------------
class IntakeForm(_Panel):
    """A new melding. Keeps everything typed until saving worked."""

    saved = Signal(object)  # IntakeResult
    duplicates_shown = Signal(object)  # tuple[DuplicateCandidate, ...]
    categories_loaded = Signal()

    #: which error label shows a refusal about which field
    FIELD_SLOTS = {
        "category": "category", "description": "description", "street": "address", "house_number": "address",
        "house_addition": "address", "postcode": "address", "place": "address", "location": "address",
        "location_text": "location_text", "coordinates": "coordinates", "reporter_name": "reporter",
        "phone": "reporter", "email": "reporter", "contact": "reporter", "channel": "channel",
        "urgency": "channel", "photo": "photos",
    }

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None,
                 settings: Any = None) -> None:
        super().__init__(backend, user_id, location_id, clock, parent)
        self.settings = settings if settings is not None else {}
        self.photos: list[tuple[str, bytes]] = []
        self.duplicates: tuple[DuplicateCandidate, ...] = ()
        self.link_to: DuplicateCandidate | None = None
        self._busy = False
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATE_DELAY_MS)
        self._dup_timer.timeout.connect(self.look_for_duplicates)
        self._dup_generation = 0
        self.setAcceptDrops(True)
        self._build()
        self.reload_categories()

    # -- building ----------------------------------------------------------
    def _build(self) -> None:
        self.errors: dict[str, QLabel] = {slot: _error_label() for slot in set(self.FIELD_SLOTS.values())}
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(6)
        row = 0

        def add(label: str, widget: QWidget, slot: str | None = None, span: int = 3) -> None:
            nonlocal row
            caption = QLabel(label)
            caption.setBuddy(widget)
            form.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            form.addWidget(widget, row, 1, 1, span)
            row += 1
            if slot:
                form.addWidget(self.errors[slot], row, 1, 1, 3)
                row += 1

        self.category = QComboBox()
        self.category.setObjectName("category")
        self.category.setEditable(False)
        # A long category name must not widen the form: the list itself opens as wide as needed.
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(24)
        self.category.view().setMinimumWidth(560)
        self.category.currentIndexChanged.connect(self._schedule_duplicates)
        add(_("Categorie"), self.category, "category")
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(80)
        self.description.setMaximumHeight(120)
        self.description.setPlaceholderText(_("Wat is er aan de hand?"))
        add(_("Omschrijving"), self.description, "description")

        self.street = _line("street", rules.STREET_MAX_LENGTH)
        self.house_number = _line("house_number", 5)
        self.house_number.setMaximumWidth(90)
        self.house_addition = _line("house_addition", rules.ADDITION_MAX_LENGTH)
        self.house_addition.setMaximumWidth(80)
        address = QHBoxLayout()
        address.addWidget(self.street, 3)
        address.addWidget(QLabel(_("Nr.")))
        address.addWidget(self.house_number)
        address.addWidget(QLabel(_("Toev.")))
        address.addWidget(self.house_addition)
        holder = QWidget()
        holder.setLayout(address)
        address.setContentsMargins(0, 0, 0, 0)
        add(_("Straat"), holder)
        self.postcode = _line("postcode", 7, "1234 AB")
        self.postcode.setMaximumWidth(110)
        self.place = _line("place", rules.PLACE_MAX_LENGTH)
        town = QHBoxLayout()
        town.setContentsMargins(0, 0, 0, 0)
        town.addWidget(self.postcode)
        town.addWidget(QLabel(_("Plaats")))
        town.addWidget(self.place, 1)
        holder = QWidget()
        holder.setLayout(town)
        add(_("Postcode"), holder, "address")
        self.location_text = _line("location_text", rules.LOCATION_TEXT_MAX_LENGTH,
                                   _("of beschrijf de plek, bijvoorbeeld: bij het bankje in het park"))
        add(_("Plek"), self.location_text, "location_text")
        self.latitude = _line("latitude", rules.COORDINATE_TEXT_MAX_LENGTH, _("breedte, bijv. 53,3312"))
        self.longitude = _line("longitude", rules.COORDINATE_TEXT_MAX_LENGTH, _("lengte, bijv. 6,7481"))
        for edit in (self.latitude, self.longitude):
            edit.setMaximumWidth(170)
        coords = QHBoxLayout()
        coords.setContentsMargins(0, 0, 0, 0)
        coords.addWidget(self.latitude)
        coords.addWidget(self.longitude)
        hint = QLabel(_("mag leeg blijven"))
        hint.setProperty("role", "muted")
        coords.addWidget(hint, 1)
        holder = QWidget()
        holder.setLayout(coords)
        add(_("Coördinaten"), holder, "coordinates")
        for edit in (self.street, self.postcode):
            edit.textChanged.connect(self._schedule_duplicates)

        self.channel = _combo("channel", CHANNEL_NAMES)
        self.urgency = _combo("urgency", URGENCY_NAMES)
        how = QHBoxLayout()
        how.setContentsMargins(0, 0, 0, 0)
        how.addWidget(self.channel, 1)
        how.addWidget(QLabel(_("Urgentie")))
        how.addWidget(self.urgency, 1)
        holder = QWidget()
        holder.setLayout(how)
        add(_("Kanaal"), holder, "channel")

        self.reporter_name = _line("reporter_name", rules.NAME_MAX_LENGTH, _("mag leeg blijven (anoniem)"))
        add(_("Naam melder"), self.reporter_name)
        self.reporter_phone = _line("reporter_phone", 20)
        self.reporter_email = _line("reporter_email", 254)
        reach = QHBoxLayout()
        reach.setContentsMargins(0, 0, 0, 0)
        reach.addWidget(self.reporter_phone, 1)
        reach.addWidget(QLabel(_("E-mail")))
        reach.addWidget(self.reporter_email, 2)
        holder = QWidget()
        holder.setLayout(reach)
        add(_("Telefoon"), holder)
        self.feedback = QCheckBox(_("Melder wil horen hoe het afloopt"))
        self.feedback.setObjectName("wants_feedback")
        add("", self.feedback, "reporter")

        self.photo_list = _photo_strip("photos", INTAKE_THUMB_PX, QSize(INTAKE_THUMB_PX + 40, INTAKE_THUMB_PX + 36),
                                       INTAKE_THUMB_PX + 44, _("Sleep foto's hierheen, of kies 'Foto toevoegen'."))
        self.add_photo_button = QPushButton(_("Foto toevoegen"))
        self.add_photo_button.clicked.connect(self.choose_photos)
        self.remove_photo_button = QPushButton(_("Foto weghalen"))
        self.remove_photo_button.setObjectName("removePhoto")
        self.remove_photo_button.setEnabled(False)
        self.remove_photo_button.clicked.connect(self.remove_photo)
        self.photo_list.itemSelectionChanged.connect(
            lambda: self.remove_photo_button.setEnabled(bool(self.photo_list.selectedItems())))
        pics = QHBoxLayout()
        pics.setContentsMargins(0, 0, 0, 0)
        pics.addWidget(self.photo_list, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_photo_button)
        buttons.addWidget(self.remove_photo_button)
        pics.addLayout(buttons)
        holder = QWidget()
        holder.setLayout(pics)
        add(_("Foto's"), holder, "photos")
        form.setColumnStretch(1, 1)
        left.addLayout(form)
        left.addStretch(1)
        # The fields in a scroll area: with messages under several fields the form may be taller than the
        # window, and then nothing is squeezed (the photo thumbnails above all). The message and the
        # buttons stay in sight below it.
        body = QWidget()
        body.setLayout(left)
        scroll = QScrollArea()
        scroll.setObjectName("intakeScroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(body.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 8)
        outer = QVBoxLayout()
        outer.addWidget(scroll, 1)

        self.message = notice_label()
        self.message.setObjectName("intakeMessage")
        outer.addWidget(self.message)
        self.link_label = QLabel("")
        self.link_label.setWordWrap(True)
        self.link_label.hide()
        outer.addWidget(self.link_label)
        actions = QHBoxLayout()
        self.clear_button = QPushButton(_("Leegmaken"))
        self.clear_button.clicked.connect(self.clear)
        self.save_button = QPushButton(_("Melding opslaan"))
        self.save_button.setObjectName("saveMelding")
        self.save_button.setProperty("role", "primary")
        self.save_button.setMinimumHeight(48)
        self.save_button.clicked.connect(self.save)
        actions.addWidget(self.clear_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        outer.addLayout(actions)
        # The confirmation of the melding just saved, for the reporter (stays until the next one is saved).
        self.print_bar = PrintBar(None, self.settings, papers=SLIP_PAPERS, parent=self)
        self.print_bar.setObjectName("intakePrintBar")
        self.print_bar.hide()
        outer.addWidget(self.print_bar)
        root.addLayout(outer, 3)

        side = QVBoxLayout()
        title = QLabel(_("Lijkt op een melding die er al is"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        side.addWidget(title)
        self.dup_hint = QLabel(_("Kies een categorie en vul de straat of postcode in."))
        self.dup_hint.setWordWrap(True)
        self.dup_hint.setProperty("role", "muted")
        side.addWidget(self.dup_hint)
        self.dup_list = QListWidget()
        self.dup_list.setObjectName("duplicates")
        self.dup_list.setWordWrap(True)
        self.dup_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        side.addWidget(self.dup_list, 1)
        self.link_button = QPushButton(_("Koppel aan deze melding"))
        self.link_button.setObjectName("linkDuplicate")
        self.link_button.setEnabled(False)
        self.link_button.clicked.connect(self.link_selected)
        self.dup_list.itemSelectionChanged.connect(
            lambda: self.link_button.setEnabled(bool(self.dup_list.selectedItems())))
        side.addWidget(self.link_button)
        root.addLayout(side, 2)

    def refresh(self) -> None:
        """Another workstation changed something: re-read the categories and the duplicate suggestions.
        Nothing typed is touched."""
        self.reload_categories()
        if self.category.currentData() is not None and (self.street.text().strip() or self.postcode.text().strip()):
            self.look_for_duplicates()

    # -- categories ----------------------------------------------------------
    def reload_categories(self) -> None:
        def done(cats: tuple[CategoryInfo, ...]) -> None:
            if cats == getattr(self, "_categories", None) and self.category.count() == len(cats) + 1:
                self.categories_loaded.emit()
                return  # unchanged: leave the list (and an open drop-down) alone
            self._categories = cats
            current = self.category.currentData()
            self.category.blockSignals(True)
            self.category.clear()
            self.category.addItem(_("Kies een categorie"), None)
            for c in cats:
                self.category.addItem(f"{c.main} > {c.sub}  ({c.team}, {c.term_days} werkdagen)", c.id)
            index = self.category.findData(current)
            self.category.setCurrentIndex(max(0, index))
            self.category.blockSignals(False)
            self.categories_loaded.emit()

        self._run(lambda: meldingen.list_categories(self.backend, self.user_id), done,
                  lambda e: self._fail(self.message, e))

    # -- photos --------------------------------------------------------------
    def add_photo_files(self, paths: list[str]) -> None:
        """Add chosen or dropped files as thumbnails. Too large, too many or not a photo is said at once,
        next to the photos, before anything is saved."""
        problems: list[str] = []
        for path in paths:
            name = Path(path).name
            if len(self.photos) >= rules.PHOTOS_MAX:
                problems.append(message_for(ValidationError("photo", "too_many", rules.PHOTOS_MAX)))
                break
            try:
                if Path(path).stat().st_size > rules.PHOTO_MAX_BYTES:
                    raise ValidationError("photo", "too_large", rules.PHOTO_MAX_BYTES // (1024 * 1024))
                data = Path(path).read_bytes()
                rules.clean_photo(name, data)
            except ValidationError as err:
                problems.append(f"{name}: {message_for(err)}")
                continue
            except OSError:
                problems.append(f"{name}: {_('Dit bestand kunnen we niet openen.')}")
                continue
            self.photos.append((name, data))
            self.photo_list.addItem(_photo_item(name, data))
        label = self.errors["photos"]
        if problems:
            label.setText("\n".join(problems))
            label.show()
        else:
            label.hide()

    def choose_photos(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, _("Foto's kiezen"), "",
                                                      _("Foto's (*.jpg *.jpeg *.png *.gif)"))
        self.add_photo_files(paths)

    def remove_photo(self) -> None:
        row = self.photo_list.currentRow()
        if 0 <= row < len(self.photos):
            del self.photos[row]
            self.photo_list.takeItem(row)
            self.errors["photos"].hide()

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.add_photo_files([u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()])

    # -- duplicates ----------------------------------------------------------
    def _schedule_duplicates(self, *args: object) -> None:
        self._dup_timer.start()

    def look_for_duplicates(self) -> None:
        self._dup_generation += 1
        generation = self._dup_generation
        category_id, street, postcode = self.category.currentData(), self.street.text(), self.postcode.text()
        now = self.clock()

        def done(found: tuple[DuplicateCandidate, ...]) -> None:
            if generation != self._dup_generation:
                return  # the clerk typed on; a newer look-up is under way
            self.show_duplicates(found)

        self._run(lambda: meldingen.possible_duplicates(self.backend, self.user_id, now, category_id=category_id,
                                                        street=street, postcode=postcode),
                  done, lambda e: self.dup_hint.setText(message_for(e)))

    def show_duplicates(self, found: tuple[DuplicateCandidate, ...]) -> None:
        self.duplicates = found
        self.dup_list.clear()
        for d in found:
            where = _("zelfde straat") if d.same_street else _("zelfde buurt (postcode)")
            item = QListWidgetItem(f"{d.number} · {state_text(d.state)} · {where}\n{d.place_text}\n"
                                   f"{d.description[:120]}")
            item.setData(Qt.ItemDataRole.UserRole, d.id)
            self.dup_list.addItem(item)
        if found:
            self.dup_hint.setText(_("Is het dezelfde melding? Koppel de nieuwe melding dan aan de bestaande."))
        else:
            self.dup_hint.setText(_("Geen vergelijkbare open meldingen gevonden."))
        self.duplicates_shown.emit(found)

    def link_selected(self) -> None:
        row = self.dup_list.currentRow()
        if not 0 <= row < len(self.duplicates):
            return
        self.link_to = self.duplicates[row]
        self.link_label.setText(_("Wordt gekoppeld aan {number}. De melding wordt dan niet apart behandeld.").format(
            number=self.link_to.number))
        self.link_label.setStyleSheet(f"color: {theme.WARNING}; background: {theme.WARNING_BG}; padding: 6px;")
        self.link_label.show()

    # -- saving --------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Everything as typed (the service trims and checks)."""
        return dict(
            category_id=self.category.currentData(), description=self.description.toPlainText(),
            channel=self.channel.currentData(), urgency=self.urgency.currentData(), street=self.street.text(),
            house_number=self.house_number.text(), house_addition=self.house_addition.text(),
            postcode=self.postcode.text(), place=self.place.text(), location_text=self.location_text.text(),
            latitude=self.latitude.text(), longitude=self.longitude.text(),
            reporter_name=self.reporter_name.text(), reporter_phone=self.reporter_phone.text(),
            reporter_email=self.reporter_email.text(), wants_feedback=self.feedback.isChecked(),
            photos=list(self.photos), link_to_id=self.link_to.id if self.link_to else None,
        )

    def _clear_errors(self) -> None:
        """Before saving. The photos' message stays: it is about files that were not added."""
        for slot, label in self.errors.items():
            if slot != "photos":
                label.hide()
                label.setText("")
        self.message.hide()

    def save(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        fields = self.values()
        if fields["category_id"] is None:
            self.show_error(ValidationError("category", "not_chosen"))
            return
        now = self.clock()
        self._busy = True
        self.save_button.setEnabled(False)
        self._run(lambda: meldingen.take_melding(self.backend, self.user_id, self.location_id, now, **fields),
                  self._saved, self._refused)

    def _refused(self, err: BaseException) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        self.show_error(err)

    def show_error(self, err: BaseException) -> None:
        text = message_for(err)
        slot = self.FIELD_SLOTS.get(err.field) if isinstance(err, ValidationError) else None
        if slot is not None:
            label = self.errors[slot]
            label.setText(text)
            label.show()
        show_notice(self.message, _("Niet opgeslagen. {reason}").format(reason=text), error=True)
        self.error_shown.emit(text)

    def _saved(self, result: IntakeResult) -> None:
        self._busy = False
        self.save_button.setEnabled(True)
        slip = result.slip
        text = _("Melding {number} is opgeslagen. Volgcode: {code}. We laten het uiterlijk {date} weten.").format(
            number=slip.number, code=slip.tracking_code, date=hourstext.date_text(slip.expected_date))
        self.clear()
        show_notice(self.message, text, error=False)
        branding = branding_from(self.settings)
        self.print_bar.set_source(lambda: melding_slip(slip, branding))
        self.print_bar.show()
        self.saved.emit(result)

    def clear(self) -> None:
        for edit in (self.street, self.house_number, self.house_addition, self.postcode, self.place,
                     self.location_text, self.latitude, self.longitude, self.reporter_name, self.reporter_phone,
                     self.reporter_email):
            edit.clear()
        self.description.clear()
        self.feedback.setChecked(False)
        self.category.setCurrentIndex(0)
        self.channel.setCurrentIndex(0)
        self.urgency.setCurrentIndex(0)
        self.photos.clear()
        self.photo_list.clear()
        self.errors["photos"].hide()
        self.link_to = None
        self.link_label.hide()
        self._clear_errors()
        self.show_duplicates(())


# ---------------------------------------------------------------------------
# work list
# ---------------------------------------------------------------------------
class WorkListPanel(_Panel):
    loaded = Signal(object)  # WorkList
    status_changed = Signal(object)  # MeldingDetail

    COLUMNS = ("Nummer", "Categorie", "Team", "Waar", "Status", "Kanaal", "Termijn", "Uiterlijk")

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None,
                 settings: Any = None) -> None:
        super().__init__(backend, user_id, location_id, clock, parent)
        self.settings = settings if settings is not None else {}
        self.work: WorkList | None = None
        self.detail: MeldingDetail | None = None
        self.tz = ZoneInfo("Europe/Amsterdam")
        self._build()
        self.load_filters()

    def _build(self) -> None:
        root = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.state = QComboBox()
        self.state.setObjectName("filterState")
        self.state.addItem(_("Alle open meldingen"), None)
        for value, label in MELDING_STATE_NAMES.items():
            self.state.addItem(_(label).capitalize(), value)
        self.category = QComboBox()
        self.category.setObjectName("filterCategory")
        self.category.addItem(_("Alle categorieën"), None)
        self.team = QComboBox()
        self.team.setObjectName("filterTeam")
        self.team.addItem(_("Alle teams"), None)
        self.channel = QComboBox()
        self.channel.setObjectName("filterChannel")
        self.channel.addItem(_("Alle kanalen"), None)
        for value, label in CHANNEL_NAMES.items():
            self.channel.addItem(_(label), value)
        self.overdue = QCheckBox(_("Alleen te laat"))
        self.overdue.setObjectName("filterOverdue")
        self.search = _line("filterSearch", rules.SEARCH_MAX_LENGTH, _("Zoek op nummer, adres of tekst"))
        self.search.returnPressed.connect(self.reload)
        self.search_button = QPushButton(_("Zoeken"))
        self.search_button.clicked.connect(self.reload)
        for w in (self.state, self.category, self.team, self.channel):
            w.currentIndexChanged.connect(self.reload)
        self.overdue.toggled.connect(self.reload)
        for w in (self.state, self.category, self.team, self.channel, self.overdue):
            filters.addWidget(w)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.search_button)
        root.addLayout(filters)
        self.message = notice_label()
        root.addWidget(self.message)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("workList")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.load_detail)
        root.addWidget(self.table, 3)
        self.count_label = QLabel("")
        self.count_label.setProperty("role", "muted")
        root.addWidget(self.count_label)

        bottom = QHBoxLayout()
        self.history = QListWidget()
        self.history.setObjectName("history")
        self.history.setWordWrap(True)
        left = QVBoxLayout()
        self.detail_label = QLabel(_("Kies een melding in de lijst."))
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        left.addWidget(self.detail_label)
        self.detail_photos = _photo_strip("detailPhotos", THUMB_PX, QSize(THUMB_PX + 24, THUMB_PX + 34),
                                          THUMB_PX + 48, _("Dubbelklik om de foto groot te zien."))
        self.detail_photos.itemActivated.connect(self.show_photo)
        self.detail_photos.hide()
        self.photo_data: dict[int, bytes] = {}
        left.addWidget(self.detail_photos)
        left.addWidget(self.history, 1)
        bottom.addLayout(left, 3)
        change = QFormLayout()
        self.target = QComboBox()
        self.target.setObjectName("targetState")
        self.note = QPlainTextEdit()
        self.note.setObjectName("statusNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(80)
        self.note.setPlaceholderText(_("Korte notitie. Nodig bij doorzetten, annuleren en heropenen."))
        self.change_button = QPushButton(_("Status wijzigen"))
        self.change_button.setObjectName("changeStatus")
        self.change_button.setProperty("role", "primary")
        self.change_button.clicked.connect(self.change_status)
        self.change_error = _error_label()
        change.addRow(_("Nieuwe status"), self.target)
        change.addRow(_("Notitie"), self.note)
        change.addRow("", self.change_error)
        change.addRow("", self.change_button)
        # The selected melding's confirmation again (the reporter lost it, or asks at the counter).
        self.print_bar = PrintBar(None, self.settings, papers=SLIP_PAPERS, parent=self)
        self.print_bar.setObjectName("workPrintBar")
        change.addRow(_("Bevestiging"), self.print_bar)
        change_box = QVBoxLayout()
        change_box.addLayout(change)
        change_box.addStretch(1)  # the rows stay together at the top
        bottom.addLayout(change_box, 2)
        root.addLayout(bottom, 2)

    def load_filters(self) -> None:
        def done(result: tuple[tuple[CategoryInfo, ...], tuple[str, ...]]) -> None:
            cats, teams = result
            for w in (self.category, self.team):
                w.blockSignals(True)
            for c in cats:
                self.category.addItem(f"{c.main} > {c.sub}", c.id)
            for t in teams:
                self.team.addItem(t, t)
            for w in (self.category, self.team):
                w.blockSignals(False)
            self.reload()

        self._run(lambda: (meldingen.list_categories(self.backend, self.user_id, active_only=False),
                           meldingen.teams(self.backend, self.user_id)), done,
                  lambda e: self._fail(self.message, e))

    def reload(self, *args: object, refreshing: bool = False) -> None:
        """Read the list with the filters as set. The search text counts once the clerk pressed Enter or
        "Zoeken" (or changed another filter); a refresh from the change feed keeps the search last applied,
        so a half-typed word does not filter the list."""
        if not refreshing:
            self._search_applied = self.search.text()
        filters = dict(state=self.state.currentData(), category_id=self.category.currentData(),
                       team=self.team.currentData(), channel=self.channel.currentData(),
                       overdue=self.overdue.isChecked(), search=getattr(self, "_search_applied", ""))
        now = self.clock()
        self._run(lambda: meldingen.work_list(self.backend, self.user_id, self.location_id, now, **filters),
                  self._latest("list", self.show_list), lambda e: self._fail(self.message, e))

    def refresh(self) -> None:
        """Another workstation changed something: the list again (the selected row stays) and the selected
        melding's details; the status note being typed stays."""
        self.reload(refreshing=True)
        if self.detail is not None:
            melding_id, now = self.detail.summary.id, self.clock()
            self._run(lambda: meldingen.melding_detail(self.backend, self.user_id, melding_id, now),
                      self._latest("detail", self.show_detail), lambda e: None)

    def show_list(self, work: WorkList) -> None:
        self.work = work
        self.message.hide()
        selected = self.detail.summary.id if self.detail else None
        self.table.blockSignals(True)
        self.table.setRowCount(len(work.rows))
        late_bg, late_fg = QBrush(QColor(theme.ERROR_BG)), QBrush(QColor(theme.ERROR))
        for r, m in enumerate(work.rows):
            cells = (m.number, m.category_label, m.team, m.place_text, state_text(m.state),
                     _(CHANNEL_NAMES.get(m.channel, m.channel)),
                     days_text(m.days_left, m.overdue) if m.open else "—", short_date(m.due_date))
            for c, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if c in (1, 3):
                    item.setToolTip(value)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                if m.overdue:
                    item.setBackground(late_bg)
                    if c in (0, 6):
                        item.setForeground(late_fg)
                        item.setFont(theme.font(theme.SIZE_BODY, bold=True))
                if m.urgency == "hoog" and c == 0:
                    item.setText(f"{value}  ⚠")
                    item.setToolTip(_("Urgent"))
                self.table.setItem(r, c, item)
            if m.id == selected:
                self.table.selectRow(r)
        self.table.blockSignals(False)
        late = sum(1 for m in work.rows if m.overdue)
        text = _("{n} meldingen, waarvan {late} te laat.").format(n=len(work.rows), late=late)
        if work.more:
            text += " " + _("Er zijn er meer. Gebruik de filters om te zoeken.")
        self.count_label.setText(text)
        self.loaded.emit(work)

    def selected_id(self) -> int | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def load_detail(self) -> None:
        melding_id = self.selected_id()
        if melding_id is None:
            return
        now = self.clock()
        self._run(lambda: meldingen.melding_detail(self.backend, self.user_id, melding_id, now),
                  self._latest("detail", self.show_detail), lambda e: self._fail(self.message, e))

    def show_detail(self, d: MeldingDetail) -> None:
        if self.detail is None or self.detail.summary.id != d.summary.id:
            backend, user_id, melding_id = self.backend, self.user_id, d.summary.id
            branding = branding_from(self.settings)
            # one read on the print bar's worker thread: the slip as the service makes it
            self.print_bar.set_source(
                lambda: melding_slip(meldingen.melding_slip(backend, user_id, melding_id), branding))
        self.detail = d
        s = d.summary
        lines = [f"{s.number} · {s.category_label} · {state_text(s.state)}", s.place_text, s.description]
        if d.reporter_name or d.reporter_phone or d.reporter_email:
            lines.append(_("Melder: {who}").format(who=", ".join(
                x for x in (d.reporter_name, d.reporter_phone, d.reporter_email) if x)))
        if d.linked_to_number:
            lines.append(_("Zelfde als {number}").format(number=d.linked_to_number))
        if d.latitude is not None and d.longitude is not None:
            lines.append(_("Coördinaten: {lat}, {lon}").format(lat=_comma(d.latitude), lon=_comma(d.longitude)))
        if d.photos:
            lines.append(_("{n} foto('s)").format(n=len(d.photos)))
        self.detail_label.setText("\n".join(lines))
        self._show_photos(d)
        self.history.clear()
        for h in d.history:
            when = h.at.astimezone(self.tz)
            line = f"{when:%d-%m-%Y %H:%M} · {h.user_name or '?'} · {state_text(h.to_state)}"
            if h.note:
                line += f"\n{h.note}"
            self.history.addItem(line)
        targets = [t.value for t in sorted(rules.TRANSITIONS[rules.MeldingState(s.state)],
                                           key=lambda x: list(rules.MeldingState).index(x))]
        if targets == [self.target.itemData(i) for i in range(self.target.count())]:
            return  # the same choices (a refresh): leave the clerk's choice and an open list alone
        current = self.target.currentData()
        self.target.clear()
        for value in targets:
            self.target.addItem(_(MELDING_STATE_NAMES[value]).capitalize(), value)
        index = self.target.findData(current)
        if index >= 0:
            self.target.setCurrentIndex(index)

    def _show_photos(self, d: MeldingDetail) -> None:
        """Thumbnails of the melding's photos; the bytes are read once per photo, off the GUI thread."""
        wanted = [p.id for p in d.photos]
        shown = [self.detail_photos.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.detail_photos.count())]
        if wanted == shown:
            return
        self.detail_photos.clear()
        self.detail_photos.setVisible(bool(d.photos))
        for p in d.photos:
            item = QListWidgetItem(_("laden …"))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(p.filename)
            self.detail_photos.addItem(item)
            if p.id in self.photo_data:
                self._photo_loaded(p.id, p.filename, self.photo_data[p.id])
                continue
            photo_id = p.id
            self._run(lambda pid=photo_id: meldingen.photo_data(self.backend, self.user_id, pid),
                      lambda r, pid=photo_id: self._photo_loaded(pid, r[0], r[2]),
                      lambda e: self._fail(self.message, e))

    def _photo_loaded(self, photo_id: int, filename: str, data: bytes) -> None:
        if len(self.photo_data) > 50:
            self.photo_data.clear()
        self.photo_data[photo_id] = data
        for i in range(self.detail_photos.count()):
            item = self.detail_photos.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == photo_id:
                short = filename if len(filename) <= 14 else filename[:12] + "…"
                item.setIcon(QIcon(_thumbnail(data)))
                item.setText(short)

    def show_photo(self, item: QListWidgetItem) -> None:
        data = self.photo_data.get(item.data(Qt.ItemDataRole.UserRole))
        if data is None:
            return
        dialog = QDialog(self)
        dialog.setObjectName("photoDialog")
        dialog.setWindowTitle(item.toolTip())
        label = QLabel(dialog)
        label.setPixmap(_thumbnail(data, 800))
        close = QPushButton(_("Sluiten"), dialog)
        close.clicked.connect(dialog.accept)
        lay = QVBoxLayout(dialog)
        lay.addWidget(label)
        lay.addWidget(close)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def change_status(self) -> None:
        if self.detail is None:
            return
        self.change_error.hide()
        melding_id, target, note = self.detail.summary.id, self.target.currentData(), self.note.toPlainText()
        now = self.clock()
        self.change_button.setEnabled(False)

        def done(d: MeldingDetail) -> None:
            self.change_button.setEnabled(True)
            self.note.clear()
            self.show_detail(d)
            self.status_changed.emit(d)
            self.reload()

        def failed(err: BaseException) -> None:
            self.change_button.setEnabled(True)
            self.change_error.setText(message_for(err))
            self.change_error.show()
            self.error_shown.emit(self.change_error.text())

        self._run(lambda: meldingen.change_status(self.backend, self.user_id, melding_id, target, now, note=note),
                  done, failed)


# ---------------------------------------------------------------------------
# callback notes
# ---------------------------------------------------------------------------
class CallbackPanel(_Panel):
    loaded = Signal(object)  # tuple[CallbackInfo, ...]
    written = Signal(object)  # (CallbackInfo, CallbackSlip)

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None,
                 settings: Any = None) -> None:
        super().__init__(backend, user_id, location_id, clock, parent)
        self.settings = settings if settings is not None else {}
        self.tz = ZoneInfo("Europe/Amsterdam")
        self.notes: tuple[CallbackInfo, ...] = ()
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        form = QFormLayout()
        title = QLabel(_("Nieuwe terugbelnotitie"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        form.addRow(title)
        self.caller = _line("caller_name", rules.NAME_MAX_LENGTH)
        self.phone = _line("callback_phone", 20)
        self.question = QPlainTextEdit()
        self.question.setObjectName("question")
        self.question.setTabChangesFocus(True)
        self.question.setMaximumHeight(100)
        self.for_team = _line("for_team", rules.TEAM_MAX_LENGTH, _("team of naam van de collega"))
        form.addRow(_("Naam beller"), self.caller)
        form.addRow(_("Telefoon"), self.phone)
        form.addRow(_("Vraag"), self.question)
        form.addRow(_("Voor"), self.for_team)
        self.form_message = notice_label()
        form.addRow(self.form_message)
        self.write_button = QPushButton(_("Notitie opslaan"))
        self.write_button.setProperty("role", "primary")
        self.write_button.clicked.connect(self.write)
        form.addRow(self.write_button)
        # The receipt of the note just written (for the caller at the counter, or the colleague's tray).
        self.print_bar = PrintBar(None, self.settings, papers=SLIP_PAPERS, parent=self)
        self.print_bar.setObjectName("callbackPrintBar")
        self.print_bar.hide()
        form.addRow(self.print_bar)
        form_box = QVBoxLayout()
        form_box.addLayout(form)
        form_box.addStretch(1)  # the rows stay together at the top
        root.addLayout(form_box, 2)

        right = QVBoxLayout()
        title = QLabel(_("Open terugbelnotities (eerst wat het eerst moet)"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        right.addWidget(title)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("callbacks")
        self.table.setHorizontalHeaderLabels([_("Uiterlijk"), _("Beller"), _("Telefoon"), _("Voor"), _("Vraag")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.table, 1)
        done_row = QHBoxLayout()
        self.reached = QCheckBox(_("Bereikt"))
        self.reached.setChecked(True)
        self.outcome = _line("callback_outcome", rules.OUTCOME_MAX_LENGTH, _("Wat is er afgesproken?"))
        self.done_button = QPushButton(_("Teruggebeld"))
        self.done_button.clicked.connect(self.mark_done)
        done_row.addWidget(self.reached)
        done_row.addWidget(self.outcome, 1)
        done_row.addWidget(self.done_button)
        right.addLayout(done_row)
        self.list_message = notice_label()
        right.addWidget(self.list_message)
        root.addLayout(right, 3)

    def reload(self) -> None:
        now = self.clock()
        self._run(lambda: contacts.open_callbacks(self.backend, self.user_id, self.location_id, now),
                  self._latest("list", self.show), lambda e: self._fail(self.list_message, e))

    def refresh(self) -> None:
        self.reload()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.notes[rows[0].row()].id if rows and rows[0].row() < len(self.notes) else None

    def show(self, notes: tuple[CallbackInfo, ...]) -> None:  # type: ignore[override]
        selected = self.selected_id()
        self.notes = notes
        self.table.clearSelection()
        self.table.setRowCount(len(notes))
        for r, n in enumerate(notes):
            due = f"{short_date(n.due_date)} ({days_text(n.days_left, n.overdue)})"
            whom = ", ".join(x for x in (n.for_user_name, n.for_team) if x)
            for c, value in enumerate((due, n.caller_name, n.phone, whom, n.question)):
                item = QTableWidgetItem(value)
                if c == 4:
                    item.setToolTip(value)  # the whole question when the column is narrow
                if n.overdue:
                    item.setBackground(QBrush(QColor(theme.ERROR_BG)))
                self.table.setItem(r, c, item)
            if n.id == selected:
                self.table.selectRow(r)
        self.loaded.emit(notes)

    def write(self) -> None:
        team = self.for_team.text()
        caller, phone, question = self.caller.text(), self.phone.text(), self.question.toPlainText()
        now = self.clock()

        def done(result: Any) -> None:
            info, slip = result
            for w in (self.caller, self.phone, self.for_team):
                w.clear()
            self.question.clear()
            show_notice(self.form_message, _("Opgeslagen. We bellen uiterlijk {date} terug.").format(
                date=hourstext.date_text(slip.expected_date)), error=False)
            branding, tz = branding_from(self.settings), self.tz
            self.print_bar.set_source(lambda: callback_slip(slip, branding, tz=tz))
            self.print_bar.show()
            self.written.emit(result)
            self.reload()

        self._run(lambda: contacts.write_callback(self.backend, self.user_id, self.location_id, now,
                                                  caller_name=caller, phone=phone, question=question,
                                                  for_team=team),
                  done, lambda e: self._fail(self.form_message, e))

    def mark_done(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.notes):
            show_notice(self.list_message, _("Kies eerst een notitie in de lijst."), error=True)
            return
        note_id = self.notes[rows[0].row()].id
        reached, outcome = self.reached.isChecked(), self.outcome.text()
        now = self.clock()

        def done(info: CallbackInfo) -> None:
            self.outcome.clear()
            show_notice(self.list_message, _("Afgehandeld."), error=False)
            self.reload()

        self._run(lambda: contacts.mark_called_back(self.backend, self.user_id, note_id, now, reached=reached,
                                                    outcome=outcome),
                  done, lambda e: self._fail(self.list_message, e))


# ---------------------------------------------------------------------------
# complaints
# ---------------------------------------------------------------------------
class ComplaintsPanel(_Panel):
    loaded = Signal(object)

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(backend, user_id, location_id, clock, parent)
        self.items: tuple[ComplaintInfo, ...] = ()
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        form = QFormLayout()
        title = QLabel(_("Nieuwe klacht"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        form.addRow(title)
        self.name = _line("complaint_name", rules.NAME_MAX_LENGTH)
        self.email = _line("complaint_email", 254)
        self.phone = _line("complaint_phone", 20)
        self.subject = _line("complaint_subject", rules.SUBJECT_MAX_LENGTH)
        self.description = QPlainTextEdit()
        self.description.setObjectName("complaint_description")
        self.description.setTabChangesFocus(True)
        self.description.setMaximumHeight(100)
        self.channel = _combo("complaint_channel", CHANNEL_NAMES)
        for label, w in ((_("Naam"), self.name), (_("E-mail"), self.email), (_("Telefoon"), self.phone),
                         (_("Onderwerp"), self.subject), (_("Klacht"), self.description), (_("Kanaal"), self.channel)):
            form.addRow(label, w)
        self.form_message = notice_label()
        form.addRow(self.form_message)
        self.register_button = QPushButton(_("Klacht opslaan"))
        self.register_button.setProperty("role", "primary")
        self.register_button.clicked.connect(self.register)
        form.addRow(self.register_button)
        root.addLayout(form, 2)

        right = QVBoxLayout()
        title = QLabel(_("Open klachten (termijn: zes weken)"))
        title.setFont(theme.font(theme.SIZE_BODY, bold=True))
        right.addWidget(title)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("complaints")
        self.table.setHorizontalHeaderLabels([_("Nummer"), _("Naam"), _("Onderwerp"), _("Status"), _("Uiterlijk")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.table, 1)
        self.action_text = _line("complaint_action_text", rules.OUTCOME_MAX_LENGTH,
                                 _("Reden van verlengen, of de uitkomst"))
        right.addWidget(self.action_text)
        buttons = QHBoxLayout()
        self.ack_button = QPushButton(_("Ontvangst bevestigd"))
        self.ack_button.clicked.connect(lambda: self.act("ack"))
        self.extend_button = QPushButton(_("Termijn verlengen (4 weken)"))
        self.extend_button.clicked.connect(lambda: self.act("extend"))
        self.close_button = QPushButton(_("Afhandelen"))
        self.close_button.clicked.connect(lambda: self.act("close"))
        for b in (self.ack_button, self.extend_button, self.close_button):
            buttons.addWidget(b)
        right.addLayout(buttons)
        self.list_message = notice_label()
        right.addWidget(self.list_message)
        root.addLayout(right, 3)

    def reload(self) -> None:
        now = self.clock()
        self._run(lambda: contacts.complaints(self.backend, self.user_id, self.location_id, now),
                  self._latest("list", self.show), lambda e: self._fail(self.list_message, e))

    def refresh(self) -> None:
        self.reload()

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()].id if rows and rows[0].row() < len(self.items) else None

    def show(self, items: tuple[ComplaintInfo, ...]) -> None:  # type: ignore[override]
        selected = self.selected_id()
        self.table.clearSelection()
        self.items = items
        names = {"ingediend": _("ontvangen"), "bevestigd": _("ontvangst bevestigd"), "afgehandeld": _("afgehandeld")}
        self.table.setRowCount(len(items))
        for r, k in enumerate(items):
            due = hourstext.date_text(k.due_date) + (" " + _("(verlengd)") if k.extended else "")
            for c, value in enumerate((k.number, k.name, k.subject, names.get(k.state, k.state), due)):
                item = QTableWidgetItem(value)
                if k.overdue:
                    item.setBackground(QBrush(QColor(theme.ERROR_BG)))
                self.table.setItem(r, c, item)
            if k.id == selected:
                self.table.selectRow(r)
        self.loaded.emit(items)

    def register(self) -> None:
        fields = dict(name=self.name.text(), email=self.email.text(), phone=self.phone.text(),
                      subject=self.subject.text(), description=self.description.toPlainText(),
                      channel=self.channel.currentData())
        now = self.clock()

        def done(k: ComplaintInfo) -> None:
            for w in (self.name, self.email, self.phone, self.subject):
                w.clear()
            self.description.clear()
            show_notice(self.form_message, _("Klacht {number} is opgeslagen. Afhandelen uiterlijk {date}.").format(
                number=k.number, date=hourstext.date_text(k.due_date)), error=False)
            self.reload()

        self._run(lambda: contacts.register_complaint(self.backend, self.user_id, self.location_id, now, **fields),
                  done, lambda e: self._fail(self.form_message, e))

    def act(self, action: str) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.items):
            show_notice(self.list_message, _("Kies eerst een klacht in de lijst."), error=True)
            return
        cid, text, now = self.items[rows[0].row()].id, self.action_text.text(), self.clock()
        b, u = self.backend, self.user_id
        work = {
            "ack": lambda: contacts.acknowledge_complaint(b, u, cid, now),
            "extend": lambda: contacts.extend_complaint(b, u, cid, now, reason=text),
            "close": lambda: contacts.close_complaint(b, u, cid, now, outcome=text),
        }[action]

        def done(k: ComplaintInfo) -> None:
            self.action_text.clear()
            show_notice(self.list_message, _("Klacht {number} is bijgewerkt.").format(number=k.number), error=False)
            self.reload()

        self._run(work, done, lambda e: self._fail(self.list_message, e))


# ---------------------------------------------------------------------------
# categories (team lead)
# ---------------------------------------------------------------------------
class CategoriesPanel(_Panel):
    """The category list: change team, term or name, switch off, add; load a TOML or CSV file."""

    loaded = Signal(object)  # tuple[CategoryInfo, ...]
    saved = Signal(object)  # CategoryInfo

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None) -> None:
        super().__init__(backend, user_id, location_id, clock, parent)
        self.categories: tuple[CategoryInfo, ...] = ()
        self.editing: int | None = None
        self._build()
        self.reload()

    def _build(self) -> None:
        root = QHBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("categories")
        self.table.setHorizontalHeaderLabels([_("Hoofdcategorie"), _("Subcategorie"), _("Team"),
                                              _("Termijn (werkdagen)"), _("Actief")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._pick)
        root.addWidget(self.table, 3)
        form = QFormLayout()
        self.main = _line("category_main", rules.CATEGORY_NAME_MAX_LENGTH)
        self.sub = _line("category_sub", rules.CATEGORY_NAME_MAX_LENGTH)
        self.team = _line("category_team", rules.TEAM_MAX_LENGTH)
        self.term = _line("category_term", 4)
        self.active = QCheckBox(_("Actief (te kiezen bij een nieuwe melding)"))
        self.active.setChecked(True)
        for label, w in ((_("Hoofdcategorie"), self.main), (_("Subcategorie"), self.sub), (_("Team"), self.team),
                         (_("Termijn in werkdagen"), self.term)):
            form.addRow(label, w)
        form.addRow("", self.active)
        self.message = notice_label()
        form.addRow(self.message)
        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("Nieuw"))
        self.new_button.clicked.connect(self.new)
        self.save_button = QPushButton(_("Opslaan"))
        self.save_button.setProperty("role", "primary")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        self.load_button = QPushButton(_("Lijst laden uit bestand (TOML of CSV)"))
        self.load_button.clicked.connect(self.choose_file)
        form.addRow(self.load_button)
        right = QWidget()
        right.setLayout(form)
        root.addWidget(right, 2)

    def reload(self) -> None:
        self._run(lambda: meldingen.list_categories(self.backend, self.user_id, active_only=False),
                  self._latest("list", self.show_list), lambda e: self._fail(self.message, e))

    def refresh(self) -> None:
        self.reload()

    def show_list(self, cats: tuple[CategoryInfo, ...]) -> None:
        self.categories = cats
        self.table.blockSignals(True)
        self.table.selectionModel().blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(cats))
        for r, c in enumerate(cats):
            for col, value in enumerate((c.main, c.sub, c.team, str(c.term_days), _("ja") if c.active else _("nee"))):
                self.table.setItem(r, col, QTableWidgetItem(value))
            if c.id == self.editing:
                self.table.selectRow(r)  # the form keeps what is being typed
        self.table.selectionModel().blockSignals(False)
        self.table.blockSignals(False)
        self.loaded.emit(cats)

    def _pick(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.categories):
            return
        c = self.categories[rows[0].row()]
        self.editing = c.id
        self.main.setText(c.main)
        self.sub.setText(c.sub)
        self.team.setText(c.team)
        self.term.setText(str(c.term_days))
        self.active.setChecked(c.active)

    def new(self) -> None:
        self.editing = None
        self.table.clearSelection()
        for w in (self.main, self.sub, self.team, self.term):
            w.clear()
        self.active.setChecked(True)

    def save(self) -> None:
        cid, fields = self.editing, dict(main=self.main.text(), sub=self.sub.text(), team=self.team.text(),
                                         term_days=self.term.text(), active=self.active.isChecked())

        def done(c: CategoryInfo) -> None:
            self.editing = c.id
            show_notice(self.message, _("Opgeslagen: {label}.").format(label=c.label), error=False)
            self.saved.emit(c)
            self.reload()

        self._run(lambda: meldingen.save_category(self.backend, self.user_id, cid, **fields), done,
                  lambda e: self._fail(self.message, e))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Lijst met categorieën"), "",
                                                    _("Categorieën (*.toml *.csv)"))
        if path:
            self.load_file(path)

    def load_file(self, path: str) -> None:
        try:
            content = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeError):
            show_notice(self.message, _("Dit bestand kunnen we niet openen."), error=True)
            return
        fmt = "csv" if path.lower().endswith(".csv") else "toml"

        def done(cats: tuple[CategoryInfo, ...]) -> None:
            show_notice(self.message, _("De lijst is geladen: {n} categorieën.").format(
                n=sum(1 for c in cats if c.active)), error=False)
            self.show_list(cats)

        self._run(lambda: meldingen.import_categories(self.backend, self.user_id, content, fmt=fmt), done,
                  lambda e: self._fail(self.message, e))


# ---------------------------------------------------------------------------
# the window
# ---------------------------------------------------------------------------
class MeldingenWindow(QWidget):
    """The panels in tabs. ``python -m baliedesk meldingen``.

    Kept up to date by the change feed: when another workstation changes a
    melding, callback note, complaint or contact, the visible tab re-reads
    (bursts coalesced, :data:`REFRESH_DELAY_MS`); the other tabs re-read when
    they are opened. Re-reading never touches what is being typed, and the
    selected row stays selected.
    """

    REFRESH_DELAY_MS = 300

    def __init__(self, backend: Any, user_id: int, location_id: int, *,
                 clock: Callable[[], dt.datetime] = utc_now, parent: QWidget | None = None,
                 watch_feed: bool = True, settings: Any = None) -> None:
        super().__init__(parent)
        settings = settings if settings is not None else {}  # the workstation's (printer, paper, branding)
        from baliedesk.ui.meldingen.contacts import ContactPanel  # it builds on this module's helpers

        self.setWindowTitle(_("BalieDesk – Meldingen openbare ruimte"))
        self.contacts = ContactPanel(backend, user_id, location_id, clock=clock)
        self.intake = IntakeForm(backend, user_id, location_id, clock=clock, settings=settings)
        self.work = WorkListPanel(backend, user_id, location_id, clock=clock, settings=settings)
        self.callbacks = CallbackPanel(backend, user_id, location_id, clock=clock, settings=settings)
        self.complaints = ComplaintsPanel(backend, user_id, location_id, clock=clock)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.contacts, _("Contacten"))
        self.tabs.addTab(self.intake, _("Nieuwe melding"))
        self.tabs.addTab(self.work, _("Werklijst"))
        self.tabs.addTab(self.callbacks, _("Terugbellen"))
        self.tabs.addTab(self.complaints, _("Klachten"))
        self.intake.saved.connect(lambda *_a: self.work.reload())
        self.categories: CategoriesPanel | None = None
        self._gone = False
        self._stale: set[int] = set()
        self.refreshes = 0  # how many times a panel re-read after a change elsewhere (for tests)

        def maybe_categories(allowed: bool) -> None:
            if allowed and self.categories is None and not self._gone:
                self.categories = CategoriesPanel(backend, user_id, location_id, clock=clock)
                self.categories.saved.connect(lambda *_a: self.intake.reload_categories())
                self.categories.loaded.connect(lambda *_a: self.intake.reload_categories())
                index = self.tabs.addTab(self.categories, _("Categorieën"))
                self.tabs.setTabToolTip(index, f"Ctrl+{index + 1}")

        run_task(lambda: meldingen.may_manage_categories(backend, user_id), maybe_categories, lambda e: None)
        self.connection_notice = notice_label()
        self.connection_notice.setObjectName("connectionNotice")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        lay.addWidget(self.connection_notice)
        lay.addWidget(self.tabs)

        # Ctrl+1 ... Ctrl+6 open the tabs (Alt+digits choose the channel in "Contacten").
        for n in range(1, 7):
            QShortcut(QKeySequence(f"Ctrl+{n}"), self, activated=lambda i=n - 1: self._open_tab(i))
        for i in range(self.tabs.count()):
            self.tabs.setTabToolTip(i, f"Ctrl+{i + 1}")

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(self.REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_visible)
        self.tabs.currentChanged.connect(lambda *_a: self.refresh_visible())
        self.feed: FeedWatcher | None = None
        if watch_feed:
            self.feed = FeedWatcher(backend, parent=self)
            self.feed.changed.connect(self.on_feed_changed)
            self.feed.connection_changed.connect(self._on_connection)
            self.feed.start()

    def _open_tab(self, index: int) -> None:
        if 0 <= index < self.tabs.count():
            self.tabs.setCurrentIndex(index)
            widget = self.tabs.currentWidget()
            if widget is self.contacts:
                self.contacts.subject.setFocus()

    def panels(self) -> list[_Panel]:
        return [p for p in (self.contacts, self.intake, self.work, self.callbacks, self.complaints, self.categories)
                if p is not None]

    def on_feed_changed(self) -> None:
        """Something changed somewhere: every tab is stale; the visible one re-reads after a short pause."""
        if self._gone:
            return
        self._stale.update(id(p) for p in self.panels())
        self._refresh_timer.start()

    def refresh_visible(self) -> None:
        panel = self.tabs.currentWidget()
        if self._gone or panel is None or id(panel) not in self._stale:
            return
        self._stale.discard(id(panel))
        self.refreshes += 1
        panel.refresh()

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self.connection_notice.hide()
            self.on_feed_changed()  # re-read what may have changed meanwhile
        else:
            show_notice(self.connection_notice, message_for(StorageUnavailable("change feed lost the database")),
                        error=True)

    def shutdown(self) -> None:
        self._gone = True
        self._refresh_timer.stop()
        for panel in self.panels():
            panel._closed = True
        if self.feed is not None:
            self.feed.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.shutdown()
        super().closeEvent(event)
