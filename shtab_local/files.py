"""Uploaded files on the local stack: moto's S3, a proxy for browsers, and saving.

Browsers reach S3 through ``/s3`` on the stack's own port, the way they reach
the real S3 from the deployed frontend: presigned URLs, with CORS headers for
the stack's loopback origins. moto checks no signatures, so the proxy passes on
only presigned object requests whose signature it has checked (see
``shtab_local.s3_signatures``). Objects are saved under ``DATA_DIR/files`` and
put back on the next start, as the tables are.
"""

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import aiohttp
import boto3
import yarl
from aiohttp import web
from botocore.config import Config

from shtab_local.s3_signatures import (
    SignatureRejected,
    SigningIdentity,
    check_presigned_post,
    check_presigned_query,
)

logger = logging.getLogger(__name__)

PROXY_PREFIX = "/s3"
# Headers of the S3 response that a browser needs; the rest are moto's own.
_FORWARDED_RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Length",
    "ETag",
    "Last-Modified",
    "Location",
)
_HOP_BY_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "origin"}
# Browsers must not guess another type than the stored one, such as HTML.
_SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
_METADATA_SUFFIX = ".metadata.json"


class EmbeddedFiles:
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        folder: Path | None,
        port: int,
        public_endpoint: str | None = None,
    ):
        """``public_endpoint`` is the S3 endpoint in the app's presigned URLs.

        It defaults to SHTAB_S3_PUBLIC_ENDPOINT, which the stack's environment
        sets to this proxy.
        """
        self.endpoint = endpoint
        self.bucket = bucket
        self.folder = folder
        self.allowed_origins = {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
        self._client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            config=Config(s3={"addressing_style": "path"}),
        )
        self._lock = threading.Lock()

        # The app presigns with the same environment credentials and region.
        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise RuntimeError(
                "no AWS credentials for checking presigned URLs: set "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        self.identity = SigningIdentity(
            credentials=credentials.get_frozen_credentials(),
            region=self._client.meta.region_name,
            public_endpoint=public_endpoint
            or os.environ.get("SHTAB_S3_PUBLIC_ENDPOINT")
            or f"http://127.0.0.1:{port}{PROXY_PREFIX}",
        )

    def create_bucket(self) -> int:
        """Create the bucket and put back the saved objects; return their count."""
        existing = {bucket["Name"] for bucket in self._client.list_buckets()["Buckets"]}
        if self.bucket not in existing:
            self._client.create_bucket(
                Bucket=self.bucket,
                CreateBucketConfiguration={
                    "LocationConstraint": self._client.meta.region_name
                },
            )
        if self.folder is None or not self.folder.exists():
            return 0
        count = 0
        for path in sorted(self.folder.rglob("*")):
            if not path.is_file() or path.name.endswith(_METADATA_SUFFIX):
                continue
            key = path.relative_to(self.folder).as_posix()
            metadata_path = path.with_name(path.name + _METADATA_SUFFIX)
            content_type = "application/octet-stream"
            if metadata_path.exists():
                content_type = json.loads(metadata_path.read_text())["content_type"]
            self._client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=path.read_bytes(),
                ContentType=content_type,
            )
            count += 1
        return count

    def snapshot(self) -> int:
        """Save new objects and forget deleted ones; return the object count.

        Keys are never reused (each upload gets a new id), so a saved object
        that still exists is not written again.
        """
        if self.folder is None:
            return 0
        with self._lock:
            keys = set()
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket):
                keys.update(item["Key"] for item in page.get("Contents", []))
            for key in keys:
                path = self.folder / key
                if path.exists():
                    continue
                stored = self._client.get_object(Bucket=self.bucket, Key=key)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(stored["Body"].read())
                path.with_name(path.name + _METADATA_SUFFIX).write_text(
                    json.dumps({"content_type": stored.get("ContentType")})
                )
            for path in list(self.folder.rglob("*")):
                if not path.is_file() or path.name.endswith(_METADATA_SUFFIX):
                    continue
                if path.relative_to(self.folder).as_posix() not in keys:
                    path.unlink()
                    path.with_name(path.name + _METADATA_SUFFIX).unlink(missing_ok=True)
            return len(keys)

    def _cors_headers(self, request: web.Request) -> dict[str, str]:
        origin = request.headers.get("Origin")
        if origin not in self.allowed_origins:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST, PUT, HEAD",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Expose-Headers": "ETag",
            "Vary": "Origin",
        }

    async def proxy(self, request: web.Request) -> web.Response:
        """Pass one checked browser request to S3, keeping its path and query.

        GET, HEAD and PUT of an object need a presigned URL for exactly that
        request, and POST needs a presigned form for the bucket. Everything
        else (listing, DELETE, bucket operations) is rejected with 403.
        """
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=self._response_headers(request))

        try:
            if request.method == "POST":
                body = await self._checked_form(request)
            else:
                self._check_object_request(request)
                body = await request.read() or None
        except SignatureRejected as rejection:
            logger.warning(
                "s3 proxy rejected method=%s path=%s code=%s",
                request.method,
                request.path,
                rejection.code,
            )
            return self._error_response(request, rejection)

        target = self.endpoint + request.raw_path.removeprefix(PROXY_PREFIX)
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in _HOP_BY_HOP
        }
        if isinstance(body, aiohttp.FormData):
            # The rebuilt form sets its own boundary and length.
            headers = {
                name: value
                for name, value in headers.items()
                if name.lower() not in ("content-type", "content-length")
            }
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            async with session.request(
                request.method,
                yarl.URL(target, encoded=True),
                headers=headers,
                data=body,
            ) as upstream:
                payload = await upstream.read()
                response_headers = {
                    name: upstream.headers[name]
                    for name in _FORWARDED_RESPONSE_HEADERS
                    if name in upstream.headers and name != "Content-Length"
                }
        response_headers.update(self._response_headers(request))
        return web.Response(
            status=upstream.status, body=payload, headers=response_headers
        )

    def _response_headers(self, request: web.Request) -> dict[str, str]:
        return {**self._cors_headers(request), **_SECURITY_HEADERS}

    def _split_path(self, request: web.Request) -> tuple[str, str]:
        """Return the bucket and the still percent-encoded key of the request."""
        path = request.raw_path.removeprefix(PROXY_PREFIX).partition("?")[0]
        bucket, _, key = path.removeprefix("/").partition("/")
        if bucket != self.bucket:
            raise SignatureRejected(
                "AccessDenied", f"Only the bucket {self.bucket} is served here."
            )
        return bucket, key

    def _check_object_request(self, request: web.Request) -> None:
        if request.method not in ("GET", "HEAD", "PUT"):
            raise SignatureRejected(
                "AccessDenied",
                f"{request.method} is not allowed: the proxy serves presigned "
                "GET, HEAD and PUT of objects and presigned POST uploads.",
            )
        _, key = self._split_path(request)
        if not key:
            raise SignatureRejected(
                "AccessDenied", "Requests on the bucket itself are not allowed."
            )
        check_presigned_query(
            self.identity,
            request.method,
            request.raw_path,
            request.headers,
            {name.lower(): request.headers.getall(name) for name in request.headers},
            datetime.now(UTC),
        )

    async def _checked_form(self, request: web.Request) -> aiohttp.FormData:
        """Check a presigned POST upload and return the form to send to S3.

        moto 5.2 enforces no POST policy, so the proxy checks the signature,
        every condition and the file size, then sends on the checked fields.
        """
        bucket, key = self._split_path(request)
        if key.strip("/") or request.query_string:
            raise SignatureRejected(
                "AccessDenied",
                "POST is allowed only as a form upload to the bucket URL.",
            )
        if request.content_type != "multipart/form-data":
            raise SignatureRejected(
                "InvalidArgument",
                "POST uploads must be multipart/form-data.",
                status=400,
            )
        try:
            form = await request.post()
        except ValueError as error:
            raise SignatureRejected(
                "MalformedPOSTRequest",
                f"The form could not be parsed: {error}",
                status=400,
            ) from None

        fields: dict[str, str] = {}
        original_names: dict[str, str] = {}
        upload: web.FileField | None = None
        for name, value in form.items():
            lower_name = name.lower()
            if lower_name in fields or (lower_name == "file" and upload is not None):
                raise SignatureRejected(
                    "InvalidArgument",
                    f"Form field {name} is given twice.",
                    status=400,
                )
            if isinstance(value, web.FileField):
                if lower_name != "file":
                    raise SignatureRejected(
                        "InvalidArgument",
                        f"Only the field named file may carry a file, not {name}.",
                        status=400,
                    )
                upload = value
                continue
            fields[lower_name] = value
            original_names[lower_name] = name
        if upload is None:
            raise SignatureRejected(
                "InvalidArgument", "The form has no field named file.", status=400
            )
        content = upload.file.read()

        check_presigned_post(
            self.identity, bucket, fields, len(content), datetime.now(UTC)
        )

        checked = aiohttp.FormData()
        for lower_name, value in fields.items():
            checked.add_field(original_names[lower_name], value)
        checked.add_field(
            "file",
            content,
            filename=upload.filename,
            content_type=fields.get("content-type", "application/octet-stream"),
        )
        return checked

    def _error_response(
        self, request: web.Request, rejection: SignatureRejected
    ) -> web.Response:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(rejection.code)}</Code>"
            f"<Message>{escape(rejection.message)}</Message></Error>"
        )
        return web.Response(
            status=rejection.status,
            body=body.encode() if request.method != "HEAD" else None,
            content_type="application/xml",
            headers=self._response_headers(request),
        )
