"""Boosters by mail: the people who asked for their boosters by mail each day

Revision ID: 0021_booster_mail
Revises: 0020_boosters
Create Date: 2026-12-06 10:00:00

A new table only (no batch copy of an existing table, so no trigger is lost). The mails
themselves are logged in reminder_log (kind 'boosters'), whose unique index for rows without
an assignment (0005) already allows one per person and day.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_booster_mail'
down_revision = '0020_boosters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'booster_mails',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('chosen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_booster_mails_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_booster_mails')),
    )


def downgrade():
    op.drop_table('booster_mails')
