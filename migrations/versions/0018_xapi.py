"""The xAPI outbox: statements on their way to the learning record store

Revision ID: 0018_xapi
Revises: 0017_reactions
Create Date: 2026-12-04 14:45:00

* ``xapi_outbox``: one row per statement (its UUID is the key, so filling twice adds nothing),
  with the payload as sent, the tries so far, when to try next, and when it was delivered or
  refused for good. ``lms xapi push`` fills and empties it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_xapi'
down_revision = '0017_reactions'
branch_labels = None
depends_on = None

PENDING = "delivered_at IS NULL AND failed_at IS NULL"


def upgrade():
    op.create_table(
        'xapi_outbox',
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('statement_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_try_at', sa.DateTime(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(), nullable=True),
        sa.Column('failed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_xapi_outbox')),
    )
    op.create_index('ix_xapi_outbox_pending', 'xapi_outbox', ['next_try_at', 'statement_at'],
                    unique=False, sqlite_where=sa.text(PENDING),
                    postgresql_where=sa.text(PENDING))


def downgrade():
    op.drop_index('ix_xapi_outbox_pending', table_name='xapi_outbox')
    op.drop_table('xapi_outbox')
