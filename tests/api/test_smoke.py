def test_health_answers_ok(api):
    response = api.get("/api/health")
    assert response.status == 200
    assert response.json == {"status": "ok"}


def test_hire_joins_department_channel(company, hire):
    wb = company["positions"]["Wildberries account manager"]
    anna = hire("Анна", wb["id"])
    kinds = sorted(
        c["kind"] for c in anna.client.get("/api/chat/channels").json["channels"]
    )
    assert kinds == ["department", "general", "notifications"]
