"""Meldingen openbare ruimte: categories, intake, duplicates, status changes, work list.

One user action = one function = one transaction. Deadlines count on the
location's working-day calendar (:func:`baliedesk.services.schedules.load_workday_calendar`).

Photos are stored as BLOBs in ``melding_photos``, in the same transaction as
the melding: a central PostgreSQL database is shared by workstations that have
no common folder, one backup holds everything, and retention can remove a
melding with its photos in one statement. Each photo is limited to 5 MB and a
melding to 5 photos (:mod:`baliedesk.domain.meldingen`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from baliedesk.domain import meldingen as rules
from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import NotFound, NotYourTeam, ValidationError
from baliedesk.domain.meldingen import MeldingState
from baliedesk.domain.permissions import Permission
from baliedesk.domain.photometa import strip_metadata
from baliedesk.services.common import (
    acting_user,
    audit,
    audit_reads,
    check_now,
    get_or_404,
    local_day,
    location_scope,
    require_location,
    require_melding,
)
from baliedesk.services.melding_dto import (
    CategoryInfo,
    DuplicateCandidate,
    HistoryEntry,
    IntakeResult,
    MeldingDetail,
    MeldingSlip,
    MeldingSummary,
    PhotoInfo,
    WorkList,
)
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.schedules import load_workday_calendar

#: The category list that ships with BalieDesk (installed on first use).
DEFAULT_CATEGORIES = Path(__file__).resolve().parents[2] / "resources" / "categories.toml"
WORK_LIST_MAX = 500
#: Rows per page of the work list: a screen shows about 25; filters narrow it down further.
WORK_LIST_PAGE = 100


#: The fields of a melding that may hold personal data, as the audit log names them.
_PERSONAL = ("reporter_name", "reporter_phone", "reporter_email", "description", "street", "house_number",
             "postcode", "location_text")


def _given(m: Any) -> tuple[str, ...]:
    """The personal fields ``m`` holds a value in (names only)."""
    return tuple(f for f in _PERSONAL if getattr(m, f, None) not in (None, ""))


def _without_metadata(pictures: Iterable[tuple[str, str, bytes]]) -> tuple[tuple[str, str, bytes], ...]:
    """The photos without their Exif data (GPS position, camera): stored as they are shown, no more."""
    out = []
    for name, kind, data in pictures:
        try:
            out.append((name, kind, strip_metadata(data, kind)))
        except ValueError:
            raise ValidationError("photo", "not_an_image") from None
    return tuple(out)


def meldingen_topic() -> str:
    return "meldingen"


# ---------------------------------------------------------------------------
# mapping
# ---------------------------------------------------------------------------
def category_info(c: Any) -> CategoryInfo:
    return CategoryInfo(c.id, c.main, c.sub, c.team, c.term_days, c.active)


def _place(m: Any) -> rules.MeldingPlace:
    return rules.MeldingPlace(m.street, m.house_number, m.house_addition, m.postcode, m.place, m.location_text,
                              m.latitude, m.longitude)


def _summary(m: Any, categories: dict[int, Any], calendar: WorkdayCalendar, today: dt.date,
             left: dict[dt.date, int] | None = None) -> MeldingSummary:
    """``left``: a cache of working days left per due date, shared over one list."""
    c = categories.get(m.category_id)
    is_open = m.state in rules.OPEN_STATE_VALUES
    if left is None:
        left = {}
    if m.due_date not in left:
        left[m.due_date] = rules.days_left(calendar, today, m.due_date)
    return MeldingSummary(
        id=m.id, number=m.number, category_id=m.category_id,
        category_label=f"{c.main} > {c.sub}" if c else "?", team=m.team, state=m.state, channel=m.channel,
        urgency=m.urgency, place_text=_place(m).text(), description=m.description, received_on=m.received_on,
        due_date=m.due_date, days_left=left[m.due_date],
        overdue=is_open and rules.is_overdue(today, m.due_date), open=is_open, created_at=m.created_at,
        linked_to_id=m.linked_to_id, photo_count=m.photo_count,
    )


def _categories(uow: UnitOfWork) -> dict[int, Any]:
    return {c.id: c for c in uow.meldingen.categories()}


def _detail(uow: UnitOfWork, m: Any, calendar: WorkdayCalendar, today: dt.date) -> MeldingDetail:
    users: dict[int, Any] = {}

    def user_name(uid: int | None) -> str | None:
        if uid is None:
            return None
        if uid not in users:
            users[uid] = uow.directory.user(uid)
        return users[uid].display_name if users[uid] else None

    linked = uow.meldingen.get(m.linked_to_id) if m.linked_to_id else None
    return MeldingDetail(
        summary=_summary(m, _categories(uow), calendar, today),
        tracking_code=rules.display_tracking_code(m.tracking_code),
        street=m.street, house_number=m.house_number, house_addition=m.house_addition, postcode=m.postcode,
        place=m.place, location_text=m.location_text, latitude=m.latitude, longitude=m.longitude,
        reporter_name=m.reporter_name, reporter_phone=m.reporter_phone, reporter_email=m.reporter_email,
        wants_feedback=m.wants_feedback, linked_to_number=linked.number if linked else None,
        linked_count=uow.meldingen.linked_count(m.id),
        photos=tuple(PhotoInfo(p.id, p.filename, p.content_type, p.size) for p in uow.meldingen.photos(m.id)),
        history=tuple(HistoryEntry(h.at, user_name(h.user_id), h.from_state, h.to_state, h.note)
                      for h in uow.meldingen.history(m.id)),
    )


def _slip(m: Any, category: Any, location: Any, expected: dt.date) -> MeldingSlip:
    return MeldingSlip(
        number=m.number, tracking_code=rules.display_tracking_code(m.tracking_code),
        category=f"{category.main} > {category.sub}", location_text=_place(m).text(), description=m.description,
        received_on=m.received_on, expected_date=expected, location_name=location.name,
    )


def _location(uow: UnitOfWork, location_id: int) -> Any:
    return get_or_404(uow.directory.location(location_id), "location", location_id)


def _clock(uow: UnitOfWork, location: Any, now: dt.datetime) -> tuple[WorkdayCalendar, dt.date]:
    return load_workday_calendar(uow, location), local_day(now, location.timezone)


# ---------------------------------------------------------------------------
# categories
# ---------------------------------------------------------------------------
def _install(uow: UnitOfWork, defs: Iterable[rules.CategoryDef], *, replace: bool) -> None:
    wanted = list(defs)
    seen = set()
    for order, d in enumerate(wanted):
        row = uow.meldingen.category_by_name(d.main, d.sub)
        if row is None:
            row = uow.meldingen.add_category(main=d.main, sub=d.sub, team=d.team, term_days=d.term_days,
                                             active=True, sort_order=order)
        else:
            row.main, row.sub, row.team, row.term_days, row.active, row.sort_order = (
                d.main, d.sub, d.team, d.term_days, True, order)
        seen.add(row.id)
    if replace:
        for row in uow.meldingen.categories():
            if row.id not in seen:
                row.active = False  # meldingen keep pointing at it; it is no longer offered
    uow.flush()


def list_categories(backend: Backend, user_id: int, *, active_only: bool = True) -> tuple[CategoryInfo, ...]:
    """The categories to choose from. The first use installs the shipped list (resources/categories.toml)."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.TAKE_MELDING)
        rows = uow.meldingen.categories(active_only=active_only)
        if rows or uow.meldingen.categories():
            return tuple(category_info(c) for c in rows)
    defaults = rules.parse_categories_toml(DEFAULT_CATEGORIES.read_text(encoding="utf-8"))
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.TAKE_MELDING)
        uow.meldingen.lock_categories()
        if not uow.meldingen.categories():  # nobody else installed them meanwhile
            _install(uow, defaults, replace=False)
        rows = uow.meldingen.categories(active_only=active_only)
        uow.changed(meldingen_topic())
        uow.commit()
        return tuple(category_info(c) for c in rows)


