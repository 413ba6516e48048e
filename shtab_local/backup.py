"""Back up and restore the local stack's store: every table and every uploaded file.

A backup is one gzip-compressed tar archive with these members, in this order:

- ``manifest.json``: the format name and version, when and how the backup was
  made, each table's item count and SHA-256, each file's size, content type
  and SHA-256, and ``checksum``, the SHA-256 of the manifest without that field;
- ``tables/<name>.json``: one table's items in DynamoDB JSON, as
  ``DATA_DIR/dynamodb.json`` keeps them, named without the stage prefix;
- ``files/<key>``: one object of the files bucket, byte for byte.

``create`` reads a stopped stack's data folder (``dynamodb.json`` and
``files/``). While a stack runs on the folder, it reads the running stack's
embedded DynamoDB and S3 instead, because the folder lags behind them: the
stack saves at most every two seconds, and only after writes. ``restore``
checks the whole archive before it writes anything, then writes the data
folder that the stack loads on its next start.

Run ``python -m shtab_local.backup --help`` (or ``make backup`` and
``make restore BACKUP=path``).
"""

import argparse
import base64
import hashlib
import json
import logging
import os
import shutil
import sys
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from shtab_local.dynamodb import table_definitions
from shtab_local.environment import REGION

logger = logging.getLogger("shtab_local.backup")

FORMAT = "shtab-local-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_FOLDER = "tables/"
FILES_FOLDER = "files/"
SNAPSHOT_NAME = "dynamodb.json"
ENDPOINT_NAME = "dynamodb-endpoint"
PARKED_NAME = "parked-records.jsonl"
# Sidecar that EmbeddedFiles writes next to each saved object.
METADATA_SUFFIX = ".metadata.json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
CHUNK_BYTES = 1024 * 1024
SOURCE_FOLDER = "data_folder"
SOURCE_RUNNING = "running_stack"


class BackupError(Exception):
    """A backup or restore that cannot go on. The message states what to do."""


@dataclass
class StoredFile:
    key: str
    content_type: str
    path: Path


@dataclass
class Store:
    """The tables (by short name) and files of one local store, ready to archive."""

    source: str
    tables: dict[str, list[dict]]
    files: list[StoredFile] = field(default_factory=list)


def default_prefix() -> str:
    # The same default as environment.prepare, so both name the tables alike.
    stage = os.environ.get("SHTAB_STAGE", "local")
    return os.environ.get("SHTAB_TABLE_PREFIX", f"shtab-{stage}-")


def default_bucket() -> str:
    stage = os.environ.get("SHTAB_STAGE", "local")
    return os.environ.get("SHTAB_FILES_BUCKET", f"shtab-{stage}-files")


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_checksum(manifest: dict) -> str:
    """Return the SHA-256 of the manifest's canonical JSON, ``checksum`` left out."""
    content = {name: value for name, value in manifest.items() if name != "checksum"}
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return sha256_of_bytes(canonical.encode("utf-8"))


def table_bytes(items: list[dict]) -> bytes:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def check_file_key(key: str) -> None:
    """Reject a key that would land outside ``files/`` or clash with a sidecar."""
    parts = key.split("/")
    unsafe = (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(part in ("", ".", "..") for part in parts)
        or key.endswith(METADATA_SUFFIX)
    )
    if unsafe:
        raise BackupError(f"file key {key!r} is not a safe relative path")


# Reading a store.


