"""Fixtures for the printing tests: PDF pages as pictures and text (QtPdf),
golden-image comparison, and a real CUPS with a cups-pdf queue.

CUPS: the ``cups_pdf`` fixture uses a running scheduler, or starts ``cupsd``
when it is installed and we are root, and creates the ``baliedesk-pdf`` queue
(Debian's ``printer-driver-cups-pdf``). Without CUPS the tests skip and say
why; under ``CI=true`` as root (where ``.ci/run`` installs CUPS) they fail.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_DPI = 100
#: A pixel counts as different when its grey value moves by more than this ...
PIXEL_TOLERANCE = 48
#: ... and a picture differs when more than this share of its pixels do.
MAX_DIFFERENT = 0.004
QUEUE = "baliedesk-pdf"


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


@pytest.fixture
def pdf_pages(qapp):
    from baliedesk.printing.qtprint import PdfPages

    return PdfPages


def page_image(pdf: bytes, page: int = 0, dpi: int = GOLDEN_DPI):
    """Page ``page`` as a Pillow greyscale image (rendered by QtPdf)."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from baliedesk.printing.qtprint import PdfPages

    img = PdfPages(pdf).image(page, dpi)
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    import io

    return Image.open(io.BytesIO(bytes(ba))).convert("L")


def difference(a, b) -> float:
    """Share of pixels that differ by more than PIXEL_TOLERANCE (1.0 when the sizes differ)."""
    from PIL import ImageChops

    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a, b).point(lambda v: 255 if v > PIXEL_TOLERANCE else 0)
    return diff.histogram()[255] / (a.size[0] * a.size[1])


def check_golden(name: str, pdf: bytes, page: int = 0) -> None:
    """Compare a page with ``golden/<name>.png``. BALIEDESK_UPDATE_GOLDEN=1 rewrites the
    reference (look at it before committing it!); a missing reference fails."""
    from PIL import Image

    ref_path = GOLDEN / f"{name}.png"
    img = page_image(pdf, page)
    if os.environ.get("BALIEDESK_UPDATE_GOLDEN") == "1":
        img.save(ref_path, optimize=True)
    assert ref_path.exists(), f"no reference image {ref_path.name}; make it with BALIEDESK_UPDATE_GOLDEN=1 and look at it"
    ref = Image.open(ref_path).convert("L")
    share = difference(img, ref)
    if share > MAX_DIFFERENT:
        out = Path(os.environ.get("TMPDIR", "/tmp")) / f"baliedesk-golden-{name}-actual.png"
        img.save(out)
        pytest.fail(f"{name}: {share:.2%} of pixels differ from the reference (size {img.size} vs {ref.size}); "
                    f"this render is in {out}")


# ---------------------------------------------------------------------------
# CUPS
# ---------------------------------------------------------------------------
def _cups_problem_or_skip(problem: str) -> None:
    if under_ci() and os.geteuid() == 0:
        pytest.fail(f"CI=true as root but CUPS is not usable: {problem}", pytrace=False)
    pytest.skip(problem)


def _scheduler_running() -> bool:
    p = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    return "scheduler is running" in p.stdout


def cups_pdf_out_dir() -> Path:
    """Where cups-pdf writes jobs of the current user (``Out`` in cups-pdf.conf)."""
    out = "${HOME}/PDF"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.exists():
        m = re.search(r"^Out\s+(\S+)", conf.read_text(), re.M)
        if m:
            out = m.group(1)
    entry = pwd.getpwuid(os.getuid())
    return Path(out.replace("${HOME}", entry.pw_dir).replace("${USER}", entry.pw_name))


@pytest.fixture(scope="session")
def cups_pdf() -> str:
    """The name of a ready cups-pdf queue on a running CUPS."""
    if not shutil.which("lp") or not shutil.which("lpstat"):
        _cups_problem_or_skip("CUPS client not installed (Debian: cups-client, cups)")
    if not _scheduler_running():
        if not shutil.which("cupsd"):
            _cups_problem_or_skip("CUPS scheduler not installed (Debian: cups)")
        if os.geteuid() != 0:
            _cups_problem_or_skip("CUPS scheduler not running and we may not start it (not root)")
        subprocess.run(["cupsd"], check=False)
        deadline = time.monotonic() + 15
        while not _scheduler_running() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not _scheduler_running():
            _cups_problem_or_skip("cupsd did not start")
    have = subprocess.run(["lpstat", "-p", QUEUE], capture_output=True, check=False).returncode == 0
    if not have:
        if not Path("/usr/lib/cups/backend/cups-pdf").exists():
            _cups_problem_or_skip("cups-pdf not installed (Debian: printer-driver-cups-pdf)")
        models = subprocess.run(["lpinfo", "-m"], capture_output=True, text=True, check=False).stdout
        model = next((line.split()[0] for line in models.splitlines() if "CUPS-PDF" in line), None)
        if model is None:
            _cups_problem_or_skip("no CUPS-PDF driver among lpinfo -m")
        p = subprocess.run(["lpadmin", "-p", QUEUE, "-E", "-v", "cups-pdf:/", "-m", model],
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            _cups_problem_or_skip(f"cannot create the cups-pdf queue: {p.stderr.strip()}")
    subprocess.run(["cupsenable", QUEUE], check=False)
    subprocess.run(["cupsaccept", QUEUE], check=False)
    return QUEUE


@pytest.fixture
def golden(qapp):
    """``golden(name, pdf)``: compare a rendered page with its reference picture."""
    return check_golden


@pytest.fixture
def render_page(qapp):
    return page_image


@pytest.fixture
def pdf_text(qapp):
    """``pdf_text(pdf)``: all text of a PDF, extracted by QtPdf (whitespace collapsed)."""
    from baliedesk.printing.qtprint import PdfPages

    def extract(pdf: bytes) -> str:
        return " ".join(PdfPages(pdf).text().split())
    return extract


@pytest.fixture
def image_difference():
    """(difference function, the share above which pictures count as different)."""
    return difference, MAX_DIFFERENT


@pytest.fixture(scope="session")
def cups_pdf_dir(cups_pdf) -> Path:
    return cups_pdf_out_dir()
