"""Repeat-customer look-up: sales by customer, stage and closing date

Revision ID: 0007_sales_repeat_index
Revises: 0006_change_counters
Create Date: 2026-11-26 21:15:00

The sales measures ask, for every won deal, whether the same customer had an earlier won deal.
With an index on customer_key alone that reads every deal of the customer; with the stage and
the closing date in the index it is one seek. It replaces the single-column index, which is its
prefix.
"""
from alembic import op


revision = '0007_sales_repeat_index'
down_revision = '0006_change_counters'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_customer_key')
        batch_op.create_index('ix_sales_customer_key_stage_closed_on',
                              ['customer_key', 'stage', 'closed_on'], unique=False)


def downgrade():
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_customer_key_stage_closed_on')
        batch_op.create_index('ix_sales_customer_key', ['customer_key'], unique=False)
