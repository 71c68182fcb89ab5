"""Job leases: one run of a scheduled job at a time, whichever server starts it

Revision ID: 0011_job_leases
Revises: 0010_rollouts
Create Date: 2026-12-04 02:05:00

* ``job_leases``: the job a run holds (``lms reminders send``), who holds it and until when.
  Several app servers may start the same cron job at once; the first to insert the row does
  the work and the others see it taken. An expired row (a run that died) may be taken over.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_job_leases'
down_revision = '0010_rollouts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_leases',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases')),
    )


def downgrade():
    op.drop_table('job_leases')
