"""The hall screen (wachtrijscherm): the TV in the waiting hall, in its own process.

``python -m baliedesk display [--screen N] [--windowed]`` (see :mod:`.app`).
:mod:`.hall` is the widget, :mod:`.link` its line to the database (change feed
plus reads on a worker thread), :mod:`.model` what it announces, :mod:`.announce`
the chime and voice, :mod:`.fit` text that scales with the screen and never clips.
It never imports the desktop windows (``baliedesk.ui``) or the storage layer.
"""
