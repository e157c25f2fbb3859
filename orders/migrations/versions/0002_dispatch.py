"""dispatch: schedule runs, stored plans, re-plan events

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "schedule_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active_key", sa.String(length=80), nullable=True),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("parent_run_id", sa.String(length=40), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("phase", sa.String(length=64), nullable=True),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("problem", sa.JSON(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.Column("excluded", sa.JSON(), nullable=True),
        sa.Column("kpis", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["parent_run_id"], ["schedule_runs.id"],
                                name=op.f("fk_schedule_runs_parent_run_id_schedule_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_runs")),
        sa.UniqueConstraint("active_key", name=op.f("uq_schedule_runs_active_key")),
    )
    with op.batch_alter_table("schedule_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schedule_runs_status"), ["status"], unique=False)
        batch_op.create_index("ix_schedule_runs_day", ["date", "region", "status"], unique=False)

    op.create_table(
        "schedule_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("job_id", sa.String(length=48), nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("planned_arrival", TS, nullable=True),
        sa.Column("planned_start", TS, nullable=True),
        sa.Column("planned_end", TS, nullable=True),
        sa.Column("unassigned_reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["schedule_runs.id"],
                                name=op.f("fk_schedule_assignments_run_id_schedule_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_assignments")),
    )
    with op.batch_alter_table("schedule_assignments", schema=None) as batch_op:
        for col in ("run_id", "job_id", "engineer_id"):
            batch_op.create_index(batch_op.f(f"ix_schedule_assignments_{col}"), [col],
                                  unique=False)

    op.create_table(
        "replan_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("result_run_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["schedule_runs.id"],
                                name=op.f("fk_replan_events_run_id_schedule_runs")),
        sa.ForeignKeyConstraint(["result_run_id"], ["schedule_runs.id"],
                                name=op.f("fk_replan_events_result_run_id_schedule_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_events")),
    )
    with op.batch_alter_table("replan_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replan_events_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_table("replan_events")
    op.drop_table("schedule_assignments")
    op.drop_table("schedule_runs")
