"""Issue 15: slips take the municipality's details from the database (the location's record),
read once by the window through ``client.organisation.branding``; settings.json only as fallback.
A slip never promises a way of contact that is not configured. Both backends."""

from __future__ import annotations

import dataclasses

import pytest

from baliedesk.printing import pdf, samples
from baliedesk.printing.config import BrandingOnce, branding_from
from baliedesk.printing.slips import appointment_slip, melding_slip, ticket_slip
from baliedesk.services import organisation as org

OLD_PC = {"slip_phone": "0000 000000", "slip_website": "www.oud.nl", "slip_address": "Oude straat 1",
          "slip_tracking_url": "https://oud.nl/{code}", "slip_municipality": "Oude gemeente"}


def _details(backend, seeded, **values):
    admin = seeded.users["beheer"]
    blank = dict(street="", house_number="", postcode="", place="", phone="", website="", tracking_base_url="")
    org.update_location(backend, admin, seeded.location_id, **{**blank, **values})
    return org.branding(backend, seeded.location_id)


def test_every_slip_shows_the_database_details(seeded, backend, pdf_text):
    details = _details(backend, seeded, street="Stationsweg", house_number="1", postcode="9919AH",
                       place="Loppersum", phone="0596 - 123 456", website="https://www.eemsdelta.nl",
                       tracking_base_url="https://meldingen.eemsdelta.nl/volg/{code}")
    b = branding_from(OLD_PC, details)
    assert (b.phone, b.website, b.address) == (details.phone, details.website, "Stationsweg 1, 9919 AH Loppersum")
    for slip in (ticket_slip(samples.ticket(), b), appointment_slip(samples.appointment(), b),
                 melding_slip(samples.melding(), b)):
        text = pdf_text(pdf.render(slip))
        assert details.phone in text and "Stationsweg 1, 9919 AH Loppersum" in text, slip.kind
        assert "www.eemsdelta.nl" in text, slip.kind
        assert "0000 000000" not in text and "Oude straat" not in text, slip.kind
    appointment = pdf_text(pdf.render(appointment_slip(samples.appointment(), b)))
    assert "Waar:" in appointment and "Stationsweg 1, 9919 AH Loppersum" in appointment
    assert "Bel 0596 - 123 456" in appointment


def test_the_melding_qr_code_points_to_the_tracking_page(seeded, backend, pdf_text):
    details = _details(backend, seeded, tracking_base_url="https://meldingen.eemsdelta.nl")
    b = branding_from({}, details)
    slip = melding_slip(samples.melding(), b)
    qr = [x for x in slip.blocks if type(x).__name__ == "Qr"]
    assert qr and qr[0].data == "https://meldingen.eemsdelta.nl/volg/K7P3QX4A"
    details = _details(backend, seeded, tracking_base_url="https://m.example.nl/volg/{code}")
    qr = [x for x in melding_slip(samples.melding(), branding_from({}, details)).blocks if type(x).__name__ == "Qr"]
    assert qr[0].data == "https://m.example.nl/volg/K7P3QX4A"


def test_no_promise_of_contact_that_is_not_configured(seeded, backend, pdf_text):
    details = _details(backend, seeded)  # nothing but the name
    b = branding_from({}, details)
    melding = pdf_text(pdf.render(melding_slip(samples.melding(), b)))
    assert "Bel" not in melding and "Kijk op" not in melding
    assert "Vraag het aan de balie." in melding
    appointment = pdf_text(pdf.render(appointment_slip(samples.appointment(), b)))
    assert "Bel" not in appointment and "Kijk op" not in appointment and "aan de balie" in appointment
    assert "Telefoon:" not in appointment

    website_only = branding_from({}, _details(backend, seeded, website="https://www.eemsdelta.nl"))
    melding = pdf_text(pdf.render(melding_slip(samples.melding(), website_only)))
    assert "Bel" not in melding and "Kijk op https://www.eemsdelta.nl." in melding
    phone_only = branding_from({}, _details(backend, seeded, phone="14 0596"))
    melding = pdf_text(pdf.render(melding_slip(samples.melding(), phone_only)))
    assert "Bel 14 0596." in melding and "Kijk op" not in melding


def test_settings_are_only_a_fallback_for_a_database_without_details(seeded, backend):
    details = _details(backend, seeded)
    b = branding_from(OLD_PC, details)
    assert (b.phone, b.website, b.address) == ("0000 000000", "www.oud.nl", "Oude straat 1")
    assert b.municipality == details.municipality  # the database's name wins
    b = branding_from(OLD_PC, _details(backend, seeded, phone="14 0596"))
    assert (b.phone, b.website, b.address, b.tracking_url) == ("14 0596", "", "", "")


def test_the_database_logo_is_printed(seeded, backend, tmp_path):
    png = samples.make_logo(tmp_path / "logo.png").read_bytes()
    details = dataclasses.replace(_details(backend, seeded), logo=png, logo_type="image/png")
    b = branding_from({}, details)
    assert b.logo_data == png
    with_logo, without = pdf.render(melding_slip(samples.melding(), b)), pdf.render(
        melding_slip(samples.melding(), dataclasses.replace(b, logo_data=None)))
    assert b"/Subtype /Image" in with_logo and b"/Subtype /Image" not in without
    svg = dataclasses.replace(details, logo=b"<svg/>", logo_type="image/svg+xml")
    assert branding_from({}, svg).logo_data is None


def test_branding_is_read_once_and_a_failed_read_falls_back(seeded, backend):
    calls = []

    def read(location_id):
        calls.append(location_id)
        if len(calls) == 1:
            raise OSError("server away")
        return org.branding(backend, location_id)

    _details(backend, seeded, phone="14 0596")
    once = BrandingOnce(read, seeded.location_id, OLD_PC)
    assert once().phone == "0000 000000"  # the database could not be read: the settings
    assert once().phone == "14 0596" and once().phone == "14 0596"
    assert calls == [seeded.location_id, seeded.location_id]
