"""initial schema: disclosures, cells, facts, key figures, findings

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 14:46:13.150523

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    
    op.create_table('disclosures',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=False),
    sa.Column('department_key', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('schema_version', sa.String(length=10), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disclosures_department_key'), ['department_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_disclosures_fiscal_year'), ['fiscal_year'], unique=False)

    op.create_table('cells',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('table_id', sa.String(length=80), nullable=False),
    sa.Column('row_key', sa.String(length=200), nullable=False),
    sa.Column('column_id', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=48), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['disclosures.sha256'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'table_id', 'row_key', 'column_id')
    )
    op.create_table('facts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('value', sa.String(length=48), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['disclosures.sha256'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'position')
    )
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facts_quantity'), ['quantity'], unique=False)

    op.create_table('findings',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message_zh', sa.Text(), nullable=False),
    sa.Column('message_en', sa.Text(), nullable=False),
    sa.Column('stated', sa.String(length=48), nullable=True),
    sa.Column('expected', sa.String(length=48), nullable=True),
    sa.Column('difference', sa.String(length=48), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['disclosures.sha256'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'position')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_severity'), ['severity'], unique=False)

    op.create_table('key_figures',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.String(length=80), nullable=False),
    sa.Column('value', sa.String(length=48), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['disclosures.sha256'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sha256', 'quantity')
    )
    


def downgrade() -> None:
    """Downgrade schema."""
    
    op.drop_table('key_figures')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_severity'))
        batch_op.drop_index(batch_op.f('ix_findings_rule_id'))

    op.drop_table('findings')
    with op.batch_alter_table('facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facts_quantity'))

    op.drop_table('facts')
    op.drop_table('cells')
    with op.batch_alter_table('disclosures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disclosures_fiscal_year'))
        batch_op.drop_index(batch_op.f('ix_disclosures_department_key'))

    op.drop_table('disclosures')
    
