"""Helpers that build org structure through the API, for the org tests."""


def create_department(client, name: str, parent_id: str | None = None) -> dict:
    body = {"name": name}
    if parent_id is not None:
        body["parent_id"] = parent_id
    response = client.post("/api/org/departments", body)
    assert response.status == 201, response.body
    return response.json["department"]


def create_position(client, name: str, department_id: str, **fields) -> dict:
    body = {"name": name, "department_id": department_id, **fields}
    response = client.post("/api/org/positions", body)
    assert response.status == 201, response.body
    return response.json["position"]
