"""booking: region-day lock rows, tentative plan entries, appointment booking details

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "booking_region_days",
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("region", "day", name=op.f("pk_booking_region_days")),
    )
    op.create_table(
        "booking_plan_entries",
        sa.Column("job_id", sa.String(length=48), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("planned_start", TS, nullable=True),
        sa.Column("appointment_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_booking_plan_entries_appointment_id_appointments")),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"],
                                name=op.f("fk_booking_plan_entries_job_id_jobs")),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_booking_plan_entries")),
    )
    with op.batch_alter_table("booking_plan_entries", schema=None) as batch_op:
        batch_op.create_index("ix_booking_plan_entries_region_day", ["region", "day"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_booking_plan_entries_appointment_id"),
                              ["appointment_id"], unique=False)
    op.create_table(
        "appointment_bookings",
        sa.Column("appointment_id", sa.String(length=40), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot_label", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("precable_job_id", sa.String(length=48), nullable=True),
        sa.Column("precable_day", sa.Date(), nullable=True),
        sa.Column("status_reason", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_appointment_bookings_appointment_id_appointments")),
        sa.PrimaryKeyConstraint("appointment_id", name=op.f("pk_appointment_bookings")),
    )
    with op.batch_alter_table("appointment_bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointment_bookings_expires_at"), ["expires_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appointment_bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointment_bookings_expires_at"))
    op.drop_table("appointment_bookings")
    with op.batch_alter_table("booking_plan_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_plan_entries_appointment_id"))
        batch_op.drop_index("ix_booking_plan_entries_region_day")
    op.drop_table("booking_plan_entries")
    op.drop_table("booking_region_days")
