"""Matching a postal address against the premises (normalised postcode, number, street)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inventory.models import Premise

_ABBREVIATIONS = {
    "RD": "ROAD", "ST": "STREET", "LN": "LANE", "AVE": "AVENUE", "AV": "AVENUE",
    "CL": "CLOSE", "GR": "GROVE", "GRV": "GROVE", "TER": "TERRACE", "TERR": "TERRACE",
    "CRES": "CRESCENT", "DR": "DRIVE", "GDNS": "GARDENS", "PL": "PLACE", "MT": "MOUNT",
}
_SUB_UNIT_WORDS = {"FLAT", "APARTMENT", "APT", "UNIT", "NO", "NUMBER"}


@dataclass(frozen=True)
class AddressQuery:
    street_nr: str
    street_name: str
    postcode: str
    city: str | None = None
    sub_unit: str | None = None


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode).upper()


def street_key(street: str) -> str:
    words = re.sub(r"[^A-Z0-9 ]+", " ", street.upper()).split()
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


def sub_unit_key(sub_unit: str | None) -> str | None:
    if sub_unit is None:
        return None
    words = [w for w in re.sub(r"[^A-Z0-9 ]+", " ", sub_unit.upper()).split()
             if w not in _SUB_UNIT_WORDS]
    return " ".join(words) or None


def find_premises(session: Session, query: AddressQuery) -> list[Premise]:
    """Premises matching the address; several when a building's flats are not told apart."""
    candidates = session.scalars(
        select(Premise).where(
            Premise.postcode_key == postcode_key(query.postcode),
            Premise.street_nr == query.street_nr.strip().upper(),
        )
    ).all()
    wanted_street = street_key(query.street_name)
    matches = [p for p in candidates if street_key(p.street_name) == wanted_street]
    if query.city:
        city = query.city.strip().upper()
        matches = [p for p in matches if p.city.upper() == city] or []
    unit = sub_unit_key(query.sub_unit)
    if unit is not None:
        matches = [p for p in matches if sub_unit_key(p.sub_unit) == unit]
    return matches
