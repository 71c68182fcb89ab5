"""A person's attempts by id: the latest attempt in one index step on PostgreSQL

Revision ID: 0012_readiness_pg_indexes
Revises: 0011_job_leases
Create Date: 2026-12-04 12:00:00

The readiness report reads each person's latest attempt (``ORDER BY id DESC LIMIT 1``). On
SQLite the index on ``attempts.user_id`` holds the rowid, so that is one index step. A
PostgreSQL index on ``user_id`` alone does not order by id: the planner walked the primary key
backwards instead and read half the table per person (21 s for a team of 500 among 1,000,000
attempts, bench/readiness.py). ``(user_id, id)`` replaces ``(user_id)``: it serves every
look-up by person, as before, and the latest attempt in one step on both engines.
"""
from alembic import op


revision = '0012_readiness_pg_indexes'
down_revision = '0011_job_leases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_attempts_user_id_id', 'attempts', ['user_id', 'id'], unique=False)
    op.drop_index('ix_attempts_user_id', table_name='attempts')


def downgrade():
    op.create_index('ix_attempts_user_id', 'attempts', ['user_id'], unique=False)
    op.drop_index('ix_attempts_user_id_id', table_name='attempts')
