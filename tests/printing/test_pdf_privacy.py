"""Issue 12: slips saved to the PDF folder carry no personal data in their names, and follow retention."""

from __future__ import annotations

import datetime as dt
import os

from baliedesk.printing import jobs
from baliedesk.printing.config import PrinterConfig
from baliedesk.printing.retention import prune_pdf_folder
from baliedesk.printing.slips import Slip
from baliedesk.services.privacy_dto import RetentionTermInfo

NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


def test_a_callback_slip_file_has_no_name_in_it(tmp_path):
    slip = Slip("callback", "Terugbelverzoek Jan Jansen", "Loppersum", ())
    first = jobs.Printout(slip, "80mm", b"%PDF-1.4 een")
    assert first.filename.startswith("terugbelverzoek-") and "jan" not in first.filename.lower()
    delivered = jobs.deliver(first, PrinterConfig(type="pdf_folder", pdf_folder=str(tmp_path)))
    assert "jansen" not in delivered.job.lower()
    other = jobs.Printout(slip, "80mm", b"%PDF-1.4 twee")
    assert other.filename != first.filename  # two callers, two files


def _file(folder, name: str, days_old: int):
    path = folder / name
    path.write_bytes(b"%PDF-1.4")
    stamp = (NOW - dt.timedelta(days=days_old)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_saved_slips_go_after_their_term(tmp_path):
    terms = [RetentionTermInfo("appointment", 3, True, 3, "slot_end"),
             RetentionTermInfo("callback", 6, True, 6, "done_at"),
             RetentionTermInfo("melding_reporter", 12, False, 12, "closed_at")]
    old_appointment = _file(tmp_path, "afspraak-k7p-3qx.pdf", 100)
    new_appointment = _file(tmp_path, "afspraak-aaa-bbb.pdf", 80)
    old_callback = _file(tmp_path, "terugbelverzoek-0123456789ab.pdf", 190)
    new_callback = _file(tmp_path, "terugbelverzoek-ba9876543210.pdf", 170)
    melding = _file(tmp_path, "melding-m-2024-000001.pdf", 900)  # its term is switched off
    ticket = _file(tmp_path, "nummer-a-001.pdf", 900)  # no personal data
    dry = prune_pdf_folder(tmp_path, NOW, terms, dry_run=True)
    assert set(dry.deleted) == {old_appointment.name, old_callback.name} and old_callback.exists()
    done = prune_pdf_folder(tmp_path, NOW, terms)
    assert done.deleted == dry.deleted
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (new_appointment, new_callback, melding, ticket))
    assert prune_pdf_folder(tmp_path / "weg", NOW, terms).deleted == ()


def test_a_callback_slip_names_the_caller_only_on_the_paper():
    """The print job's name (in the spooler's history, which every user of the PC may list) and the
    PDF's title hold no caller's name or phone number; the slip itself does."""
    from baliedesk.printing import samples
    from baliedesk.printing.slips import callback_slip

    data = samples.callback()
    printout = jobs.build(callback_slip(data, samples.branding()))
    assert printout.title.startswith("Terugbelverzoek")
    for secret in (data.caller_name, data.phone):
        assert secret not in printout.title
        # the PDF's document information (its page content is compressed, and is the paper itself)
        assert secret.encode("latin-1") not in printout.pdf
        assert secret.encode("utf-16-be").hex().upper().encode() not in printout.pdf.upper()
