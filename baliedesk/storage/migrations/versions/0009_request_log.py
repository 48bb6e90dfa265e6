"""request log: idempotent saves (issue 14)

A save made with a request id records (user, request id, operation, the id of
the record it made) in the same transaction; the unique key (user, request id)
makes a second save with the same id return the first result.

Revision ID: 0009
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'request_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id', ondelete='CASCADE'), nullable=False),
        sa.Column('request_id', sa.String(64), nullable=False),
        sa.Column('operation', sa.String(40), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('user_id', 'request_id', name='uq_request_log_user_request'),
    )


def downgrade() -> None:
    op.drop_table('request_log')
