"""Screenshots of the floor fixes under a real X server (Xvfb)."""
import datetime as dt, sys, time
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer, QDate
from PySide6.QtWidgets import QApplication, QCalendarWidget, QFileDialog, QComboBox, QSpinBox, QWidget, QVBoxLayout, QFormLayout, QLineEdit

from baliedesk.ui.common.app import make_app
from baliedesk.storage.database import Database
from baliedesk.services import demo, queue, schedules, setup
from baliedesk.services import appointments as ap
from baliedesk.client import LocalClient
from baliedesk.display.hall import HallScreen
from baliedesk.display.config import HallConfig
from baliedesk.display.announce import SilentAnnouncer
from baliedesk.ui.kiosk.window import KioskWindow

OUT = Path(sys.argv[1])
AMS = ZoneInfo("Europe/Amsterdam")
app = make_app()


def wait(cond, s=20):
    end = time.time() + s
    while time.time() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.02)
    return False


def pump(s=0.5):
    end = time.time() + s
    while time.time() < end:
        app.processEvents(); time.sleep(0.02)


class Clock:
    def __init__(self, hh, mm=0):
        self.set(hh, mm)
    def set(self, hh, mm=0):
        self.t = dt.datetime(2026, 11, 19, hh, mm, tzinfo=AMS).astimezone(dt.UTC)
    def __call__(self):
        return self.t


def fresh(name):
    path = Path("/tmp/floor") / f"{name}.db"
    path.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    return db


class Settings(dict):
    def __init__(self):
        super().__init__(location_id=0, kiosk_user="kiosk-ingang", language="", user_id=0, counter_id=0,
                         printer_name="", printer_kind="", printer_paper="80mm")
    def refresh(self):
        pass


# --- hall: two calls together, 1920x1080 and 1280x720 -----------------------------
db = fresh("hall")
clock = Clock(10, 0)
ids = demo.seed(db, clock(), history=False)
demo.seed_hours(db, ids, clock())
k = ids.users["kiosk-ingang"]
for p in "AABACBMAB":
    queue.issue_ticket(db, k, ids.services[p], clock())
anne, jeroen = ids.users["anne"], ids.users["jeroen"]
queue.sign_in(db, anne, ids.counters["Balie 1"], clock(), service_ids=list(ids.services.values()))
queue.sign_in(db, jeroen, ids.counters["Balie 3"], clock(), service_ids=list(ids.services.values()))
t = queue.call_next(db, anne, ids.counters["Balie 1"], clock()); queue.finish(db, anne, ids.counters["Balie 1"], t.id, clock())
hall = HallScreen(LocalClient(db, clock=clock), HallConfig(highlight_s=60, together_s=600), announcer=SilentAnnouncer())
hall.resize(1920, 1080); hall.show(); hall.start()
wait(lambda: hall.full_pictures > 0)
pump(1)
queue.call_next(db, anne, ids.counters["Balie 1"], clock())
wait(lambda: len(hall.large_cards()) == 1); pump(0.3)
queue.call_next(db, jeroen, ids.counters["Balie 3"], clock())
wait(lambda: len(hall.large_cards()) == 2); pump(2)
for w, h in ((1920, 1080), (1280, 720), (3840, 2160)):
    hall.resize(w, h); pump(1.5)
    hall.grab().save(str(OUT / f"hall-two-calls-{w}x{h}.png"))
# closing soon and closed with people waiting
hall.resize(1280, 720); clock.set(12, 25); pump(2.5); hall.grab().save(str(OUT / "hall-closing-soon-1280x720.png"))
clock.set(12, 31)
wait(lambda: "nog geholpen" in hall.message_text(), 10); pump(1)
hall.grab().save(str(OUT / "hall-closed-people-waiting-1280x720.png"))
hall.shutdown(); hall.close()

# --- kiosk: closing soon, closed, check-in keyboard, appointment confirmation, portrait -----
kdb = fresh("kiosk")
kclock = Clock(12, 25)
kids = demo.seed(kdb, kclock(), history=False)
demo.seed_hours(kdb, kids, kclock())
lead = kids.users["fatima"]
schedules.set_calendar_options(kdb, lead, kids.location_id, kclock(), appointments_enabled=True)
ap.configure_service(kdb, lead, kids.services["A"], enabled=True, duration_minutes=15)
booked = ap.book(kdb, kids.users["anne"], kids.services["A"], dt.datetime(2026, 11, 19, 13, 45, tzinfo=AMS),
                 kclock(), name="Jan Jansen", phone="0612345678")
w = KioskWindow(LocalClient(kdb, clock=kclock), Settings(), watch=False)
w.resize(1280, 1024); w.show()
wait(lambda: len(w.buttons()) == 4); pump(1)
w.grab().save(str(OUT / "kiosk-closing-soon-1280x1024.png"))
kclock.set(19, 45); w.refresh(); pump(1.5)
w.grab().save(str(OUT / "kiosk-closed-1280x1024.png"))
kclock.set(13, 40); w.refresh(); pump(1.5)
w.grab().save(str(OUT / "kiosk-open-1280x1024.png"))
wait(lambda: not w.appointment_button.isHidden())
w.appointment_button.click(); pump(0.5)
for ch in booked.code[:4]:
    w.check_in.keys()[ch].click()
pump(0.5)
w.grab().save(str(OUT / "kiosk-check-in-keyboard-1280x1024.png"))
for ch in booked.code[4:]:
    w.check_in.keys()[ch].click()
w.check_in.check_in_button.click()
wait(lambda: w.on_ticket_page()); pump(0.5)
w.grab().save(str(OUT / "kiosk-appointment-ticket-1280x1024.png"))
w.show_start(); w.resize(1080, 1920); pump(1.5)
w.grab().save(str(OUT / "kiosk-portrait-1080x1920.png"))
w.close()

# --- Qt dialogs in Dutch, drop-down, spin box -------------------------------------
cal = QCalendarWidget(); cal.setSelectedDate(QDate(2026, 12, 24)); cal.resize(420, 300); cal.show(); pump(0.5)
cal.grab().save(str(OUT / "calendar-dutch.png")); cal.close()
fd = QFileDialog(None, "Opslaan als PDF", "/tmp"); fd.setOption(QFileDialog.Option.DontUseNativeDialog, True)
fd.setAcceptMode(QFileDialog.AcceptMode.AcceptSave); fd.resize(800, 500); fd.show(); pump(0.8)
fd.grab().save(str(OUT / "filedialog-dutch.png")); fd.close()
host = QWidget(); form = QFormLayout(host)
combo = QComboBox(); combo.addItems(["Paspoort en ID-kaart", "Rijbewijs", "Uittreksel en verhuizing"]); combo.setCurrentIndex(1)
spin = QSpinBox(); spin.setRange(0, 60); spin.setValue(10)
edit = QLineEdit(); edit.setPlaceholderText("Naam")
form.addRow("Dienst", combo); form.addRow("Minuten", spin); form.addRow("Naam", edit)
host.resize(420, 180); host.show(); pump(0.3)
spin.setFocus(); pump(0.3)
host.grab().save(str(OUT / "inputs-spin-focus.png"))
combo.showPopup(); pump(0.5)
from PySide6.QtCore import QItemSelectionModel
v = combo.view(); v.selectionModel().setCurrentIndex(v.model().index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
pump(0.5)
v.window().grab().save(str(OUT / "combo-popup.png"))
print("done")
