"""The hall screen's chime: a soft two-tone "ding-dong", generated with the wave module.

The WAV ships in ``resources/sounds/chime.wav``; ``python -m baliedesk.display.chime``
writes it again. Where the file is missing (an unusual install) the hall screen
writes a copy to a temporary folder with :func:`write_chime` at start-up.

Two bell-like tones, E5 then C5 (a major third down, the classic public-address
interval), each a fundamental with a few soft partials and an exponential decay,
with short fades so that nothing clicks. 44.1 kHz, 16-bit, mono, about 1.6 s.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 44_100
#: (start s, frequency Hz, duration s) of the two tones.
TONES = ((0.0, 659.25, 1.0), (0.48, 523.25, 1.15))
#: Partials (multiple of the fundamental, relative amplitude): a warm bell, not a beep.
PARTIALS = ((1.0, 1.0), (2.0, 0.28), (3.0, 0.09), (4.16, 0.05))
PEAK = 0.55  # of full scale: pleasant, leaves headroom on cheap TV speakers
DURATION_S = max(start + length for start, _f, length in TONES)

CHIME_PATH = Path(__file__).resolve().parent.parent.parent / "resources" / "sounds" / "chime.wav"


def samples() -> list[float]:
    """The chime as floats in -1..1."""
    n = int(DURATION_S * RATE) + 1
    out = [0.0] * n
    for start, freq, length in TONES:
        first = int(start * RATE)
        count = int(length * RATE)
        attack = int(0.006 * RATE)
        release = int(0.08 * RATE)
        for i in range(count):
            t = i / RATE
            envelope = math.exp(-3.2 * t)
            if i < attack:
                envelope *= i / attack
            if i > count - release:
                envelope *= (count - i) / release
            value = sum(amp * math.sin(2 * math.pi * freq * mult * t) * math.exp(-1.5 * (mult - 1) * t)
                        for mult, amp in PARTIALS)
            out[first + i] += envelope * value
    top = max(abs(v) for v in out) or 1.0
    return [v / top * PEAK for v in out]


def write_chime(path: Path | str = CHIME_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(struct.pack("<h", int(round(v * 32767))) for v in samples())
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return path


if __name__ == "__main__":
    print(write_chime())
