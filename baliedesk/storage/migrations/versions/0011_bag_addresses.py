"""bag addresses: the municipality's own address list, in the database

One row per postcode + house number (street, place, an optional point) and when
the list was loaded. ``python -m baliedesk addresses import FILE.csv`` replaces
the whole list in one transaction; every workstation's intake looks addresses
up through its client (over the server in central mode), so no PC needs a copy.

Revision ID: 0011
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bag_addresses',
        sa.Column('postcode', sa.String(7), primary_key=True),
        sa.Column('house_number', sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column('street', sa.String(80), nullable=False),
        sa.Column('place', sa.String(80), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('bag_addresses')
