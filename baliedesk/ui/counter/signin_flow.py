"""The counter window's sign-in, counter choice, sign-out, lock and heartbeat.

A mixin of :class:`baliedesk.ui.counter.window.CounterWindow`: it uses the
window's widgets (``stack``, ``signin_form``, ``lock_page``, ``sign_in_panel``,
``header``), its state (``client``, ``session``, ``current``) and helpers
(``_run``, ``show_info``, ``show_error``, ``request_snapshot``).
"""

from __future__ import annotations

import logging
from typing import Any

from baliedesk.client import Client
from baliedesk.domain.errors import StorageUnavailable
from baliedesk.domain.permissions import Permission, allows
from baliedesk.i18n import _
from baliedesk.services.dto import CounterSession

log = logging.getLogger(__name__)


class SignInFlow:
    """Logging in, choosing a counter, signing out, locking (mixin of CounterWindow)."""

    client: Client | None
    session: CounterSession | None
    current: Any

    # ------------------------------------------------------------------
    # sign-in
    # ------------------------------------------------------------------
    def show_sign_in_form(self, username: str = "") -> None:
        """Nobody is logged in here: the form for a user name and password."""
        self.client = None
        self.session = None
        self.stack.setCurrentWidget(self.signin_form)
        self.header.set_signed_in(None, None)
        self.setWindowTitle(_("BalieDesk — balie"))
        self.signin_form.reset(username)
        self._mark_loaded()

    def _on_signed_in(self, client: Client) -> None:
        """Logged in (or unlocked): choose the counter, or go on where the lock stopped."""
        locked = self.stack.currentWidget() is self.lock_page
        previous = self.client
        self.client = client
        if locked and self.session is not None:
            if previous is not None and previous is not client:
                self._run(previous.sign_out)  # the session from before the lock ends
            self.stack.setCurrentWidget(self.work)
            self._open_appointment_desk(self.session)  # the desk acts as the new session too
            self.request_snapshot()
            self.visitor.next_button.setFocus()
            self._restore_compact()
            return
        self._load_counter_choices()

    def _load_counter_choices(self) -> None:
        """The person is logged in: the panel to choose a counter and services."""
        self.stack.setCurrentWidget(self.sign_in_panel)
        self.header.set_signed_in(None, None)
        self.sign_in_panel.set_busy(True, _("Gegevens laden …"))
        wanted_location = self.location_id
        client = self.client
        assert client is not None

        def load():
            locations = client.setup.list_locations()
            loc = next((x for x in locations if x.id == wanted_location), locations[0] if locations else None)
            me = next((u for u in client.setup.sign_in_choices() if u.id == client.user_id), None)
            services = client.setup.list_services(loc.id) if loc else ()
            return locations, loc, me, services

        def done(result) -> None:
            locations, loc, me, services = result
            self.sign_in_panel.set_busy(False)
            self.location_id = loc.id if loc else None
            self.timezone = loc.timezone if loc else None
            self._tick()
            self.sign_in_panel.set_locations(locations, self.location_id)
            self.sign_in_panel.set_person(me)
            self.sign_in_panel.set_services(services)
            if loc is None:
                self.show_info(_("Er is nog geen locatie ingesteld. Vraag het uw beheerder."), "warning")
            if me is not None and not allows(me.role, Permission.SERVE):
                self.show_info(_("Met uw account kunt u geen bezoekers helpen aan een balie. "
                                 "Gebruik het venster voor uw eigen werk."), "warning")
            if loc is not None:
                self._load_counters()
            else:
                self._mark_loaded()

        def failed(exc: BaseException) -> None:
            self.sign_in_panel.set_busy(False)
            self.show_error(exc)
            self._mark_loaded()

        self._run(load, done, failed)

    def _location_chosen(self, location_id: int) -> None:
        self.location_id = location_id
        client = self.client
        if client is None:
            return
        self._run(lambda: client.setup.list_services(location_id), self.sign_in_panel.set_services)
        self._load_counters()

    def _load_counters(self) -> None:
        client, location_id = self.client, self.location_id
        if client is None or location_id is None:
            return
        preselect = self._wanted_counter or self.settings["counter_id"] or None

        def done(counters) -> None:
            self.sign_in_panel.set_counters(counters, preselect, client.user_id)
            self._mark_loaded()

        def failed(exc: BaseException) -> None:
            self.show_error(exc)
            self._mark_loaded()

        self._run(lambda: client.queue.counters_at(location_id), done, failed)

    def _sign_in(self, user_id: int, counter_id: int, service_ids: list[int] | None) -> None:
        """Take ``counter_id`` as the logged-in person (``user_id`` is theirs)."""
        client = self.client
        if client is None or client.user_id != user_id:
            self.show_sign_in_form()
            return
        self.sign_in_panel.set_busy(True, _("Even geduld …"))

        def done(session: CounterSession) -> None:
            self.sign_in_panel.set_busy(False)
            self.message_bar.clear()
            self._start_session(session)

        def failed(exc: BaseException) -> None:
            self.sign_in_panel.set_busy(False)
            self.show_error(exc)
            if self.stack.currentWidget() is not self.sign_in_panel or self.sign_in_panel.user_id() is None:
                self._load_counter_choices()

        self._run(lambda: client.queue.sign_in(counter_id, service_ids), done, failed)

    def _start_session(self, session: CounterSession) -> None:
        self.session = session
        self.location_id = session.counter.location_id
        self._action_gen += 1
        self._set_current(session.current)
        self.header.set_signed_in(session.counter.display_name, session.user.display_name)
        self.setWindowTitle(_("BalieDesk — {counter} — {name}").format(
            counter=session.counter.display_name, name=session.user.display_name))
        self.stack.setCurrentWidget(self.work)
        self._remember(session)
        self._open_appointment_desk(session)
        self._heartbeat_timer.start()
        self._restart_idle()
        if session.current is not None:
            self.show_info(_("U had nog nummer {number}. U kunt verder met deze bezoeker.").format(
                number=session.current.display_number))
        self.request_snapshot()
        self.visitor.next_button.setFocus()
        self.compact_button.show()
        self._restore_compact()

    def _remember(self, session: CounterSession) -> None:
        try:
            self.settings["counter_id"] = session.counter.id
            self.settings["user_id"] = session.user.id
            self.settings["location_id"] = session.counter.location_id
            self.settings.save()
        except (OSError, ValueError, TypeError):
            log.warning("could not remember the counter in the settings", exc_info=True)

    def _sign_out(self) -> None:
        if self.session is None:
            return
        if self.current is not None:
            self.show_info(_("Rond eerst nummer {number} af, of zet het terug in de rij. Daarna kunt u uitloggen.")
                           .format(number=self.current.display_number), "warning")
            return
        client, s = self.client, self.session

        def leave() -> None:
            client.queue.sign_out(s.counter.id)
            client.sign_out()  # the session ends too: the next person logs in with their own

        def done(_result) -> None:
            self._heartbeat_timer.stop()
            self._idle_timer.stop()
            self.set_compact(False, remember=False)
            self.compact_button.hide()
            self._set_current(None)
            self.snapshot = None
            self._close_appointment_desk()
            self.show_sign_in_form(s.user.username)
            self.show_info(_("U bent uitgelogd bij {counter}.").format(counter=s.counter.display_name), "success")

        self._run(leave, done)

    # -- locking -------------------------------------------------------------
    def lock(self) -> None:
        """Ctrl+L, or no key or mouse for a while: only the same person's password opens it again."""
        if self.session is None or self.client is None or self._closed or self.stack.currentWidget() is not self.work:
            return
        if self._dialog is not None:  # a dialog with typed text stays; the lock waits for it
            self._restart_idle()
            return
        self._idle_timer.stop()
        self.set_compact(False, remember=False)  # the lock needs the window; unlocking brings the bar back
        if self.floor_dialog is not None:  # a typed number or a chosen service is quickly redone
            self.floor_dialog.reject()
        self._close_appointment_desk()  # its typed text would show behind the lock otherwise
        self.lock_page.unlock_for(self.session.user.username, self.session.user.display_name)
        self.stack.setCurrentWidget(self.lock_page)
        self.header.set_signed_in(self.session.counter.display_name, _("vergrendeld"))

    def is_locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_page

    def _other_person(self) -> None:
        """The lock screen's "Iemand anders": this person leaves the counter first (not with a visitor)."""
        if self.current is not None:
            self.lock_page.error.setText(_("{name} heeft nog nummer {number}. Die moet eerst ontgrendelen en "
                                           "het nummer afronden.").format(name=self.session.user.display_name,
                                                                          number=self.current.display_number))
            return
        self._sign_out()

    def _restart_idle(self) -> None:
        if self._lock_after_ms and self.session is not None and not self._closed:
            self._idle_timer.start(self._lock_after_ms)

    def _heartbeat(self) -> None:
        if self.session is None or self._heartbeat_inflight:
            return
        self._heartbeat_inflight = True
        client, s = self.client, self.session

        def done(_result) -> None:
            self._heartbeat_inflight = False

        def failed(exc: BaseException) -> None:
            self._heartbeat_inflight = False
            if not isinstance(exc, StorageUnavailable):  # the header already says so
                self.show_error(exc)

        self._run(lambda: client.queue.heartbeat(s.counter.id), done, failed)
