"""Sign-in, the login throttle, bearer tokens and the owner bootstrap."""

import base64
import json
import logging
import threading
import time
from types import SimpleNamespace

import pytest

from chalicelib.auth import throttle
from chalicelib.auth.service import bootstrap_owner
from chalicelib.auth.tokens import issue_token
from chalicelib.people.models import DIRECTORY, User
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD

WRONG_PASSWORD_MESSAGE = "Wrong email or password."


def login(api, email, password):
    return api.post("/api/auth/login", {"email": email, "password": password})


def owners_in_store() -> list[User]:
    return [
        user for user in User.directory_index.query(DIRECTORY) if user.role == "owner"
    ]


def move_throttle_clock(monkeypatch, seconds: float) -> None:
    """Make the throttle, and only the throttle, see a clock ``seconds`` ahead."""
    later = time.time() + seconds
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: later))


def encode_segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_segment(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Sign-in


def test_login_returns_token_and_user(api, owner):
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert response.status == 200
    assert response.json["token"]
    assert response.json["user"]["id"] == owner.id
    assert response.json["user"]["email"] == OWNER_EMAIL
    assert response.json["user"]["role"] == "owner"


def test_login_response_has_no_password_hash(api, owner):
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert "password_hash" not in response.json["user"]
    assert "password" not in response.json["user"]


def test_login_token_opens_protected_route(api, owner):
    token = login(api, OWNER_EMAIL, OWNER_PASSWORD).json["token"]
    response = api.as_user(token).get("/api/auth/me")
    assert response.status == 200
    assert response.json["user"]["id"] == owner.id


def test_login_wrong_password_401(api, owner):
    response = login(api, OWNER_EMAIL, "not-the-password")
    assert response.status == 401
    assert response.json["error"]["code"] == "unauthenticated"
    assert response.json["error"]["message"] == WRONG_PASSWORD_MESSAGE


def test_login_unknown_email_same_message(api, owner):
    response = login(api, "nobody@example.com", OWNER_PASSWORD)
    assert response.status == 401
    assert response.json["error"]["message"] == WRONG_PASSWORD_MESSAGE


def test_login_email_case_and_spaces_ignored(api, owner):
    response = login(api, "  Owner@EXAMPLE.com \t", OWNER_PASSWORD)
    assert response.status == 200
    assert response.json["user"]["id"] == owner.id


def test_login_password_is_case_sensitive(api, owner):
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD.upper())
    assert response.status == 401


@pytest.mark.parametrize("email", ["   ", "\t\n "])
def test_login_blank_email_400(api, owner, email):
    response = login(api, email, OWNER_PASSWORD)
    assert response.status == 400
    assert response.error_field() == "email"


def test_login_deactivated_user_401(api, owner, hire):
    anna = hire("Анна")
    assert owner.client.delete(f"/api/users/{anna.id}").status == 200
    response = login(api, anna.email, anna.password)
    assert response.status == 401
    assert response.json["error"]["code"] == "unauthenticated"


# Throttle


