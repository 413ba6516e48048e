"""The whole local stack in one process and on one port."""

import asyncio
import importlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiohttp import web

from shtab_local import environment
from shtab_local.dynamodb import EmbeddedDynamoDB, on_write
from shtab_local.files import PROXY_PREFIX, EmbeddedFiles

logger = logging.getLogger("shtab_local")

ROOT = Path(__file__).resolve().parents[1]
# SHTAB_FRONTEND_DIST serves another build, so that parallel builds of the
# frontend do not replace each other's files under a running stack.
FRONTEND_DIST = Path(
    os.environ.get("SHTAB_FRONTEND_DIST") or ROOT / "frontend" / "dist"
)
SNAPSHOT_INTERVAL_SECONDS = 2.0


def content_security_policy(port: int) -> str:
    # Uploads go to the /s3 proxy on 127.0.0.1, which is another origin for a
    # page opened at localhost. The FrontendResponseHeadersPolicy in
    # infra/resources.json sends the same policy on AWS, with S3's domain in
    # place of the loopback origins and with wss: alone, as the page is HTTPS.
    loopback = f"http://127.0.0.1:{port} http://localhost:{port}"
    return (
        f"default-src 'self'; connect-src 'self' {loopback} ws: wss:; "
        f"img-src 'self' data: {loopback}; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def frontend_headers(port: int) -> dict[str, str]:
    """Return the security headers sent with every file of the frontend."""
    return {
        "Content-Security-Policy": content_security_policy(port),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


class LocalStack:
    def __init__(self, port: int, data_dir: Path, persist: bool = True) -> None:
        self.port = port
        self.data_dir = data_dir
        self.persist = persist
        environment.prepare(data_dir, port)
        self.prefix = os.environ["SHTAB_TABLE_PREFIX"]
        snapshot = data_dir / "dynamodb.json" if persist else None
        self.dynamodb = EmbeddedDynamoDB(self.prefix, snapshot)
        self._dirty = threading.Event()
        self._stopping = threading.Event()
        # The error of the last failed save, shown by /api/health until a save
        # succeeds again.
        self.snapshot_error: str | None = None
        self.executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="lambda")

    def start_backend(self) -> None:
        """Start DynamoDB, create tables, import the app and attach the pump."""
        self.dynamodb.start()
        self.dynamodb.create_tables()
        # Command-line tools (the Telegram importer) find the running database here.
        (self.data_dir / "dynamodb-endpoint").write_text(self.dynamodb.endpoint)

        # The app is imported only now, once the endpoint is in the environment.
        self.files = EmbeddedFiles(
            self.dynamodb.endpoint,
            os.environ["SHTAB_FILES_BUCKET"],
            self.data_dir / "files" if self.persist else None,
            self.port,
        )
        restored = self.files.create_bucket()
        if restored:
            logger.info("restored %d files", restored)

        self.app_module = importlib.import_module("app")
        from shtab_local.http_gateway import HttpGateway
        from shtab_local.pump import StreamPump

        self.http = HttpGateway(self.app_module.app)
        self.pump = StreamPump(
            self.dynamodb.endpoint,
            self.app_module.STREAM_REACTIONS,
            self.prefix,
            parked_path=self.data_dir / "parked-records.jsonl",
            on_records=self._dirty.set,
        )
        self.pump.attach()
        self.pump.restore(self.dynamodb.restored_stream_records())
        on_write(self.pump.wake)
        # Every write counts, also those of tables without a stream that the
        # WebSocket handlers and the scheduler make.
        on_write(self._dirty.set)

        from shtab_local.scheduler import Scheduler, scheduled_functions

        # The app's @app.schedule functions, which EventBridge runs on AWS.
        self.scheduler = Scheduler(
            scheduled_functions(self.app_module.app, self.app_module)
        )

    def bootstrap_owner(self) -> None:
        from chalicelib.auth.service import bootstrap_owner

        created = bootstrap_owner(generate=True)
        if created is None:
            return
        owner, generated_password = created
        if generated_password:
            # Printed once: the password is stored only as a hash.
            print(
                f"\n  Owner account: {owner.email}\n  Password: {generated_password}\n"
                "  (shown once; set ADMIN_PASSWORD to choose it)\n",
                flush=True,
            )
        else:
            logger.info("owner account created email=%s", owner.email)

    def _snapshot_loop(self) -> None:
        while not self._stopping.wait(SNAPSHOT_INTERVAL_SECONDS):
            if self._dirty.is_set():
                self._dirty.clear()
                try:
                    self.dynamodb.snapshot(self.pump.unprocessed)
                    self.files.snapshot()
                    self.snapshot_error = None
                except Exception as error:
                    logger.exception("saving data failed; retrying")
                    self.snapshot_error = f"{type(error).__name__}: {error}"
                    self._dirty.set()

    def mark_dirty(self) -> None:
        self._dirty.set()

    async def _api(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = dict(request.headers)
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(
            self.executor,
            self.http.handle,
            request.method,
            request.path_qs,
            headers,
            body or None,
            request.remote,
        )
        # Writes without a stream (sign-in throttles, connections) still count.
        if request.method != "GET":
            self._dirty.set()
        response_headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            response_headers[name] = ", ".join(values)
        # A view that returns a dict sets no Content-Type. API Gateway, and
        # `chalice local` (chalice/local.py), send application/json then,
        # where aiohttp would send application/octet-stream.
        if not any(name.lower() == "content-type" for name in response_headers):
            response_headers["Content-Type"] = "application/json"
        body = result.get("body") or ""
        if result.get("isBase64Encoded"):
            import base64

            payload = base64.b64decode(body)
        else:
            payload = body.encode("utf-8") if isinstance(body, str) else body
        return web.Response(
            status=result.get("statusCode", 200), body=payload, headers=response_headers
        )

    async def _files(self, request: web.Request) -> web.Response:
        response = await self.files.proxy(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self._dirty.set()
        return response

    async def _health(self, request: web.Request) -> web.Response:
        if not self.pump.is_running:
            return web.json_response(
                {"status": "degraded", "stream_pump": "stopped"}, status=503
            )
        if self.snapshot_error is not None:
            return web.json_response(
                {"status": "degraded", "saving_data": self.snapshot_error}, status=503
            )
        response = await self._api(request)
        return response

    async def _frontend(self, request: web.Request) -> web.StreamResponse:
        relative = request.match_info.get("path", "")
        target = (FRONTEND_DIST / relative).resolve()
        headers = frontend_headers(self.port)
        if relative and target.is_file() and FRONTEND_DIST.resolve() in target.parents:
            return web.FileResponse(target, headers=headers)
        index = FRONTEND_DIST / "index.html"
        if not index.exists():
            return web.Response(
                status=503,
                text="The frontend is not built yet: run `make run`, which builds it.",
                headers=headers,
            )
        return web.FileResponse(index, headers=headers)

    def web_app(self) -> web.Application:
        from shtab_local.websocket_gateway import WebSocketGateway

        self.sockets = WebSocketGateway(self.app_module, self.executor)
        application = web.Application(client_max_size=60 * 1024 * 1024)
        application.add_routes(self.sockets.routes())
        application.add_routes(
            [
                web.get("/api/health", self._health),
                # [\s\S] and not ".", so that a path with an encoded newline
                # (%0A) reaches the app and gets its JSON 404, as on API Gateway.
                web.route("*", r"/api/{tail:[\s\S]*}", self._api),
                web.route("*", PROXY_PREFIX + "/{tail:.*}", self._files),
                web.get("/{path:.*}", self._frontend),
            ]
        )
        application.on_shutdown.append(self._on_shutdown)
        return application

    async def _on_shutdown(self, application: web.Application) -> None:
        await self.sockets.close_all()

    def run(self) -> None:
        self.start_backend()
        self.bootstrap_owner()
        self.pump.start()
        self.scheduler.start()
        snapshotter = threading.Thread(target=self._snapshot_loop, daemon=True)
        snapshotter.start()
        logger.info(
            "Shtab is up at http://localhost:%d (data folder %s)",
            self.port,
            self.data_dir.resolve(),
        )
        try:
            web.run_app(
                self.web_app(),
                host="127.0.0.1",
                port=self.port,
                print=None,
                handle_signals=True,
                access_log=None,
            )
        finally:
            self.stop()

    def stop(self) -> None:
        logger.info("stopping: draining streams and saving data")
        self._stopping.set()
        self.scheduler.stop()
        self.pump.stop()
        try:
            self.pump.drain(timeout=5)
        except Exception:
            logger.exception("streams did not drain before stop")
        try:
            if self.persist:
                count = self.dynamodb.snapshot(self.pump.unprocessed)
                logger.info("saved %d items to %s", count, self.dynamodb.snapshot_path)
                count = self.files.snapshot()
                logger.info("saved %d files", count)
        except Exception:
            logger.exception(
                "saving data on stop failed; %s keeps the last good save",
                self.dynamodb.snapshot_path,
            )
        finally:
            (self.data_dir / "dynamodb-endpoint").unlink(missing_ok=True)
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.dynamodb.stop()
            logger.info("stopped")
