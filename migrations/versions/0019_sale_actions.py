"""Follow-ups and complaint resolutions recorded in Verkoopklaar

Revision ID: 0019_sale_actions
Revises: 0018_xapi
Create Date: 2026-12-05 10:00:00

A new table only (no batch copy of an existing one: on SQLite that drops their triggers).
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_sale_actions'
down_revision = '0018_xapi'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sale_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('crm_id', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('by_user_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('follow_up', 'resolution')",
                           name=op.f('ck_sale_actions_kind')),
        sa.ForeignKeyConstraint(['by_user_id'], ['users.id'],
                                name=op.f('fk_sale_actions_by_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_actions')),
        sa.UniqueConstraint('crm_id', 'kind', name=op.f('uq_sale_actions_crm_id_kind')),
    )


def downgrade():
    op.drop_table('sale_actions')
