"""Issue 12: the audit log (who read or changed which personal data), append-only; a resident's rights."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from baliedesk.domain.errors import PermissionDenied, ValidationError
from baliedesk.services import appointments as ap
from baliedesk.services import contacts, meldingen, privacy, schedules, setup
from baliedesk.services.context import workstation
from baliedesk.storage.models_privacy import AuditEntry

SECRETS = ("Piet Paal", "0612345678", "piet@example.nl", "Dorpsstraat")


@pytest.fixture
def w(backend, seeded, now):
    class W:
        pass

    x = W()
    x.ids, x.now = seeded, now
    x.clerk, x.lead, x.admin = seeded.users["anne"], seeded.users["fatima"], seeded.users["beheer"]
    x.fg = setup.create_user(backend, x.admin, "fg", "Functionaris", "privacyfunctionaris").id
    x.cat = {c.label: c for c in meldingen.list_categories(backend, x.clerk)}["Wegen > Losliggende tegel"].id
    token = workstation.set("balie-3-pc")
    try:
        x.melding = meldingen.take_melding(
            backend, x.clerk, seeded.location_id, now, category_id=x.cat, description="Tegel los",
            channel="balie", street="Dorpsstraat", house_number="12", postcode="9919 AB",
            reporter_name="Piet Paal", reporter_phone="0612345678", reporter_email="piet@example.nl").melding
    finally:
        workstation.reset(token)
    return x


def entries(backend):
    from types import SimpleNamespace

    with backend.unit_of_work() as uow:
        rows = uow.session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
        return [SimpleNamespace(**r._mapping) for r in rows]


def test_a_change_and_a_read_are_on_record_without_values(w, backend, now):
    mid = w.melding.summary.id
    created = [e for e in entries(backend) if e.record_type == "melding" and e.record_id == mid]
    assert [(e.action, e.user_id, e.workstation) for e in created] == [("create", w.clerk, "balie-3-pc")]
    assert set(created[0].fields.split(",")) >= {"reporter_name", "reporter_phone", "reporter_email",
                                                 "description"}
    later = now + dt.timedelta(minutes=5)
    meldingen.melding_detail(backend, w.ids.users["jeroen"], mid, later)
    read = [e for e in entries(backend) if e.action == "read" and e.record_id == mid]
    assert len(read) == 1 and read[0].user_id == w.ids.users["jeroen"] and read[0].at == later
    assert "reporter_phone" in read[0].fields and read[0].workstation == ""
    meldingen.change_status(backend, w.clerk, mid, "in_behandeling", later)
    assert [e.action for e in entries(backend) if e.record_id == mid and e.record_type == "melding"] == [
        "create", "read", "update"]
    dump = repr([(e.fields, e.detail, e.workstation) for e in entries(backend)])
    assert not any(s in dump for s in SECRETS)


def test_reads_of_every_kind_are_on_record(w, backend, now):
    loc = w.ids.location_id
    n = contacts.write_callback(backend, w.clerk, loc, now, caller_name="Kees", phone="0622222222",
                                question="Vraag", for_team="KCC")[0]
    k = contacts.register_complaint(backend, w.clerk, loc, now, name="Els", subject="S", description="D",
                                    channel="balie")
    contacts.open_callbacks(backend, w.clerk, loc, now)
    contacts.complaints(backend, w.clerk, loc, now)
    meldingen.work_list(backend, w.clerk, loc, now, search="Dorpsstraat")
    from baliedesk.services import demo

    demo.seed_hours(backend, w.ids, now)
    schedules.set_calendar_options(backend, w.lead, loc, now, appointments_enabled=True)
    ap.configure_service(backend, w.lead, w.ids.services["A"], enabled=True)
    from zoneinfo import ZoneInfo

    a = ap.book(backend, w.clerk, w.ids.services["A"], dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo(
        "Europe/Amsterdam")), now, name="Jan", phone="0611111111")
    ap.find(backend, w.clerk, a.code, now)
    ap.day_overview(backend, w.clerk, loc, now, day=dt.date(2026, 11, 20))
    got = {(e.action, e.record_type, e.record_id) for e in entries(backend)}
    assert {("create", "callback", n.id), ("read", "callback", n.id), ("create", "complaint", k.id),
            ("read", "complaint", k.id), ("read", "melding", w.melding.summary.id), ("create", "appointment", a.id),
            ("read", "appointment", a.id)} <= got
    overview = [e for e in entries(backend) if e.record_id == a.id and json.loads(json.dumps(e.detail or {})).get(
        "via") == "day_overview"]
    assert len(overview) == 1


def test_written_in_the_same_transaction(w, backend, now):
    """An entry made in a unit of work that is not committed is not there (nor is the change)."""
    before = len(entries(backend))
    with backend.unit_of_work(write=True) as uow:
        from baliedesk.services.common import audit

        audit(uow, w.clerk, now, "update", "melding", w.melding.summary.id, ("state",))
        # no commit: the change failed
    assert len(entries(backend)) == before
    with pytest.raises(ValidationError):  # a refused change leaves no entry
        meldingen.change_status(backend, w.clerk, w.melding.summary.id, "geannuleerd", now)  # note required
    assert len(entries(backend)) == before


def test_the_privacy_officer_searches_and_exports(w, backend, now):
    mid = w.melding.summary.id
    meldingen.melding_detail(backend, w.ids.users["jeroen"], mid, now)
    by_user = privacy.audit_by_user(backend, w.fg, w.ids.users["jeroen"], now)
    assert [(e.action, e.record_type, e.record_id) for e in by_user] == [("read", "melding", mid)]
    assert by_user[0].user_name == "Jeroen Bakker"
    by_record = privacy.audit_by_record(backend, w.admin, "melding", mid, now)
    assert [e.action for e in by_record] == ["create", "read"]
    by_resident = privacy.audit_by_resident(backend, w.fg, now, phone="+31 6 1234 5678")
    assert [e.id for e in by_resident] == [e.id for e in by_record]
    assert privacy.audit_by_resident(backend, w.fg, now, email="PIET@example.nl") == by_resident
    text = privacy.export_audit(backend, w.fg, now, record_type="melding")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [(r["actie"], r["record_id"]) for r in rows] == [("create", str(mid)), ("read", str(mid))]
    assert not any(s in text for s in SECRETS)
    # looking is on record too
    assert {e.action for e in entries(backend) if e.record_type == "audit_log"} == {"read", "export"}
    for who in (w.clerk, w.lead):
        with pytest.raises(PermissionDenied):
            privacy.audit_by_user(backend, who, w.clerk, now)
    with pytest.raises(PermissionDenied):  # the privacy officer reads the log, not the meldingen
        meldingen.melding_detail(backend, w.fg, mid, now)


def test_audit_csv_is_a_pure_function():
    e = privacy.AuditEntryInfo(1, dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), 7, "Anne", "pc;1", "read",
                               "melding", 9, ("reporter_name", "description"), '{"via": "search"}')
    text = privacy.audit_csv([e])
    assert text.splitlines()[0].startswith("id;tijdstip_utc;medewerker_id")
    row = next(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert (row["computer"], row["velden"], json.loads(row["details"])) == ("pc;1", "reporter_name,description",
                                                                            {"via": "search"})


def test_no_update_or_delete_even_through_a_raw_connection(pg_backend, now):
    import psycopg

    from baliedesk.services import demo

    ids = demo.seed(pg_backend, now, history=False)
    meldingen.list_categories(pg_backend, ids.users["anne"])
    contacts.write_callback(pg_backend, ids.users["anne"], ids.location_id, now, caller_name="K", phone="0611111111",
                            question="?", for_team="T")
    raw = pg_backend.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT count(*) FROM audit_log")
        assert cur.fetchone()[0] >= 1
        for sql in ("UPDATE audit_log SET user_id = NULL", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cur.execute(sql)
            raw.rollback()
        cur.execute("INSERT INTO audit_log (at, user_id, workstation, action, record_type, fields) "
                    "VALUES (now(), 1, '', 'read', 'x', '')")  # appending still works
        raw.commit()
    finally:
        raw.close()


# ---------------------------------------------------------------------------
# a resident's rights
# ---------------------------------------------------------------------------
def test_inzage_finds_everything_and_exports_json_and_a_letter(w, backend, now):
    loc = w.ids.location_id
    contacts.write_callback(backend, w.clerk, loc, now, caller_name="Piet Paal", phone="06-1234 5678",
                            question="Terugbellen", for_team="KCC")
    contacts.register_complaint(backend, w.clerk, loc, now, name="Piet Paal", subject="Wachttijd",
                                description="Te lang", channel="balie", email="piet@example.nl")
    contacts.write_callback(backend, w.clerk, loc, now, caller_name="Iemand Anders", phone="0699999999",
                            question="?", for_team="KCC")
    data = privacy.find_resident(backend, w.fg, phone="+31612345678", now=now)
    assert (len(data.meldingen), len(data.callbacks), len(data.complaints)) == (1, 1, 0)
    both = privacy.find_resident(backend, w.fg, phone="0612345678", email="piet@example.nl", now=now)
    assert (len(both.meldingen), len(both.callbacks), len(both.complaints)) == (1, 1, 1)
    by_name = privacy.find_resident(backend, w.fg, name="piet paal", postcode="9919ab", now=now)
    assert [m.id for m in by_name.meldingen] == [w.melding.summary.id] and not by_name.callbacks
    with pytest.raises(ValidationError):
        privacy.find_resident(backend, w.fg, name="Piet Paal", now=now)  # a name alone could be anybody
    doc = json.loads(privacy.resident_json(both))
    assert doc["meldingen"][0]["reporter_phone"] == "0612345678" and doc["retention"]
    from baliedesk.printing.inzage import inzage_letter

    pdf = inzage_letter(both, municipality="Gemeente Loppersum")
    assert pdf.startswith(b"%PDF")
    reads = [e for e in entries(backend) if (e.detail or {}).get("via") == "inzage"]
    assert {e.record_type for e in reads} == {"melding", "callback", "complaint"}
    with pytest.raises(PermissionDenied):
        privacy.find_resident(backend, w.clerk, phone="0612345678", now=now)


def test_erasure_except_where_a_legal_term_applies(w, backend, now):
    loc = w.ids.location_id
    mid = w.melding.summary.id
    meldingen.change_status(backend, w.clerk, mid, "in_behandeling", now)  # still being handled: kept
    done = contacts.write_callback(backend, w.clerk, loc, now, caller_name="Piet Paal", phone="0612345678",
                                   question="Bel 0612345678", for_team="KCC")[0]
    contacts.mark_called_back(backend, w.clerk, done.id, now, reached=True, outcome="Gesproken")
    open_k = contacts.register_complaint(backend, w.clerk, loc, now, name="Piet Paal", subject="S",
                                         description="D", channel="balie", phone="0612345678")
    result = privacy.erase_resident(backend, w.fg, phone="0612345678", reason="Verzoek per brief, tel 0612345678",
                                    now=now)
    assert result.erased == (("callback", done.id),)
    assert set(result.kept) == {("melding", mid, "melding_open"), ("complaint", open_k.id, "complaint_open")}
    left = privacy.find_resident(backend, w.fg, phone="0612345678", now=now)
    assert [n.id for n in left.callbacks] == [] and len(left.meldingen) == 1 and len(left.complaints) == 1
    erase = [e for e in entries(backend) if e.action == "erase"]
    summary = next(e for e in erase if e.record_type == "resident")
    assert "Verzoek per brief" in summary.detail["reason"] and "0612345678" not in json.dumps(summary.detail)
    assert ("callback", done.id) in {(e.record_type, e.record_id) for e in erase}
    # once closed, the melding's reporter can go as well
    meldingen.change_status(backend, w.clerk, mid, "afgehandeld", now)
    again = privacy.erase_resident(backend, w.fg, phone="0612345678", reason="Verzoek", now=now)
    assert ("melding", mid) in again.erased
    assert meldingen.melding_detail(backend, w.clerk, mid, now).reporter_name is None


def test_a_read_entry_does_not_relax_later_transactions(pg_backend, now):
    """Reads commit without waiting for the disk (SET LOCAL): the next transaction is as strict as ever."""
    from baliedesk.services import demo

    ids = demo.seed(pg_backend, now, history=False)
    clerk = ids.users["anne"]
    cat = meldingen.list_categories(pg_backend, clerk)[0].id
    m = meldingen.take_melding(pg_backend, clerk, ids.location_id, now, category_id=cat, description="x",
                               channel="balie", location_text="hier", reporter_name="Piet Paal").melding
    for _ in range(3):
        meldingen.melding_detail(pg_backend, clerk, m.summary.id, now)
        with pg_backend.unit_of_work(write=True) as uow:
            assert uow.connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    assert [e.action for e in entries(pg_backend) if e.record_id == m.summary.id] == ["create", "read", "read",
                                                                                      "read"]
