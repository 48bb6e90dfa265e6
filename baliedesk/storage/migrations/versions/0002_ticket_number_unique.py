"""ticket numbers unique per location, day and number (survive a transfer)

The first schema made (location, service, day, seq) unique. A transfer to
another service keeps the visitor's number (A001 stays A001) but changes the
service, so it collided with that service's own ticket of the same sequence
(C001). The number itself is what must be unique: per location and day (the
prefix already identifies the issuing service within a location).

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

_WAITING = sa.text("state = 'waiting'")
_HELD = sa.text("state IN ('called', 'serving')")


def _partial_indexes(create: bool) -> None:
    """SQLite rebuilds the table in batch mode; keep the partial indexes exact by recreating them."""
    if op.get_bind().dialect.name != "sqlite":
        return
    if create:
        op.create_index('ix_tickets_held', 'tickets', ['counter_id'], unique=False, sqlite_where=_HELD)
        op.create_index('ix_tickets_waiting', 'tickets', ['location_id', 'priority_class', 'queue_ms'],
                        unique=False, sqlite_where=_WAITING)
    else:
        op.drop_index('ix_tickets_held', table_name='tickets')
        op.drop_index('ix_tickets_waiting', table_name='tickets')


def upgrade() -> None:
    _partial_indexes(create=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tickets_number_per_day', type_='unique')
        batch_op.create_unique_constraint('uq_tickets_number_per_day', ['location_id', 'day', 'number'])
    _partial_indexes(create=True)


def downgrade() -> None:
    _partial_indexes(create=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_tickets_number_per_day', type_='unique')
        batch_op.create_unique_constraint('uq_tickets_number_per_day', ['location_id', 'service_id', 'day', 'seq'])
    _partial_indexes(create=True)
