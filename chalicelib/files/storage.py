"""Uploaded files in S3: presigned uploads and downloads, checks after upload.

Browsers send the bytes straight to S3 with a presigned POST, so a Lambda never
carries a file. The POST policy limits the size and type on AWS; after the
upload the object is read back with HEAD and checked again. moto 5.2 enforces
no POST policy: the local stack's /s3 proxy checks policies for browsers, but
tests that post straight to moto rely on this second check.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.config import get_settings
from chalicelib.files.limits import content_disposition

logger = logging.getLogger(__name__)

UPLOAD_EXPIRES_SECONDS = 10 * 60
DOWNLOAD_EXPIRES_SECONDS = 5 * 60


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str
    etag: str


def _client_config() -> Config:
    # Path-style addressing lets one local endpoint serve every bucket.
    return Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        retries={"max_attempts": 3, "mode": "standard"},
    )


@lru_cache(maxsize=1)
def _client():
    settings = get_settings()
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=settings.s3_endpoint,
        config=_client_config(),
    )


@lru_cache(maxsize=1)
def _presigning_client():
    """Return the client whose endpoint goes into presigned URLs.

    Locally the browser reaches S3 through the stack's own origin, so the URL
    must carry that endpoint rather than the one the server calls.
    """
    settings = get_settings()
    endpoint = settings.s3_public_endpoint or settings.s3_endpoint
    if endpoint == settings.s3_endpoint:
        return _client()
    return boto3.client(
        "s3",
        region_name=settings.region,
        endpoint_url=endpoint,
        config=_client_config(),
    )


def bucket() -> str:
    return get_settings().files_bucket


def presigned_upload(key: str, content_type: str, size: int) -> dict:
    """Return the URL and form fields for one browser upload of ``size`` bytes."""
    post = _presigning_client().generate_presigned_post(
        bucket(),
        key,
        Fields={"Content-Type": content_type},
        Conditions=[
            {"Content-Type": content_type},
            ["content-length-range", size, size],
        ],
        ExpiresIn=UPLOAD_EXPIRES_SECONDS,
    )
    return {"url": post["url"], "method": "POST", "fields": post["fields"]}


def presigned_download(
    key: str, file_name: str, content_type: str, disposition: str = "attachment"
) -> str:
    """Return a short-lived GET URL; "inline" lets a page show an image preview."""
    return _presigning_client().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket(),
            "Key": key,
            "ResponseContentDisposition": content_disposition(file_name, disposition),
            "ResponseContentType": content_type,
        },
        ExpiresIn=DOWNLOAD_EXPIRES_SECONDS,
    )


def stored_object(key: str) -> StoredObject | None:
    """Return the size and type of an uploaded object, or None if there is none."""
    try:
        head = _client().head_object(Bucket=bucket(), Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
            return None
        raise
    return StoredObject(
        size=int(head["ContentLength"]),
        content_type=head.get("ContentType", ""),
        etag=head["ETag"],
    )


def copy_object(source_key: str, target_key: str, checked: StoredObject) -> bool:
    """Copy the object as checked; return False if it has changed since."""
    try:
        _client().copy_object(
            Bucket=bucket(),
            Key=target_key,
            CopySource={"Bucket": bucket(), "Key": source_key},
            CopySourceIfMatch=checked.etag,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "PreconditionFailed":
            return False
        raise
    return True


def put_object(key: str, data: bytes, content_type: str) -> None:
    """Store ``data`` under ``key``, for content the server itself writes."""
    _client().put_object(Bucket=bucket(), Key=key, Body=data, ContentType=content_type)


def read_object(key: str) -> bytes:
    """Return the bytes stored under ``key``; a missing object raises ClientError."""
    return _client().get_object(Bucket=bucket(), Key=key)["Body"].read()


def read_object_start(key: str, length: int) -> bytes:
    """Return at most the first ``length`` bytes stored under ``key``."""
    response = _client().get_object(
        Bucket=bucket(), Key=key, Range=f"bytes=0-{length - 1}"
    )
    return response["Body"].read()


def delete_object(key: str) -> None:
    """Delete an object; a failure is logged, since the record is already gone."""
    try:
        _client().delete_object(Bucket=bucket(), Key=key)
    except ClientError:
        logger.exception("deleting a stored file failed key=%s", key)
