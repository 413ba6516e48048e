"""Uploaded files on the local stack: moto's S3, a proxy for browsers, and saving.

Browsers reach S3 through ``/s3`` on the stack's own port, the way they reach
the real S3 from the deployed frontend: presigned URLs, with CORS headers for
the stack's loopback origins. Objects are saved under ``DATA_DIR/files`` and
put back on the next start, as the tables are.
"""

import json
import logging
import threading
from pathlib import Path

import aiohttp
import boto3
import yarl
from aiohttp import web
from botocore.config import Config

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
_METADATA_SUFFIX = ".metadata.json"


class EmbeddedFiles:
    def __init__(self, endpoint: str, bucket: str, folder: Path | None, port: int):
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
        """Pass one browser request to S3, keeping the path and query as sent."""
        if request.method == "OPTIONS":
            return web.Response(status=204, headers=self._cors_headers(request))
        target = self.endpoint + request.raw_path.removeprefix(PROXY_PREFIX)
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in _HOP_BY_HOP
        }
        body = await request.read()
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            async with session.request(
                request.method,
                yarl.URL(target, encoded=True),
                headers=headers,
                data=body or None,
            ) as upstream:
                payload = await upstream.read()
                response_headers = {
                    name: upstream.headers[name]
                    for name in _FORWARDED_RESPONSE_HEADERS
                    if name in upstream.headers and name != "Content-Length"
                }
        response_headers.update(self._cors_headers(request))
        return web.Response(
            status=upstream.status, body=payload, headers=response_headers
        )
