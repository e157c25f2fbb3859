"""Qualification reasons and address matching (both databases)."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from inventory import errors
from inventory.addresses import AddressQuery, postcode_key, street_key, sub_unit_key
from inventory.models import CVlan, Ont, Premise, SplitterPort
from inventory.qualification import qualify
from inventory.samples import contended_network
from orders.db import Database
from orders.intake import Place
from orders.network_admin import qualify_places, store_network

pytest_plugins = ["db_fixtures"]


@pytest.fixture
def network(db: Database) -> Database:
    plan = contended_network(premises=6)
    # A block of two flats at the same street number.
    for n, pid in ((1, "TVFLAT1"), (2, "TVFLAT2")):
        plan.premises.append(dict(plan.premises[0], id=pid, street_nr="40", sub_unit=str(n),
                                  premise_type="flat"))
    store_network(db, plan)
    return db


def check(database: Database, premise_id: str | None = None,
          address: AddressQuery | None = None) -> tuple[str, list[str]]:
    with database.read() as s:
        q = qualify(s, premise_id, address)
        return q.result, q.reasons


def test_normalisation() -> None:
    assert postcode_key(" ls1  4ap ") == "LS14AP"
    assert street_key("St. Mary's  Rd") == street_key("ST MARY S ROAD")
    assert sub_unit_key("Flat 3") == sub_unit_key("3") == "3"


def test_premise_ids(network: Database) -> None:
    assert check(network, "TV000001") == ("qualified", [])
    assert check(network, "NOPE") == ("unqualified", [errors.UNKNOWN_ADDRESS])
    assert check(network, "TV-OUTSIDE") == ("unqualified", [errors.OUTSIDE_SERVICE_AREA])


def test_addresses(network: Database) -> None:
    ok = AddressQuery("2", "long road", "tv11aa", "Testville")
    with network.read() as s:
        q = qualify(s, address=ok)
    assert q.qualified and q.premise is not None and q.premise.id == "TV000001"
    assert check(network, address=AddressQuery("2", "Long Rd", "TV1 1AA", "testville"))[0] \
        == "qualified"
    assert check(network, address=AddressQuery("999", "Long Road", "TV1 1AA", "Testville")) \
        == ("unqualified", [errors.UNKNOWN_ADDRESS])
    assert check(network, address=AddressQuery("2", "Long Road", "TV1 1AA", "Elsewhere")) \
        == ("unqualified", [errors.UNKNOWN_ADDRESS])
    flats = AddressQuery("40", "Long Road", "TV1 1AA", "Testville")
    assert check(network, address=flats) == ("unqualified", [errors.AMBIGUOUS_ADDRESS])
    with network.read() as s:
        q = qualify(s, address=AddressQuery("40", "Long Road", "TV1 1AA", "Testville",
                                            sub_unit="Flat 2"))
    assert q.qualified and q.premise is not None and q.premise.id == "TVFLAT2"


def test_pool_exhaustion_reasons(network: Database) -> None:
    with network.transaction() as s:  # every port of splitter SA and of SB1 taken
        s.execute(update(SplitterPort).where(SplitterPort.splitter_id.in_(["TV-SA", "TV-SB1"]))
                  .values(status="allocated"))
        s.execute(update(CVlan).where(CVlan.pon_port_id == "TV-OLT-B")
                  .values(status="allocated"))  # SB2's PON has no C-VLAN left
    assert check(network, "TV000001") == ("unqualified", [errors.VLAN_POOL_EXHAUSTED])
    with network.transaction() as s:
        s.execute(update(SplitterPort).values(status="allocated"))
        s.execute(update(Ont).values(status="allocated"))
    assert check(network, "TV000001") == ("unqualified", [errors.NO_SPARE_SPLITTER_PORT,
                                                         errors.NO_ONT_STOCK])


def test_qualify_places_reports_codes_and_labels(network: Database) -> None:
    out = qualify_places(network, [Place("TV000002"), Place("TV-OUTSIDE")])
    assert out[0].result == "qualified" and out[0].region == "Testville"
    assert out[0].service_area_id == "TV-CAB"
    assert out[1].result == "unqualified"
    assert out[1].reasons[0][0] == errors.OUTSIDE_SERVICE_AREA and out[1].reasons[0][1]
    with network.read() as s:  # nothing was reserved
        assert s.get(Premise, "TV000002") is not None
    assert check(network, "TV000002") == ("qualified", [])
