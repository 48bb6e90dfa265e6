"""appointment blocks for one counter

A block (lunch, meeting) may now name one counter: that counter helps no
appointments in its time, the other counters stay bookable (the capacity
counts it out; see baliedesk.domain.capacity). Blocks without a counter work
as before (for the location or one service: no slots at all). A downgrade
removes the blocks for one counter (kept, they would close the whole location).

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment_blocks') as batch:
        batch.add_column(sa.Column('counter_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_appointment_blocks_counter', 'counters', ['counter_id'], ['id'],
                                 ondelete='CASCADE')


def downgrade() -> None:
    # Without the column a counter's block would close the whole location: drop those blocks.
    op.execute(sa.text("DELETE FROM appointment_blocks WHERE counter_id IS NOT NULL"))
    with op.batch_alter_table('appointment_blocks') as batch:
        batch.drop_constraint('fk_appointment_blocks_counter', type_='foreignkey')
        batch.drop_column('counter_id')
