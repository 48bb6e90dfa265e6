"""The only package that talks to the database (SQLAlchemy 2, Alembic, psycopg 3)."""
