"""The command line, and the composition root: it wires storage into the UI.

    python -m baliedesk demo                 all windows on a fresh seeded SQLite database
    python -m baliedesk demo --seed-only --database-url URL
    python -m baliedesk counter|kiosk        one window on the configured database
    python -m baliedesk admin [--user NAME]  the team lead's window: opening hours, exceptions, appointments
    python -m baliedesk display [--screen N] [--windowed]   the hall screen (wachtrijscherm)
    python -m baliedesk settings             this computer's printer and paper for slips
    python -m baliedesk screenshot --out DIR
    python -m baliedesk db upgrade --database-url URL
    python -m baliedesk server [--database-url-file F] [--host H --port P --certfile F --keyfile F]

    python -m baliedesk user add|passwd|disable|enable|list ...   people and their passwords
    python -m baliedesk device enroll|list|revoke ...             kiosks and hall screens
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from baliedesk import __version__

log = logging.getLogger("baliedesk")


def _database(args: argparse.Namespace, *, demo: bool = False):
    from baliedesk.settings import Settings
    from baliedesk.storage.database import Database, default_database_path

    url = args.database_url or Settings()["database_url"]
    if not url and demo:
        path = default_database_path().with_name("demo.sqlite3")
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    db = Database(url or None)
    db.upgrade()  # created and migrated on first start
    return db


def cmd_db(args: argparse.Namespace) -> int:
    from baliedesk.storage.database import Database
    from baliedesk.storage.migrations_runner import current_revision, head_revision

    db = Database(args.database_url or None)
    if args.action == "upgrade":
        rev = db.upgrade()
        print(f"{db.describe()}: schema at revision {rev} (head {head_revision()})")
    else:
        print(f"{db.describe()}: schema at revision {current_revision(db.engine)} (head {head_revision()})")
    db.dispose()
    return 0


def _ensure_demo_data(db, *, hours: bool = False) -> bool:
    """Seed the demo municipality unless the database has one; True when it was seeded now.

    ``hours``: with Loppersum's opening hours (Thursday evening until 19:30).
    """
    from baliedesk.services import demo

    if demo.is_seeded(db):
        return False
    demo.seed(db, dt.datetime.now(dt.UTC), hours=hours)
    return True


def _keep_demo_open(db) -> None:
    """The demo runs on the real clock: outside opening hours it opens today, and says so."""
    from baliedesk.hourstext import date_text
    from baliedesk.services import demo

    opened = demo.open_today_if_closed(db, dt.datetime.now(dt.UTC))
    if opened is not None:
        log.info("demo: the location is closed right now, so it is open all day today (%s) through a dated "
                 "exception '%s' (see 'python -m baliedesk admin', tab Uitzonderingen)",
                 date_text(opened.day), opened.note)


def cmd_demo(args: argparse.Namespace) -> int:
    db = _database(args, demo=True)
    _ensure_demo_data(db, hours=True)
    _keep_demo_open(db)
    if args.seed_only:
        print(f"seeded {db.describe()}")
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
        log.warning("could not start the hall screen: %s", exc)
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


def cmd_display(args: argparse.Namespace) -> int:
    import os

    args.database_url = args.database_url or os.environ.pop(DISPLAY_URL_ENV, "")
    parent = os.environ.pop(DISPLAY_PARENT_ENV, "")
    db = _database(args)
    from baliedesk.client import LocalClient
    from baliedesk.display.app import run_display

    return run_display(LocalClient(db), screen=args.screen, windowed=args.windowed,
                       parent_pid=int(parent) if parent.isdigit() else None)


def cmd_window(args: argparse.Namespace) -> int:
    db = _database(args)
    from baliedesk.client import LocalClient
    from baliedesk.ui.launch import run_windows

    return run_windows(LocalClient(db), [args.command], demo=False)


def cmd_meldingen(args: argparse.Namespace) -> int:
    db = _database(args)
    from baliedesk.ui.launch import run_meldingen

    return run_meldingen(db, args.user or None)


def cmd_admin(args: argparse.Namespace) -> int:
    db = _database(args)
    from baliedesk.ui.launch import run_admin

    return run_admin(db, args.user or None, args.location or None)


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
    """Why the server does not start: one Dutch line for the operator."""


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
        raise ServerSetupError(f"Het database-adres is niet bruikbaar ({type(exc).__name__}).") from exc
    try:
        current = current_revision(db.engine)
    except Exception as exc:  # noqa: BLE001 - the database is away or refuses us
        db.dispose()
        raise ServerSetupError(f"De database is niet bereikbaar: {db.describe()} ({type(exc).__name__}).") from exc
    head = head_revision()
    if current != head:
        db.dispose()
        raise ServerSetupError(
            f"Het schema van de database is niet bijgewerkt (nu {current or 'leeg'}, nodig {head}): voer eerst "
            f"'python -m baliedesk db upgrade' uit en start de server daarna opnieuw.")
    return db, create_app(db)  # tokens are the sign-in sessions and device tokens, stored as hashes


def cmd_server(args: argparse.Namespace) -> int:
    from baliedesk.server.run import serve

    try:
        db, app = build_server(args)
    except ServerSetupError as exc:
        print(f"baliedesk server: {exc}", file=sys.stderr)
        return 2
    scheme = "https" if args.certfile else "http"
    if scheme == "http" and args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("Let op: de server luistert zonder HTTPS op %s. Gebruik --certfile en --keyfile, of zet hem "
                    "achter een reverse proxy met HTTPS.", args.host)
    log.info("BalieDesk-server op %s://%s:%d, database %s", scheme, args.host, args.port, db.describe())
    try:
        serve(app, host=args.host, port=args.port, certfile=args.certfile or None, keyfile=args.keyfile or None,
              log_level="info" if args.verbose else "warning")
    finally:
        db.dispose()
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
            print("Dit wachtwoord ziet u maar één keer. Bij de eerste keer aanmelden kiest "
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
                print("Dit wachtwoord ziet u maar één keer. Bij aanmelden kiest de gebruiker een eigen wachtwoord.")
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="baliedesk", description="BalieDesk: counter software for the front office.")
    parser.add_argument("--version", action="version", version=f"BalieDesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def db_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database-url", default="", help="sqlite:///path or postgresql://user@host/db "
                       "(default: the SQLite file in your data folder)")

    p = sub.add_parser("demo", help="open the counter, kiosk and hall screen on a seeded demo database")
    db_arg(p)
    p.add_argument("--seed-only", action="store_true", help="only create and seed the database, open no window")
    p.add_argument("--keep", action="store_true", help="keep the previous demo database instead of starting fresh")
    p.set_defaults(func=cmd_demo)

    for name, text in (("counter", "open the counter window (baliemedewerker)"),
                       ("kiosk", "open the kiosk window (tickets at the entrance)")):
        p = sub.add_parser(name, help=text)
        db_arg(p)
        p.set_defaults(func=cmd_window)

    p = sub.add_parser("meldingen", help="open the meldingen window: intake, work list, contacts, callbacks, complaints")
    db_arg(p)
    p.add_argument("--user", default="", help="username of the clerk, KCC or team lead (default: the first one)")
    p.set_defaults(func=cmd_meldingen)

    p = sub.add_parser("admin", help="open the team lead's window: opening hours, exceptions, calendar, "
                       "appointments")
    db_arg(p)
    p.add_argument("--user", default="", metavar="NAME",
                   help="the account to work as (default: the first team lead, else the first beheerder)")
    p.add_argument("--location", type=int, default=0, metavar="ID", help="the location (default: the first)")
    p.set_defaults(func=cmd_admin)

    p = sub.add_parser("display", help="open the hall screen (wachtrijscherm), full screen")
    db_arg(p)
    p.add_argument("--screen", type=int, default=None, metavar="N",
                   help="the monitor to fill, 0 for the first (default: the display_screen setting)")
    p.add_argument("--windowed", action="store_true", help="a 1280x720 window instead of full screen (testing)")
    p.set_defaults(func=cmd_display)

    p = sub.add_parser("settings", help="open this computer's settings: the printer for slips and its paper")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("screenshot", help="render every window on seeded data to PNG files (offscreen)")
    db_arg(p)
    p.add_argument("--out", required=True, help="folder for the PNG files")
    p.set_defaults(func=cmd_screenshot)

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
    p.set_defaults(func=cmd_device)

    p = sub.add_parser("db", help="database schema: upgrade or show the current revision")
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
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
