"""the municipality's own details: name, colour and logo; address and contact per location

One ``municipality`` row (name, colour, logo) and, on ``locations``, the
visiting address, phone, website and the public tracking page's address:
what every slip and screen prints, formerly per-PC settings (slip_*, display_*).

Revision ID: 0010
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None

LOCATION_COLUMNS = (('street', 120), ('house_number', 16), ('postcode', 8), ('place', 80), ('phone', 32),
                    ('website', 200), ('tracking_base_url', 200))


def upgrade() -> None:
    op.create_table(
        'municipality',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(120), nullable=False, server_default=''),
        sa.Column('color', sa.String(9), nullable=False, server_default='#0B4F8A'),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_type', sa.String(40), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table('locations') as batch:
        for name, length in LOCATION_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('locations') as batch:
        for name, _length in reversed(LOCATION_COLUMNS):
            batch.drop_column(name)
    op.drop_table('municipality')
