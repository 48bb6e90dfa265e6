"""Printing from the meldingen window: the melding confirmation after intake and from the work list
(80 mm or A4 per workstation), the callback receipt. SQLite and PostgreSQL; Qt's dialogs replaced by fakes."""

from __future__ import annotations

import pytest

from baliedesk.services import meldingen
from baliedesk.ui.common import printbar
from baliedesk.ui.meldingen.window import CallbackPanel, IntakeForm, WorkListPanel
from baliedesk.ui.common.tasks import runner

_KEEP: list = []  # strong references until the test ends (qtbot keeps weak ones)


@pytest.fixture(autouse=True)
def _keep():
    yield
    runner().wait(10_000)
    _KEEP.clear()


@pytest.fixture
def dialogs(monkeypatch, tmp_path):
    """Qt's print and save dialogs replaced: what would be printed or saved is recorded."""
    seen: dict[str, list] = {"printed": [], "saved": []}

    def fake_print(parent, pdf, *, title, preview, printer_name):
        seen["printed"].append((title, pdf))
        return True

    def fake_save(parent, pdf, suggested):
        path = tmp_path / "bon.pdf"
        path.write_bytes(pdf)
        seen["saved"].append(path)
        return path

    monkeypatch.setattr(printbar, "print_with_dialog", fake_print)
    monkeypatch.setattr(printbar, "save_pdf_dialog", fake_save)
    return seen


def _add(qtbot, w):
    qtbot.addWidget(w)
    _KEEP.append(w)
    return w


@pytest.mark.parametrize(("paper", "expected"), [("80mm", "80mm"), ("A4", "A4"), ("A5", "80mm")])
def test_intake_confirmation_prints_on_the_workstation_paper(qtbot, make_client, seeded, now, dialogs, paper,
                                                             expected):
    w = _add(qtbot, IntakeForm(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id,
                               settings={"printer_paper": paper}))
    qtbot.waitUntil(lambda: w.category.count() > 1, timeout=10_000)
    assert w.print_bar.isHidden()
    w.category.setCurrentIndex(1)
    w.description.setPlainText("Lamp brandt niet")
    w.location_text.setText("bij de school")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        w.save()
    number = blocker.args[0].slip.number
    assert not w.print_bar.isHidden() and w.print_bar.print_button.isEnabled()
    with qtbot.waitSignal(w.print_bar.printed, timeout=10_000) as printed:
        w.print_bar.print_slip()
    printout = printed.args[0]
    assert printout.paper == expected and number in printout.title
    assert printout.pdf.startswith(b"%PDF") and dialogs["printed"][0][1] == printout.pdf
    assert blocker.args[0].slip.tracking_code in printout.slip.text()


def test_work_list_prints_the_selected_meldings_confirmation(qtbot, backend, make_client, seeded, now, dialogs):
    anne = seeded.users["anne"]
    cat = meldingen.list_categories(backend, anne)[0]
    first = meldingen.take_melding(backend, anne, seeded.location_id, now, category_id=cat.id,
                                   description="Eerste", channel="balie", location_text="park")
    w = _add(qtbot, WorkListPanel(make_client(anne, clock=lambda: now), seeded.location_id,
                                  settings={"printer_paper": "A4"}))
    qtbot.waitUntil(lambda: w.table.rowCount() == 1, timeout=10_000)
    assert not w.print_bar.print_button.isEnabled()  # nothing chosen yet
    w.table.selectRow(0)
    qtbot.waitUntil(lambda: w.detail is not None and w.print_bar.save_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(w.print_bar.saved, timeout=10_000) as saved:
        w.print_bar.save_pdf()
    assert saved.args[0].read_bytes().startswith(b"%PDF")
    assert first.slip.number in w.print_bar.last_printout.title and w.print_bar.last_printout.paper == "A4"


def test_callback_receipt_after_writing_a_note(qtbot, make_client, seeded, now, dialogs):
    w = _add(qtbot, CallbackPanel(make_client(seeded.users["anne"], clock=lambda: now), seeded.location_id))
    assert w.print_bar.isHidden()
    w.caller.setText("Mevrouw Bakker")
    w.phone.setText("0596 123456")
    w.question.setPlainText("Wanneer komt de vuilniswagen?")
    w.for_team.setText("Team Afval")
    with qtbot.waitSignal(w.written, timeout=10_000):
        w.write()
    assert not w.print_bar.isHidden()
    with qtbot.waitSignal(w.print_bar.printed, timeout=10_000) as printed:
        w.print_bar.print_slip()
    text = printed.args[0].slip.text()
    assert "Mevrouw Bakker" in text and "Team Afval" in text and printed.args[0].paper == "80mm"
