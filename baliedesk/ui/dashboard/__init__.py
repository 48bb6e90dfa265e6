"""The team lead's service norms dashboard (``DashboardWindow``)."""
