"""The .deb, built from a clean tree: installed into a scratch root, every window started from the
installed files (offscreen), upgraded to a newer package and removed; the user's data untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pkgtools import NEXT_VERSION, ScratchRoot, User, tree_listing

from baliedesk import __version__

pytestmark = pytest.mark.slow

ROLES = {"counter", "kiosk", "display", "meldingen", "admin", "settings"}


@pytest.fixture
def installed(linux_build, tmp_path) -> ScratchRoot:
    root = ScratchRoot(tmp_path / "root")
    root.dpkg("-i", str(linux_build.deb))
    assert root.installed_version() == __version__
    return root


def png_is_a_picture(qapp, path: Path) -> None:
    from PySide6.QtGui import QImage

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
    image = QImage(str(path))
    assert not image.isNull(), path
    assert image.width() >= 640 and image.height() >= 480, (path, image.width(), image.height())
    # Something was drawn: not one flat colour.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)}
    assert len(colours) > 5, path


def test_the_package_holds_the_program_a_launcher_per_window_and_a_server_that_stays_off(linux_build, installed):
    root = installed.path
    assert installed.program.is_file() and installed.program.stat().st_mode & 0o111
    wrapper = (root / "usr/bin/baliedesk").read_text()
    assert "exec /opt/baliedesk/baliedesk" in wrapper and (root / "usr/bin/baliedesk").stat().st_mode & 0o111

    entries = {p.name: p.read_text() for p in (root / "usr/share/applications").glob("baliedesk-*.desktop")}
    assert {name.removeprefix("baliedesk-").removesuffix(".desktop") for name in entries} == ROLES
    for name, text in entries.items():
        role = name.removeprefix("baliedesk-").removesuffix(".desktop")
        assert f"\nExec=/usr/bin/baliedesk {role}\n" in text
        assert "\nType=Application\n" in text and "\nName=" in text
    if subprocess.run(["which", "desktop-file-validate"], capture_output=True).returncode == 0:
        for path in (root / "usr/share/applications").glob("baliedesk-*.desktop"):
            subprocess.run(["desktop-file-validate", str(path)], check=True)

    unit = (root / "lib/systemd/system/baliedesk-server.service").read_text()
    assert "\nConditionPathExists=/etc/baliedesk/server.env\n" in unit
    assert "\nExecStart=/opt/baliedesk/baliedesk server\n" in unit
    # Off until configured: not enabled by the package, and no configuration shipped.
    assert not list(root.glob("etc/systemd/**/baliedesk-server.service"))
    assert not (root / "etc/baliedesk").exists()

    # The migrations ship as files (Alembic reads them) in the installed program.
    shipped = {p.name for p in (root / "opt/baliedesk/_internal/baliedesk/storage/migrations/versions").glob("*.py")}
    source = {p.name for p in (linux_build.tree / "baliedesk/storage/migrations/versions").glob("*.py")}
    assert shipped == source and len(source) > 1
    assert (root / "opt/baliedesk/_internal/resources/fonts/DejaVuSans.ttf").is_file()
    assert (root / "opt/baliedesk/_internal/resources/sounds/chime.wav").is_file()


def test_version_and_screenshots_from_the_installed_files(qapp, installed, tmp_path):
    user = User(tmp_path / "home")
    program_files = tree_listing(installed.path / "opt")

    out = user.run(installed.program, "--version").stdout.strip()
    assert out == f"BalieDesk {__version__}"
    # How the demo starts its hall screen (sys.executable -m baliedesk display): the same program.
    assert user.run(installed.program, "-m", "baliedesk", "--version").stdout.strip() == out

    shots = tmp_path / "shots"
    printed = user.run(installed.program, "screenshot", "--out", str(shots), timeout=600).stdout.split()
    names = {p.name for p in shots.glob("*.png")}
    assert {"counter.png", "kiosk.png", "admin.png", "hall-1920x1080.png"} <= names, names
    assert {Path(p).name for p in printed if p.endswith(".png")} == names
    for path in shots.glob("*.png"):
        png_is_a_picture(qapp, path)

    # Nothing was written beside the program.
    assert tree_listing(installed.path / "opt") == program_files


@pytest.fixture
def seeded_user(installed, tmp_path) -> tuple[User, str]:
    """A user with a seeded SQLite database in their data folder, made by the installed program."""
    user = User(tmp_path / "home")
    db = user.data / "BalieDesk" / "gemeente.sqlite3"
    db.parent.mkdir(parents=True)
    url = f"sqlite:///{db}"
    user.run(installed.program, "demo", "--seed-only", "--database-url", url)
    return user, url


def _probe_ready(stdout: str) -> bool:
    for line in stdout.splitlines():
        try:
            if json.loads(line).get("probe") == "ready":
                return True
        except (ValueError, AttributeError):
            continue
    return False


@pytest.mark.parametrize("role", ["counter", "kiosk", "admin"])
def test_windows_with_a_startup_probe_open_from_the_installed_files(installed, seeded_user, role):
    """These windows report when they are ready and then quit (BALIEDESK_STARTUP_PROBE, ui/launch.py)."""
    user, url = seeded_user
    proc = user.run(installed.program, role, "--database-url", url, timeout=300, BALIEDESK_STARTUP_PROBE="1")
    assert _probe_ready(proc.stdout), proc.stdout + proc.stderr


@pytest.mark.parametrize("role", ["display", "meldingen", "settings"])
def test_other_windows_start_from_the_installed_files(installed, seeded_user, role):
    """No ready signal here: the window must still be running (not crashed on a missing module,
    plugin or file) once it has had time to open; then it is closed."""
    user, url = seeded_user
    args = [role] if role == "settings" else [role, "--database-url", url]
    if role == "display":
        args.append("--windowed")
    proc = subprocess.Popen([str(installed.program), *args], cwd=user.home, env=user.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        if proc.poll() is None:
            proc.terminate()
        stdout, stderr = proc.communicate(timeout=30)
    assert code is None, f"{role} stopped with {code}:\n{stdout[-3000:]}\n{stderr[-6000:]}"
    assert "Traceback" not in stderr, stderr[-6000:]


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _tickets(db: Path) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT * FROM tickets ORDER BY id").fetchall()
    finally:
        con.close()


def test_upgrade_and_removal_keep_the_users_data(linux_build, installed, tmp_path):
    user = User(tmp_path / "home")
    # The user's own database in their data folder, seeded by the installed program: a morning of tickets.
    db = user.data / "BalieDesk" / "baliedesk.sqlite3"
    db.parent.mkdir(parents=True)
    url = f"sqlite:///{db}"
    user.run(installed.program, "demo", "--seed-only", "--database-url", url)
    tickets = _tickets(db)
    assert len(tickets) >= 3
    settings = user.config / "BalieDesk" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"database_url": url, "counter_id": 2}), encoding="utf-8")
    data_before = _digests(user.home)

    # Upgrade to the newer package.
    installed.dpkg("-i", str(linux_build.deb_next))
    assert installed.installed_version() == NEXT_VERSION
    assert _digests(user.home) == data_before  # byte for byte
    current = user.run(installed.program, "db", "current", "--database-url", url).stdout
    assert "schema op revisie" in current  # the operator's line is Dutch
    rev = current.split("schema op revisie ")[1].split()[0]
    assert f"(nieuwste: {rev})" in current  # the upgraded program reads it as up to date
    assert _tickets(db) == tickets

    # Remove (and purge) the package: the program goes, the data stays.
    data_now = _digests(user.home)
    installed.dpkg("--purge", "baliedesk")
    assert installed.installed_version() is None
    assert not (installed.path / "opt/baliedesk").exists()
    assert not (installed.path / "usr/bin/baliedesk").exists()
    assert _digests(user.home) == data_now
    assert _tickets(db) == tickets


SERVER_MODULES = [  # a server subcommand (FastAPI under uvicorn) works in the frozen build
    "fastapi", "starlette.routing", "uvicorn.main", "uvicorn.loops.auto", "uvicorn.protocols.http.auto",
    "uvicorn.protocols.http.h11_impl", "uvicorn.protocols.websockets.auto", "uvicorn.lifespan.on",
    "websockets", "httpx", "argon2",
]
STORAGE_MODULES = [  # what the migrations import by name when Alembic loads them as files
    "alembic.op", "alembic.context", "alembic.ddl.sqlite", "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql.psycopg", "psycopg",
    "baliedesk.storage.migrations.versions",
]


def frozen_modules(program: Path) -> set[str]:
    """The Python modules inside the frozen program (its embedded PYZ archive)."""
    from PyInstaller.archive.readers import CArchiveReader

    archive = CArchiveReader(str(program))
    (pyz,) = [name for name in archive.toc if name.endswith(".pyz")]
    return set(archive.open_embedded_archive(pyz).toc)


def check_bundle_contents(program: Path) -> None:
    modules = frozen_modules(program)
    missing = [m for m in SERVER_MODULES + STORAGE_MODULES if m not in modules]
    assert not missing, missing
    # Every module of the product, the windows included.
    assert {"baliedesk.cli", "baliedesk.ui.launch", "baliedesk.display.app", "baliedesk.settings"} <= modules
    # Qt modules BalieDesk does not use stay out, as bindings and as libraries.
    assert not {m for m in modules if m.startswith(("PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngine"))}
    libs = {p.name for p in (program.parent / "_internal").rglob("*.so*")}
    unused = {n for n in libs if n.startswith(("libQt6Qml", "libQt6Quick", "libQt6WebEngine", "libQt6VirtualKeyboard",
                                               "libQt63D", "libQt6Charts", "libQt6Designer"))}
    assert not unused, unused
    assert {n for n in libs if n.startswith(("libQt6Widgets", "libQt6Multimedia", "libQt6TextToSpeech",
                                             "libQt6PrintSupport", "libQt6Pdf", "libQt6Svg"))}


def test_the_frozen_program_holds_the_server_and_the_storage_modules_and_no_unused_qt(installed):
    check_bundle_contents(installed.program)
