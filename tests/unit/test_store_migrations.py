"""Alembic migrations: empty to head, matching the schema, reversible, shipped in the package.

Every migration test runs on SQLite and, with REISVERSLAG_TEST_POSTGRES_URL, on PostgreSQL.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import create_engine, inspect, text

from bot.report import Place
from bot.store import MIGRATIONS_DIR, Store
from bot.store.schema import metadata
from testkit.databases import BACKENDS, apply_update, fresh_database_url
from testkit.example_report import example_report

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "travellers",
    "drafts",
    "reports",
    "outbox",
    "inbox",
    "processed_updates",
    "trips",
    "reminders",
    "pending_inputs",
    "telegram_usernames",
    "access_audit",
    "traveller_languages",
}


def alembic_config(url: str) -> Config:
    """Alembic pointed at the packaged migrations and this database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    """The newest revision among the migrations."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The revision the database is at."""
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file that does not exist yet, or the wiped PostgreSQL."""
    return fresh_database_url(request.param, tmp_path)


def test_opening_migrates_an_empty_database_to_head(url: str) -> None:
    assert current_revision(url) is None
    Store.open(url).close()
    assert current_revision(url) == head_revision()
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    engine.dispose()


def test_migrated_schema_matches_the_table_definitions(url: str) -> None:
    Store.open(url).close()
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_opening_again_keeps_the_revision_and_the_data(url: str) -> None:
    with Store.open(url) as store:
        apply_update(store, 1)
    with Store.open(url) as store:
        assert apply_update(store, 1) is False
    assert current_revision(url) == head_revision()


def test_migrations_go_down_to_empty_and_up_again(url: str) -> None:
    Store.open(url).close()
    command.downgrade(alembic_config(url), "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    with Store.open(url) as store:
        assert store.drafts.save("console:alice", {}) == 1


def test_database_of_a_newer_version_is_not_touched(url: str) -> None:
    Store.open(url).close()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(CommandError, match="9999"):
        Store.open(url)
    assert current_revision(url) == "9999"


def test_migrations_render_portable_sql_for_postgresql() -> None:
    sql = io.StringIO()
    config = Config(output_buffer=sql)
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", "postgresql://reisverslag@localhost/reisverslag")
    command.upgrade(config, "head", sql=True)
    rendered = sql.getvalue()
    for table in TABLES:
        assert f"CREATE TABLE {table} (" in rendered
    assert "payload JSON NOT NULL" in rendered
    assert "telegram_user_id BIGINT" in rendered
    assert "due_at TIMESTAMP WITHOUT TIME ZONE NOT NULL" in rendered
    assert "id SERIAL NOT NULL" in rendered


def test_installed_package_carries_and_runs_its_migrations(tmp_path: Path) -> None:
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "bot", source / "bot", ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", source)
    readme = REPO / "README.md"
    (source / "README.md").write_text(readme.read_text() if readme.exists() else "reisverslag\n")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path / "dist", source], check=True)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for migration_file in MIGRATIONS_DIR.rglob("*"):
        if migration_file.is_file() and "__pycache__" not in migration_file.parts:
            assert f"bot/{migration_file.relative_to(MIGRATIONS_DIR.parent).as_posix()}" in shipped

    target = tmp_path / "installed"
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    database = tmp_path / "installed.sqlite3"
    script = (
        "import bot.store as s; "
        f"s.Store.open('sqlite:///{database}').close(); "
        "print(s.MIGRATIONS_DIR)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(target / "bot" / "migrations")
    assert current_revision(f"sqlite:///{database}") == head_revision()


def test_processes_opening_a_new_database_at_once_migrate_it_once(url: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def open_and_close() -> None:
        barrier.wait()
        try:
            Store.open(url).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_and_close) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_revision(url) == head_revision()


def _long_destinations() -> list[Place]:
    """A real multi-city answer whose label is well over 500 characters."""
    cities = [
        "Wenen",
        "Bratislava",
        "Boedapest",
        "Praag",
        "Brno",
        "Linz",
        "Salzburg",
        "Graz",
        "Ljubljana",
        "Zagreb",
    ]
    return [
        Place(
            name=f"{city} (werkbezoek stadhuis, innovatiecentrum en kennisinstituut)", country="X"
        )
        for city in cities
    ]


def test_a_destination_over_500_characters_is_stored_and_sent(url: str) -> None:
    """Finding 8: on PostgreSQL a VARCHAR(500) made such a report unsendable forever."""
    report = example_report(report_id="lang", destinations=_long_destinations())
    assert len(report.destination_label) > 500
    with Store.open(url) as store:
        assert store.reports.add("telegram:42", report) is True
        assert store.reports.get("lang") == report
        trip = store.trips.add(
            "telegram:42", report.destination_label, date(2025, 4, 27), date(2025, 4, 29), "x"
        )
        assert store.trips.get(trip.trip_id) == trip
        assert trip.destination == report.destination_label


def test_migration_0005_keeps_the_data_of_0003_and_goes_back(url: str) -> None:
    config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO reports VALUES ('r1', 'telegram:42', '{}', 2025, '2025-04-27',"
                " '2025-04-29', 'Wenen', '2025-04-30 10:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO trips (trip_id, user_ref, destination, departure, return_date,"
                " created_by, created_at, updated_at, status, report_id) VALUES ('t1',"
                " 'telegram:42', 'Wenen', '2025-04-27', '2025-04-29', 'telegram:42',"
                " '2025-04-01', '2025-04-01', 'reported', 'r1')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO reminders (trip_id, user_ref, kind, due_at, created_at)"
                " VALUES ('t1', 'telegram:42', 'after', '2025-04-30', '2025-04-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts VALUES ('telegram:42', '{\"a\": 1}', 3,"
                " '2025-04-01', '2025-04-02')"
            )
        )
    engine.dispose()
    Store.open(url).close()
    long_label = "W" * 800
    engine = create_engine(url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM reminders")).scalar_one() == 1
        assert connection.execute(text("SELECT destination FROM trips")).scalar_one() == "Wenen"
        connection.execute(text("UPDATE reports SET destination = :d"), {"d": long_label})
        draft = connection.execute(text("SELECT revision, retention_warned_at FROM drafts")).one()
        assert tuple(draft) == (3, None)
    engine.dispose()
    command.downgrade(config, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        destination = connection.execute(text("SELECT destination FROM reports")).scalar_one()
        columns = {column["name"] for column in inspect(engine).get_columns("drafts")}
    engine.dispose()
    assert destination == long_label[: 500 if url.startswith("postgresql") else 800]
    assert "retention_warned_at" not in columns
