"""BalieDesk: counter software for a municipality's front office."""

__version__ = "0.1.0"
