"""The seed flow end to end over real HTTP (a small town): every order billing posts and
the field completes reaches billing's reference receiver, signed and verified, once."""
from __future__ import annotations

from pathlib import Path

from api.commands.flow_demo import flow_demo_command


def test_small_flow_demo_end_to_end(tmp_path: Path) -> None:
    funnel = flow_demo_command(town="Testham", premises=200, orders=8, engineers=3,
                               time_limit=1.0, seed=3, out=tmp_path)
    assert funnel["acknowledged"] == 8
    assert funnel["qualified"] >= funnel["booked"] >= funnel["scheduled"] > 0
    assert funnel["completed"] > 0
    assert funnel["billed"] == funnel["completed"]  # every completion billed, only those
    assert funnel["refused"] == 0
    assert (tmp_path / "map.html").stat().st_size > 1000
