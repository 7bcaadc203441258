"""A backup's manifest, its checks before a restore, and the one-line refusals of the commands."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kulturbro_cli.backup import (
    BackupError,
    Connection,
    Manifest,
    ServiceBackup,
    pg_tool,
    sha256_of,
    verify,
)
from kulturbro_cli.main import app


def a_backup(folder: Path, service: str = "booking") -> ServiceBackup:
    file = folder / f"{service}.dump"
    file.write_bytes(b"PGDMP the dump")
    return ServiceBackup(
        service, service, "0005", file.name, sha256_of(file), {"kulturbro.booking.v1": {0: 7}}
    )


def test_a_manifest_reads_back_as_written_with_partitions_as_numbers(tmp_path: Path) -> None:
    manifest = Manifest(datetime(2026, 12, 6, tzinfo=UTC), {"booking": a_backup(tmp_path)})

    assert Manifest.from_json(manifest.to_json()) == manifest


def test_a_restore_names_the_services_a_backup_holds(tmp_path: Path) -> None:
    manifest = Manifest(datetime.now(UTC), {"booking": a_backup(tmp_path)})

    assert manifest.chosen([]) == [manifest.services["booking"]]
    with pytest.raises(BackupError, match="holds no notify; it holds: booking"):
        manifest.chosen(["notify"])


def test_a_damaged_or_missing_file_is_found_before_anything_changes(tmp_path: Path) -> None:
    backup = a_backup(tmp_path)
    verify(tmp_path, [backup])

    (tmp_path / backup.file).write_bytes(b"PGDMP changed")
    with pytest.raises(BackupError, match=r"booking\.dump differs from its checksum"):
        verify(tmp_path, [backup])
    (tmp_path / backup.file).unlink()
    with pytest.raises(BackupError, match=r"booking\.dump is missing"):
        verify(tmp_path, [backup])


def test_what_is_not_a_manifest_is_said_so() -> None:
    with pytest.raises(BackupError, match="not a Kulturbro backup's manifest"):
        Manifest.from_json("[]")
    with pytest.raises(BackupError, match="format 2 is not 1"):
        Manifest.from_json('{"format": 2}')


def test_the_password_goes_to_the_tools_environment_not_their_arguments() -> None:
    connection = Connection.from_url("postgresql+psycopg://owner:s%40cret@db:5432/kulturbro")

    assert connection.url == "postgresql://owner@db:5432/kulturbro"
    assert connection.tool_env()["PGPASSWORD"] == "s@cret"


def test_a_missing_pg_dump_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="install Debian's postgresql-client"):
        pg_tool("pg_dump", {"PG_BIN_DIR": str(tmp_path)})


def test_the_commands_refuse_in_one_line_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": "postgresql://owner@127.0.0.1:1/kulturbro"}

    restored = runner.invoke(app, ["restore", str(tmp_path)], env=env)
    (tmp_path / "old").write_text("")
    backed_up = runner.invoke(app, ["backup", str(tmp_path), "booking"], env=env)

    assert restored.exit_code == 2
    assert restored.output.strip().splitlines() == [
        f"kulturbro restore: {tmp_path} holds no manifest.json: name a folder `kulturbro backup`"
        " wrote"
    ]
    assert backed_up.exit_code == 2
    assert "is not empty: name a new folder" in backed_up.output


def test_a_schema_named_for_a_service_is_checked() -> None:
    runner = CliRunner()

    unnamed = runner.invoke(app, ["backup", "new", "--schema", "booking"])
    wrong = runner.invoke(app, ["backup", "new", "--schema", "booking=Booking; drop"])

    assert unnamed.exit_code == wrong.exit_code == 2
    assert unnamed.output == "kulturbro backup: --schema 'booking': write it SERVICE=SCHEMA\n"
    assert "must be lowercase letters, digits and _" in wrong.output
