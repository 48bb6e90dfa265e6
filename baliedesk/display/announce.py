"""Chime and spoken announcement for each call, where the PC can make sound.

The hall screen hands every :class:`~baliedesk.display.model.Announcement` to
an announcer. :class:`HallAnnouncer` plays ``resources/sounds/chime.wav``
through Qt Multimedia (``QSoundEffect``) and, when the setting is on, says
"Nummer A 23, balie 3" through Qt's text-to-speech with a Dutch voice. Where
Qt Multimedia cannot load (no libpulse, say), there is no audio output, or no
Dutch voice, that part is skipped silently with one line in the log: a hall
screen never shows an error about sound. Announcements that come in quick
succession are played one after the other, a little apart.

Tests inject their own announcer (anything with ``announce(item)``).
"""

from __future__ import annotations

import logging
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, QUrl

from baliedesk.display.chime import CHIME_PATH, DURATION_S, write_chime
from baliedesk.display.model import Announcement

log = logging.getLogger(__name__)

#: More waiting than this (after a long outage) and the oldest are skipped: they are on screen anyway.
MAX_QUEUED = 12
GAP_MS = 400                 # between one announcement and the next
CHIME_MS = int(DURATION_S * 1000 * 0.7)  # speech starts as the chime fades out
SPEECH_TIMEOUT_MS = 8000     # never wait longer than this for a voice to finish
ENGINES_NOT_FOR_HALLS = {"mock"}  # Qt's test engine makes no sound


class Announcer(Protocol):
    def announce(self, item: Announcement) -> None: ...


class SilentAnnouncer:
    """For screenshots and benchmarks: announces nothing."""

    def announce(self, item: Announcement) -> None:
        pass


def chime_file() -> Path | None:
    if CHIME_PATH.is_file():
        return CHIME_PATH
    try:
        return write_chime(Path(tempfile.gettempdir()) / "baliedesk-chime.wav")
    except OSError as exc:
        log.info("hall screen: no chime file (%s); the chime is off", exc)
        return None


class HallAnnouncer(QObject):
    def __init__(self, *, chime: bool = True, speech: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[Announcement] = deque()
        self._busy = False
        self._effect: Any = None
        self._tts: Any = None
        self._speaking = False
        self._next_timer = QTimer(self, singleShot=True)
        self._next_timer.timeout.connect(self._next)
        if chime:
            self._effect = self._make_effect()
        if speech:
            self._tts = self._make_voice()

    @property
    def chime_available(self) -> bool:
        return self._effect is not None

    @property
    def speech_available(self) -> bool:
        return self._tts is not None

    # -- set-up (each part may be missing) -----------------------------------
    def _make_effect(self) -> Any:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except Exception as exc:  # noqa: BLE001 - ImportError, or a missing system library
            log.info("hall screen: Qt Multimedia is not available (%s); the chime is off", exc)
            return None
        try:
            if not QMediaDevices.audioOutputs():
                log.info("hall screen: no audio output on this computer; the chime is off")
                return None
            path = chime_file()
            if path is None:
                return None
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(0.9)
            return effect
        except Exception as exc:  # noqa: BLE001 - sound must never stop the screen
            log.info("hall screen: cannot set up the chime (%s); the chime is off", exc)
            return None

    def _make_voice(self) -> Any:
        try:
            from PySide6.QtCore import QLocale
            from PySide6.QtTextToSpeech import QTextToSpeech
        except Exception as exc:  # noqa: BLE001
            log.info("hall screen: Qt text-to-speech is not available (%s); announcements are not spoken", exc)
            return None
        try:
            for engine in QTextToSpeech.availableEngines():
                if engine in ENGINES_NOT_FOR_HALLS:
                    continue
                tts = QTextToSpeech(engine, self)
                if tts.state() == QTextToSpeech.State.Error:
                    tts.deleteLater()
                    continue
                dutch = [loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Dutch]
                if not dutch:
                    tts.deleteLater()
                    continue
                tts.setLocale(next((loc for loc in dutch if loc.territory() == QLocale.Territory.Netherlands),
                                   dutch[0]))
                tts.stateChanged.connect(self._voice_state)
                log.info("hall screen: announcements are spoken (%s, %s)", engine, tts.locale().name())
                return tts
            log.info("hall screen: no text-to-speech engine with a Dutch voice; announcements are not spoken")
        except Exception as exc:  # noqa: BLE001
            log.info("hall screen: text-to-speech failed (%s); announcements are not spoken", exc)
        return None

    # -- playing -------------------------------------------------------------
    def announce(self, item: Announcement) -> None:
        if self._effect is None and self._tts is None:
            return
        self._queue.append(item)
        while len(self._queue) > MAX_QUEUED:
            self._queue.popleft()
        if not self._busy:
            self._next()

    def _next(self) -> None:
        if not self._queue:
            self._busy = False
            return
        self._busy = True
        item = self._queue.popleft()
        delay = 0
        if self._effect is not None:
            try:
                self._effect.play()
            except Exception as exc:  # noqa: BLE001
                log.info("hall screen: chime failed (%s); the chime is off", exc)
                self._effect = None
            else:
                delay = CHIME_MS
        if self._tts is not None:
            QTimer.singleShot(delay, lambda text=item.spoken: self._say(text))
            self._next_timer.start(delay + SPEECH_TIMEOUT_MS)
        else:
            self._next_timer.start(max(delay, int(DURATION_S * 1000)) + GAP_MS)

    def _say(self, text: str) -> None:
        if self._tts is None:
            self._next_timer.start(GAP_MS)
            return
        self._speaking = True
        self._tts.say(text)

    def _voice_state(self, state: Any) -> None:
        from PySide6.QtTextToSpeech import QTextToSpeech

        if state == QTextToSpeech.State.Error:
            log.info("hall screen: the voice failed (%s); announcements are not spoken", self._tts.errorString())
            self._tts = None
            self._next_timer.start(GAP_MS)
        elif state == QTextToSpeech.State.Ready and self._speaking:
            self._speaking = False
            self._next_timer.start(GAP_MS)
