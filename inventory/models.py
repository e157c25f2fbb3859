"""Network inventory tables: premises, service areas, the PON tree, VLAN pools, ONT stock.

Allocatable things (splitter ports, C-VLANs, ONTs) are rows with a ``status``, so a
transaction can claim one with ``SELECT … FOR UPDATE SKIP LOCKED``; the partial
unique indexes on ``allocations`` are the last line of defence against a double
allocation whatever the code path.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from inventory.orm_base import Base, UTCDateTime

# Values of the small enumerations (kept as strings in the database).
AREA_KINDS = ("exchange", "cabinet")
DROP_STATUSES = ("connected", "needs_precable")
DROP_TYPES = ("overhead", "underground")
PREMISE_TYPES = ("house", "flat")
FREE = "free"
ALLOCATED = "allocated"
IN_STOCK = "in_stock"
ACTIVE = "active"
RELEASED = "released"

_ACTIVE_ONLY = text("status = 'active'")


class ServiceArea(Base):
    """A polygon served by an exchange or a cabinet (``region`` is the town)."""

    __tablename__ = "service_areas"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(64), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("service_areas.id"), index=True)
    geometry_wkt: Mapped[str] = mapped_column(Text)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)


class Premise(Base):
    """An addressable premise (the id is UPRN-like)."""

    __tablename__ = "premises"
    __table_args__ = (Index("ix_premises_address_key", "postcode_key", "street_nr"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    street_nr: Mapped[str] = mapped_column(String(16))
    sub_unit: Mapped[str | None] = mapped_column(String(16))
    street_name: Mapped[str] = mapped_column(String(128))
    postcode: Mapped[str] = mapped_column(String(12))
    postcode_key: Mapped[str] = mapped_column(String(12))
    city: Mapped[str] = mapped_column(String(64))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    region: Mapped[str] = mapped_column(String(64), index=True)
    service_area_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_areas.id"), index=True
    )
    drop_status: Mapped[str] = mapped_column(String(16))
    drop_type: Mapped[str] = mapped_column(String(16))
    premise_type: Mapped[str] = mapped_column(String(8))


class Olt(Base):
    """An optical line terminal in an exchange; it carries one S-VLAN."""

    __tablename__ = "olts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(64), index=True)
    exchange_area_id: Mapped[str | None] = mapped_column(ForeignKey("service_areas.id"))
    s_vlan: Mapped[int] = mapped_column(Integer, unique=True)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class PonPort(Base):
    """A PON port of an OLT with its C-VLAN range (inclusive)."""

    __tablename__ = "pon_ports"
    __table_args__ = (UniqueConstraint("olt_id", "slot", "port"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    olt_id: Mapped[str] = mapped_column(ForeignKey("olts.id"), index=True)
    slot: Mapped[int] = mapped_column(Integer)
    port: Mapped[int] = mapped_column(Integer)
    c_vlan_min: Mapped[int] = mapped_column(Integer)
    c_vlan_max: Mapped[int] = mapped_column(Integer)


class Splitter(Base):
    """A passive splitter in a cabinet area, fed by one PON port.

    ``position`` is its index on that PON (a PON may feed several splitters); the
    ONU id of a subscriber is ``position * ratio + port_no``, unique per PON.
    """

    __tablename__ = "splitters"
    __table_args__ = (UniqueConstraint("pon_port_id", "position"),)

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    service_area_id: Mapped[str] = mapped_column(ForeignKey("service_areas.id"), index=True)
    pon_port_id: Mapped[str] = mapped_column(ForeignKey("pon_ports.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    ratio: Mapped[int] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class SplitterPort(Base):
    __tablename__ = "splitter_ports"
    __table_args__ = (
        UniqueConstraint("splitter_id", "port_no"),
        Index("ix_splitter_ports_splitter_status", "splitter_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    splitter_id: Mapped[str] = mapped_column(ForeignKey("splitters.id"))
    port_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=FREE)
    order_ref: Mapped[str | None] = mapped_column(String(64))


class CVlan(Base):
    """One customer VLAN of a PON's range; unique within the OLT's S-VLAN."""

    __tablename__ = "c_vlans"
    __table_args__ = (
        UniqueConstraint("olt_id", "vlan"),
        Index("ix_c_vlans_pon_status", "pon_port_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    olt_id: Mapped[str] = mapped_column(ForeignKey("olts.id"))
    pon_port_id: Mapped[str] = mapped_column(ForeignKey("pon_ports.id"))
    vlan: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=FREE)
    order_ref: Mapped[str | None] = mapped_column(String(64))


class Ont(Base):
    """An ONT in the region's stock, identified by its GPON serial number."""

    __tablename__ = "onts"
    __table_args__ = (Index("ix_onts_region_status", "region", "status"),)

    serial: Mapped[str] = mapped_column(String(16), primary_key=True)
    model: Mapped[str] = mapped_column(String(32))
    region: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=IN_STOCK)
    order_ref: Mapped[str | None] = mapped_column(String(64))


class Allocation(Base):
    """The resources held by one order; ``released`` rows are kept as history."""

    __tablename__ = "allocations"
    __table_args__ = (
        Index("uq_allocations_active_order", "order_ref", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("uq_allocations_active_premise", "premise_id", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("uq_allocations_active_port", "splitter_port_id", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("uq_allocations_active_cvlan", "olt_id", "c_vlan", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("uq_allocations_active_onu", "pon_port_id", "onu_id", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
        Index("uq_allocations_active_ont", "ont_serial", unique=True,
              sqlite_where=_ACTIVE_ONLY, postgresql_where=_ACTIVE_ONLY),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_ref: Mapped[str] = mapped_column(String(64), index=True)
    premise_id: Mapped[str] = mapped_column(ForeignKey("premises.id"))
    splitter_id: Mapped[str] = mapped_column(ForeignKey("splitters.id"))
    splitter_port_id: Mapped[int] = mapped_column(ForeignKey("splitter_ports.id"))
    pon_port_id: Mapped[str] = mapped_column(ForeignKey("pon_ports.id"))
    olt_id: Mapped[str] = mapped_column(ForeignKey("olts.id"))
    s_vlan: Mapped[int] = mapped_column(Integer)
    c_vlan: Mapped[int] = mapped_column(Integer)
    c_vlan_id: Mapped[int] = mapped_column(ForeignKey("c_vlans.id"))
    onu_id: Mapped[int] = mapped_column(Integer)
    ont_serial: Mapped[str] = mapped_column(ForeignKey("onts.serial"))
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
