"""Typed printing errors. ``ui/messages.message_for`` words them in Dutch.

Printing always comes after the thing it prints is safely stored (a ticket is
issued first, printed after), so these errors never lose a ticket or an
appointment: the caller keeps the PDF and may print it again or save it.
"""

from __future__ import annotations


class PrintError(Exception):
    """Base class for everything that stops a slip from reaching paper."""


class PrinterUnavailable(PrintError):
    """The printer cannot take the slip now.

    ``reason``: ``missing`` (no such printer, or none chosen), ``offline``
    (switched off, unplugged, paused, unreachable), ``out_of_paper``, or
    ``failed`` (the spooler or printer refused the job for another reason).
    """

    REASONS = ("missing", "offline", "out_of_paper", "failed")

    def __init__(self, printer: str, reason: str, detail: str = "") -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        super().__init__(f"printer {printer or '(default)'}: {reason}" + (f" ({detail})" if detail else ""))
        self.printer = printer
        self.reason = reason
        self.detail = detail


class PrintingNotConfigured(PrintError):
    """This workstation has no printer chosen (``printer_type`` is ``none``)."""
