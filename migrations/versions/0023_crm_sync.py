"""CRM sync: where each connection's sync stands

Revision ID: 0023_crm_sync
Revises: 0022_oidc
Create Date: 2026-12-04 18:30:00

A new table only. The connections' secrets stay in the environment.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_crm_sync'
down_revision = '0022_oidc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'crm_sync_states',
        sa.Column('connection', sa.String(length=32), nullable=False),
        sa.Column('watermark', sa.DateTime(), nullable=True),
        sa.Column('last_run_at', sa.DateTime(), nullable=True),
        sa.Column('last_ok_at', sa.DateTime(), nullable=True),
        sa.Column('last_result', sa.String(length=8), nullable=True),
        sa.Column('last_message', sa.String(length=1000), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('newest_import_id', sa.Integer(), nullable=True),
        sa.Column('newest_import_since', sa.DateTime(), nullable=True),
        sa.CheckConstraint("last_result IN ('ok', 'failed')",
                           name=op.f('ck_crm_sync_states_last_result')),
        sa.ForeignKeyConstraint(['import_id'], ['sales_imports.id'],
                                name=op.f('fk_crm_sync_states_import_id_sales_imports'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['newest_import_id'], ['sales_imports.id'],
                                name=op.f('fk_crm_sync_states_newest_import_id_sales_imports'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('connection', name=op.f('pk_crm_sync_states')),
    )


def downgrade():
    op.drop_table('crm_sync_states')
