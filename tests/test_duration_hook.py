"""New jobs take the learned duration when an artefact is present, else the type defaults;
`fieldsched model train / show`."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from api.commands.model import app
from clustering import DurationModel, DurationQuantileRegressor, save_model
from clustering.duration_data import generate_completions
from inventory.samples import contended_network
from orders import clock, duration_predict
from orders.db import Database
from orders.fulfilment import process_order
from orders.intake import NewOrder, Place, place_order
from orders.job_rules import default_spec, job_spec
from orders.models import Job
from orders.network_admin import store_network
from orders.settings import get_settings

pytest_plugins = ["db_fixtures"]


@pytest.fixture(scope="module")
def small_model() -> DurationModel:
    return DurationModel.fit(generate_completions(600, seed=5),
                             DurationQuantileRegressor(max_iter=40, random_state=0))


@pytest.fixture
def artefact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """FIELDSCHED_DURATION_MODEL pointing at a (not yet written) file of this test."""
    path = tmp_path / "duration.joblib"
    monkeypatch.setenv("FIELDSCHED_DURATION_MODEL", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_type_defaults_without_an_artefact(artefact: Path) -> None:
    assert not artefact.exists()
    for args in (("install", "FTTP-900", "overhead", "flat"), ("precable", None, "underground")):
        assert job_spec(*args) == default_spec(*args)


def test_learned_duration_with_an_artefact(artefact: Path, small_model: DurationModel,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    save_model(small_model, artefact)
    spec = job_spec("precable", "FTTP-150", "underground", "house")
    default = default_spec("precable", "FTTP-150", "underground", "house")
    median = small_model.predict([{"job_type": "precable", "product": "FTTP-150",
                                   "drop_type": "underground", "premise_type": "house"}])[0, 0]
    assert spec.duration_s == round(median / 60) * 60 != default.duration_s
    assert spec.skills == default.skills and spec.priority == default.priority
    # Features the caller knows are used; a long underground drop takes longer.
    far = job_spec("precable", "FTTP-150", "underground", "house", splitter_distance_m=600)
    assert far.duration_s > spec.duration_s
    # A job type the model never saw keeps its default.
    assert job_spec("civils") == default_spec("civils")
    # Planning on the high quantile gives more slack.
    monkeypatch.setenv("FIELDSCHED_DURATION_PLAN_QUANTILE", "0.8")
    get_settings.cache_clear()
    assert job_spec("precable", "FTTP-150", "underground", "house").duration_s > spec.duration_s


def test_a_bad_artefact_falls_back_to_defaults(artefact: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    artefact.write_bytes(b"not a model")
    assert job_spec("install", "FTTP-500") == default_spec("install", "FTTP-500")
    assert "unusable" in caplog.text
    assert duration_predict.current_model() is None


def test_order_flow_creates_jobs_with_learned_durations(
        artefact: Path, small_model: DurationModel, sqlite_db: Database) -> None:
    save_model(small_model, artefact)
    store_network(sqlite_db, contended_network(premises=6))
    clock.set_clock(lambda: datetime(2026, 11, 23, 7, 30, tzinfo=UTC))
    try:
        body = {"externalId": "B-1", "offering": "FTTP-900", "premise": "TV000000"}
        placed = place_order(sqlite_db, NewOrder(
            "B-1", "BA-1", "C-1", "FTTP-900", Place("TV000000", None),
            datetime(2026, 12, 5, tzinfo=UTC), body))
        process_order(sqlite_db, placed.order_id)
    finally:
        clock.set_clock(None)
    with sqlite_db.read() as s:
        jobs = list(s.scalars(select(Job).where(Job.order_id == placed.order_id)))
    assert {j.kind for j in jobs} == {"precable", "install"}
    for j in jobs:
        assert j.duration_s == job_spec(j.kind, "FTTP-900", "underground", "house").duration_s
        assert j.duration_s != default_spec(j.kind, "FTTP-900", "underground", "house").duration_s


def test_cli_train_and_show(artefact: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["show"])
    assert missing.exit_code == 1 and "type defaults" in missing.output
    trained = runner.invoke(app, ["train", "--synthetic", "400", "--seed", "2"])
    assert trained.exit_code == 0, trained.output
    assert artefact.exists() and "type_defaults" in trained.output
    shown = runner.invoke(app, ["show", "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"format_version": 1' in shown.output and "splitter_distance_m" in shown.output
    assert "synthetic(400, seed=2)" in shown.output
    # The running service picks the new artefact up.
    assert job_spec("install", "FTTP-150") != default_spec("install", "FTTP-150")
