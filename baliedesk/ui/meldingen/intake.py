"""A new melding at the counter or the KCC (the "Nieuwe melding" tab).

While the clerk types the street or postcode, possible duplicates appear
(looked up off the GUI thread, 400 ms after the last key); one click links the
new melding to an existing one instead. A refusal shows one Dutch sentence
next to the field it is about, and everything typed stays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import datetime as dt
import math
from zoneinfo import ZoneInfo

from baliedesk import addresses, hourstext
from baliedesk.client import Client
from baliedesk.domain import meldingen as rules
from baliedesk.domain.errors import ValidationError
from baliedesk.i18n import _
from baliedesk.printing.config import BrandingOnce
from baliedesk.printing.slips import melding_slip
from baliedesk.services.melding_dto import CategoryInfo, DuplicateCandidate, IntakeResult
from baliedesk.ui.common import theme
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.printbar import PrintBar
from baliedesk.ui.meldingen.widgets import (
    CHANNEL_NAMES,
    INTAKE_THUMB_PX,
    SLIP_PAPERS,
    URGENCY_NAMES,
    _combo,
    _error_label,
    _line,
    _comma,
    _Panel,
    _photo_item,
    _photo_strip,
    state_text,
)

DUPLICATE_DELAY_MS = 400
ADDRESS_DELAY_MS = 300
_FROM_SETTINGS = object()  # IntakeForm(address_lookup=...): default, the look-up the settings choose


def _coordinate(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (latitude, longitude) points (haversine; close enough for a street)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def distance_text(metres: float) -> str:
    """``"100 m"`` (to 10 m) below a kilometre, else ``"1,2 km"``."""
    if metres < 1000:
        return _("{n} m").format(n=int(round(metres / 10.0) * 10))
    return _("{n} km").format(n=f"{metres / 1000:.1f}".replace(".", ","))


def age_text(created: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> str:
    """``"vandaag"``, ``"gisteren"``, ``"3 dagen geleden"`` (calendar days where the location is)."""
    days = (now.astimezone(tz).date() - created.astimezone(tz).date()).days
    if days <= 0:
        return _("vandaag")
    if days == 1:
        return _("gisteren")
    return _("{n} dagen geleden").format(n=days)


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

    def __init__(self, client: Client, location_id: int, *, parent: QWidget | None = None,
                 settings: Any = None, address_lookup: Any = _FROM_SETTINGS) -> None:
        super().__init__(client, location_id, parent)
        self.settings = settings if settings is not None else {}
        # postcode + house number -> street and place (baliedesk.addresses; None: no look-up)
        self.address_lookup: addresses.AddressLookup | None = (
            addresses.lookup_from(self.settings, client) if address_lookup is _FROM_SETTINGS else address_lookup)
        self._address_generation = 0
        self._filled: dict[str, str] = {}  # what the look-up wrote (replaced by the next look-up, never typing)
        self._after_save = False  # the notices and slip of the melding just saved are still shown
        self._addr_timer = QTimer(self)
        self._addr_timer.setSingleShot(True)
        self._addr_timer.setInterval(ADDRESS_DELAY_MS)
        self._addr_timer.timeout.connect(self.look_up_address)
        # the location's details for the slip: read once, on the print bar's worker thread
        self.slip_branding = BrandingOnce(client.organisation.branding, location_id, self.settings)
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
        self.address_hint = QLabel("")
        self.address_hint.setObjectName("addressHint")
        self.address_hint.setWordWrap(True)
        self.address_hint.setProperty("role", "muted")
        self.address_hint.hide()
        form.addWidget(self.address_hint, row, 1, 1, 3)
        row += 1
        for edit in (self.postcode, self.house_number):
            edit.textEdited.connect(lambda _text: self._addr_timer.start())
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
        for edit in (self.street, self.postcode, self.latitude, self.longitude):
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

        # The next melding starts at the first thing the clerk does in the form after a save.
        for edit in (self.street, self.house_number, self.house_addition, self.postcode, self.place,
                     self.location_text, self.latitude, self.longitude, self.reporter_name, self.reporter_phone,
                     self.reporter_email):
            edit.textEdited.connect(self._next_started)
        self.description.textChanged.connect(self._next_started)
        for combo in (self.category, self.channel, self.urgency):
            combo.activated.connect(self._next_started)
        self.feedback.clicked.connect(self._next_started)

    def _next_started(self, *args: object) -> None:
        """The notices and the slip of the melding just saved go: "Printen…" never means the previous one."""
        if not self._after_save:
            return
        self._after_save = False
        self.message.hide()
        self.link_label.hide()
        self.print_bar.set_source(None)
        self.print_bar.hide()

    # -- address look-up -----------------------------------------------------
    def look_up_address(self) -> None:
        """Postcode + house number complete: fill in street and place (and coordinates) on a worker thread.
        Typing goes on meanwhile; a look-up that fails only says so."""
        self._address_generation += 1
        generation, lookup = self._address_generation, self.address_lookup
        postcode, number = self.postcode.text(), self.house_number.text()
        if lookup is None or addresses.normal_postcode(postcode) is None or addresses.normal_number(number) is None:
            self.address_hint.hide()
            return

        def done(found: addresses.Address | None) -> None:
            if generation != self._address_generation:
                return
            if found is None:
                self.address_hint.setText(_("Dit adres is niet gevonden. Typ de straat en plaats zelf."))
                self.address_hint.show()
                return
            self.address_hint.hide()
            if addresses.normal_postcode(self.postcode.text()) == found.postcode:
                self.postcode.setText(found.postcode)  # "9919ab" as written: "9919 AB"
            values = {"street": found.street, "place": found.place}
            if found.latitude is not None and found.longitude is not None:
                values.update(latitude=_comma(found.latitude), longitude=_comma(found.longitude))
            for name, value in values.items():
                edit = getattr(self, name)
                if not edit.text().strip() or edit.text() == self._filled.get(name):
                    edit.setText(value)
                    self._filled[name] = value

        def failed(err: BaseException) -> None:
            if generation != self._address_generation:
                return
            if isinstance(err, addresses.NoAddressList):  # nothing to look in: stop asking, say nothing
                self.address_lookup = None
                self.address_hint.hide()
                return
            self.address_hint.setText(_("Adressen opzoeken lukt nu niet. Typ de straat en plaats zelf."))
            self.address_hint.show()

        self._run(lambda: lookup.find(postcode, number), done, failed)

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

        self._run(lambda: self.client.meldingen.list_categories(), done,
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
        lat, lon = _coordinate(self.latitude.text()), _coordinate(self.longitude.text())
        here = (lat, lon) if lat is not None and lon is not None else None
        door = self.client

        def work() -> tuple[tuple[DuplicateCandidate, ...], dict[int, float], dt.datetime]:
            found = door.meldingen.possible_duplicates(category_id=category_id, street=street, postcode=postcode)
            distances: dict[int, float] = {}
            if here is not None:  # the candidates' own coordinates, where they have them
                for d in found:
                    detail = door.meldingen.melding_detail(d.id)
                    if detail.latitude is not None and detail.longitude is not None:
                        distances[d.id] = distance_m(here, (detail.latitude, detail.longitude))
            return found, distances, door.now()

        def done(result: tuple[tuple[DuplicateCandidate, ...], dict[int, float], dt.datetime]) -> None:
            if generation != self._dup_generation:
                return  # the clerk typed on; a newer look-up is under way
            found, distances, now = result
            self.show_duplicates(found, distances=distances, now=now)

        self._run(work, done, lambda e: self.dup_hint.setText(message_for(e)))

    def show_duplicates(self, found: tuple[DuplicateCandidate, ...], *, distances: dict[int, float] | None = None,
                        now: dt.datetime | None = None) -> None:
        self.duplicates = found
        self.dup_list.clear()
        tz = getattr(self, "tz", None) or ZoneInfo("Europe/Amsterdam")
        for d in found:
            metres = (distances or {}).get(d.id)
            if metres is not None:
                where = _("{distance} hiervandaan").format(distance=distance_text(metres))
            else:
                where = _("zelfde straat") if d.same_street else _("zelfde buurt (postcode)")
            age = age_text(d.created_at, now, tz) if now is not None else ""
            head = " · ".join(x for x in (d.number, state_text(d.state), where, age) if x)
            item = QListWidgetItem(f"{head}\n{d.place_text}\n{d.description[:120]}")
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
        self._busy = True
        self.save_button.setEnabled(False)
        request_id = self.request_id()  # the same for a retry after a timeout: never two meldingen
        self._run(lambda: self.client.meldingen.take_melding(self.location_id, **fields, request_id=request_id),
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
        self.renew_request_id()  # the next melding is a new one
        self.save_button.setEnabled(True)
        slip = result.slip
        text = _("Melding {number} is opgeslagen. Volgcode: {code}. We laten het uiterlijk {date} weten.").format(
            number=slip.number, code=slip.tracking_code, date=hourstext.date_text(slip.expected_date))
        self.clear()
        show_notice(self.message, text, error=False)
        branding = self.slip_branding
        self.print_bar.set_source(lambda: melding_slip(slip, branding()))
        self.print_bar.show()
        self._after_save = True  # until the next melding starts
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
        self._filled.clear()
        self.address_hint.hide()
        self.errors["photos"].hide()
        self.link_to = None
        self.link_label.hide()
        self._clear_errors()
        self.show_duplicates(())
