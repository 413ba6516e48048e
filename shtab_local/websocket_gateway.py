"""API Gateway's WebSocket side for the local stack.

Frames from browsers become ``$connect``/``$default``/``$disconnect`` events for
the same handlers that run on Lambda, and the Management API endpoint
(``POST /ws-management/@connections/{id}``) lets handlers push back, answering
410 Gone for a connection that has closed, as API Gateway does.
"""

import asyncio
import base64
import logging
import os
import time

from aiohttp import WSMsgType, web

logger = logging.getLogger(__name__)

API_ID = "local"
STAGE = "local"


def _new_connection_id() -> str:
    # API Gateway ids are 12 base64 characters ending in "="; keep that shape.
    return base64.b64encode(os.urandom(9)).decode()[:11] + "="


def _event(
    route_key: str, event_type: str, connection_id: str, host: str, **extra
) -> dict:
    return {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "domainName": host,
            "stage": STAGE,
            "apiId": API_ID,
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
        **extra,
    }


class WebSocketGateway:
    def __init__(self, app_module, executor) -> None:
        self._connect = app_module.websocket_connect
        self._message = app_module.websocket_message
        self._disconnect = app_module.websocket_disconnect
        self._executor = executor
        self._sockets: dict[str, web.WebSocketResponse] = {}

    async def _call(self, handler, event: dict) -> dict:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, handler, event, {})

    async def handle_socket(self, request: web.Request) -> web.StreamResponse:
        connection_id = _new_connection_id()
        host = request.host
        query = dict(request.query)
        connect = await self._call(
            self._connect,
            _event(
                "$connect", "CONNECT", connection_id, host, queryStringParameters=query
            ),
        )
        if (connect or {}).get("statusCode", 200) != 200:
            # API Gateway rejects the upgrade unless $connect returns status 200.
            return web.json_response(
                {
                    "error": {
                        "code": "unauthenticated",
                        "message": "Invalid or missing token.",
                    }
                },
                status=401,
            )

        socket = web.WebSocketResponse(heartbeat=30, max_msg_size=128 * 1024)
        await socket.prepare(request)
        self._sockets[connection_id] = socket
        try:
            async for frame in socket:
                if frame.type == WSMsgType.TEXT:
                    await self._call(
                        self._message,
                        _event(
                            "$default", "MESSAGE", connection_id, host, body=frame.data
                        ),
                    )
                elif frame.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.pop(connection_id, None)
            await self._call(
                self._disconnect,
                _event("$disconnect", "DISCONNECT", connection_id, host),
            )
        return socket

    def _gone(self) -> web.Response:
        return web.json_response(
            {"message": "Gone"},
            status=410,
            headers={"x-amzn-ErrorType": "GoneException"},
        )

    async def post_to_connection(self, request: web.Request) -> web.Response:
        socket = self._sockets.get(request.match_info["connection_id"])
        if socket is None or socket.closed:
            return self._gone()
        data = await request.read()
        try:
            await socket.send_str(data.decode("utf-8"))
        except (ConnectionError, RuntimeError):
            return self._gone()
        return web.Response(status=200)

    async def delete_connection(self, request: web.Request) -> web.Response:
        socket = self._sockets.get(request.match_info["connection_id"])
        if socket is None:
            return self._gone()
        # Closing waits for the client's close frame; the sender need not wait.
        asyncio.create_task(socket.close(code=4001, message=b"closed by server"))
        return web.Response(status=204)

    async def get_connection(self, request: web.Request) -> web.Response:
        if request.match_info["connection_id"] not in self._sockets:
            return self._gone()
        return web.json_response({"connectedAt": None, "identity": {}})

    async def close_all(self) -> None:
        for socket in list(self._sockets.values()):
            await socket.close(code=1001, message=b"server stopping")

    def routes(self) -> list:
        management = "/ws-management/@connections/{connection_id}"
        return [
            web.get("/ws", self.handle_socket),
            web.post(management, self.post_to_connection),
            web.delete(management, self.delete_connection),
            web.get(management, self.get_connection),
        ]
