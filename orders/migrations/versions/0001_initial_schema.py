"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:04:44.994760
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engineers",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("home_lon", sa.Float(), nullable=False),
        sa.Column("home_lat", sa.Float(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engineers")),
    )
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engineers_region"), ["region"], unique=False)

    op.create_table(
        "onts",
        sa.Column("serial", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_onts")),
    )
    with op.batch_alter_table("onts", schema=None) as batch_op:
        batch_op.create_index("ix_onts_region_status", ["region", "status"], unique=False)

    op.create_table(
        "service_areas",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("geometry_wkt", sa.Text(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["service_areas.id"],
            name=op.f("fk_service_areas_parent_id_service_areas"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_areas")),
    )
    with op.batch_alter_table("service_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_areas_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_service_areas_region"), ["region"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_api_keys_engineer_id_engineers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "olts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("exchange_area_id", sa.String(length=64), nullable=True),
        sa.Column("s_vlan", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exchange_area_id"],
            ["service_areas.id"],
            name=op.f("fk_olts_exchange_area_id_service_areas"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_olts")),
        sa.UniqueConstraint("s_vlan", name=op.f("uq_olts_s_vlan")),
    )
    with op.batch_alter_table("olts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_olts_region"), ["region"], unique=False)

    op.create_table(
        "premises",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("street_nr", sa.String(length=16), nullable=False),
        sa.Column("sub_unit", sa.String(length=16), nullable=True),
        sa.Column("street_name", sa.String(length=128), nullable=False),
        sa.Column("postcode", sa.String(length=12), nullable=False),
        sa.Column("postcode_key", sa.String(length=12), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("service_area_id", sa.String(length=64), nullable=True),
        sa.Column("drop_status", sa.String(length=16), nullable=False),
        sa.Column("drop_type", sa.String(length=16), nullable=False),
        sa.Column("premise_type", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_area_id"],
            ["service_areas.id"],
            name=op.f("fk_premises_service_area_id_service_areas"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premises")),
    )
    with op.batch_alter_table("premises", schema=None) as batch_op:
        batch_op.create_index(
            "ix_premises_address_key", ["postcode_key", "street_nr"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_premises_region"), ["region"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_premises_service_area_id"), ["service_area_id"], unique=False
        )

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("engineer_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_shifts_engineer_id_engineers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
        sa.UniqueConstraint("engineer_id", "date", name=op.f("uq_shifts_engineer_id_date")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shifts_date"), ["date"], unique=False)

    op.create_table(
        "pon_ports",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("olt_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("c_vlan_min", sa.Integer(), nullable=False),
        sa.Column("c_vlan_max", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["olt_id"], ["olts.id"], name=op.f("fk_pon_ports_olt_id_olts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pon_ports")),
        sa.UniqueConstraint("olt_id", "slot", "port", name=op.f("uq_pon_ports_olt_id_slot_port")),
    )
    with op.batch_alter_table("pon_ports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pon_ports_olt_id"), ["olt_id"], unique=False)

    op.create_table(
        "product_orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("request_body", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_reason", sa.String(length=64), nullable=True),
        sa.Column("qualification_result", sa.String(length=16), nullable=True),
        sa.Column("qualification_reasons", sa.JSON(), nullable=True),
        sa.Column("billing_account_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("offering_id", sa.String(length=32), nullable=False),
        sa.Column("place", sa.JSON(), nullable=False),
        sa.Column("premise_id", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("requested_completion_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completion_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premises.id"], name=op.f("fk_product_orders_premise_id_premises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_orders")),
        sa.UniqueConstraint("external_id", name=op.f("uq_product_orders_external_id")),
    )
    with op.batch_alter_table("product_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_orders_premise_id"), ["premise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_product_orders_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_orders_state"), ["state"], unique=False)

    op.create_table(
        "c_vlans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("olt_id", sa.String(length=64), nullable=False),
        sa.Column("pon_port_id", sa.String(length=80), nullable=False),
        sa.Column("vlan", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["olt_id"], ["olts.id"], name=op.f("fk_c_vlans_olt_id_olts")),
        sa.ForeignKeyConstraint(
            ["pon_port_id"], ["pon_ports.id"], name=op.f("fk_c_vlans_pon_port_id_pon_ports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_c_vlans")),
        sa.UniqueConstraint("olt_id", "vlan", name=op.f("uq_c_vlans_olt_id_vlan")),
    )
    with op.batch_alter_table("c_vlans", schema=None) as batch_op:
        batch_op.create_index("ix_c_vlans_pon_status", ["pon_port_id", "status"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("order_seq", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("premise_id", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=64), nullable=True),
        sa.Column("predecessor_job_id", sa.String(length=48), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("needs_appointment", sa.Boolean(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("earliest_date", sa.Date(), nullable=False),
        sa.Column("latest_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("engineer_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engineer_id"], ["engineers.id"], name=op.f("fk_jobs_engineer_id_engineers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["product_orders.id"], name=op.f("fk_jobs_order_id_product_orders")
        ),
        sa.ForeignKeyConstraint(
            ["predecessor_job_id"], ["jobs.id"], name=op.f("fk_jobs_predecessor_job_id_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premises.id"], name=op.f("fk_jobs_premise_id_premises")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_engineer_id"), ["engineer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_jobs_region_status_earliest", ["region", "status", "earliest_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "order_state_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["product_orders.id"],
            name=op.f("fk_order_state_changes_order_id_product_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_state_changes")),
    )
    with op.batch_alter_table("order_state_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_state_changes_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "splitters",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("service_area_id", sa.String(length=64), nullable=False),
        sa.Column("pon_port_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ratio", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pon_port_id"], ["pon_ports.id"], name=op.f("fk_splitters_pon_port_id_pon_ports")
        ),
        sa.ForeignKeyConstraint(
            ["service_area_id"],
            ["service_areas.id"],
            name=op.f("fk_splitters_service_area_id_service_areas"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_splitters")),
        sa.UniqueConstraint(
            "pon_port_id", "position", name=op.f("uq_splitters_pon_port_id_position")
        ),
    )
    with op.batch_alter_table("splitters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_splitters_pon_port_id"), ["pon_port_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_splitters_service_area_id"), ["service_area_id"], unique=False
        )

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=True),
        sa.Column("job_id", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_appointments_job_id_jobs")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["product_orders.id"],
            name=op.f("fk_appointments_order_id_product_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_job_id"), ["job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "splitter_ports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("splitter_id", sa.String(length=80), nullable=False),
        sa.Column("port_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["splitter_id"], ["splitters.id"], name=op.f("fk_splitter_ports_splitter_id_splitters")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_splitter_ports")),
        sa.UniqueConstraint(
            "splitter_id", "port_no", name=op.f("uq_splitter_ports_splitter_id_port_no")
        ),
    )
    with op.batch_alter_table("splitter_ports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_splitter_ports_splitter_status", ["splitter_id", "status"], unique=False
        )

    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_ref", sa.String(length=64), nullable=False),
        sa.Column("premise_id", sa.String(length=32), nullable=False),
        sa.Column("splitter_id", sa.String(length=80), nullable=False),
        sa.Column("splitter_port_id", sa.Integer(), nullable=False),
        sa.Column("pon_port_id", sa.String(length=80), nullable=False),
        sa.Column("olt_id", sa.String(length=64), nullable=False),
        sa.Column("s_vlan", sa.Integer(), nullable=False),
        sa.Column("c_vlan", sa.Integer(), nullable=False),
        sa.Column("c_vlan_id", sa.Integer(), nullable=False),
        sa.Column("onu_id", sa.Integer(), nullable=False),
        sa.Column("ont_serial", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("allocated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["c_vlan_id"], ["c_vlans.id"], name=op.f("fk_allocations_c_vlan_id_c_vlans")
        ),
        sa.ForeignKeyConstraint(["olt_id"], ["olts.id"], name=op.f("fk_allocations_olt_id_olts")),
        sa.ForeignKeyConstraint(
            ["ont_serial"], ["onts.serial"], name=op.f("fk_allocations_ont_serial_onts")
        ),
        sa.ForeignKeyConstraint(
            ["pon_port_id"], ["pon_ports.id"], name=op.f("fk_allocations_pon_port_id_pon_ports")
        ),
        sa.ForeignKeyConstraint(
            ["premise_id"], ["premises.id"], name=op.f("fk_allocations_premise_id_premises")
        ),
        sa.ForeignKeyConstraint(
            ["splitter_id"], ["splitters.id"], name=op.f("fk_allocations_splitter_id_splitters")
        ),
        sa.ForeignKeyConstraint(
            ["splitter_port_id"],
            ["splitter_ports.id"],
            name=op.f("fk_allocations_splitter_port_id_splitter_ports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocations")),
    )
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocations_order_ref"), ["order_ref"], unique=False)
        batch_op.create_index(
            "uq_allocations_active_cvlan",
            ["olt_id", "c_vlan"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_allocations_active_ont",
            ["ont_serial"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_allocations_active_onu",
            ["pon_port_id", "onu_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_allocations_active_order",
            ["order_ref"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_allocations_active_port",
            ["splitter_port_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.create_index(
            "uq_allocations_active_premise",
            ["premise_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_allocations_active_premise",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_allocations_active_port",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_allocations_active_order",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_allocations_active_onu",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_allocations_active_ont",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(
            "uq_allocations_active_cvlan",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_allocations_order_ref"))

    op.drop_table("allocations")
    with op.batch_alter_table("splitter_ports", schema=None) as batch_op:
        batch_op.drop_index("ix_splitter_ports_splitter_status")

    op.drop_table("splitter_ports")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_order_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_job_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("splitters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_splitters_service_area_id"))
        batch_op.drop_index(batch_op.f("ix_splitters_pon_port_id"))

    op.drop_table("splitters")
    with op.batch_alter_table("order_state_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_state_changes_order_id"))

    op.drop_table("order_state_changes")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index("ix_jobs_region_status_earliest")
        batch_op.drop_index(batch_op.f("ix_jobs_order_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_engineer_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("c_vlans", schema=None) as batch_op:
        batch_op.drop_index("ix_c_vlans_pon_status")

    op.drop_table("c_vlans")
    with op.batch_alter_table("product_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_orders_state"))
        batch_op.drop_index(batch_op.f("ix_product_orders_region"))
        batch_op.drop_index(batch_op.f("ix_product_orders_premise_id"))

    op.drop_table("product_orders")
    with op.batch_alter_table("pon_ports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pon_ports_olt_id"))

    op.drop_table("pon_ports")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shifts_date"))

    op.drop_table("shifts")
    with op.batch_alter_table("premises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premises_service_area_id"))
        batch_op.drop_index(batch_op.f("ix_premises_region"))
        batch_op.drop_index("ix_premises_address_key")

    op.drop_table("premises")
    with op.batch_alter_table("olts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_olts_region"))

    op.drop_table("olts")
    op.drop_table("api_keys")
    with op.batch_alter_table("service_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_areas_region"))
        batch_op.drop_index(batch_op.f("ix_service_areas_parent_id"))

    op.drop_table("service_areas")
    with op.batch_alter_table("onts", schema=None) as batch_op:
        batch_op.drop_index("ix_onts_region_status")

    op.drop_table("onts")
    with op.batch_alter_table("engineers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engineers_region"))

    op.drop_table("engineers")
