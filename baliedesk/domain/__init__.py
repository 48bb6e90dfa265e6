"""Plain-Python rules of BalieDesk: no Qt, no SQLAlchemy, no clock.

Everything that depends on the time takes ``now`` as an argument.
"""