def read_data_folder(data_dir: Path, prefix: str) -> Store:
    """Read a stopped stack's store from its data folder."""
    snapshot = data_dir / SNAPSHOT_NAME
    if not snapshot.exists():
        raise BackupError(
            f"{snapshot} does not exist: {data_dir} is not a data folder of the "
            "local stack, or the stack never saved. Pass the folder that "
            "`make run` used (DATA_DIR, default .data)."
        )
    saved = json.loads(snapshot.read_text())
    tables = {}
    for full_name, items in saved.items():
        if not full_name.startswith(prefix):
            raise BackupError(
                f"{snapshot} has table {full_name}, which lacks the prefix {prefix!r}; "
                "set SHTAB_TABLE_PREFIX to the prefix that the stack used"
            )
        tables[full_name.removeprefix(prefix)] = items

    files = []
    folder = data_dir / "files"
    if folder.exists():
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.endswith(METADATA_SUFFIX):
                continue
            metadata = path.with_name(path.name + METADATA_SUFFIX)
            content_type = DEFAULT_CONTENT_TYPE
            if metadata.exists():
                content_type = (
                    json.loads(metadata.read_text()).get("content_type")
                    or DEFAULT_CONTENT_TYPE
                )
            key = path.relative_to(folder).as_posix()
            files.append(StoredFile(key, content_type, path))
    return Store(SOURCE_FOLDER, tables, files)


