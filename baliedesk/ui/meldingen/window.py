"""Meldingen window: contacts, intake, work list, callback notes, complaints (and categories).

``python -m baliedesk meldingen``. The window and its panels reach the
services only through the ``client`` they are given (signed in as one person,
with the workstation's clock); all database work runs through
:func:`baliedesk.ui.common.tasks.run_task`. The panels live beside this module:

* :mod:`.contacts` — :class:`ContactPanel` (the KCC's contact registration);
* :mod:`.intake` — :class:`IntakeForm` (a new melding, duplicate suggestions);
* :mod:`.worklist` — :class:`WorkListPanel`;
* :mod:`.notes` — :class:`CallbackPanel` and :class:`ComplaintsPanel`;
* :mod:`.categories` — :class:`CategoriesPanel` (team lead; also in the admin window);
* :mod:`.widgets` — what they share.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from baliedesk.client import Client
from baliedesk.domain.errors import StorageUnavailable
from baliedesk.i18n import _
from baliedesk.ui.common.feedwatcher import FeedWatcher
from baliedesk.ui.common.messages import message_for
from baliedesk.ui.common.notices import notice_label, show_notice
from baliedesk.ui.common.tasks import run_task
from baliedesk.ui.meldingen.categories import CategoriesPanel
from baliedesk.ui.meldingen.contacts import ContactPanel
from baliedesk.ui.meldingen.intake import IntakeForm
from baliedesk.ui.meldingen.notes import CallbackPanel, ComplaintsPanel
from baliedesk.ui.meldingen.widgets import _Panel
from baliedesk.ui.meldingen.worklist import WorkListPanel

__all__ = ["CallbackPanel", "CategoriesPanel", "ComplaintsPanel", "ContactPanel", "IntakeForm", "MeldingenWindow",
           "WorkListPanel"]


class MeldingenWindow(QWidget):
    """The panels in tabs. ``python -m baliedesk meldingen``.

    Kept up to date by the change feed: when another workstation changes a
    melding, callback note, complaint or contact, the visible tab re-reads
    (bursts coalesced, :data:`REFRESH_DELAY_MS`); the other tabs re-read when
    they are opened. Re-reading never touches what is being typed, and the
    selected row stays selected.
    """

    REFRESH_DELAY_MS = 300

    def __init__(self, client: Client, location_id: int, *, settings: Any = None, parent: QWidget | None = None,
                 watch_feed: bool = True) -> None:
        super().__init__(parent)
        settings = settings if settings is not None else {}  # the workstation's (printer, paper, branding)
        self.client = client

        self.setWindowTitle(_("BalieDesk – Meldingen openbare ruimte"))
        self.contacts = ContactPanel(client, location_id)
        self.intake = IntakeForm(client, location_id, settings=settings)
        self.work = WorkListPanel(client, location_id, settings=settings)
        self.callbacks = CallbackPanel(client, location_id, settings=settings)
        self.complaints = ComplaintsPanel(client, location_id)
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
                self.categories = CategoriesPanel(client, location_id)
                self.categories.saved.connect(lambda *_a: self.intake.reload_categories())
                self.categories.loaded.connect(lambda *_a: self.intake.reload_categories())
                index = self.tabs.addTab(self.categories, _("Categorieën"))
                self.tabs.setTabToolTip(index, f"Ctrl+{index + 1}")

        run_task(client.meldingen.may_manage_categories, maybe_categories, lambda e: None)
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
            self.feed = FeedWatcher(client, parent=self)
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
