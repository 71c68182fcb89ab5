"""Single sign-on: the identity provider's subject id of each person

Revision ID: 0022_oidc
Revises: 0021_booster_mail
Create Date: 2026-12-04 19:00:00

``users.oidc_subject`` holds the ID token's ``sub`` (lms/people/sso.py), unique: one person per
subject. A unique index rather than a unique constraint, so that SQLite needs no batch copy of
``users`` (which would drop its change-counter triggers, 0006).
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_oidc'
down_revision = '0021_booster_mail'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('oidc_subject', sa.String(length=255), nullable=True))
    op.create_index(op.f('ix_users_oidc_subject'), 'users', ['oidc_subject'], unique=True)


def downgrade():
    op.drop_index(op.f('ix_users_oidc_subject'), table_name='users')
    op.drop_column('users', 'oidc_subject')
