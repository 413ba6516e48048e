"""Backups of the local store: a seeded company round-trips item for item."""

import gzip
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
import requests

from shtab_local import backup
from shtab_local.demo import INVOICE, seed
from tests.support.live import ROOT, LiveStack

pytestmark = pytest.mark.live

OWNER_EMAIL = "owner@backup.example"
OWNER_PASSWORD = "backup-owner-password"
PREFIX = "shtab-local-"
BUCKET = "shtab-local-files"


def item_identity(item: dict) -> str:
    return json.dumps(normalised(item), sort_keys=True, ensure_ascii=False)


def normalised(value):
    """Sort the members of DynamoDB sets, whose order no read promises."""
    if isinstance(value, dict):
        result = {}
        for name, inner in value.items():
            if name in ("SS", "NS", "BS") and isinstance(inner, list):
                result[name] = sorted(inner)
            else:
                result[name] = normalised(inner)
        return result
    if isinstance(value, list):
        return [normalised(inner) for inner in value]
    return value


def saved_tables(data_dir: Path) -> dict[str, list[str]]:
    saved = json.loads((data_dir / "dynamodb.json").read_text())
    return {
        name.removeprefix(PREFIX): sorted(item_identity(item) for item in items)
        for name, items in saved.items()
    }


def saved_files(data_dir: Path) -> dict[str, bytes]:
    folder = data_dir / "files"
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def folder_state(data_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(data_dir).as_posix(): path.read_bytes()
        for path in sorted(data_dir.rglob("*"))
        if path.is_file()
    }


def run_backup_command(*arguments: str) -> subprocess.CompletedProcess:
    # As `make backup` runs it: without the test suite's SHTAB_ and AWS_ settings.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SHTAB_", "AWS_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "shtab_local.backup", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_until_quiet(stack: LiveStack, quiet_seconds: float = 10, timeout: float = 240):
    """Wait until the stream reactions have run, so that stop has nothing to drain.

    The reactions log what they write and the stack saves after each batch of
    stream records, so neither the log nor the snapshot changing for a few
    seconds means the pump is most likely idle. On a loaded machine the
    stack's own drain on stop (five seconds) runs out before a busy pump is.
    """
    snapshot = stack.data_dir / "dynamodb.json"
    last_seen = None
    quiet_since = time.monotonic()
    deadline = quiet_since + timeout
    while time.monotonic() < deadline:
        seen = (
            stack.log_path.stat().st_size,
            snapshot.stat().st_mtime if snapshot.exists() else 0,
        )
        if seen != last_seen:
            last_seen = seen
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > quiet_seconds:
            return
        time.sleep(0.5)
    raise TimeoutError(f"the stack was still busy after {timeout} s")


@pytest.fixture(scope="module")
def seeded_company(tmp_path_factory):
    """A stopped stack's data folder with the demo company, and what it made."""
    data_dir = tmp_path_factory.mktemp("backup") / "original"
    data_dir.mkdir()
    stack = LiveStack(data_dir, OWNER_EMAIL, OWNER_PASSWORD)
    stack.start()
    try:
        seeded = seed(stack.url, OWNER_EMAIL, OWNER_PASSWORD)
        wait_until_quiet(stack)
    finally:
        stack.stop()
    # NOTE: when the machine's load is far above its two cores, the stack can
    # take longer than LiveStack's 30 s to exit after its final save. It is
    # then killed, but the folder it saved is complete.
    log = stack.log_path.read_text()
    assert "saved" in log.split("stopping: draining streams")[-1], log[-3000:]
    return data_dir, seeded


@pytest.fixture(scope="module")
def backup_file(seeded_company, tmp_path_factory) -> Path:
    data_dir, _ = seeded_company
    output = tmp_path_factory.mktemp("archives") / "company.tar.gz"
    result = run_backup_command(
        "create", "--data-dir", str(data_dir), "--output", str(output)
    )
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    return output


def test_backup_round_trips_through_a_stack(seeded_company, backup_file, tmp_path):
    data_dir, seeded = seeded_company
    original_tables = saved_tables(data_dir)
    original_files = saved_files(data_dir)
    assert len(original_tables["tasks"]) > 0
    assert len(original_tables["chat"]) > 0
    assert len(original_tables["kb"]) > 0
    assert len(original_tables["finance"]) > 0
    assert any(content == INVOICE for content in original_files.values())

    restored_dir = tmp_path / "restored"
    result = run_backup_command(
        "restore", "--data-dir", str(restored_dir), str(backup_file)
    )
    assert result.returncode == 0, result.stderr
    assert "counts verified" in result.stdout
    assert saved_tables(restored_dir) == original_tables
    assert saved_files(restored_dir) == original_files

    # A stack started on the restored folder serves the same data, and a
    # backup read from it while it runs contains every item and file again.
    stack = LiveStack(restored_dir, OWNER_EMAIL, OWNER_PASSWORD)
    stack.start()
    try:
        live_backup = tmp_path / "live.tar.gz"
        manifest = backup.create_backup(
            restored_dir, live_backup, prefix=PREFIX, bucket=BUCKET, source="running"
        )
        assert manifest["source"] == backup.SOURCE_RUNNING

        anna = stack.login("anna@demo.example", seeded.passwords["anna"])
        task = stack.api("GET", f"/api/tasks/{seeded.task_ids[0]}", anna)
        assert task.status_code == 200, task.text
        assert task.json()["task"]["checklist_progress"] == {"done": 1, "total": 3}

        base = (
            f"/api/finance/requests/{seeded.finance_request_id}"
            f"/attachments/{seeded.attachment_id}"
        )
        gleb = stack.login("gleb@demo.example", seeded.passwords["gleb"])
        link = stack.api("GET", base, gleb).json()["url"]
        assert requests.get(link, timeout=10).content == INVOICE
    finally:
        stack.stop()

    checked_dir = tmp_path / "from-running"
    backup.restore_backup(live_backup, checked_dir, prefix=PREFIX)
    running_tables = saved_tables(checked_dir)
    for name, items in original_tables.items():
        assert running_tables.get(name, []) == items, f"table {name} differs"
    assert saved_files(checked_dir) == original_files