def import_categories(backend: Backend, user_id: int, content: str, *, fmt: str = "toml",
                      replace: bool = True) -> tuple[CategoryInfo, ...]:
    """Load a municipality's own list (TOML or CSV). ``replace``: categories missing from the file are switched off."""
    if fmt not in ("toml", "csv"):
        raise ValidationError("format", "invalid")
    if not isinstance(content, str):
        raise ValidationError("categories", "invalid")
    defs = rules.parse_categories_toml(content) if fmt == "toml" else rules.parse_categories_csv(content)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.MANAGE_MELDINGEN)
        uow.meldingen.lock_categories()
        _install(uow, defs, replace=replace)
        rows = uow.meldingen.categories()
        uow.changed(meldingen_topic())
        uow.commit()
        return tuple(category_info(c) for c in rows)


def export_categories(backend: Backend, user_id: int) -> str:
    """The active list as TOML (the format :func:`import_categories` reads)."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_MELDINGEN)
        return rules.categories_toml(rules.CategoryDef(c.main, c.sub, c.team, c.term_days)
                                     for c in uow.meldingen.categories(active_only=True))


def save_category(backend: Backend, user_id: int, category_id: int | None, *, main: str, sub: str, team: str,
                  term_days: object, active: bool = True) -> CategoryInfo:
    """Add a category (``category_id`` None) or change one. A new term counts for new meldingen only."""
    d = rules.clean_category(main, sub, team, term_days)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.MANAGE_MELDINGEN)
        uow.meldingen.lock_categories()
        same = uow.meldingen.category_by_name(d.main, d.sub)
        if same is not None and same.id != category_id:
            raise ValidationError("category_sub", "taken")
        if category_id is None:
            row = uow.meldingen.add_category(main=d.main, sub=d.sub, team=d.team, term_days=d.term_days,
                                             active=bool(active), sort_order=len(uow.meldingen.categories()))
        else:
            row = get_or_404(uow.meldingen.category(category_id), "category", category_id)
            row.main, row.sub, row.team, row.term_days, row.active = d.main, d.sub, d.team, d.term_days, bool(active)
        uow.flush()
        info = category_info(row)
        uow.changed(meldingen_topic())
        uow.commit()
        return info


def may_manage_categories(backend: Backend, user_id: int) -> bool:
    """Whether this user may edit the category list (the window shows the tab only then)."""
    from baliedesk.domain.permissions import allows

    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        return allows(user.role, Permission.MANAGE_MELDINGEN)


def teams(backend: Backend, user_id: int) -> tuple[str, ...]:
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.TAKE_MELDING)
        return tuple(uow.meldingen.teams())


# ---------------------------------------------------------------------------
# intake
# ---------------------------------------------------------------------------
def _fresh_tracking_code(uow: UnitOfWork) -> str:
    for _ in range(20):
        code = rules.new_tracking_code(secrets.randbelow)
        if not uow.meldingen.tracking_code_taken(code):
            return code
    raise RuntimeError("no free tracking code found")  # 25^8 codes: practically never


def _root(uow: UnitOfWork, melding_id: int) -> Any:
    """The melding a link points at, following earlier links to the first one."""
    m = get_or_404(uow.meldingen.get(melding_id), "melding", melding_id)
    for _ in range(50):
        if m.linked_to_id is None:
            return m
        m = get_or_404(uow.meldingen.get(m.linked_to_id), "melding", m.linked_to_id)
    return m


def take_melding(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *, category_id: int,
                 description: str, channel: str, urgency: str = "normaal",
                 street: str | None = None, house_number: object = None, house_addition: str | None = None,
                 postcode: str | None = None, place: str | None = None, location_text: str | None = None,
                 latitude: object = None, longitude: object = None,
                 reporter_name: str | None = None, reporter_phone: str | None = None,
                 reporter_email: str | None = None, wants_feedback: bool = False,
                 photos: Iterable[tuple[str | None, bytes]] = (), link_to_id: int | None = None) -> IntakeResult:
    """Register a melding (counter, phone, mail ...). ``link_to_id``: the same as an existing melding.

    A linked melding is stored (the reporter and the photos count) and closed
    at once as a duplicate, pointing at the first melding; the slip gives the
    expected date of that one.
    """
    now = check_now(now)
    text = rules.clean_description(description)
    where = rules.clean_place(street, house_number, house_addition, postcode, place, location_text, latitude, longitude)
    reporter = rules.clean_reporter(reporter_name, reporter_phone, reporter_email, wants_feedback)
    chan = rules.parse_channel(channel)
    urg = rules.parse_urgency(urgency)
    pictures = _without_metadata(rules.clean_photos(photos))
    if not isinstance(category_id, int) or isinstance(category_id, bool):
        raise ValidationError("category", "not_chosen")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        location = _location(uow, location_id)
        category = uow.meldingen.category(category_id)
        if category is None or not category.active:
            raise ValidationError("category", "not_chosen")
        calendar, today = _clock(uow, location, now)
        main = _root(uow, link_to_id) if link_to_id is not None else None
        due = rules.melding_due(calendar, today, category.term_days)
        seq = uow.meldingen.next_number("M", today.year)
        m = uow.meldingen.new(
            number=rules.melding_number(today.year, seq), tracking_code=_fresh_tracking_code(uow),
            location_id=location.id, category_id=category.id, team=category.team, term_days=category.term_days,
            state=MeldingState.GEMELD.value, channel=chan.value, urgency=urg.value, description=text,
            street=where.street, street_key=where.street_key, house_number=where.house_number,
            house_addition=where.house_addition, postcode=where.postcode, postcode_area=where.postcode_area,
            place=where.place, location_text=where.location_text, latitude=where.latitude,
            longitude=where.longitude, reporter_name=reporter.name, reporter_phone=reporter.phone,
            reporter_email=reporter.email, wants_feedback=reporter.wants_feedback, received_on=today,
            due_date=due, created_at=now, created_by=user.id, changed_at=now, closed_at=None,
            linked_to_id=None, photo_count=len(pictures),
        )
        for name, kind, data in pictures:
            uow.meldingen.add_photo(melding_id=m.id, filename=name, content_type=kind, size=len(data), data=data,
                                    created_at=now)
        uow.meldingen.add_history(melding_id=m.id, at=now, user_id=user.id, from_state=None,
                                  to_state=MeldingState.GEMELD.value, note=None)
        expected = due
        if main is not None:
            m.linked_to_id = main.id
            m.state = MeldingState.GEANNULEERD.value
            m.closed_at = now
            uow.meldingen.add_history(melding_id=m.id, at=now, user_id=user.id, from_state=MeldingState.GEMELD.value,
                                      to_state=m.state, note=f"Dubbele melding: zie {main.number}")
            expected = main.due_date
        uow.flush()
        audit(uow, user.id, now, "create", "melding", m.id, _given(m))
        detail = _detail(uow, m, calendar, today)
        slip = _slip(m, category, location, expected)
        uow.changed(meldingen_topic())
        uow.commit()
        return IntakeResult(detail, slip)


def possible_duplicates(backend: Backend, user_id: int, now: dt.datetime, *, category_id: int | None,
                        street: str | None = None, postcode: str | None = None,
                        exclude_id: int | None = None) -> tuple[DuplicateCandidate, ...]:
    """Open meldingen of the same category at the same street or in the same postcode area, recent first.

    Called while the clerk types: half-typed input (a postcode of three digits)
    simply matches nothing instead of raising.
    """
    now = check_now(now)
    if not isinstance(category_id, int) or isinstance(category_id, bool):
        return ()
    try:
        key = rules.street_key(rules.clean_text(street, field="street", max_length=rules.STREET_MAX_LENGTH) or None)
    except ValidationError:
        key = None
    try:
        area = rules.postcode_area(rules.clean_postcode(postcode))
    except ValidationError:
        area = None
    if key is None and area is None:
        return ()
    with backend.unit_of_work() as uow:
        scope = location_scope(uow, acting_user(uow, user_id, Permission.TAKE_MELDING))
        rows = uow.meldingen.duplicates(category_id=category_id, street_key=key, postcode_area=area,
                                        since=rules.duplicate_since(now), until=now, exclude_id=exclude_id,
                                        limit=rules.DUPLICATES_MAX)
        cats = _categories(uow) if rows else {}
        out = []
        for m in rows:
            if scope is not None and m.location_id not in scope:
                continue
            c = cats.get(m.category_id)
            out.append(DuplicateCandidate(
                m.id, m.number, f"{c.main} > {c.sub}" if c else "?", _place(m).text(), m.state, m.created_at,
                m.description, key is not None and m.street_key == key, area is not None and m.postcode_area == area))
        return tuple(out)


def link_melding(backend: Backend, user_id: int, melding_id: int, to_id: int, now: dt.datetime,
                 note: str | None = None) -> MeldingDetail:
    """Mark a melding as the same as another one (closed as a duplicate, pointing at the first)."""
    now = check_now(now)
    extra = rules.clean_note(note)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        m = get_or_404(uow.meldingen.get(melding_id, lock=True), "melding", melding_id)
        main = _root(uow, to_id)
        require_melding(uow, user, m)
        require_melding(uow, user, main)
        if main.id == m.id:
            raise ValidationError("link", "self")
        target = rules.check_transition(m.number, m.state, MeldingState.GEANNULEERD)
        location = _location(uow, m.location_id)
        calendar, today = _clock(uow, location, now)
        m.linked_to_id = main.id
        uow.meldingen.add_history(melding_id=m.id, at=now, user_id=user.id, from_state=m.state,
                                  to_state=target.value,
                                  note=f"Dubbele melding: zie {main.number}" + (f". {extra}" if extra else ""))
        m.state, m.changed_at, m.closed_at = target.value, now, now
        audit(uow, user.id, now, "update", "melding", m.id, ("state", "linked_to_id"), {"state": target.value})
        uow.flush()
        detail = _detail(uow, m, calendar, today)
        uow.changed(meldingen_topic())
        uow.commit()
        return detail


# ---------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------
#: A note is needed to pass on (to whom), cancel (why) and reopen (why).
NOTE_REQUIRED = frozenset({MeldingState.DOORGEZET, MeldingState.GEANNULEERD, MeldingState.HEROPEND})


def change_status(backend: Backend, user_id: int, melding_id: int, target: str, now: dt.datetime, *,
                  note: str | None = None) -> MeldingDetail:
    """Move a melding to ``target`` when the state table allows it; a history entry records who, when and why.

    Reopening starts a new handling term from today.
    """
    now = check_now(now)
    to = rules.parse_state(target, "target")
    text = rules.clean_note(note, required=to in NOTE_REQUIRED)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        m = get_or_404(uow.meldingen.get(melding_id, lock=True), "melding", melding_id)
        require_melding(uow, user, m)
        rules.check_transition(m.number, m.state, to)
        location = _location(uow, m.location_id)
        calendar, today = _clock(uow, location, now)
        uow.meldingen.add_history(melding_id=m.id, at=now, user_id=user.id, from_state=m.state, to_state=to.value,
                                  note=text)
        m.state, m.changed_at = to.value, now
        if rules.closes(to):
            m.closed_at = now
        elif to is MeldingState.HEROPEND:
            m.closed_at = None
            m.due_date = rules.melding_due(calendar, today, m.term_days)
        audit(uow, user.id, now, "update", "melding", m.id, ("state", "note") if text else ("state",),
              {"state": to.value})
        uow.flush()
        detail = _detail(uow, m, calendar, today)
        uow.changed(meldingen_topic())
        uow.commit()
        return detail


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------
def work_list(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *, state: str | None = None,
              category_id: int | None = None, team: str | None = None, overdue: bool = False,
              channel: str | None = None, search: str | None = None, limit: int = WORK_LIST_PAGE) -> WorkList:
    """Meldingen by filter. Without ``state``: the open ones, the earliest due date first.

    ``search`` looks in the number, description, address and reporter name.
    Days left count working days on the location's calendar.
    """
    now = check_now(now)
    states = None if state in (None, "") else (rules.parse_state(state).value,)
    chan = None if channel in (None, "") else rules.parse_channel(channel).value
    text = rules.clean_search(search)
    if not isinstance(limit, int) or not 1 <= limit <= WORK_LIST_MAX:
        raise ValidationError("limit", "out_of_range", WORK_LIST_MAX)
    if team is not None and not isinstance(team, str):
        raise ValidationError("team", "invalid")
    with backend.unit_of_work(write=bool(text)) as uow:  # write: a search is on record
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        scope = location_scope(uow, user)
        my_teams = uow.privacy.user_teams(user.id) or None
        if team and my_teams is not None and team not in my_teams:
            raise NotYourTeam(user.role, "team", team)
        location = _location(uow, location_id)
        calendar, today = _clock(uow, location, now)
        number = rules.parse_melding_number(text) if text else None
        if number is not None:
            found = uow.meldingen.by_number(number)
            rows = [found] if found is not None and (scope is None or found.location_id in scope) and (
                my_teams is None or found.team in my_teams) else []
        else:
            rows = uow.meldingen.work_list(states=states, category_id=category_id, team=team or None,
                                           overdue_on=today if overdue else None, channel=chan, search=text,
                                           limit=limit + 1, location_ids=None if scope is None else sorted(scope),
                                           teams=my_teams)
        cats = _categories(uow)
        left: dict[dt.date, int] = {}
        result = WorkList(today, tuple(_summary(m, cats, calendar, today, left) for m in rows[:limit]),
                          len(rows) > limit)
        if text:
            audit_reads(uow, user.id, now, "melding", [m.id for m in result.rows],
                        ("description", "place_text"), "search")
            uow.commit()
        return result


def melding_detail(backend: Backend, user_id: int, melding_id: int, now: dt.datetime) -> MeldingDetail:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:  # write: the read is on record
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        m = get_or_404(uow.meldingen.get(melding_id), "melding", melding_id)
        require_melding(uow, user, m)
        calendar, today = _clock(uow, _location(uow, m.location_id), now)
        detail = _detail(uow, m, calendar, today)
        audit(uow, user.id, now, "read", "melding", m.id, _given(m))
        uow.commit()
        return detail


def melding_slip(backend: Backend, user_id: int, melding_id: int) -> MeldingSlip:
    """The confirmation slip again (to print a copy)."""
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        m = get_or_404(uow.meldingen.get(melding_id), "melding", melding_id)
        require_melding(uow, user, m)
        main = _root(uow, m.id)
        category = get_or_404(uow.meldingen.category(m.category_id), "category", m.category_id)
        return _slip(m, category, _location(uow, m.location_id), main.due_date)


def photo_data(backend: Backend, user_id: int, photo_id: int) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of one photo."""
    with backend.unit_of_work() as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        p = uow.meldingen.photo(photo_id)
        if p is None:
            raise NotFound("photo", photo_id)
        m = get_or_404(uow.meldingen.get(p.melding_id), "melding", p.melding_id)
        require_melding(uow, user, m)
        return p.filename, p.content_type, bytes(p.data)
