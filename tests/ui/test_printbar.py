"""PrintBar: "Printen…" and "Opslaan als PDF" under a slip. The dialogs are
replaced by fakes that keep the PDF bytes they were given, so the tests read
the very PDF a clerk would print or save."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from baliedesk.printing import jobs, samples
from baliedesk.printing.errors import PrinterUnavailable
from baliedesk.printing.qtprint import PdfPages
from baliedesk.printing.slips import appointment_slip, melding_slip, ticket_slip
from baliedesk.ui.common import printbar
from baliedesk.ui.common.printbar import PrintBar


def text_of(pdf: bytes) -> str:
    return " ".join(PdfPages(pdf).text().split())


def width_mm(pdf: bytes) -> float:
    return round(PdfPages(pdf).size_points(0)[0] / 72 * 25.4)


class FakePrintDialog:
    """Stands in for qtprint.print_with_dialog: records what it got; answers or raises in turn."""

    def __init__(self, *answers):
        self.answers = list(answers) or [True]
        self.calls: list[dict] = []

    def __call__(self, parent, pdf, *, title, preview, printer_name):
        self.calls.append({"pdf": pdf, "title": title, "preview": preview, "printer_name": printer_name,
                           "parent": parent})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, BaseException):
            raise answer
        return answer


class FakeSaveDialog:
    def __init__(self, answer=None, error: BaseException | None = None):
        self.answer, self.error = answer, error
        self.calls: list[tuple[bytes, str]] = []

    def __call__(self, parent, pdf, suggested):
        self.calls.append((pdf, suggested))
        if self.error is not None:
            raise self.error
        if self.answer is None:
            return None
        Path(self.answer).write_bytes(pdf)
        return Path(self.answer)


def appointment_source():
    return appointment_slip(samples.appointment(), samples.branding())


def make_bar(qtbot, source=appointment_source, settings=None, **kwargs) -> PrintBar:
    bar = PrintBar(source, settings if settings is not None else {}, **kwargs)
    qtbot.addWidget(bar)
    bar.show()
    return bar


def test_print_opens_the_dialog_with_the_slip_and_the_workstation_printer(qtbot):
    dialog = FakePrintDialog(True)
    bar = make_bar(qtbot, settings={"printer_type": "system", "printer_name": "balie-3", "printer_paper": "A5"},
                   papers=("80mm", "A5", "A4"), print_dialog=dialog)
    with qtbot.waitSignal(bar.printed, timeout=10_000) as printed:
        qtbot.mouseClick(bar.print_button, printbar.Qt.MouseButton.LeftButton)
    call = dialog.calls[0]
    assert call["printer_name"] == "balie-3" and call["preview"] is True
    assert call["pdf"] == printed.args[0].pdf == bar.last_printout.pdf
    assert width_mm(call["pdf"]) == 148  # A5, the workstation's paper
    text = text_of(call["pdf"])
    assert "Uw afspraak" in text and "Gemeente Eemsdelta" in text
    assert call["title"] == printed.args[0].title
    assert bar.notice.text() == "Het bonnetje is naar de printer gestuurd."
    assert bar.retry_button.isHidden()


def test_paper_falls_back_to_the_slips_first_paper(qtbot):
    dialog = FakePrintDialog(True)
    bar = make_bar(qtbot, lambda: melding_slip(samples.melding(), samples.branding()),
                   {"printer_paper": "A5"}, papers=("80mm", "A4"), print_dialog=dialog)
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.print_slip()
    assert width_mm(dialog.calls[0]["pdf"]) == 80
    assert dialog.calls[0]["printer_name"] == ""  # no system printer chosen: the dialog's default
    assert "M-2026-000123" in text_of(dialog.calls[0]["pdf"])


def test_the_slip_is_built_off_the_gui_thread(qtbot):
    threads = []

    def source():
        threads.append(threading.current_thread())
        return appointment_source()

    bar = make_bar(qtbot, source, print_dialog=FakePrintDialog(True))
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.print_slip()
    assert threads and threads[0] is not threading.main_thread()


def test_cancelled_dialog_says_nothing(qtbot):
    bar = make_bar(qtbot, print_dialog=FakePrintDialog(False))
    with qtbot.waitSignal(bar.cancelled, timeout=10_000):
        bar.print_slip()
    assert bar.notice.isHidden() and bar.retry_button.isHidden()


def test_printer_out_of_paper_shows_dutch_message_and_retry_prints_the_same_pdf(qtbot):
    dialog = FakePrintDialog(PrinterUnavailable("balie-3", "out_of_paper"), True)
    built = []
    bar = make_bar(qtbot, settings={"printer_type": "system", "printer_name": "balie-3"}, print_dialog=dialog)
    bar.built.connect(built.append)
    with qtbot.waitSignal(bar.failed, timeout=10_000) as failed:
        bar.print_slip()
    expected = "Het papier in printer balie-3 is op. Doe er nieuw papier in en print opnieuw."
    assert failed.args[0] == expected
    assert bar.notice.text() == expected and bar.notice.property("error") is True
    assert bar.retry_button.isVisible() and bar.save_button.isEnabled()
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        qtbot.mouseClick(bar.retry_button, printbar.Qt.MouseButton.LeftButton)
    assert len(built) == 1, "retry prints the slip already made"
    assert dialog.calls[0]["pdf"] is dialog.calls[1]["pdf"]
    assert bar.retry_button.isHidden() and bar.notice.property("error") is False


def test_a_source_that_fails_can_be_tried_again(qtbot):
    attempts = []

    def source():
        attempts.append(1)
        if len(attempts) == 1:
            raise PrinterUnavailable("", "failed", "could not make it")
        return appointment_source()

    bar = make_bar(qtbot, source, print_dialog=FakePrintDialog(True))
    with qtbot.waitSignal(bar.failed, timeout=10_000) as failed:
        bar.print_slip()
    assert "kon het bonnetje niet printen" in failed.args[0]
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.retry()
    assert len(attempts) == 2


def test_unexpected_error_in_source_gives_calm_message(qtbot):
    def source():
        raise RuntimeError("boom")

    bar = make_bar(qtbot, source, print_dialog=FakePrintDialog(True))
    with qtbot.waitSignal(bar.failed, timeout=10_000) as failed:
        bar.print_slip()
    assert "Er ging iets mis" in failed.args[0]
    assert not bar.busy and bar.print_button.isEnabled()


def test_save_as_pdf_proposes_the_pdf_folder_and_writes_the_slip(qtbot, tmp_path):
    folder = tmp_path / "bonnen"
    folder.mkdir()
    target = tmp_path / "gekozen.pdf"
    dialog = FakeSaveDialog(target)
    bar = make_bar(qtbot, settings={"printer_pdf_folder": str(folder)}, save_dialog=dialog)
    with qtbot.waitSignal(bar.saved, timeout=10_000) as saved:
        qtbot.mouseClick(bar.save_button, printbar.Qt.MouseButton.LeftButton)
    pdf, suggested = dialog.calls[0]
    assert Path(suggested).parent == folder and suggested.endswith(".pdf")
    assert Path(suggested).name == bar.last_printout.filename
    assert saved.args[0] == target and target.read_bytes() == pdf
    assert "Uw afspraak" in text_of(pdf)
    assert bar.notice.text() == f"Opgeslagen als {target}"


def test_save_proposes_home_when_the_pdf_folder_is_gone(qtbot, tmp_path):
    dialog = FakeSaveDialog(None)
    bar = make_bar(qtbot, settings={"printer_pdf_folder": str(tmp_path / "weg")}, save_dialog=dialog)
    with qtbot.waitSignal(bar.cancelled, timeout=10_000):
        bar.save_pdf()
    assert Path(dialog.calls[0][1]).parent == Path.home()


def test_save_that_cannot_write_shows_the_folder_and_retry_asks_again(qtbot, tmp_path):
    err = PermissionError(13, "Permission denied", str(tmp_path / "alleen-lezen" / "x.pdf"))
    dialog = FakeSaveDialog(error=err)
    bar = make_bar(qtbot, save_dialog=dialog)
    with qtbot.waitSignal(bar.failed, timeout=10_000) as failed:
        bar.save_pdf()
    assert failed.args[0] == (f"Het PDF-bestand kon niet worden opgeslagen in de map {tmp_path / 'alleen-lezen'}. "
                              "Kies een andere map en probeer opnieuw.")
    dialog.error, dialog.answer = None, tmp_path / "goed.pdf"
    with qtbot.waitSignal(bar.saved, timeout=10_000):
        bar.retry()
    assert dialog.calls[0][0] is dialog.calls[1][0]


def test_pdf_folder_printer_prints_without_a_dialog(qtbot, tmp_path):
    folder = tmp_path / "uit"
    dialog = FakePrintDialog(True)
    bar = make_bar(qtbot, settings={"printer_type": "pdf_folder", "printer_pdf_folder": str(folder)},
                   print_dialog=dialog)
    with qtbot.waitSignal(bar.printed, timeout=10_000) as printed:
        bar.print_slip()
    assert dialog.calls == []
    files = list(folder.glob("*.pdf"))
    assert len(files) == 1 and files[0].read_bytes() == printed.args[0].pdf
    assert bar.notice.text() == f"Het bonnetje is opgeslagen als {files[0]}"


def test_escpos_printer_missing_then_fixed_in_settings(qtbot, tmp_path):
    settings = {"printer_type": "escpos_file", "printer_escpos_target": str(tmp_path / "geen" / "lp0")}
    bar = make_bar(qtbot, lambda: ticket_slip(samples.ticket(), samples.branding()), settings,
                   print_dialog=FakePrintDialog(True))
    with qtbot.waitSignal(bar.failed, timeout=10_000) as failed:
        bar.print_slip()
    assert failed.args[0].startswith(f"De printer {tmp_path / 'geen' / 'lp0'} ")
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    settings["printer_escpos_target"] = str(device)
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.retry()
    data = device.read_bytes()
    assert b"A023" in data or b"A 023" in data


def test_without_a_source_the_buttons_are_off(qtbot):
    bar = make_bar(qtbot, None, print_dialog=FakePrintDialog(True))
    assert not bar.print_button.isEnabled() and not bar.save_button.isEnabled()
    bar.print_slip()  # ignored
    assert not bar.busy
    bar.set_source(appointment_source)
    assert bar.print_button.isEnabled() and bar.save_button.isEnabled()


def test_buttons_are_off_while_the_slip_is_made(qtbot):
    gate = threading.Event()

    def slow():
        gate.wait(10)
        return appointment_source()

    bar = make_bar(qtbot, slow, print_dialog=FakePrintDialog(True))
    bar.print_slip()
    assert bar.busy and not bar.print_button.isEnabled() and not bar.save_button.isEnabled()
    assert bar.busy_label.text() == "Het bonnetje wordt gemaakt…"
    bar.print_slip()  # a second press while busy is ignored
    gate.set()
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        pass
    assert not bar.busy and bar.print_button.isEnabled()


def test_a_printout_source_is_used_as_it_is(qtbot):
    made = jobs.build(appointment_source(), "A4")
    dialog = FakePrintDialog(True)
    bar = make_bar(qtbot, lambda: made, {"printer_paper": "80mm"}, print_dialog=dialog)
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.print_slip()
    assert dialog.calls[0]["pdf"] is made.pdf


def test_module_dialogs_can_be_monkeypatched(qtbot, monkeypatch):
    dialog = FakePrintDialog(True)
    monkeypatch.setattr(printbar, "print_with_dialog", dialog)
    bar = make_bar(qtbot)
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.print_slip()
    assert len(dialog.calls) == 1


def test_bad_papers_are_refused(qtbot):
    with pytest.raises(ValueError):
        PrintBar(appointment_source, {}, papers=("A3",))


def test_a_bar_closed_while_the_slip_is_made_ignores_the_answer(qtbot, caplog):
    from baliedesk.ui.common.tasks import runner

    gate = threading.Event()

    def slow():
        gate.wait(10)
        return appointment_source()

    dialog = FakePrintDialog(True)
    bar = PrintBar(slow, {}, print_dialog=dialog)
    bar.print_slip()
    bar.deleteLater()
    qtbot.waitUntil(lambda: bar._gone[0], timeout=2000)
    gate.set()
    runner().wait(5000)
    qtbot.wait(100)
    assert dialog.calls == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "the answer must not touch the deleted bar"


def test_missing_printer_offers_the_settings_window_and_retry_uses_the_choice(qtbot, tmp_path):
    from baliedesk.settings import Settings

    settings = Settings(tmp_path / "settings.json")
    settings["printer_type"] = "escpos_file"
    settings["printer_escpos_target"] = str(tmp_path / "weg" / "lp0")
    bar = make_bar(qtbot, settings=settings, print_dialog=FakePrintDialog(True))
    with qtbot.waitSignal(bar.failed, timeout=10_000):
        bar.print_slip()
    assert bar.settings_button.isVisible() and bar.settings_button.text() == "Printer kiezen…"
    qtbot.mouseClick(bar.settings_button, printbar.Qt.MouseButton.LeftButton)
    window = bar.workstation_window
    assert window is not None and window.isVisible() and window.settings is settings
    window.type_combo.setCurrentIndex(window.type_combo.findData("pdf_folder"))
    window.folder_edit.setText(str(tmp_path))
    assert window.save()
    window.close()
    with qtbot.waitSignal(bar.printed, timeout=10_000):
        bar.retry()
    assert list(tmp_path.glob("*.pdf"))
    assert not bar.settings_button.isVisible()


def test_out_of_paper_does_not_offer_another_printer(qtbot):
    bar = make_bar(qtbot, settings=None, print_dialog=FakePrintDialog(PrinterUnavailable("balie-3", "out_of_paper")))
    with qtbot.waitSignal(bar.failed, timeout=10_000):
        bar.print_slip()
    assert bar.retry_button.isVisible() and not bar.settings_button.isVisible()
