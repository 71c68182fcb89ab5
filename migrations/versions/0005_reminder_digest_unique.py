"""One manager digest per person, kind and day

Revision ID: 0005_digest_unique
Revises: 0004_manage_sales
Create Date: 2026-11-26 19:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_digest_unique'
down_revision = '0004_manage_sales'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.create_index('uq_reminder_log_digest', ['user_id', 'kind', 'sent_on'],
                              unique=True, sqlite_where=sa.text('assignment_id IS NULL'),
                              postgresql_where=sa.text('assignment_id IS NULL'))


def downgrade():
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index('uq_reminder_log_digest', sqlite_where=sa.text('assignment_id IS NULL'),
                            postgresql_where=sa.text('assignment_id IS NULL'))
