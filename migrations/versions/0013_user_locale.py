"""A person's interface language

Revision ID: 0013_user_locale
Revises: 0012_readiness_pg_indexes
Create Date: 2026-12-04 11:00:00

``users.locale`` holds the language a person chose on their account page ("nl", "en"); empty,
the browser's Accept-Language decides, then LMS_DEFAULT_LOCALE (lms/i18n.py).
"""
import sqlalchemy as sa
from alembic import op


revision = '0013_user_locale'
down_revision = '0012_readiness_pg_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch copy: on SQLite a copy would drop the table's triggers.
    op.add_column('users', sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column('users', 'locale')
