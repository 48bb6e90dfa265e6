"""The command line, and the composition root: it wires storage into the UI.

    python -m baliedesk demo                 counter, kiosk and hall screen on the demo's own SQLite database
    python -m baliedesk demo --seed-only --database-url URL   (an empty database; never settings.json's)
    python -m baliedesk counter|kiosk|meldingen   one window on the configured database
    python -m baliedesk rating [--location ID]    the visitors' rating screen (KTO), as a device
    python -m baliedesk admin [--user NAME]  the team lead's window: opening hours, exceptions, appointments
    python -m baliedesk display [--screen N] [--windowed]   the hall screen (wachtrijscherm)
    python -m baliedesk settings             this computer's printer and paper for slips
    python -m baliedesk screenshot --out DIR six PNGs of the windows, offscreen
    python -m baliedesk setup export|import  the whole configuration as a TOML file
    python -m baliedesk addresses import FILE.csv [--database-url URL]   the municipality's addresses (BAG)
    python -m baliedesk db upgrade|current   the schema of the configured database
    python -m baliedesk server [--database-url-file F] [--host H --port P --certfile F --keyfile F]
    python -m baliedesk user add|passwd|disable|enable|list ...   people and their passwords
    python -m baliedesk device enroll|list|revoke|redeem ...      kiosks and hall screens
    python -m baliedesk retention run [--dry-run] [--json]        retention terms (AVG): what is due
    python -m baliedesk dashboard [--user NAME] [--location ID]   the service norms dashboard (after logging in)
    python -m baliedesk privacy [--user NAME]   audit log, inzage and erasure, retention terms (after logging in)
    python -m baliedesk report --quarter 2026Q3 --location ID --out FILE.pdf   the quarterly service norms report

Messages an operator reads are Dutch; a database that cannot be opened is one
Dutch line and exit code 4 (EXIT_DATABASE), a refusal exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from baliedesk import __version__

log = logging.getLogger("baliedesk")


#: Exit code when the database cannot be opened (a wrong address, a server that does not answer).
EXIT_DATABASE = 4
#: Exit code when a command refuses (the demo on a real municipality's database, a broken setup file).
EXIT_REFUSED = 1


class CommandProblem(Exception):
    """One Dutch line for the operator's terminal; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.code = code


def _database_url(args: argparse.Namespace, *, demo: bool = False) -> tuple[str, str, bool]:
    """(URL, where it came from, may its folder be created?): ``--database-url``, else
    (not for the demo) ``database_url`` in this PC's settings file, else the SQLite file in
    the data folder (for the demo: its own ``demo.sqlite3`` there)."""
    from baliedesk.settings import Settings, config_path
    from baliedesk.storage.database import default_database_path

    if args.database_url:
        return args.database_url, "--database-url", False
    if demo:  # never the settings file: the demo only ever touches its own database
        path = default_database_path().with_name("demo.sqlite3")
        if not getattr(args, "keep", False):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", "demo", True
    configured = Settings()["database_url"]
    if configured:
        return configured, f"database_url in {config_path()}", False
    return f"sqlite:///{default_database_path()}", "standaard", True


