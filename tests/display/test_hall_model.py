"""What the hall screen announces and the words it uses (plain Python), the chime file,
the sound set-up where there is no sound, and the command line."""

from __future__ import annotations

import datetime as dt
import wave
from types import SimpleNamespace as NS

from baliedesk.display.chime import CHIME_PATH, DURATION_S, RATE
from baliedesk.display.model import CallTracker, date_text, opening_hours_text, wait_text, waiting_text

T0 = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


def call(tid: int, number: str, minute: int, recalls: int = 0, counter: str = "Balie 1"):
    return NS(ticket_id=tid, number=number, counter_name=counter, called_at=T0 + dt.timedelta(minutes=minute),
              recall_count=recalls)


def held(tid: int, number: str, minute: int, recalls: int = 0, counter: str = "Balie 1"):
    return NS(id=tid, number=number, counter_name=counter, called_at=T0 + dt.timedelta(minutes=minute),
              recall_count=recalls)


def test_first_picture_is_silent_then_new_calls_in_order():
    tr = CallTracker()
    assert tr.update([call(1, "A001", 0)]) == []
    out = tr.update([call(3, "B001", 2), call(2, "A002", 1), call(1, "A001", 0)])
    assert [(a.number, a.recall) for a in out] == [("A002", False), ("B001", False)]
    assert tr.update([call(3, "B001", 2), call(2, "A002", 1), call(1, "A001", 0)]) == []


def test_recall_is_announced_once_per_recall():
    tr = CallTracker()
    tr.update([call(1, "A001", 0)])
    out = tr.update([call(1, "A001", 0, recalls=1)])
    assert [(a.number, a.recall, a.recall_count) for a in out] == [("A001", True, 1)]
    assert tr.update([call(1, "A001", 0, recalls=1)]) == []


def test_recall_of_an_old_call_is_seen_through_the_held_tickets():
    tr = CallTracker()
    tr.update([call(9, "C009", 9)], held=[held(1, "A001", 0)])
    out = tr.update([call(9, "C009", 9)], held=[held(1, "A001", 0, recalls=1)])
    assert [(a.number, a.recall) for a in out] == [("A001", True)]


def test_a_visitor_put_back_and_called_again_is_a_new_call():
    tr = CallTracker()
    tr.update([call(1, "A001", 0, recalls=2)])
    out = tr.update([call(1, "A001", 5, recalls=0, counter="Balie 2")])
    assert [(a.number, a.recall, a.counter_name) for a in out] == [("A001", False, "Balie 2")]


def test_spoken_text():
    tr = CallTracker()
    tr.update([])
    (a,) = tr.update([call(1, "A023", 0, counter="Balie 3")])
    assert a.spoken == "Nummer A 23, balie 3"
    assert a.display_number == "A 023"


def test_texts():
    assert waiting_text(0) == "Niemand wacht"
    assert waiting_text(1) == "1 persoon wacht"
    assert waiting_text(5) == "5 mensen wachten"
    assert wait_text(3, 0, None) == "Nu geen balie open"
    assert wait_text(0, 1, 1) == "Bijna direct aan de beurt"
    assert wait_text(4, 2, 1) == "ongeveer 1 minuut"
    assert wait_text(4, 2, 17) == "ongeveer 17 minuten"
    assert date_text(dt.datetime(2026, 11, 19, 19, 0)) == "donderdag 19 november"


def test_opening_hours_are_not_guessed():
    """Before the first read, and for a location without a schedule, the screen shows no hours at all."""
    assert opening_hours_text(None) is None
    assert opening_hours_text(NS(configured=False)) is None


def test_the_chime_is_a_short_mono_wav():
    with wave.open(str(CHIME_PATH)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        seconds = w.getnframes() / w.getframerate()
    assert 1.0 <= seconds <= 2.5
    assert abs(seconds - DURATION_S) < 0.01


def test_announcer_without_sound_is_silent_and_harmless(qapp, caplog):
    """Here Qt Multimedia has no audio output (or cannot load); the announcer says so once and carries on."""
    from baliedesk.display.announce import HallAnnouncer

    announcer = HallAnnouncer(chime=True, speech=True)
    tr = CallTracker()
    tr.update([])
    for item in tr.update([call(1, "A001", 0), call(2, "A002", 1)]):
        announcer.announce(item)  # never raises, whatever the machine has


def test_cli_display_arguments():
    from baliedesk.cli import build_parser

    args = build_parser().parse_args(["display", "--screen", "1", "--windowed", "--database-url", "sqlite:///x"])
    assert (args.command, args.screen, args.windowed, args.database_url) == ("display", 1, True, "sqlite:///x")
    args = build_parser().parse_args(["display"])
    assert (args.screen, args.windowed) == (None, False)