def test_manifest_lists_counts_and_checksum(seeded_company, backup_file):
    data_dir, _ = seeded_company
    with tarfile.open(backup_file) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert manifest["format"] == backup.FORMAT
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["source"] == backup.SOURCE_FOLDER
    assert manifest["checksum"] == backup.manifest_checksum(manifest)
    saved = json.loads((data_dir / "dynamodb.json").read_text())
    expected_counts = {
        name.removeprefix(PREFIX): len(items) for name, items in saved.items()
    }
    assert {name: entry["items"] for name, entry in manifest["tables"].items()} == (
        expected_counts
    )
    assert all(not name.startswith(PREFIX) for name in manifest["tables"])
    assert len(manifest["files"]) == len(saved_files(data_dir)) // 2
    assert backup_file.stat().st_mode & 0o077 == 0


def test_restore_into_folder_with_data_is_refused(seeded_company, backup_file):
    data_dir, _ = seeded_company
    before = folder_state(data_dir)
    result = run_backup_command(
        "restore", "--data-dir", str(data_dir), str(backup_file)
    )
    assert result.returncode == 1
    assert "already contains data" in result.stderr
    assert "FORCE=1" in result.stderr
    assert folder_state(data_dir) == before


def test_forced_restore_replaces_the_data(backup_file, tmp_path):
    target = tmp_path / "target"
    backup.restore_backup(backup_file, target, prefix=PREFIX)
    expected = folder_state(target)
    (target / "dynamodb.json").write_text(json.dumps({PREFIX + "users": []}))
    (target / "files" / "stray.bin").write_bytes(b"left over")

    result = run_backup_command(
        "restore", "--force", "--data-dir", str(target), str(backup_file)
    )
    assert result.returncode == 0, result.stderr
    assert folder_state(target) == expected


def test_restore_is_refused_while_a_stack_runs(backup_file, tmp_path):
    target = tmp_path / "running"
    target.mkdir()
    (target / "dynamodb-endpoint").write_text("http://127.0.0.1:1")
    with pytest.raises(backup.BackupError, match="Stop it first"):
        backup.restore_backup(backup_file, target, prefix=PREFIX, force=True)


def corrupt_byte(source: Path, target: Path) -> None:
    """Flip one byte inside the first table's content, recompressing the archive."""
    raw = gzip.decompress(source.read_bytes())
    marker = raw.index(b'[{"')
    flipped = raw[: marker + 5] + bytes([raw[marker + 5] ^ 0x01]) + raw[marker + 6 :]
    target.write_bytes(gzip.compress(flipped))


def truncate(source: Path, target: Path) -> None:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])


def altered_manifest(source: Path, target: Path) -> None:
    """Change a count in the manifest but keep its old checksum."""
    raw = gzip.decompress(source.read_bytes())
    start = raw.index(b'"items": ')
    digit = start + len(b'"items": ')
    changed = raw[:digit] + (b"9" if raw[digit : digit + 1] != b"9" else b"8")
    target.write_bytes(gzip.compress(changed + raw[digit + 1 :]))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (corrupt_byte, "fails its SHA-256 check"),
        (truncate, "damaged or incomplete"),
        (altered_manifest, "manifest checksum does not match"),
    ],
)
def test_damaged_backup_is_refused(backup_file, tmp_path, damage, message):
    damaged = tmp_path / "damaged.tar.gz"
    damage(backup_file, damaged)

    empty = tmp_path / "empty"
    result = run_backup_command("restore", "--data-dir", str(empty), str(damaged))
    assert result.returncode == 1
    assert message in result.stderr
    assert "nothing was restored" in result.stderr
    assert not empty.exists()

    # A forced restore over existing data leaves that data as it was.
    occupied = tmp_path / "occupied"
    backup.restore_backup(backup_file, occupied, prefix=PREFIX)
    before = folder_state(occupied)
    result = run_backup_command(
        "restore", "--force", "--data-dir", str(occupied), str(damaged)
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert folder_state(occupied) == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_backup_of_missing_folder_names_it(tmp_path):
    result = run_backup_command(
        "create",
        "--data-dir",
        str(tmp_path / "nowhere"),
        "--output",
        str(tmp_path / "b"),
    )
    assert result.returncode == 1
    assert "nowhere" in result.stderr