def _wire_json(value):
    """Encode binary values, which boto3 decodes, as base64, as DynamoDB JSON does."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {name: _wire_json(inner) for name, inner in value.items()}
    if isinstance(value, list | set | tuple):
        return [_wire_json(inner) for inner in value]
    return value


def running_endpoint(data_dir: Path) -> str | None:
    """Return the endpoint of a stack that runs on ``data_dir``, if one responds."""
    marker = data_dir / ENDPOINT_NAME
    if not marker.exists():
        return None
    endpoint = marker.read_text().strip()
    import requests

    try:
        requests.get(endpoint, timeout=2)
    except requests.RequestException as error:
        # A stack killed without its stop step leaves the file behind.
        logger.warning(
            "%s names %s, which does not respond (%s); reading the data folder",
            marker,
            endpoint,
            type(error).__name__,
        )
        return None
    return endpoint


def read_running_stack(endpoint: str, prefix: str, bucket: str, staging: Path) -> Store:
    """Read every table and object from a running stack; objects go to ``staging``.

    NOTE: tables are scanned one after another while the stack serves
    requests, so a write made during the backup may be in one table and not
    in another. Stop the stack first for a backup that is consistent.
    """
    import boto3
    from botocore.config import Config

    # The stack's moto keeps its tables under environment.REGION, and accepts
    # any credentials; fixed here so the caller's AWS settings do not matter.
    connection = {
        "endpoint_url": endpoint,
        "region_name": REGION,
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    dynamodb = boto3.client("dynamodb", **connection)
    tables = {}
    for short_name, definition in table_definitions(prefix).items():
        paginator = dynamodb.get_paginator("scan")
        items = []
        for page in paginator.paginate(TableName=definition["create"]["TableName"]):
            items.extend(_wire_json(item) for item in page["Items"])
        tables[short_name] = items

    s3 = boto3.client(
        "s3", config=Config(s3={"addressing_style": "path"}), **connection
    )
    files = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            key = entry["Key"]
            check_file_key(key)
            stored = s3.get_object(Bucket=bucket, Key=key)
            path = staging / key
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as stream:
                for chunk in stored["Body"].iter_chunks(CHUNK_BYTES):
                    stream.write(chunk)
            content_type = stored.get("ContentType") or DEFAULT_CONTENT_TYPE
            files.append(StoredFile(key, content_type, path))
    return Store(SOURCE_RUNNING, tables, files)


# Writing a backup.


def build_manifest(store: Store, table_contents: dict[str, bytes]) -> dict:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": store.source,
        "tables": {
            name: {"items": len(store.tables[name]), "sha256": sha256_of_bytes(data)}
            for name, data in sorted(table_contents.items())
        },
        "files": {
            stored.key: {
                "size": stored.path.stat().st_size,
                "content_type": stored.content_type,
                "sha256": sha256_of_file(stored.path),
            }
            for stored in store.files
        },
    }
    manifest["checksum"] = manifest_checksum(manifest)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, fileobj=_BytesReader(data))


class _BytesReader:
    """The smallest file object that tarfile.addfile reads from."""

    def __init__(self, data: bytes) -> None:
        self._view = memoryview(data)
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = len(self._view) - self._offset
        chunk = self._view[self._offset : self._offset + size]
        self._offset += len(chunk)
        return bytes(chunk)


def write_archive(store: Store, output: Path) -> dict:
    """Write ``store`` to ``output`` and return the manifest written."""
    table_contents = {name: table_bytes(items) for name, items in store.tables.items()}
    manifest = build_manifest(store, table_contents)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")

    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    # The archive contains password hashes and integration secrets.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            with tarfile.open(fileobj=stream, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, manifest_bytes)
                for name, data in sorted(table_contents.items()):
                    _add_bytes(archive, f"{TABLES_FOLDER}{name}.json", data)
                for stored in store.files:
                    info = archive.gettarinfo(
                        stored.path, arcname=FILES_FOLDER + stored.key
                    )
                    info.mode = 0o600
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    with stored.path.open("rb") as content:
                        archive.addfile(info, fileobj=content)
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def default_output() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("backups") / f"shtab-{stamp}.tar.gz"


def create_backup(
    data_dir: Path,
    output: Path,
    prefix: str | None = None,
    bucket: str | None = None,
    source: str = "auto",
) -> dict:
    """Back up the store in ``data_dir`` to ``output``; return the manifest.

    ``source`` is ``auto`` (the running stack if one responds, else the
    folder), ``folder`` or ``running``.
    """
    prefix = prefix or default_prefix()
    bucket = bucket or default_bucket()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another BACKUP path")
    if not data_dir.is_dir():
        raise BackupError(f"data folder {data_dir} does not exist")

    endpoint = None
    if source in ("auto", "running"):
        endpoint = running_endpoint(data_dir)
        if endpoint is None and source == "running":
            raise BackupError(f"no running stack responds for {data_dir}")

    if endpoint is None:
        manifest = write_archive(read_data_folder(data_dir, prefix), output)
    else:
        logger.info("a stack runs on %s: reading it at %s", data_dir, endpoint)
        with tempfile.TemporaryDirectory(prefix="shtab-backup-") as staging:
            store = read_running_stack(endpoint, prefix, bucket, Path(staging))
            manifest = write_archive(store, output)
    return manifest


# Reading and restoring a backup.


@dataclass
class CheckedBackup:
    """A backup whose every member matched its manifest; files wait in ``staging``."""

    manifest: dict
    tables: dict[str, list[dict]]
    staging: Path


def _damaged(backup: Path, reason: str) -> BackupError:
    return BackupError(
        f"backup {backup} is damaged or incomplete ({reason}); nothing was restored. "
        "Use another backup file."
    )


def _check_manifest(backup: Path, manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} is not a Shtab local backup (format is missing)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{backup} has format version {manifest.get('format_version')!r}; this "
            f"version of Shtab reads version {FORMAT_VERSION} only"
        )
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise _damaged(backup, "the manifest checksum does not match")
    for key in manifest["files"]:
        check_file_key(key)


def _members(archive: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    for member in archive:
        if not member.isfile():
            raise BackupError(f"member {member.name} is not a regular file")
        yield member


def _copy_member(stream, target: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as output:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            output.write(chunk)
    return digest.hexdigest(), size


def _read_checked(backup: Path, staging: Path) -> CheckedBackup:
    """Read the archive once, in order, and check every member against the manifest."""
    manifest = None
    tables: dict[str, list[dict]] = {}
    seen_files: set[str] = set()
    with tarfile.open(backup, mode="r|gz") as archive:
        for member in _members(archive):
            content = archive.extractfile(member)
            if manifest is None:
                if member.name != MANIFEST:
                    raise BackupError(
                        f"{backup} is not a Shtab local backup: its first member is "
                        f"{member.name}, not {MANIFEST}"
                    )
                manifest = json.loads(content.read())
                _check_manifest(backup, manifest)
                continue

            if member.name.startswith(TABLES_FOLDER):
                name = member.name.removeprefix(TABLES_FOLDER).removesuffix(".json")
                expected = manifest["tables"].get(name)
                if expected is None or name in tables:
                    raise _damaged(backup, f"unexpected member {member.name}")
                data = content.read()
                if sha256_of_bytes(data) != expected["sha256"]:
                    raise _damaged(backup, f"{member.name} fails its SHA-256 check")
                items = json.loads(data)
                if len(items) != expected["items"]:
                    raise _damaged(
                        backup,
                        f"{member.name} has {len(items)} items, the manifest "
                        f"{expected['items']}",
                    )
                tables[name] = items
            elif member.name.startswith(FILES_FOLDER):
                key = member.name.removeprefix(FILES_FOLDER)
                expected = manifest["files"].get(key)
                if expected is None or key in seen_files:
                    raise _damaged(backup, f"unexpected member {member.name}")
                digest, size = _copy_member(content, staging / key)
                if digest != expected["sha256"] or size != expected["size"]:
                    raise _damaged(backup, f"{member.name} fails its SHA-256 check")
                seen_files.add(key)
            else:
                raise _damaged(backup, f"unexpected member {member.name}")

    if manifest is None:
        raise _damaged(backup, "the archive is empty")
    missing = sorted(set(manifest["tables"]) - set(tables))
    missing += sorted(FILES_FOLDER + key for key in set(manifest["files"]) - seen_files)
    if missing:
        raise _damaged(backup, "missing " + ", ".join(missing[:5]))
    return CheckedBackup(manifest, tables, staging)


def check_backup(backup: Path, staging: Path) -> CheckedBackup:
    """Check ``backup`` completely, unpacking its files into ``staging``.

    Raises BackupError for a missing, foreign, truncated or altered archive.
    """
    if not backup.is_file():
        raise BackupError(f"backup file {backup} does not exist")
    try:
        return _read_checked(backup, staging)
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise _damaged(backup, f"{type(error).__name__}: {error}") from error
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
        raise _damaged(backup, f"unreadable manifest or table: {error}") from error


def existing_data(data_dir: Path) -> list[str]:
    """Name what in ``data_dir`` a restore would replace."""
    found = []
    snapshot = data_dir / SNAPSHOT_NAME
    if snapshot.exists():
        found.append(SNAPSHOT_NAME)
    folder = data_dir / "files"
    if folder.exists() and any(path.is_file() for path in folder.rglob("*")):
        found.append("files/")
    if (data_dir / PARKED_NAME).exists():
        found.append(PARKED_NAME)
    return found


def _wipe(data_dir: Path) -> None:
    for name in (SNAPSHOT_NAME, "dynamodb.tmp", PARKED_NAME):
        (data_dir / name).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "files", ignore_errors=True)


def _write_metadata(folder: Path, files: dict[str, dict]) -> None:
    for key, entry in files.items():
        path = folder / key
        path.with_name(path.name + METADATA_SUFFIX).write_text(
            json.dumps({"content_type": entry["content_type"]})
        )


def _verify_restored(data_dir: Path, prefix: str, manifest: dict) -> None:
    saved = json.loads((data_dir / SNAPSHOT_NAME).read_text())
    for name, expected in manifest["tables"].items():
        count = len(saved.get(prefix + name, []))
        if count != expected["items"]:
            raise BackupError(
                f"restored table {name} has {count} items, the backup "
                f"{expected['items']}"
            )
    folder = data_dir / "files"
    restored = 0
    if folder.exists():
        restored = sum(
            1
            for path in folder.rglob("*")
            if path.is_file() and not path.name.endswith(METADATA_SUFFIX)
        )
    if restored != len(manifest["files"]):
        raise BackupError(
            f"restored {restored} files, the backup has {len(manifest['files'])}"
        )


def restore_backup(
    backup: Path, data_dir: Path, prefix: str | None = None, force: bool = False
) -> dict:
    """Restore ``backup`` into ``data_dir``; return the manifest.

    The target must hold no data unless ``force`` is set, in which case its
    data is deleted, but only after the whole backup has passed its checks.
    """
    prefix = prefix or default_prefix()
    if (data_dir / ENDPOINT_NAME).exists():
        raise BackupError(
            f"a stack seems to run on {data_dir} ({ENDPOINT_NAME} exists). Stop it "
            f"first; if no stack runs, delete {data_dir / ENDPOINT_NAME}."
        )
    found = existing_data(data_dir)
    if found and not force:
        raise BackupError(
            f"{data_dir} already contains data ({', '.join(found)}); restore into an "
            "empty data folder, or pass FORCE=1 (--force) to delete that data first"
        )

    known = set(table_definitions(prefix))
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    # On the same file system as the target, so the files move with a rename.
    staging = Path(tempfile.mkdtemp(prefix=".shtab-restore-", dir=data_dir.parent))
    try:
        checked = check_backup(backup, staging / "files")
        unknown = sorted(set(checked.tables) - known)
        if unknown:
            raise BackupError(
                f"backup {backup} has tables {', '.join(unknown)}, which "
                "infra/resources.json does not declare; restore it with the Shtab "
                "version that made it"
            )

        if found:
            logger.warning("deleting %s in %s before restoring", found, data_dir)
            _wipe(data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        if checked.manifest["files"]:
            _write_metadata(staging / "files", checked.manifest["files"])
            (staging / "files").rename(data_dir / "files")

        snapshot = {prefix + name: items for name, items in checked.tables.items()}
        temporary = data_dir / "dynamodb.tmp"
        temporary.write_text(json.dumps(snapshot, ensure_ascii=False))
        temporary.replace(data_dir / SNAPSHOT_NAME)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    _verify_restored(data_dir, prefix, checked.manifest)
    return checked.manifest


def summary(manifest: dict) -> str:
    items = sum(table["items"] for table in manifest["tables"].values())
    size = sum(entry["size"] for entry in manifest["files"].values())
    return (
        f"{len(manifest['tables'])} tables, {items} items, "
        f"{len(manifest['files'])} files ({size} bytes), "
        f"made {manifest['created_at']} from the {manifest['source'].replace('_', ' ')}"
    )


# Command line.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m shtab_local.backup",
        description="Back up or restore the local stack's tables and uploaded files.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    data_dir_help = "data folder of the local stack (default: $DATA_DIR or .data)"
    default_data_dir = Path(os.environ.get("DATA_DIR", ".data"))

    create = commands.add_parser("create", help="write a backup file")
    create.add_argument(
        "--data-dir", type=Path, default=default_data_dir, help=data_dir_help
    )
    create.add_argument(
        "--output",
        type=Path,
        help="backup file to write (default: backups/shtab-<UTC time>.tar.gz)",
    )
    create.add_argument(
        "--source",
        choices=("auto", "folder", "running"),
        default="auto",
        help="read the running stack or the data folder (default: auto, the "
        "running stack if one responds)",
    )

    restore = commands.add_parser("restore", help="load a backup into a data folder")
    restore.add_argument("backup", type=Path, help="backup file to restore")
    restore.add_argument(
        "--data-dir", type=Path, default=default_data_dir, help=data_dir_help
    )
    restore.add_argument(
        "--force",
        action="store_true",
        help="delete the data already in the data folder, after the backup passes "
        "its checks",
    )

    check = commands.add_parser("check", help="check a backup file without restoring")
    check.add_argument("backup", type=Path, help="backup file to check")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if arguments.command == "create":
            output = arguments.output or default_output()
            manifest = create_backup(
                arguments.data_dir, output, source=arguments.source
            )
            print(f"wrote {output}: {summary(manifest)}")
        elif arguments.command == "restore":
            manifest = restore_backup(
                arguments.backup, arguments.data_dir, force=arguments.force
            )
            print(
                f"restored {arguments.backup} into {arguments.data_dir}: "
                f"{summary(manifest)}; counts verified"
            )
        else:
            with tempfile.TemporaryDirectory(prefix="shtab-check-") as staging:
                manifest = check_backup(arguments.backup, Path(staging)).manifest
            print(f"{arguments.backup} is intact: {summary(manifest)}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