def _check_address(url: str, source: str, *, create_folder: bool = False, missing_folder_ok: bool = False):
    """The parsed ``url``, or :class:`CommandProblem` (one Dutch line) for an address that cannot
    be right: unparsable, another engine, a folder instead of a file, a missing folder
    (unless ``missing_folder_ok``: a window waits for it, as for a share not mounted yet)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    where = f" (uit {source})" if source not in ("demo", "standaard") else ""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise CommandProblem(f"Het database-adres{where} klopt niet. Voorbeelden: sqlite:///pad/naar/baliedesk.sqlite3 "
                             "of postgresql://baliedesk@server/baliedesk.", EXIT_DATABASE) from None
    kind = parsed.get_backend_name()
    if kind not in ("sqlite", "postgresql", "postgres"):
        raise CommandProblem(f"BalieDesk werkt alleen met SQLite en PostgreSQL, niet met '{kind}'{where}.",
                             EXIT_DATABASE)
    if kind == "sqlite":
        file = parsed.database or ""
        if not file or file == ":memory:" or file.startswith("file:"):
            pass
        elif Path(file).is_dir():
            raise CommandProblem(f"{file} is een map, geen databasebestand{where}.", EXIT_DATABASE)
        elif not Path(file).parent.is_dir() and not create_folder and not missing_folder_ok:
            raise CommandProblem(f"De map {Path(file).parent} bestaat niet{where}. Maak de map eerst, "
                                 "of kies een ander database-adres.", EXIT_DATABASE)
    return parsed


def open_database(url: str, source: str, *, create_folder: bool = False, upgrade: bool = True):
    """A :class:`Database` for ``url``, migrated (``upgrade``); else :class:`CommandProblem`
    with one Dutch line that says what is wrong with the address and where it came from."""
    from sqlalchemy.exc import DBAPIError, NoSuchModuleError

    from baliedesk.domain import errors as e
    from baliedesk.storage.database import Database

    where = f" (uit {source})" if source not in ("demo", "standaard") else ""
    parsed = _check_address(url, source, create_folder=create_folder)
    shown = parsed.render_as_string(hide_password=True)
    kind = parsed.get_backend_name()
    db = None
    try:
        db = Database(url)
        if upgrade:
            db.upgrade()  # created and migrated on first start
        else:
            from baliedesk.storage.migrations_runner import current_revision

            current_revision(db.engine)  # reaches the database once
        return db
    except NoSuchModuleError:
        problem = f"BalieDesk werkt alleen met SQLite en PostgreSQL, niet met '{parsed.drivername}'{where}."
    except e.DatabaseCorrupt:
        problem = (f"Het bestand {parsed.database} is geen BalieDesk-database of is beschadigd{where}. "
                   "Er is niets veranderd. Bel de beheerder.")
    except e.SchemaTooNew:
        problem = (f"De database {shown} hoort bij een nieuwere versie van BalieDesk{where}. "
                   "Installeer die versie; er is niets veranderd.")
    except e.StorageFault as fault:
        from baliedesk.domain.error_texts import robust_error_text

        if isinstance(fault, e.StorageUnavailable) and kind != "sqlite":
            problem = (f"De database {shown} is niet bereikbaar{where}. "
                       "Staat de server aan en klopt het adres?")
        else:
            problem = f"{robust_error_text(fault)} ({shown}{where})"
    except DBAPIError as exc:
        first = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
        if kind == "sqlite" and ("not a database" in first or "malformed" in first):
            problem = (f"Het bestand {parsed.database} is geen BalieDesk-database of is beschadigd{where}. "
                       "Er is niets veranderd. Bel de beheerder.")
        elif kind == "sqlite":
            problem = f"Het databasebestand {parsed.database} kan niet worden geopend{where}: {first}"
        else:
            problem = (f"De database {shown} is niet bereikbaar{where}: {first}. "
                       "Staat de server aan en klopt het adres?")
    except Exception as exc:  # noqa: BLE001 - Alembic: a schema this version does not know
        if "Can't locate revision" not in str(exc):
            raise
        problem = (f"De database {shown} hoort bij een nieuwere versie van BalieDesk{where}. "
                   "Installeer die versie; er is niets veranderd.")
    if db is not None:
        db.dispose()
    raise CommandProblem(problem, EXIT_DATABASE)


def database_opener(url: str, source: str, *, create_folder: bool = False, daily_retention: bool = False):
    """For a window: a callable that opens ``url`` (checked and migrated) and returns a
    LocalClient on it, raising the typed storage faults (never a driver's error) so the
    window's start-up screen can say what is wrong and try again where that helps. The
    address itself is checked now: one that cannot be right is one Dutch line
    (:class:`CommandProblem`) before any window."""
    parsed = _check_address(url, source, create_folder=create_folder, missing_folder_ok=True)

    def open_door():
        from sqlalchemy.exc import DBAPIError

        from baliedesk.client import LocalClient
        from baliedesk.domain import errors as e
        from baliedesk.storage.database import Database

        file = (parsed.database or "") if parsed.get_backend_name() == "sqlite" else ""
        if file and file != ":memory:" and not file.startswith("file:") and not Path(file).parent.is_dir() \
                and not create_folder:
            raise e.DatabaseUnavailable(f"folder {Path(file).parent} is missing", "missing_folder")
        db = Database(url)
        try:
            db.upgrade()
        except BaseException as exc:
            db.dispose()
            if isinstance(exc, DBAPIError):  # not classified by storage: say it is unreachable
                raise e.DatabaseUnavailable(str(exc.orig)[:300]) from exc
            if "Can't locate revision" in str(exc):
                raise e.SchemaTooNew(str(exc)[:100]) from exc
            raise
        if daily_retention:
            # One PC on its own database: retention runs at the first start of the day (a daemon
            # thread; the window never waits for it; it does nothing when it already ran today).
            from baliedesk.server.housekeeping import start_daily_retention

            start_daily_retention(db)
        return LocalClient(db)

    return open_door


def _database(args: argparse.Namespace, *, demo: bool = False, upgrade: bool = True):
    url, source, create = _database_url(args, demo=demo)
    return open_database(url, source, create_folder=create, upgrade=upgrade)


def cmd_db(args: argparse.Namespace) -> int:
    from baliedesk.storage.migrations_runner import current_revision, head_revision

    db = _database(args, upgrade=args.action == "upgrade")
    try:
        current = current_revision(db.engine)
        state = f"schema op revisie {current}" if current else "nog geen schema (maak het met 'db upgrade')"
        print(f"{db.describe()}: {state} (nieuwste: {head_revision()})")
    finally:
        db.dispose()
    return 0


def _ensure_demo_data(db, *, hours: bool = False) -> bool:
    """Seed the demo municipality in an empty database; True when it was seeded now.

    ``hours``: with Loppersum's opening hours (Thursday evening until 19:30). A database
    that holds another municipality is refused (:class:`CommandProblem`), never changed.
    """
    from baliedesk.services import demo

    state = demo.seed_state(db)
    if state == "demo":
        return False
    if state == "other":
        from baliedesk.services import setup

        names = [loc.name for loc in setup.list_locations(db)]
        what = f"de gegevens van '{names[0]}'" if names else "al gebruikers"
        raise CommandProblem(f"De database {db.describe()} bevat {what} en is geen demodatabase; de demo verandert "
                             "er niets aan. Laat --database-url weg (de demo heeft een eigen bestand) of kies een "
                             "lege database.")
    demo.seed(db, dt.datetime.now(dt.UTC), hours=hours)
    return True


def _keep_demo_open(db) -> None:
    """The demo runs on the real clock: outside opening hours it opens today, and says so."""
    from baliedesk.hourstext import date_text
    from baliedesk.services import demo

    opened = demo.open_today_if_closed(db, dt.datetime.now(dt.UTC))
    if opened is not None:
        print(f"De demogemeente is nu gesloten. Daarom is ze vandaag ({date_text(opened.day)}) de hele dag open, "
              f"met de uitzondering '{opened.note}' (zie 'python -m baliedesk admin', tab Uitzonderingen).")


def cmd_demo(args: argparse.Namespace) -> int:
    db = _database(args, demo=True)
    seeded = _ensure_demo_data(db, hours=True)
    _keep_demo_open(db)
    if args.seed_only:
        print(f"Demodatabase {'gevuld' if seeded else 'klaar'}: {db.describe()}")
        return 0
    from baliedesk.client import LocalClient
    from baliedesk.ui.launch import run_windows

    hall = _start_hall_screen_process(db)
    try:
        return run_windows(LocalClient(db), ["counter", "kiosk"], demo=True)
    finally:
        _stop_process(hall)


#: The demo hands its database URL to the hall screen process here (not on the
#: command line, where a PostgreSQL password would show in the process list).
DISPLAY_URL_ENV = "BALIEDESK_DISPLAY_DATABASE_URL"
#: ... and its process id, so that the hall screen closes with the demo even when the demo is killed.
DISPLAY_PARENT_ENV = "BALIEDESK_DISPLAY_PARENT"


def _start_hall_screen_process(db):
    """The demo's hall screen: a second process, as on a real hall PC."""
    import os
    import subprocess

    env = dict(os.environ, **{DISPLAY_URL_ENV: db.url, DISPLAY_PARENT_ENV: str(os.getpid())})
    try:
        return subprocess.Popen([sys.executable, "-m", "baliedesk", "display", "--windowed"], env=env)
    except OSError as exc:
        log.warning("Het wachtrijscherm start niet: %s", exc)
        return None


def _stop_process(proc) -> None:
    import subprocess

    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


def _door(args: argparse.Namespace, *, device: bool = False):
    """This workstation's door to the services, as a callable that opens it (see
    ``ui.launch.open_when_ready``): the BalieDesk server when one is set (``--server`` or
    ``server_url``: central mode, no database address on this PC; the callable asks the
    server for its health), else this PC's database (opened and migrated by the callable).
    The window shows a start-up screen while the callable fails. ``device``: a kiosk or hall
    screen acts with its own token (``device redeem``); a person logs in in the window."""
    from baliedesk.settings import Settings, read_device_credentials

    settings = Settings()
    url = (getattr(args, "server", "") or settings["server_url"]).strip()
    if url:
        ca_file = (getattr(args, "ca_file", "") or settings["server_ca_file"]).strip() or None
        creds = read_device_credentials() if device else None

        def open_server():
            from baliedesk.client.remote import RemoteClient

            if creds is not None and creds.get("server", url).rstrip("/") == url.rstrip("/"):
                client = RemoteClient(url, token=creds["token"], user_id=creds["user_id"], ca_file=ca_file)
            else:
                client = RemoteClient(url, ca_file=ca_file)
            try:
                client.health()
            except BaseException:
                client.close()
                raise
            return client

        open_server.server = True  # type: ignore[attr-defined]
        return open_server
    db_url, source, create = _database_url(args)
    return database_opener(db_url, source, create_folder=create, daily_retention=not device)


def cmd_display(args: argparse.Namespace) -> int:
    import os

    args.database_url = args.database_url or os.environ.pop(DISPLAY_URL_ENV, "")
    parent = os.environ.pop(DISPLAY_PARENT_ENV, "")
    door = _door(args, device=True)
    from baliedesk.display.app import run_display

    return run_display(door, screen=args.screen, windowed=args.windowed,
                       parent_pid=int(parent) if parent.isdigit() else None)


def cmd_window(args: argparse.Namespace) -> int:
    door = _door(args, device=args.command == "kiosk")
    from baliedesk.ui.launch import run_windows

    return run_windows(door, [args.command], demo=False)


def cmd_rating(args: argparse.Namespace) -> int:
    door = _door(args, device=True)  # a device, like the kiosk: never tied to a person
    from baliedesk.ui.launch import run_rating

    return run_rating(door, args.location or None, windowed=args.windowed)


def cmd_meldingen(args: argparse.Namespace) -> int:
    door = _door(args)
    from baliedesk.ui.launch import run_meldingen

    return run_meldingen(door, args.user or None)


def cmd_admin(args: argparse.Namespace) -> int:
    door = _door(args)
    from baliedesk.ui.launch import run_admin

    return run_admin(door, args.user or None, args.location or None)


def cmd_privacy(args: argparse.Namespace) -> int:
    door = _door(args)
    from baliedesk.ui.launch import run_privacy

    return run_privacy(door, args.user or None)


def cmd_device_redeem(args: argparse.Namespace) -> int:
    """On the kiosk or hall-screen PC: exchange the one-time code for this device's own token."""
    from baliedesk.client.remote import RemoteClient
    from baliedesk.domain.errors import DomainError
    from baliedesk.settings import Settings, write_device_credentials

    settings = Settings()
    url = (args.server or settings["server_url"]).strip()
    if not url:
        print("Geef het adres van de BalieDesk-server: --server https://...", file=sys.stderr)
        return 2
    client = RemoteClient(url, ca_file=(args.ca_file or settings["server_ca_file"]).strip() or None)
    try:
        signed = client.redeem_device_code(args.code)
    except DomainError as err:
        return _say_error(err)
    finally:
        client.close()
    path = write_device_credentials({"server": url, "token": signed.token, "user_id": signed.device.user_id,
                                     "location_id": signed.device.location_id, "role": signed.device.role})
    print(f"Dit apparaat is ingeschreven als {signed.device.name} ({signed.device.role}) voor locatie "
          f"{signed.device.location_id}. De sleutel staat in {path} (alleen voor dit account leesbaar).")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    """This workstation's settings window (printer and paper); needs no database."""
    from baliedesk.settings import Settings
    from baliedesk.ui.launch import make_app
    from baliedesk.ui.common.workstation import WorkstationWindow

    settings = Settings()
    app = make_app(settings)
    window = WorkstationWindow(settings)
    window.show()
    return app.exec()


def cmd_screenshot(args: argparse.Namespace) -> int:
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    scratch = not args.database_url
    if scratch:
        args.database_url = "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="baliedesk-shot-")) / "demo.sqlite3")
    args.keep = True
    db = _database(args)
    # No opening hours for the pictures of the queue: they are made at any time of day,
    # and with hours the kiosk would refuse its ticket at night.
    seeded = _ensure_demo_data(db, hours=False)
    from baliedesk.display.app import display_screenshots
    from baliedesk.ui.launch import ADMIN_SHOT_CLOCK, take_screenshots

    from baliedesk.client import LocalClient

    for path in display_screenshots(LocalClient(db, owns_backend=False), Path(args.out)):
        print(path)

    def admin_hours() -> None:
        # Only our own fresh scratch database gets Loppersum's hours, for admin.png alone.
        from baliedesk.services import demo

        ids = demo.demo_ids(db)
        demo.seed_hours(db, ids, ADMIN_SHOT_CLOCK)

    for path in take_screenshots(db, Path(args.out), before_admin=admin_hours if scratch and seeded else None):
        print(path)
    return 0


#: The server's database URL from the environment: never in the process list.
SERVER_URL_ENV = "BALIEDESK_DATABASE_URL"


class ServerSetupError(Exception):
    """Why the server does not start: one Dutch line for the operator, and the exit code."""

    def __init__(self, message: str, code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.code = code


def _server_database_url(args: argparse.Namespace) -> str:
    """The database URL from ``--database-url-file``, ``--database-url`` or ``BALIEDESK_DATABASE_URL``."""
    import os

    from_env = os.environ.pop(SERVER_URL_ENV, "").strip()  # not handed on to anything this process starts
    if args.database_url and args.database_url_file:
        raise ServerSetupError("Geef de database op met --database-url of met --database-url-file, niet met allebei.")
    if args.database_url_file:
        path = Path(args.database_url_file)
        try:
            mode = path.stat().st_mode
            if os.name == "posix" and mode & 0o077:
                raise ServerSetupError(
                    f"Het bestand {path} is ook door anderen te lezen. Maak het alleen leesbaar voor de "
                    f"eigenaar (chmod 600 {path}) en start de server opnieuw.")
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        except OSError as exc:
            raise ServerSetupError(f"Het bestand {path} kan niet gelezen worden ({exc.strerror or exc}).") from exc
        url = next((line for line in lines if line and not line.startswith("#")), "")
        if not url:
            raise ServerSetupError(f"Het bestand {path} bevat geen database-adres.")
        return url
    if args.database_url:
        from sqlalchemy.engine import make_url

        try:
            has_password = make_url(args.database_url).password is not None
        except Exception:  # noqa: BLE001 - judged below, with a Dutch line
            has_password = False
        if has_password:
            log.warning("Let op: het wachtwoord in --database-url is te zien in de proceslijst. Gebruik liever "
                        "--database-url-file BESTAND of de omgevingsvariabele %s.", SERVER_URL_ENV)
        return args.database_url
    if from_env:
        return from_env
    raise ServerSetupError(f"Geen database opgegeven. Gebruik --database-url-file BESTAND of de "
                           f"omgevingsvariabele {SERVER_URL_ENV}.")


def build_server(args: argparse.Namespace):
    """The server's database and application, checked; raises ServerSetupError (Dutch) when it cannot start.

    The server never migrates: a schema that is not at head is the operator's
    to upgrade (``python -m baliedesk db upgrade``), once, not by every server process.
    """
    from baliedesk.server.app import create_app
    from baliedesk.storage.database import Database
    from baliedesk.storage.migrations_runner import current_revision, head_revision

    if bool(args.certfile) != bool(args.keyfile):
        raise ServerSetupError("Geef voor HTTPS zowel --certfile als --keyfile op.")
    for option, name in (("--certfile", args.certfile), ("--keyfile", args.keyfile)):
        if name and not Path(name).is_file():
            raise ServerSetupError(f"Het bestand bij {option} bestaat niet: {name}.")
    url = _server_database_url(args)
    try:
        db = Database(url)
    except Exception as exc:  # noqa: BLE001 - an unusable URL, worded for the operator
        raise ServerSetupError(f"Het database-adres is niet bruikbaar ({type(exc).__name__}).",
                               EXIT_DATABASE) from exc
    try:
        current = current_revision(db.engine)
    except Exception as exc:  # noqa: BLE001 - the database is away or refuses us
        db.dispose()
        raise ServerSetupError(f"De database is niet bereikbaar: {db.describe()} ({type(exc).__name__}).",
                               EXIT_DATABASE) from exc
    head = head_revision()
    if current != head:
        db.dispose()
        raise ServerSetupError(
            f"Het schema van de database is niet bijgewerkt (nu {current or 'leeg'}, nodig {head}): voer eerst "
            f"'python -m baliedesk db upgrade' uit en start de server daarna opnieuw.", EXIT_DATABASE)
    # tokens are the sign-in sessions and device tokens, stored as hashes
    return db, create_app(db, call_threads=args.call_threads)  # cmd_server filled in the default


#: From ``server --processes N`` to its own worker processes only: the database URL (each pops it).
WORKER_URL_ENV = "BALIEDESK_SERVER_WORKER_URL"
#: ... and ``--call-threads``.
WORKER_THREADS_ENV = "BALIEDESK_SERVER_WORKER_CALL_THREADS"


def server_worker_app():
    """One worker process of ``server --processes N``: its own database pool and application.

    Uvicorn's factory, imported and called in each new process. The command
    checked the database and the schema before it started any.
    """
    import os

    from baliedesk.server.app import DEFAULT_CALL_THREADS, create_app
    from baliedesk.storage.database import Database

    url = os.environ.pop(WORKER_URL_ENV, "")
    if not url:
        raise RuntimeError(f"{WORKER_URL_ENV} is not set: start worker processes with 'server --processes N'")
    threads = int(os.environ.get(WORKER_THREADS_ENV, DEFAULT_CALL_THREADS))
    return create_app(Database(url), call_threads=threads, owns_backend=True)  # disposed when it stops


def cmd_server(args: argparse.Namespace) -> int:
    import os

    from baliedesk.server.app import DEFAULT_CALL_THREADS
    from baliedesk.server.run import serve, serve_processes

    if args.call_threads is None:
        args.call_threads = DEFAULT_CALL_THREADS
    for option, value in (("--processes", args.processes), ("--call-threads", args.call_threads)):
        if value < 1:
            print(f"baliedesk server: {option} moet 1 of meer zijn.", file=sys.stderr)
            return EXIT_REFUSED
    try:
        db, app = build_server(args)
    except ServerSetupError as exc:
        print(f"baliedesk server: {exc}", file=sys.stderr)
        return exc.code
    scheme = "https" if args.certfile else "http"
    if scheme == "http" and args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("Let op: de server luistert zonder HTTPS op %s. Gebruik --certfile en --keyfile, of zet hem "
                    "achter een reverse proxy met HTTPS.", args.host)
    log.info("BalieDesk-server op %s://%s:%d (%d %s), database %s", scheme, args.host, args.port, args.processes,
             "proces" if args.processes == 1 else "processen", db.describe())
    where = {"host": args.host, "port": args.port, "certfile": args.certfile or None,
             "keyfile": args.keyfile or None, "log_level": "info" if args.verbose else "warning"}
    if args.processes == 1:
        try:
            serve(app, **where)
        finally:
            db.dispose()
        return 0
    url = db.url
    db.dispose()  # checked; every worker process opens its own
    os.environ[WORKER_URL_ENV] = url
    os.environ[WORKER_THREADS_ENV] = str(args.call_threads)
    try:
        serve_processes("baliedesk.cli:server_worker_app", args.processes, **where)
    finally:
        os.environ.pop(WORKER_URL_ENV, None)
        os.environ.pop(WORKER_THREADS_ENV, None)
    return 0

# ---------------------------------------------------------------------------
# user and device: accounts from the command line (messages in Dutch: an operator reads them)
# ---------------------------------------------------------------------------
def _say_error(err: BaseException) -> int:
    from baliedesk.domain.errors import NotFound, PermissionDenied, ValidationError
    from baliedesk.i18n_auth import auth_message

    text = auth_message(err)
    if text is None and isinstance(err, NotFound) and err.kind == "beheerder":
        text = "Er is nog geen beheerder. Maak die eerst: python -m baliedesk user add NAAM --role beheerder."
    elif text is None and isinstance(err, NotFound):
        kind = {"user": "gebruiker", "location": "locatie", "device": "apparaat"}.get(err.kind, err.kind)
        text = f"Niet gevonden: {kind} {err.key}."
    elif text is None and isinstance(err, PermissionDenied):
        text = f"Dit mag niet als {err.role}. Kies met --as een beheerder."
    elif text is None and isinstance(err, ValidationError):
        text = {("username", "invalid"): "Deze gebruikersnaam kan niet. Gebruik kleine letters, cijfers, "
                                         "punt, streepje of liggend streepje (2 tot 64 tekens).",
                ("username", "taken"): "Deze gebruikersnaam bestaat al. Kies een andere.",
                ("database", "already_set_up"): "Er zijn al gebruikers.",
                }.get((err.field, err.code), f"Dit klopt niet: {err.field} ({err.code}).")
    print(text or f"Dat lukte niet: {type(err).__name__}.", file=sys.stderr)
    return 1


def _acting_admin(db, name: str) -> int:
    """The account the command line acts as: --as NAME, else the first active beheerder."""
    from baliedesk.domain.errors import NotFound
    from baliedesk.domain.permissions import Role
    from baliedesk.services import setup

    people = setup.sign_in_choices(db)
    if name:
        match = [u for u in people if u.username == name.strip().lower()]
        if not match:
            raise NotFound("user", name)
        return match[0].id
    admins = sorted((u for u in people if u.role == Role.ADMIN.value), key=lambda u: u.id)
    if not admins:
        raise NotFound("beheerder", "-")
    return admins[0].id


def _read_new_password() -> str | None:
    """From a prompt without echo (asked twice), or the first line of stdin in a script."""
    import getpass

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Nieuw wachtwoord: ")
    if getpass.getpass("Nog een keer: ") != first:
        print("De twee wachtwoorden zijn niet gelijk. Er is niets veranderd.", file=sys.stderr)
        return None
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from baliedesk.domain.errors import DomainError
    from baliedesk.services import auth

    db = _database(args)
    now = dt.datetime.now(dt.UTC)
    try:
        if args.action == "add":
            from baliedesk.services import setup

            if not setup.sign_in_choices(db):
                if args.role != "beheerder":
                    print("De database is nog leeg. Maak eerst een beheerder: --role beheerder.", file=sys.stderr)
                    return 1
                new = auth.bootstrap_admin(db, args.username, args.name or args.username, now)
            else:
                new = auth.add_user(db, _acting_admin(db, args.acting), args.username, args.name or args.username,
                                    args.role, now)
            print(f"Gebruiker {new.user.username} ({new.user.role}) is gemaakt.")
            print(f"Tijdelijk wachtwoord: {new.temporary_password}")
            print("Dit wachtwoord ziet u maar één keer. Bij de eerste keer inloggen kiest "
                  f"{new.user.display_name} een eigen wachtwoord.")
            return 0
        actor = _acting_admin(db, args.acting)
        if args.action == "list":
            for a in auth.list_users(db, actor, now):
                state = "aan" if a.active else "uit"
                extra = " (moet wachtwoord kiezen)" if a.must_change_password else (
                    "" if a.has_password else " (geen wachtwoord)")
                print(f"{a.id:>4}  {a.username:<20} {a.role:<16} {state:<4} {a.display_name}{extra}")
            return 0
        target = auth.user_by_name(db, actor, args.username)
        if args.action == "passwd":
            if args.temporary:
                new = auth.reset_password(db, actor, target.id, now)
                print(f"Tijdelijk wachtwoord voor {target.username}: {new.temporary_password}")
                print("Dit wachtwoord ziet u maar één keer. Bij het inloggen kiest de gebruiker een eigen wachtwoord.")
                return 0
            password = _read_new_password()
            if password is None:
                return 1
            auth.set_password(db, actor, target.id, password, now, must_change=args.must_change)
            print(f"Het wachtwoord van {target.username} is veranderd. Open sessies zijn beëindigd.")
            return 0
        if args.action == "disable":
            auth.deactivate_user(db, actor, target.id, now)
            print(f"Gebruiker {target.username} staat uit. Open sessies zijn beëindigd.")
            return 0
        auth.activate_user(db, actor, target.id, now)
        print(f"Gebruiker {target.username} staat weer aan.")
        return 0
    except DomainError as err:
        return _say_error(err)
    finally:
        db.dispose()


def cmd_device(args: argparse.Namespace) -> int:
    from baliedesk.domain.errors import DomainError
    from baliedesk.services import auth

    db = _database(args)
    now = dt.datetime.now(dt.UTC)
    try:
        actor = _acting_admin(db, args.acting)
        if args.action == "enroll":
            e = auth.enroll_device(db, actor, args.role, args.location, args.name or None, now)
            local = e.expires_at.astimezone().strftime("%d-%m-%Y %H:%M")
            print(f"Apparaat {e.device.id} ({e.device.role}, {e.device.name}) is aangemeld bij locatie "
                  f"{e.device.location_id}.")
            print(f"Eenmalige code: {e.code}")
            print(f"Typ deze code op het apparaat. De code werkt één keer, tot {local}.")
            return 0
        if args.action == "list":
            states = {"waiting": "wacht op code", "enrolled": "in gebruik", "revoked": "ingetrokken"}
            for d in auth.list_devices(db, actor, now):
                print(f"{d.id:>4}  {d.role:<8} locatie {d.location_id:<4} {states[d.state]:<14} {d.name}")
            return 0
        d = auth.revoke_device(db, actor, args.device_id, now)
        print(f"Apparaat {d.id} ({d.name}) is ingetrokken. Het kan niets meer tot het opnieuw is aangemeld.")
        return 0
    except DomainError as err:
        return _say_error(err)
    finally:
        db.dispose()


def _setup_user(db, username: str) -> int | None:
    """The person a ``setup`` command acts as: ``--user``, else the first active beheerder,
    else the first team lead; None on a database without people."""
    from baliedesk.domain.permissions import Role
    from baliedesk.services import setup

    people = setup.sign_in_choices(db)
    if username:
        match = next((u for u in people if u.username == username.strip().lower()), None)
        if match is None:
            raise CommandProblem(f"Er is geen actieve gebruiker '{username}' in deze database.")
        return match.id
    for role in (Role.ADMIN, Role.TEAM_LEAD):
        match = next((u for u in people if u.role == role.value), None)
        if match is not None:
            return match.id
    if people:
        raise CommandProblem("Er is geen actieve beheerder of teamleider; alleen die mogen de inrichting "
                             "bewaren of inlezen.")
    return None


_KINDS_NL = {"municipality": ("gemeente", "gemeente"), "location": ("locatie", "locaties"),
             "service": ("dienst", "diensten"), "counter": ("balie", "balies"),
             "category": ("categorie", "categorieën"), "person": ("persoon", "personen")}


def _counts(pairs) -> str:
    parts = [f"{n} {_KINDS_NL.get(kind, (kind, kind))[0 if n == 1 else 1]}" for kind, n in pairs]
    return ", ".join(parts) if parts else "niets"


def cmd_setup(args: argparse.Namespace) -> int:
    """``setup export`` / ``setup import``: the whole configuration as a TOML file."""
    from baliedesk.domain.errors import DomainError
    from baliedesk.domain.organisation import SetupFileInvalid
    from baliedesk.services import setupfile
    from baliedesk.setup_text import problem_lines

    db = _database(args)
    try:
        user_id = _setup_user(db, args.user)
        if args.action == "export":
            if user_id is None:
                raise CommandProblem("Deze database is nog leeg: er is geen inrichting om te bewaren.")
            text = setupfile.export_setup(db, user_id)
            if args.out:
                out = Path(args.out)
                if not out.parent.is_dir():
                    raise CommandProblem(f"De map {out.parent} bestaat niet.")
                out.write_text(text, encoding="utf-8")
                print(f"Inrichting bewaard in {out}")
            else:
                sys.stdout.write(text)
            return 0
        if not args.file:
            raise CommandProblem("Geef het bestand: python -m baliedesk setup import BESTAND.toml")
        try:
            text = Path(args.file).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandProblem(f"Het bestand {args.file} bestaat niet.") from None
        except (OSError, UnicodeError) as exc:
            raise CommandProblem(f"Het bestand {args.file} kan niet worden gelezen: {exc}") from None
        files = {}
        for name in setupfile.referenced_files(text):  # the logo, beside the set-up file
            path = Path(args.file).parent / name
            try:
                if path.is_file() and path.stat().st_size <= 4 * 1024 * 1024:
                    files[name] = path.read_bytes()
            except OSError:
                pass  # the import names it as not found
        try:
            report = setupfile.import_setup(db, user_id, text, dt.datetime.now(dt.UTC), dry_run=args.dry_run,
                                            files=files)
        except SetupFileInvalid as exc:
            print("\n".join(problem_lines(exc)), file=sys.stderr)
            return EXIT_REFUSED
        except DomainError as exc:
            from baliedesk.setup_text import error_text

            raise CommandProblem(error_text(exc) or f"Het inlezen is geweigerd ({type(exc).__name__}); "
                                 "er is niets veranderd.") from None
        if report.dry_run:
            print(f"Proef: het bestand klopt. Nieuw zou zijn: {_counts(report.created)}; bijgewerkt: "
                  f"{_counts(report.updated)}. Er is niets opgeslagen.")
        else:
            print(f"Ingelezen. Nieuw: {_counts(report.created)}; bijgewerkt: {_counts(report.updated)}.")
        if report.first_admin:
            print(f"De eerste beheerder is '{report.first_admin}'.")
        return 0
    finally:
        db.dispose()


#: Dutch names of the retention kinds, for the operator.
RETENTION_LABELS = {
    "melding_cancelled": "Geannuleerde meldingen vernietigd",
    "melding_handled": "Afgehandelde meldingen vernietigd",
    "melding_reporter": "Melders van gesloten meldingen geanonimiseerd",
    "appointment": "Afspraken geanonimiseerd",
    "callback": "Terugbelnotities geanonimiseerd",
    "complaint": "Klachten geanonimiseerd",
    "ticket_note": "Notities bij volgnummers gewist",
    "contact_note": "Notities bij contacten gewist",
}


def cmd_addresses(args: argparse.Namespace) -> int:
    """``addresses import FILE.csv``: check the whole file, then load it into the database this
    command opens (``--database-url``, else this PC's): the list replaced whole, in one transaction.
    In central mode the operator runs it on the server's side, with the database's address."""
    from baliedesk import addresses
    from baliedesk.domain.errors import DomainError, StorageFault, ValidationError
    from baliedesk.i18n import _, ngettext
    from baliedesk.services import addresses as address_service
    from baliedesk.storage.database import deadlines_suspended

    try:
        found = addresses.read_file(Path(args.file))  # read and checked whole before the database is opened
    except addresses.CsvProblem as exc:
        print(f"Niet geladen. Regel {exc.line}: {exc.text}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Niet geladen. Het bestand kan niet worden gelezen: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not found:  # never an empty list in place of the municipality's addresses
        print("Niet geladen. Er staan geen adressen in het bestand.", file=sys.stderr)
        return 1
    db = _database(args)
    try:
        user_id = _address_user(db, args.user)
        try:
            with deadlines_suspended(db.engine):  # a city's list may rightly take longer than one click
                n = address_service.replace_addresses(db, user_id, found, dt.datetime.now(dt.UTC))
        except DomainError as exc:
            from baliedesk.domain.error_texts import robust_error_text, validation_text

            why = robust_error_text(exc) or (validation_text(exc) if isinstance(exc, ValidationError) else None)
            raise CommandProblem(_("Niet geladen: {why} Er is niets veranderd.").format(
                why=why or type(exc).__name__), EXIT_DATABASE if isinstance(
                exc, StorageFault) else EXIT_REFUSED) from None
        print(ngettext("{n} adres geladen in {db}.", "{n} adressen geladen in {db}.", n).format(n=n, db=db.describe())
              + " " + _("De meldingen-intake vult nu op elke computer straat en plaats in bij postcode en huisnummer."))
        return 0
    finally:
        db.dispose()


def _address_user(db, username: str) -> int:
    """The beheerder ``addresses import`` acts as: ``--user``, else the first active beheerder."""
    from baliedesk.domain.permissions import Role
    from baliedesk.services import setup

    people = setup.sign_in_choices(db, [Role.ADMIN])
    if username:
        match = next((u for u in people if u.username == username.strip().lower()), None)
        if match is None:
            raise CommandProblem(f"Er is geen actieve beheerder '{username}' in deze database.")
        return match.id
    if not people:
        raise CommandProblem("Er is nog geen beheerder in deze database. Alleen een beheerder mag de adressen "
                             "laden. Maak er eerst een met: python -m baliedesk user add NAAM --role beheerder")
    return people[0].id


def cmd_retention(args: argparse.Namespace) -> int:
    """Do (or with --dry-run: list) what the retention terms say is due; also the saved PDF slips."""
    import json

    from baliedesk.domain.errors import DomainError
    from baliedesk.domain.permissions import Role
    from baliedesk.printing.jobs import default_pdf_folder
    from baliedesk.printing.retention import prune_pdf_folder
    from baliedesk.services import privacy, retention, setup
    from baliedesk.settings import Settings

    db = _database(args)
    try:
        if args.user:
            user = next((u for u in setup.sign_in_choices(db) if u.username == args.user), None)
        else:
            user = next(iter(setup.sign_in_choices(db, [Role.ADMIN])), None)
        if user is None:
            print("Geen beheerder gevonden: geef --user op.", file=sys.stderr)
            return 2
        now = dt.datetime.now(dt.UTC)
        try:
            run = retention.run_retention(db, user.id, now, dry_run=args.dry_run)
            terms = privacy.retention_terms(db, user.id)
        except DomainError as exc:
            print(f"Bewaartermijnen niet uitgevoerd: {exc}", file=sys.stderr)
            return 1
        folder = args.pdf_folder or Settings()["printer_pdf_folder"] or str(default_pdf_folder())
        pruned = prune_pdf_folder(folder, now, terms, dry_run=args.dry_run)
        if args.json:
            print(json.dumps({"at": run.at.isoformat(), "dry_run": run.dry_run,
                              "counts": {c.kind: c.due for c in run.counts},
                              "enabled": {c.kind: c.enabled for c in run.counts},
                              "pdf_folder": pruned.folder, "pdf_deleted": len(pruned.deleted),
                              "pdf_failed": len(pruned.failed)}, indent=2))
        else:
            print("Proefdraai: er is niets veranderd." if run.dry_run else "Bewaartermijnen uitgevoerd.")
            for c in run.counts:
                state = f"{c.due}" if c.enabled else "uit"
                print(f"  {RETENTION_LABELS.get(c.kind, c.kind)}: {state}")
            print(f"  Bonnen in {pruned.folder} verwijderd: {len(pruned.deleted)}")
            if pruned.failed:
                print(f"  Bonnen die niet weg konden: {len(pruned.failed)}")
        return 0
    finally:
        db.dispose()


def cmd_dashboard(args: argparse.Namespace) -> int:
    door = _door(args)
    from baliedesk.ui.launch import run_dashboard

    return run_dashboard(door, args.user or None, args.location or None)


def cmd_report(args: argparse.Namespace) -> int:
    """The "Kwartaalrapportage servicenormen" as a PDF, without a window (messages in Dutch)."""
    from baliedesk.domain.errors import DomainError
    from baliedesk.domain.permissions import Role
    from baliedesk.reports.quarterly import build_quarterly_pdf
    from baliedesk.services import reports, setup

    db = _database(args)
    try:
        users = setup.sign_in_choices(db, [Role.TEAM_LEAD, Role.ADMIN])
        user = next((u for u in users if u.username == args.user), None) if args.user else \
            next((u for u in users if u.role == Role.TEAM_LEAD.value), users[0] if users else None)
        if user is None:
            print("Geen teamleider of beheerder gevonden" + (f" met de naam {args.user}." if args.user else "."),
                  file=sys.stderr)
            return 2
        report = reports.quarterly_report(db, user.id, args.location, args.quarter, dt.datetime.now(dt.UTC))
        build_quarterly_pdf(report, Path(args.out))
    except DomainError as exc:
        from baliedesk.reports.texts import error_text

        print(error_text(exc), file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(f"Rapport gemaakt: {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baliedesk", description="BalieDesk: software voor de balies van de gemeente.")
    parser.add_argument("--version", action="version", version=f"BalieDesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="meer in het logboek")
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT")

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database-url", default="", metavar="URL",
                       help="sqlite:///pad of postgresql://gebruiker@server/database (standaard: database_url in "
                       "settings.json, anders het SQLite-bestand in de datamap)")

    def server_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--server", default="", metavar="URL",
                       help="de BalieDesk-server (centrale database), bijvoorbeeld https://balie.gemeente.nl "
                       "(standaard: server_url in de instellingen; leeg: de database van deze computer)")
        p.add_argument("--ca-file", default="", metavar="BESTAND",
                       help="het CA-certificaat van de gemeente, als de server geen publiek certificaat heeft")

    p = sub.add_parser("demo", help="de demo: balie, kiosk en wachtrijscherm op een eigen demodatabase")
    p.add_argument("--database-url", default="", metavar="URL",
                   help="een lege database voor de demo (standaard: demo.sqlite3 in de datamap; nooit settings.json)")
    p.add_argument("--seed-only", action="store_true", help="alleen de database maken en vullen, geen venster")
    p.add_argument("--keep", action="store_true", help="de vorige demodatabase houden in plaats van opnieuw beginnen")
    p.set_defaults(func=cmd_demo)

    for name, text in (("counter", "het balievenster (baliemedewerker)"),
                       ("kiosk", "de kiosk bij de ingang (volgnummers)")):
        p = sub.add_parser(name, help=text)
        db_arg(p)
        server_arg(p)
        p.set_defaults(func=cmd_window)

    p = sub.add_parser("rating", help="het beoordelingsscherm (KTO) bij de balie of de uitgang: bezoekers geven "
                       "een rapportcijfer, anoniem")
    db_arg(p)
    server_arg(p)
    p.add_argument("--location", type=int, default=0, metavar="ID",
                   help="de locatie (standaard: de instelling location_id, anders de eerste)")
    p.add_argument("--windowed", action="store_true", help="een venster in plaats van schermvullend")
    p.set_defaults(func=cmd_rating)

    p = sub.add_parser("meldingen", help="het meldingenvenster: intake, werklijst, contacten, terugbellen, klachten")
    db_arg(p)
    server_arg(p)
    p.add_argument("--user", default="", metavar="NAAM",
                   help="gebruikersnaam van de medewerker, KCC of teamleider (standaard: de eerste)")
    p.set_defaults(func=cmd_meldingen)

    p = sub.add_parser("admin", help="het venster van de teamleider: openingstijden, uitzonderingen, kalender, "
                       "afspraken, categorieën")
    db_arg(p)
    server_arg(p)
    p.add_argument("--user", default="", metavar="NAAM",
                   help="werk als deze gebruiker (standaard: de eerste teamleider, anders de eerste beheerder)")
    p.add_argument("--location", type=int, default=0, metavar="ID", help="de locatie (standaard: de eerste)")
    p.set_defaults(func=cmd_admin)

    p = sub.add_parser("privacy", help="het privacyvenster: logboek, inzage en wissen, bewaartermijnen "
                       "(functionaris gegevensbescherming en beheerder)")
    db_arg(p)
    server_arg(p)
    p.add_argument("--user", default="", metavar="NAAM", help="gebruikersnaam (ingevuld op het inlogscherm)")
    p.set_defaults(func=cmd_privacy)

    p = sub.add_parser("display", help="het wachtrijscherm in de hal, schermvullend")
    db_arg(p)
    server_arg(p)
    p.add_argument("--screen", type=int, default=None, metavar="N",
                   help="het beeldscherm, 0 is het eerste (standaard: de instelling display_screen)")
    p.add_argument("--windowed", action="store_true", help="een venster van 1280x720 in plaats van schermvullend")
    p.set_defaults(func=cmd_display)

    p = sub.add_parser("settings", help="de instellingen van deze computer: de printer voor bonnen en het papier")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("screenshot", help="zes plaatjes (PNG) van balie, kiosk, beheer en wachtrijscherm op "
                       "demogegevens, zonder beeldscherm")
    db_arg(p)
    p.add_argument("--out", required=True, metavar="MAP", help="de map voor de PNG-bestanden")
    p.set_defaults(func=cmd_screenshot)

    p = sub.add_parser("setup", help="de hele inrichting als TOML-bestand: export, of import (helemaal gecontroleerd, "
                       "alles of niets)")
    p.add_argument("action", choices=["export", "import"])
    p.add_argument("file", nargs="?", default="", metavar="BESTAND", help="import: het TOML-bestand")
    p.add_argument("--out", default="", metavar="BESTAND", help="export: schrijf naar BESTAND (standaard: het scherm)")
    p.add_argument("--dry-run", action="store_true", help="import: alleen controleren en proberen, niets opslaan")
    p.add_argument("--user", default="", metavar="NAAM",
                   help="werk als deze gebruiker (standaard: de eerste beheerder, anders de eerste teamleider)")
    db_arg(p)
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("user", help="people: add, set a password, switch off or on, list")
    users = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = users.add_parser("add", help="add a person; prints a temporary password once (an empty database: "
                         "the first beheerder)")
    q.add_argument("username")
    q.add_argument("--name", default="", help="the name shown on screen")
    q.add_argument("--role", required=True, choices=["baliemedewerker", "kcc", "teamleider", "beheerder"])
    q = users.add_parser("passwd", help="set a password (typed without echo, or the first line of stdin)")
    q.add_argument("username")
    q.add_argument("--temporary", action="store_true", help="make a temporary password instead and print it")
    q.add_argument("--must-change", action="store_true", help="the person chooses their own at the next sign-in")
    for name, text in (("disable", "switch an account off (its sessions end)"), ("enable", "switch it on again")):
        q = users.add_parser(name, help=text)
        q.add_argument("username")
    users.add_parser("list", help="every person, role and state")
    for q in users.choices.values():
        db_arg(q)
        q.add_argument("--as", dest="acting", default="", metavar="NAME",
                       help="the beheerder or team lead to act as (default: the first beheerder)")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("device", help="kiosks and hall screens: enrol (a one-time code), list, revoke")
    devices = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = devices.add_parser("enroll", help="register a kiosk or hall screen; prints its one-time code")
    q.add_argument("--role", required=True, choices=["kiosk", "display"])
    q.add_argument("--location", required=True, type=int, metavar="ID")
    q.add_argument("--name", default="", help="e.g. 'Kiosk ingang'")
    devices.add_parser("list", help="every device and its state")
    q = devices.add_parser("revoke", help="stop a device: its token no longer works")
    q.add_argument("device_id", type=int, metavar="ID")
    for q in devices.choices.values():
        db_arg(q)
        q.add_argument("--as", dest="acting", default="", metavar="NAME",
                       help="the beheerder to act as (default: the first beheerder)")
    q = devices.add_parser("redeem", help="op de kiosk of het halscherm: de eenmalige code inwisselen voor de eigen "
                           "sleutel van dit apparaat (centrale database)")
    q.add_argument("code", metavar="CODE")
    server_arg(q)
    q.set_defaults(func=cmd_device_redeem)
    p.set_defaults(func=cmd_device)
    p = sub.add_parser("dashboard", help="het dashboard servicenormen van de teamleider (na inloggen)")
    db_arg(p)
    server_arg(p)
    p.add_argument("--user", default="", metavar="NAAM", help="de gebruikersnaam die alvast in het inlogscherm staat")
    p.add_argument("--location", type=int, default=0, metavar="ID", help="de locatie (standaard: de eerste)")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("report", help="make the quarterly service norms report (PDF) without a window")
    p.add_argument("--quarter", required=True, metavar="YYYYQn", help="for example 2026Q3")
    p.add_argument("--location", required=True, type=int, metavar="ID", help="the location's id")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--user", default="", metavar="NAME",
                   help="the account to report as (default: the first team lead, else the first beheerder)")
    db_arg(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("retention", help="bewaartermijnen (AVG): anonimiseren en vernietigen wat aan de beurt is")
    p.add_argument("action", choices=["run"])
    p.add_argument("--dry-run", action="store_true", help="alleen tellen wat aan de beurt is; niets veranderen")
    p.add_argument("--json", action="store_true", help="de aantallen als JSON")
    p.add_argument("--user", default="", help="gebruikersnaam van de beheerder (standaard: de eerste)")
    p.add_argument("--pdf-folder", default="", help="de map met bewaarde bonnen (standaard: de instelling van deze computer)")
    db_arg(p)
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("addresses", help="de adressen van de gemeente (BAG, CSV) laden: postcode + huisnummer "
                                         "vullen straat en plaats in bij een melding")
    p.add_argument("action", choices=["import"])
    p.add_argument("file", help="CSV met de kolommen postcode, huisnummer, straat, woonplaats (en lat, lon)")
    p.add_argument("--user", default="", metavar="NAAM", help="werk als deze beheerder (standaard: de eerste)")
    db_arg(p)
    p.set_defaults(func=cmd_addresses)

    p = sub.add_parser("db", help="het databaseschema: bijwerken (upgrade) of de revisie tonen (current)")
    p.add_argument("action", choices=["upgrade", "current"])
    db_arg(p)
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("server", help="the BalieDesk server (central mode): the only holder of the database "
                       "credentials; workstations connect to it")
    p.add_argument("--database-url", default="", help="postgresql://user@host/db (better: --database-url-file or "
                   f"the environment variable {SERVER_URL_ENV}, so no password shows in the process list)")
    p.add_argument("--database-url-file", default="", metavar="FILE",
                   help="a file readable by its owner only (chmod 600) holding the database URL")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8443, help="port to listen on (default 8443)")
    p.add_argument("--certfile", default="", metavar="FILE", help="TLS certificate (PEM, with its chain): serve HTTPS")
    p.add_argument("--keyfile", default="", metavar="FILE", help="TLS private key (PEM) of --certfile")
    p.add_argument("--processes", type=int, default=1, metavar="N",
                   help="server processes on the one port (default 1; one per processor core uses the machine)")
    p.add_argument("--call-threads", type=int, default=None, metavar="N",
                   help="operations that run at once per process, for the counters and again for reports "
                        "and exports (default 3; more only take Python's lock from each other)")
    p.set_defaults(func=cmd_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not args.verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CommandProblem as problem:
        print(f"baliedesk: {problem}", file=sys.stderr)
        return problem.code


if __name__ == "__main__":
    sys.exit(main())
