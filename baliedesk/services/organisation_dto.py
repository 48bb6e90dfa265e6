"""Frozen results of the set-up services (organisation.py, setupfile.py): safe across threads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baliedesk.domain.organisation import SetupProblem  # noqa: F401 - re-exported for callers
from baliedesk.services.dto import CounterInfo, ServiceInfo


@dataclass(frozen=True)
class MunicipalityInfo:
    name: str  # "" until it is set up
    color: str  # "#RRGGBB": top bar of the hall screen, lines on slips
    logo_type: str | None  # image/png | image/jpeg | image/svg+xml; None: no logo
    updated_at: dt.datetime | None

    @property
    def has_logo(self) -> bool:
        return self.logo_type is not None


@dataclass(frozen=True)
class LocationDetails:
    id: int
    name: str
    active: bool
    timezone: str
    ordering_mode: str  # longest_wait | fair_share
    no_show_after_recalls: int
    counter_gone_after_s: int
    street: str
    house_number: str
    postcode: str  # "1234 AB" or ""
    place: str
    phone: str
    website: str
    tracking_base_url: str  # the public tracking page; "{code}" is replaced by a melding's tracking code
    municipality: str  # the municipality's name ("" when not set up)

    @property
    def address_line(self) -> str:
        """``Stationsweg 1, 9919 AH Loppersum``; "" when no address is filled in."""
        first = " ".join(x for x in (self.street, self.house_number) if x)
        second = " ".join(x for x in (self.postcode, self.place) if x)
        return ", ".join(x for x in (first, second) if x)

    def tracking_link(self, code: str) -> str:
        base = self.tracking_base_url
        if not base:
            return ""
        return base.replace("{code}", code) if "{code}" in base else base


@dataclass(frozen=True)
class Branding:
    """What a slip or screen prints for a location, in one read (public: no personal data).

    Replaces the per-PC settings ``slip_municipality``, ``slip_logo``, ``slip_color``,
    ``slip_address``, ``slip_phone``, ``slip_website``, ``slip_tracking_url`` and
    ``display_color``/``display_logo``.
    """

    location: LocationDetails
    municipality: str  # the municipality's name, else the location's
    color: str  # "#RRGGBB"
    logo_type: str | None  # image/png | image/jpeg | image/svg+xml; None: no logo
    logo: bytes | None

    @property
    def address(self) -> str:
        return self.location.address_line

    @property
    def phone(self) -> str:
        return self.location.phone

    @property
    def website(self) -> str:
        return self.location.website

    def tracking_link(self, code: str) -> str:
        return self.location.tracking_link(code)


@dataclass(frozen=True)
class OrganisationView:
    """Everything the set-up tabs show, in one read."""

    municipality: MunicipalityInfo
    locations: tuple[LocationDetails, ...]  # also inactive ones
    services: tuple[ServiceInfo, ...]  # of every location, also inactive ones
    counters: tuple[CounterInfo, ...]  # of every location, also inactive ones


@dataclass(frozen=True)
class SetupImportReport:
    dry_run: bool  # True: checked and tried, nothing saved
    created: tuple[tuple[str, int], ...]  # (kind, how many): ("location", 1), ("service", 4) ...
    updated: tuple[tuple[str, int], ...]
    first_admin: str | None  # the beheerder created on an empty database, to sign in with
