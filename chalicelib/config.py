"""Settings read from the environment, shared by every Lambda function."""

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    stage: str
    table_prefix: str
    region: str
    dynamodb_endpoint: str | None
    websocket_endpoint: str | None
    websocket_api_id: str | None
    websocket_stage: str
    token_secret: str
    token_ttl_seconds: int
    frontend_url: str
    local_mode: bool
    # Uploaded files (attachments); the public endpoint is the one browsers use
    # for presigned URLs, which locally differs from the server's own endpoint.
    files_bucket: str
    s3_endpoint: str | None
    s3_public_endpoint: str | None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    stage = os.environ.get("SHTAB_STAGE", "dev")
    return Settings(
        stage=stage,
        table_prefix=os.environ.get("SHTAB_TABLE_PREFIX", f"shtab-{stage}-"),
        region=os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"),
        dynamodb_endpoint=os.environ.get("SHTAB_DYNAMODB_ENDPOINT") or None,
        websocket_endpoint=os.environ.get("SHTAB_WEBSOCKET_ENDPOINT") or None,
        websocket_api_id=os.environ.get("SHTAB_WEBSOCKET_API_ID") or None,
        websocket_stage=os.environ.get("SHTAB_WEBSOCKET_STAGE", "api"),
        token_secret=os.environ.get("SHTAB_TOKEN_SECRET", ""),
        token_ttl_seconds=int(os.environ.get("SHTAB_TOKEN_TTL_SECONDS", "43200")),
        frontend_url=os.environ.get("SHTAB_FRONTEND_URL", ""),
        local_mode=os.environ.get("SHTAB_LOCAL_MODE") == "1",
        files_bucket=os.environ.get("SHTAB_FILES_BUCKET", f"shtab-{stage}-files"),
        s3_endpoint=os.environ.get("SHTAB_S3_ENDPOINT") or None,
        s3_public_endpoint=os.environ.get("SHTAB_S3_PUBLIC_ENDPOINT") or None,
    )
