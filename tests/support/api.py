"""An in-process HTTP client: API Gateway events through Chalice's local gateway."""

import json
from dataclasses import dataclass

from shtab_local.http_gateway import HttpGateway


@dataclass
class ApiResponse:
    status: int
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def error_field(self) -> str | None:
        return (self.json or {}).get("error", {}).get("field")


class ApiClient:
    def __init__(self, gateway: HttpGateway, token: str | None = None) -> None:
        self._gateway = gateway
        self.token = token

    def as_user(self, token: str) -> "ApiClient":
        return ApiClient(self._gateway, token)

    def request(
        self,
        method: str,
        path: str,
        body=None,
        *,
        raw: bytes | None = None,
        headers: dict | None = None,
    ) -> ApiResponse:
        request_headers = {"Content-Type": "application/json"}
        if self.token:
            request_headers["Authorization"] = f"Bearer {self.token}"
        request_headers.update(headers or {})
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
        result = self._gateway.handle(method, path, request_headers, payload)
        text = result.get("body") or ""
        return ApiResponse(
            status=result["statusCode"],
            headers=result.get("headers") or {},
            body=text.encode() if isinstance(text, str) else text,
        )

    def get(self, path: str, **kwargs) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> ApiResponse:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs) -> ApiResponse:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)
