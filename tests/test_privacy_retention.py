"""Issue 12: retention per kind of data, on by default; dry run; figures stay; photos lose EXIF; the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from baliedesk.domain.errors import PermissionDenied
from baliedesk.domain.retention import months_before
from baliedesk.services import appointments as ap
from baliedesk.services import contacts, demo, meldingen, privacy, queue, retention, schedules
from baliedesk.storage.models import (
    Appointment,
    CallbackNote,
    Complaint,
    Melding,
    MeldingHistory,
    MeldingPhoto,
    Ticket,
    TicketEvent,
)

AMS = ZoneInfo("Europe/Amsterdam")
DESCRIPTION = "Tegel los voor 1234 AB 12, bel 06-12345678 of mail piet@example.nl"


def gps_jpeg() -> bytes:
    img = Image.new("RGB", (32, 24), (10, 120, 10))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS 5D"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (53.0, 19.0, 7.5), "E", (6.0, 44.0, 2.1)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def ago(now: dt.datetime, months: int, days: int = 0) -> dt.datetime:
    return months_before(now, months) - dt.timedelta(days=days)


class World:
    pass


@pytest.fixture
def world(backend, seeded, now):
    """Records of every kind, some just past their term and some just inside it."""
    w = World()
    w.ids, w.now = seeded, now
    clerk, lead, w.admin = seeded.users["anne"], seeded.users["fatima"], seeded.users["beheer"]
    loc = seeded.location_id
    cat = {c.label: c for c in meldingen.list_categories(backend, clerk)}["Wegen > Losliggende tegel"].id

    def melding(at: dt.datetime, close: str | None, closed_at: dt.datetime | None, photo: bool = False) -> int:
        m = meldingen.take_melding(backend, clerk, loc, at, category_id=cat, description=DESCRIPTION,
                                   channel="balie", street="Dorpsstraat", house_number="12", postcode="9919 AB",
                                   reporter_name="Piet Paal", reporter_phone="0612345678",
                                   reporter_email="piet@example.nl",
                                   photos=[("foto.jpg", gps_jpeg())] if photo else ()).melding
        if close:
            meldingen.change_status(backend, clerk, m.summary.id, close, closed_at,
                                    note="Gebeld met 06-12345678" if close == "geannuleerd" else None)
        return m.summary.id

    w.m_handled_13 = melding(ago(now, 13, 5), "afgehandeld", ago(now, 13), photo=True)   # reporter: anonymise
    w.m_handled_11 = melding(ago(now, 11, 5), "afgehandeld", ago(now, 11))               # kept
    w.m_cancelled_13 = melding(ago(now, 13, 5), "geannuleerd", ago(now, 13), photo=True)  # destroy (1 year)
    w.m_handled_61 = melding(ago(now, 61, 5), "afgehandeld", ago(now, 61))               # destroy (5 years)
    w.m_handled_59 = melding(ago(now, 59, 5), "afgehandeld", ago(now, 59))               # anonymise only
    w.m_open_30 = melding(ago(now, 30), None, None)                                      # open: kept

    demo.seed_hours(backend, seeded, ago(now, 5))
    schedules.set_calendar_options(backend, lead, loc, ago(now, 5), appointments_enabled=True)
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15)

    def appointment(months: int) -> int:
        booked = ago(now, months, 10)
        day = (booked + dt.timedelta(days=7)).astimezone(AMS).date()
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        start = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=AMS)
        return ap.book(backend, clerk, seeded.services["A"], start, booked, name="Jan Jansen",
                       phone="0611111111", email="jan@example.nl", remarks="Rolstoel").id

    w.a_old = appointment(4)   # slot ~3.75 months ago: anonymise (3 months)
    w.a_new = appointment(2)   # kept

    def callback(months: int) -> int:
        at = ago(now, months, 3)
        n = contacts.write_callback(backend, clerk, loc, at, caller_name="Kees Koe", phone="0622222222",
                                    question="Bel terug op 06-22222222 over schuldhulp", for_team="KCC")[0]
        contacts.mark_called_back(backend, clerk, n.id, ago(now, months), reached=True,
                                  outcome="Gesproken, mail naar kees@example.nl")
        return n.id

    w.c_old, w.c_new = callback(7), callback(5)

    def complaint(months: int) -> int:
        at = ago(now, months, 20)
        c = contacts.register_complaint(backend, clerk, loc, at, name="Els Smit", subject="Wachttijd",
                                        description="Bel mij op 0633333333", channel="balie",
                                        phone="0633333333", email="els@example.nl")
        contacts.close_complaint(backend, lead, c.id, ago(now, months), outcome="Excuses per mail els@example.nl")
        return c.id

    w.k_old, w.k_new = complaint(25), complaint(23)
    # a day at the counter, for the queue figures
    kiosk = seeded.users["kiosk-ingang"]
    queue.sign_in(backend, clerk, seeded.counters["Balie 1"], now)
    for i in range(3):
        t = queue.issue_ticket(backend, kiosk, seeded.services["A"], now + dt.timedelta(minutes=i))
        called = queue.call_next(backend, clerk, seeded.counters["Balie 1"], now + dt.timedelta(minutes=5 + 4 * i))
        queue.finish(backend, clerk, seeded.counters["Balie 1"], called.id, now + dt.timedelta(minutes=8 + 4 * i),
                     note="Belde 06-44444444")
        w.last_ticket = t.ticket.id
    return w


def row(backend, model, rid):
    """The row's columns as attributes (times as stored, read through the model's types)."""
    from types import SimpleNamespace

    with backend.unit_of_work() as uow:
        r = uow.session.execute(select(model.__table__).where(model.__table__.c.id == rid)).one()
        return SimpleNamespace(**r._mapping)


def test_each_default_term(world, backend, now):
    w = world
    run = retention.run_retention(backend, w.admin, now)
    assert run.count("melding_cancelled") == 1 and run.count("melding_handled") == 1
    assert run.count("melding_reporter") == 2  # 13 months (handled) and 59 months
    assert run.count("appointment") == 1 and run.count("callback") == 1 and run.count("complaint") == 1

    m = row(backend, Melding, w.m_handled_13)  # reporter gone, text scrubbed, the rest stays
    assert (m.reporter_name, m.reporter_phone, m.reporter_email) == (None, None, None)
    assert "06-12345678" not in m.description and "piet@example.nl" not in m.description
    assert "1234 AB" not in m.description and m.description.startswith("Tegel los voor")
    assert m.destroyed_at is None and m.anonymised_at == now and m.street == "Dorpsstraat"
    kept = row(backend, Melding, w.m_handled_11)
    assert kept.reporter_name == "Piet Paal" and kept.description == DESCRIPTION
    assert row(backend, Melding, w.m_open_30).reporter_name == "Piet Paal"

    for destroyed in (w.m_cancelled_13, w.m_handled_61):  # tombstones: number, dates, state; nothing else
        t = row(backend, Melding, destroyed)
        assert t.destroyed_at == now and t.number.startswith("M-") and t.closed_at is not None
        assert (t.description, t.reporter_name, t.street, t.postcode, t.photo_count) == ("", None, None, None, 0)
    with backend.unit_of_work() as uow:
        assert not uow.session.scalars(select(MeldingPhoto).where(MeldingPhoto.melding_id == w.m_cancelled_13)).all()
        notes = uow.session.scalars(select(MeldingHistory.note).where(
            MeldingHistory.melding_id == w.m_cancelled_13)).all()
        assert notes and all(n is None for n in notes)
    assert row(backend, Melding, w.m_handled_59).reporter_name is None
    assert row(backend, Melding, w.m_handled_59).destroyed_at is None

    a, b = row(backend, Appointment, w.a_old), row(backend, Appointment, w.a_new)
    assert (a.name, a.phone, a.email, a.remarks) == ("", None, None, None) and a.state == "booked"
    assert b.name == "Jan Jansen" and b.phone == "0611111111"
    c, d = row(backend, CallbackNote, w.c_old), row(backend, CallbackNote, w.c_new)
    assert (c.caller_name, c.phone) == ("", "") and "06-22222222" not in c.question and "schuldhulp" in c.question
    assert "kees@example.nl" not in c.outcome and d.caller_name == "Kees Koe"
    k, j = row(backend, Complaint, w.k_old), row(backend, Complaint, w.k_new)
    assert (k.name, k.phone, k.email) == ("", None, None) and "0633333333" not in k.description
    assert "els@example.nl" not in k.outcome and j.name == "Els Smit"

    again = retention.run_retention(backend, w.admin, now)  # idempotent
    assert again.total == 0


def test_notes_on_tickets_and_contacts(world, backend, now):
    """A clerk's note goes 3 months after the visit (also from the events), a contact's note after 12."""
    later = now + dt.timedelta(days=100)
    loc = world.ids.location_id
    contacts.register_contact(backend, world.ids.users["anne"], loc, now, channel="telefoon", subject="Vraag",
                              note="Belde over schuldhulp")
    with backend.unit_of_work() as uow:
        notes = uow.session.scalars(select(Ticket.note).where(Ticket.note.is_not(None))).all()
        data = [d for d in uow.session.scalars(select(TicketEvent.data)).all() if d and d.get("note")]
    assert len(notes) == 3 and len(data) == 3
    run = retention.run_retention(backend, world.admin, later)
    assert run.count("ticket_note") == 3 and run.count("contact_note") == 0
    with backend.unit_of_work() as uow:
        assert uow.session.scalars(select(Ticket.note).where(Ticket.note.is_not(None))).all() == []
        left = [d for d in uow.session.scalars(select(TicketEvent.data)).all() if d and "note" in d]
        assert left == [] and any(d and d.get("outcome") == "helped" for d in uow.session.scalars(
            select(TicketEvent.data)).all())  # the rest of the event stays
    assert retention.run_retention(backend, world.admin, now + dt.timedelta(days=370)).count("contact_note") == 1


def _dump(backend):
    with backend.unit_of_work() as uow:
        out = {}
        for model in (Melding, MeldingHistory, MeldingPhoto, Appointment, CallbackNote, Complaint, Ticket,
                      TicketEvent):
            rows = uow.session.execute(select(model.__table__)).all()
            out[model.__tablename__] = sorted(tuple(r) for r in rows)
        return out


def test_dry_run_changes_nothing(world, backend, now):
    before = _dump(backend)
    due = retention.retention_due(backend, world.admin, now)
    dry = retention.run_retention(backend, world.admin, now, dry_run=True)
    assert _dump(backend) == before
    assert dry.dry_run and dry.total == due.total == 7  # (the tickets of today are not due)
    assert {c.kind: c.due for c in dry.counts} == {c.kind: c.due for c in due.counts}
    real = retention.run_retention(backend, world.admin, now)
    assert {c.kind: c.due for c in real.counts} == {c.kind: c.due for c in due.counts}


def _figures(backend, world, now):
    """Service-norm figures: queue wait and handling times, meldingen handled on time, counts per state."""
    ids = world.ids
    with backend.unit_of_work() as uow:
        tickets = uow.session.scalars(select(Ticket.id)).all()
        rows = uow.session.execute(select(Melding.state, Melding.received_on, Melding.due_date,
                                          Melding.closed_at, Melding.term_days, Melding.category_id)).all()
    histories = [queue.ticket_history(backend, ids.users["anne"], t) for t in sorted(tickets)]
    waits = [(h.first_wait_s, h.total_wait_s, h.handling_s) for h in histories]
    on_time = sum(1 for s, _r, due, closed, _t, _c in rows
                  if s == "afgehandeld" and closed.astimezone(AMS).date() <= due)
    per_state = sorted((s, sum(1 for r in rows if r[0] == s)) for s in {r[0] for r in rows})
    terms = sorted((r[1], r[2], r[4], r[5]) for r in rows)
    return waits, on_time, per_state, terms


def test_figures_stay(world, backend, now):
    before = _figures(backend, world, now)
    assert before[0] and before[1] >= 3
    retention.run_retention(backend, world.admin, now)
    assert _figures(backend, world, now) == before


def test_terms_are_configurable_and_each_run_is_on_record(world, backend, now):
    admin = world.admin
    defaults = {t.kind: (t.months, t.enabled) for t in privacy.retention_terms(backend, admin)}
    assert defaults == {"melding_reporter": (12, True), "appointment": (3, True), "callback": (6, True),
                        "complaint": (24, True), "melding_cancelled": (12, True), "melding_handled": (60, True),
                        "ticket_note": (3, True), "contact_note": (12, True)}
    privacy.set_retention_term(backend, admin, "appointment", now, enabled=False)
    privacy.set_retention_term(backend, admin, "callback", now, months=8)
    with pytest.raises(PermissionDenied):
        privacy.set_retention_term(backend, world.ids.users["fatima"], "callback", now, months=1)
    run = retention.run_retention(backend, admin, now)
    assert run.count("appointment") == 0 and run.count("callback") == 0 and run.count("complaint") == 1
    assert row(backend, Appointment, world.a_old).name == "Jan Jansen"
    import csv

    rows = list(csv.DictReader(io.StringIO(privacy.export_audit(backend, admin, now, record_type="retention")),
                               delimiter=";"))
    runs = [json.loads(r["details"]) for r in rows if r["actie"] == "retention"]
    assert len(runs) == 1 and runs[0]["counts"]["complaint"] == 1 and runs[0]["terms"]["appointment"] is None
    assert runs[0]["terms"]["callback"] == 8 and not runs[0]["dry_run"]
    changes = [json.loads(r["details"]) for r in rows if r["actie"] == "update"]
    assert {c["kind"] for c in changes} == {"appointment", "callback"}


def test_photos_lose_exif_on_intake(backend, seeded, now):
    cat = {c.label: c for c in meldingen.list_categories(backend, seeded.users["anne"])}["Groen > Boom"].id
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    m = meldingen.take_melding(backend, seeded.users["anne"], seeded.location_id, now, category_id=cat,
                               description="Boom om", channel="balie", location_text="park",
                               photos=[("IMG_0001.jpg", original)]).melding
    _name, kind, data = meldingen.photo_data(backend, seeded.users["anne"], m.photos[0].id)
    stored = Image.open(io.BytesIO(data))
    stored.load()
    assert kind == "image/jpeg" and stored.size == (32, 24)
    assert dict(stored.getexif()) == {} and b"Canon" not in data and b"Exif" not in data


def test_cli_retention_run(world, backend, now, database_url, capsys, tmp_path):
    from baliedesk import cli

    folder = tmp_path / "bonnen"
    folder.mkdir()
    old = folder / "terugbelverzoek-abc.pdf"
    old.write_bytes(b"%PDF-1.4")
    stamp = (now - dt.timedelta(days=400)).timestamp()
    os.utime(old, (stamp, stamp))
    fresh = folder / "terugbelverzoek-def.pdf"
    fresh.write_bytes(b"%PDF-1.4")
    ticket = folder / "nummer-a-001.pdf"
    ticket.write_bytes(b"%PDF-1.4")
    os.utime(ticket, (stamp, stamp))
    args = ["retention", "run", "--json", "--database-url", database_url, "--pdf-folder", str(folder)]
    assert cli.main([*args, "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] and dry["pdf_deleted"] == 1 and old.exists()
    # (the real clock: everything of the fixture's past is due by now at least)
    assert dry["counts"]["melding_handled"] >= 1
    assert cli.main(args) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["counts"] == dry["counts"] and not old.exists() and fresh.exists() and ticket.exists()
    assert cli.main(["retention", "run", "--database-url", database_url, "--pdf-folder", str(folder)]) == 0
    assert "Bewaartermijnen uitgevoerd" in capsys.readouterr().out


def test_run_daily_runs_once_a_day(world, backend, now):
    first = retention.run_daily(backend, world.admin, now)
    assert first is not None and first.total == 7
    assert retention.run_daily(backend, world.admin, now + dt.timedelta(hours=3)) is None
    assert retention.run_daily(backend, world.admin, now + dt.timedelta(days=1)) is not None
