"""Environment for running the Lambda code on this machine.

Must run before ``chalicelib`` is imported: settings and table names are read
from the environment at import time, as they are on Lambda.
"""

import os
import secrets
from pathlib import Path

REGION = "eu-central-1"


def prepare(data_dir: Path, port: int, stage: str = "local") -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SHTAB_STAGE", stage)
    os.environ.setdefault("SHTAB_TABLE_PREFIX", f"shtab-{stage}-")
    os.environ["SHTAB_LOCAL_MODE"] = "1"
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["AWS_REGION"] = REGION
    # moto accepts any credentials; these keep botocore from looking further
    # (instance metadata, profiles) for real ones.
    os.environ["AWS_ACCESS_KEY_ID"] = "local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "local"
    os.environ.pop("AWS_PROFILE", None)
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ["SHTAB_WEBSOCKET_ENDPOINT"] = f"http://127.0.0.1:{port}/ws-management"
    os.environ.setdefault("SHTAB_FILES_BUCKET", f"shtab-{stage}-files")
    # Browsers upload and download through the stack's /s3 proxy.
    os.environ["SHTAB_S3_PUBLIC_ENDPOINT"] = f"http://127.0.0.1:{port}/s3"
    os.environ.setdefault("SHTAB_TOKEN_SECRET", _token_secret(data_dir))


def _token_secret(data_dir: Path) -> str:
    """Keep one signing secret per data folder, so tokens survive a restart."""
    path = data_dir / "token-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
