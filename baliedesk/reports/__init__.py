"""Exports (CSV, XLSX) and the quarterly report (PDF) of the service norms. No Qt: runs from the
command line and in a server as well as behind the dashboard's buttons."""
