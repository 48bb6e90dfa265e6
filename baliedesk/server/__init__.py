"""The BalieDesk server (central mode): see :mod:`baliedesk.server.app`."""