def test_five_failures_then_429(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        response = login(api, OWNER_EMAIL, f"wrong-{attempt}")
        assert response.status == 401, f"attempt {attempt}"
    response = login(api, OWNER_EMAIL, "wrong-again")
    assert response.status == 429
    assert response.json["error"]["code"] == "too_many_requests"


def test_throttle_reports_retry_after(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    retry_after = login(api, OWNER_EMAIL, "wrong-again").json["error"]["retry_after"]
    assert isinstance(retry_after, int)
    assert 0 < retry_after <= throttle.WINDOW_SECONDS + 1


def test_throttle_refuses_correct_password(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert response.status == 429
    assert "token" not in response.json


def test_throttle_ignores_email_case(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL.upper(), f"wrong-{attempt}")
    response = login(api, f" {OWNER_EMAIL} ", OWNER_PASSWORD)
    assert response.status == 429


def test_throttle_counts_unknown_emails(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        assert login(api, "ghost@example.com", f"wrong-{attempt}").status == 401
    assert login(api, "ghost@example.com", "wrong").status == 429


def test_throttle_is_per_email(api, owner, hire):
    anna = hire("Анна")
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    response = login(api, anna.email, anna.password)
    assert response.status == 200


def test_throttle_lifts_after_window(api, owner, monkeypatch):
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    move_throttle_clock(monkeypatch, throttle.WINDOW_SECONDS + 1)
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert response.status == 200


def test_failure_after_window_starts_new_count(api, owner, monkeypatch):
    for attempt in range(throttle.MAX_FAILURES):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    move_throttle_clock(monkeypatch, throttle.WINDOW_SECONDS + 1)
    assert login(api, OWNER_EMAIL, "wrong-after-window").status == 401
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert response.status == 200


def test_success_clears_failure_count(api, owner):
    for attempt in range(throttle.MAX_FAILURES - 1):
        login(api, OWNER_EMAIL, f"wrong-{attempt}")
    assert login(api, OWNER_EMAIL, OWNER_PASSWORD).status == 200
    for attempt in range(throttle.MAX_FAILURES - 1):
        assert login(api, OWNER_EMAIL, f"wrong-again-{attempt}").status == 401
    response = login(api, OWNER_EMAIL, OWNER_PASSWORD)
    assert response.status == 200


# Tokens on a protected route


def test_me_without_token_401(api, owner):
    response = api.get("/api/auth/me")
    assert response.status == 401
    assert response.json["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer    ",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer ....",
        "Bearer ëç.ñ",
        "Basic b3duZXI6cGFzc3dvcmQ=",
        "token-without-scheme",
    ],
)
def test_me_garbage_token_401(api, owner, header):
    response = api.get("/api/auth/me", headers={"Authorization": header})
    assert response.status == 401
    assert response.json["error"]["code"] == "unauthenticated"


def test_me_expired_token_401(api, owner):
    token = issue_token(owner.id, 0, ttl_seconds=-1)
    response = api.as_user(token).get("/api/auth/me")
    assert response.status == 401


def test_me_token_for_unknown_user_401(api, owner):
    token = issue_token("01HZZZZZZZZZZZZZZZZZZZZZZZ", 0)
    response = api.as_user(token).get("/api/auth/me")
    assert response.status == 401


def test_me_tampered_payload_401(api, owner, hire):
    anna = hire("Анна")
    body, signature = anna.token.split(".")
    claims = json.loads(decode_segment(body))
    claims["sub"] = owner.id
    forged = encode_segment(json.dumps(claims, separators=(",", ":")).encode())
    response = api.as_user(f"{forged}.{signature}").get("/api/auth/me")
    assert response.status == 401


def test_me_tampered_signature_401(api, owner):
    body, signature = owner.token.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    response = api.as_user(f"{body}.{flipped}{signature[1:]}").get("/api/auth/me")
    assert response.status == 401


def test_me_extended_expiry_401(api, owner):
    body, signature = owner.token.split(".")
    claims = json.loads(decode_segment(body))
    claims["exp"] += 10**6
    forged = encode_segment(json.dumps(claims, separators=(",", ":")).encode())
    response = api.as_user(f"{forged}.{signature}").get("/api/auth/me")
    assert response.status == 401


def test_deactivated_user_token_rejected_at_once(api, owner, hire):
    anna = hire("Анна")
    assert anna.client.get("/api/auth/me").status == 200
    assert owner.client.delete(f"/api/users/{anna.id}").status == 200
    response = anna.client.get("/api/auth/me")
    assert response.status == 401


def test_password_change_revokes_older_tokens(api, owner, hire):
    anna = hire("Анна")
    response = owner.client.patch(
        f"/api/users/{anna.id}", {"password": "a-brand-new-password"}
    )
    assert response.status == 200
    assert anna.client.get("/api/auth/me").status == 401


def test_password_change_new_password_works(api, owner, hire):
    anna = hire("Анна")
    owner.client.patch(f"/api/users/{anna.id}", {"password": "a-brand-new-password"})
    assert login(api, anna.email, anna.password).status == 401
    response = login(api, anna.email, "a-brand-new-password")
    assert response.status == 200
    token = response.json["token"]
    assert api.as_user(token).get("/api/auth/me").status == 200


def test_own_password_change_revokes_own_tokens(api, owner, hire):
    anna = hire("Анна")
    earlier_token = login(api, anna.email, anna.password).json["token"]
    response = anna.client.patch(
        f"/api/users/{anna.id}",
        {"password": "my-own-new-password", "current_password": anna.password},
    )
    assert response.status == 200
    assert api.as_user(earlier_token).get("/api/auth/me").status == 401
    # The session goes on with the token the change returned.
    assert api.as_user(response.json["token"]).get("/api/auth/me").status == 200


def test_own_password_change_needs_current_password(api, owner, hire):
    anna = hire("Анна")
    path = f"/api/users/{anna.id}"

    missing = anna.client.patch(path, {"password": "my-own-new-password"})
    wrong = anna.client.patch(
        path, {"password": "my-own-new-password", "current_password": "guess-1234"}
    )
    alone = anna.client.patch(path, {"current_password": anna.password})

    assert missing.status == 400
    assert missing.error_field() == "current_password"
    assert wrong.status == 403
    assert wrong.error_field() == "current_password"
    assert alone.status == 400
    assert alone.error_field() == "current_password"
    assert login(api, anna.email, anna.password).status == 200


def test_current_password_guesses_are_throttled(api, owner, hire):
    anna = hire("Анна")
    path = f"/api/users/{anna.id}"
    body = {"password": "my-own-new-password", "current_password": "guess"}
    for attempt in range(throttle.MAX_FAILURES):
        assert anna.client.patch(path, body).status == 403, attempt

    assert anna.client.patch(path, body).status == 429


def test_name_change_keeps_tokens(api, owner, hire):
    anna = hire("Анна")
    assert (
        owner.client.patch(f"/api/users/{anna.id}", {"name": "Анна К."}).status == 200
    )
    assert anna.client.get("/api/auth/me").status == 200


# Owner bootstrap


def test_bootstrap_owner_creates_owner(api):
    created = bootstrap_owner("First@Example.com ", "first-password-1")
    assert created is not None
    owner, generated = created
    assert owner.role == "owner"
    assert owner.email == "first@example.com"
    assert generated is None
    assert login(api, "first@example.com", "first-password-1").status == 200


def test_bootstrap_owner_generates_password(api, monkeypatch):
    monkeypatch.delenv("ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    owner, generated = bootstrap_owner(generate=True)
    assert generated
    assert login(api, owner.email, generated).status == 200


def test_bootstrap_owner_without_credentials_does_nothing(api, monkeypatch):
    monkeypatch.delenv("ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    assert bootstrap_owner() is None
    assert owners_in_store() == []


def test_bootstrap_owner_on_non_empty_store_does_nothing(api, owner):
    result = bootstrap_owner("second@example.com", "second-password-1")
    assert result is None
    assert [user.user_id for user in owners_in_store()] == [owner.id]
    assert login(api, "second@example.com", "second-password-1").status == 401


def test_bootstrap_owner_race_makes_one_owner(api):
    start = threading.Barrier(2)
    results = []

    def bootstrap(index: int) -> None:
        start.wait()
        results.append(bootstrap_owner(f"owner{index}@example.com", "race-password-1"))

    threads = [threading.Thread(target=bootstrap, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([result for result in results if result is not None]) == 1
    assert len(owners_in_store()) == 1


def test_bootstrap_marker_stops_second_owner(api, monkeypatch):
    # Both cold starts see an empty store, so only the marker can stop the second.
    monkeypatch.setattr("chalicelib.auth.service.store_is_empty", lambda: True)
    first = bootstrap_owner("owner1@example.com", "race-password-1")
    second = bootstrap_owner("owner2@example.com", "race-password-2")
    assert first is not None
    assert second is None
    assert [user.email for user in owners_in_store()] == ["owner1@example.com"]


# Logs


def test_login_logs_no_secrets(api, owner, caplog):
    password = "Distinctive-Pa55word-9431"
    for name in (None, "chalicelib", "shtab"):
        caplog.set_level(logging.DEBUG, logger=name)
    changed = owner.client.patch(
        f"/api/users/{owner.id}",
        {"password": password, "current_password": OWNER_PASSWORD},
    )
    assert changed.status == 200, changed.body

    login(api, OWNER_EMAIL, password + "-wrong")
    token = login(api, OWNER_EMAIL, password).json["token"]
    api.as_user(token).get("/api/auth/me")
    api.as_user(token + "x").get("/api/auth/me")

    assert caplog.records, "no log records were captured"
    for record in caplog.records:
        message = record.getMessage()
        assert password not in message, f"password logged by {record.name}"
        assert token not in message, f"token logged by {record.name}"
    assert password not in caplog.text
    assert token not in caplog.text


def test_first_sign_in_creates_owner_from_environment(api, monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "Founder@Example.com")
    monkeypatch.setenv("ADMIN_PASSWORD", "founder-password-1")

    response = api.post(
        "/api/auth/login",
        {"email": "founder@example.com", "password": "founder-password-1"},
    )

    assert response.status == 200
    assert response.json["user"]["role"] == "owner"


def test_other_email_does_not_bootstrap(api, monkeypatch):
    monkeypatch.setenv("ADMIN_EMAIL", "founder@example.com")
    monkeypatch.setenv("ADMIN_PASSWORD", "founder-password-1")

    response = api.post(
        "/api/auth/login", {"email": "someone@example.com", "password": "whatever-1"}
    )

    assert response.status == 401
    from chalicelib.auth.service import store_is_empty

    assert store_is_empty()
