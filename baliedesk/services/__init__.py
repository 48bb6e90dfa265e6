"""One user action = one function = one transaction.

Every rule, role checks included, is enforced here. Functions take a
``Backend`` (see :mod:`baliedesk.services.ports`), the acting user's id and
``now``; they return plain frozen objects that may cross threads.
"""
