"""Invoices and receipts: presigned uploads to S3, checks, downloads and history."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest
import requests

from chalicelib.finance.attachments import MAX_ATTACHMENTS

PDF = b"%PDF-1.4\n" + "Счёт № 42 от 01.12.2026\n".encode() * 40


@pytest.fixture
def flow(world, requests_api):
    return requests_api


def start(person, request_id, **overrides):
    body = {"file_name": "Счёт №42.pdf", "content_type": "application/pdf"}
    body["size"] = len(PDF)
    body.update(overrides)
    return person.client.post(f"/api/finance/requests/{request_id}/attachments", body)


def upload(started: dict, content: bytes, content_type="application/pdf") -> int:
    form = started["upload"]
    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", content, content_type)},
        timeout=10,
    )
    return response.status_code


def complete(person, request_id, attachment_id):
    return person.client.post(
        f"/api/finance/requests/{request_id}/attachments/{attachment_id}/complete"
    )


def attach(person, request_id, content=PDF, **overrides) -> dict:
    started = start(person, request_id, size=len(content), **overrides)
    assert started.status == 201, started.body
    assert upload(started.json, content) in (200, 201, 204)
    completed = complete(
        person, request_id, started.json["attachment"]["attachment_id"]
    )
    assert completed.status == 200, completed.body
    return completed.json["attachment"]


def test_upload_completes_and_is_listed(world, flow):
    request = flow.create(world.anna)
    attachment = attach(world.anna, request["id"])
    assert attachment["status"] == "uploaded"
    detail = flow.get(world.anna, request["id"])
    assert [item["file_name"] for item in detail["attachments"]] == ["Счёт №42.pdf"]
    assert detail["attachments"][0]["size"] == len(PDF)


def test_upload_is_in_history(world, flow):
    request = flow.create(world.anna)
    attach(world.anna, request["id"])
    history = flow.get(world.anna, request["id"])["history"]
    assert history[-1]["action"] == "attached"
    assert history[-1]["comment"] == "Счёт №42.pdf"
    assert history[-1]["actor"]["id"] == world.anna.id


def test_download_returns_same_bytes_and_name(world, flow):
    request = flow.create(world.anna)
    attachment = attach(world.anna, request["id"])
    response = world.boris.client.get(
        f"/api/finance/requests/{request['id']}/attachments/"
        f"{attachment['attachment_id']}"
    )
    assert response.status == 200, response.body
    downloaded = requests.get(response.json["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    disposition = downloaded.headers["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Счёт №42.pdf"


def test_upload_url_limits_size_and_type(world, flow):
    request = flow.create(world.anna)
    fields = start(world.anna, request["id"]).json["upload"]["fields"]
    assert fields["Content-Type"] == "application/pdf"
    assert "policy" in fields


def test_complete_before_upload_conflicts(world, flow):
    request = flow.create(world.anna)
    started = start(world.anna, request["id"])
    attachment_id = started.json["attachment"]["attachment_id"]
    response = complete(world.anna, request["id"], attachment_id)
    assert response.status == 409
    assert response.error_field() == "file"


def test_size_other_than_declared_is_rejected(world, flow):
    request = flow.create(world.anna)
    started = start(world.anna, request["id"], size=len(PDF) + 5)
    upload(started.json, PDF)
    attachment_id = started.json["attachment"]["attachment_id"]
    response = complete(world.anna, request["id"], attachment_id)
    assert response.status == 400
    assert response.error_field() == "size"
    # The failed upload gives its slot back and is gone.
    assert flow.get(world.anna, request["id"])["attachments"] == []
    again = complete(world.anna, request["id"], attachment_id)
    assert again.status == 404


def test_failed_checks_do_not_fill_slots(world, flow):
    request = flow.create(world.anna)
    for _ in range(MAX_ATTACHMENTS + 2):
        started = start(world.anna, request["id"], size=len(PDF) + 1)
        assert started.status == 201, started.body
        upload(started.json, PDF)
        attachment_id = started.json["attachment"]["attachment_id"]
        assert complete(world.anna, request["id"], attachment_id).status == 400
    attach(world.anna, request["id"])


def test_reposting_form_cannot_replace_file(world, flow):
    request = flow.create(world.anna)
    started = start(world.anna, request["id"])
    assert upload(started.json, PDF) in (200, 201, 204)
    attachment_id = started.json["attachment"]["attachment_id"]
    assert complete(world.anna, request["id"], attachment_id).status == 200

    forged = PDF.replace(b"42", b"99")
    assert len(forged) == len(PDF)
    upload(started.json, forged)
    response = world.boris.client.get(
        f"/api/finance/requests/{request['id']}/attachments/{attachment_id}"
    )
    downloaded = requests.get(response.json["url"], timeout=10)
    assert downloaded.content == PDF


def test_type_other_than_declared_is_rejected(world, flow):
    request = flow.create(world.anna)
    started = start(world.anna, request["id"], content_type="image/png")
    upload(started.json, PDF, content_type="image/png")
    form = started.json["upload"]
    # A client that changes the form's type is caught when the upload completes.
    changed = dict(form["fields"], **{"Content-Type": "text/html"})
    requests.post(
        form["url"], data=changed, files={"file": ("x", PDF, "text/html")}, timeout=10
    )
    attachment_id = started.json["attachment"]["attachment_id"]
    response = complete(world.anna, request["id"], attachment_id)
    assert response.status == 400
    assert response.error_field() == "content_type"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"content_type": "text/html"}, "content_type"),
        ({"content_type": "application/x-msdownload"}, "content_type"),
        ({"size": 0}, "size"),
        ({"size": 20 * 1024 * 1024 + 1}, "size"),
        ({"size": "100"}, "size"),
        ({"size": 1.5}, "size"),
        ({"file_name": "../../etc/passwd"}, "file_name"),
        ({"file_name": "   "}, "file_name"),
        ({"file_name": "счёт\u202e.pdf"}, "file_name"),
        ({"file_name": "a" * 201 + ".pdf"}, "file_name"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_upload_is_rejected(world, flow, overrides, field):
    request = flow.create(world.anna)
    response = start(world.anna, request["id"], **overrides)
    assert response.status == 400, response.body
    assert response.error_field() == field
    assert flow.get(world.anna, request["id"])["attachments"] == []


def test_missing_size_names_field(world, flow):
    request = flow.create(world.anna)
    response = world.anna.client.post(
        f"/api/finance/requests/{request['id']}/attachments",
        {"file_name": "a.pdf", "content_type": "application/pdf"},
    )
    assert response.status == 400
    assert response.error_field() == "size"


def test_limit_of_files_per_request(world, flow):
    request = flow.create(world.anna)
    for _ in range(MAX_ATTACHMENTS):
        assert start(world.anna, request["id"]).status == 201
    response = start(world.anna, request["id"])
    assert response.status == 409
    assert str(MAX_ATTACHMENTS) in response.json["error"]["message"]


def test_concurrent_uploads_stop_at_limit(world, flow):
    request = flow.create(world.anna)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(
                lambda _: start(world.anna, request["id"]).status,
                range(MAX_ATTACHMENTS + 6),
            )
        )
    assert statuses.count(201) == MAX_ATTACHMENTS
    assert statuses.count(409) == 6


def test_deleting_frees_a_slot(world, flow):
    request = flow.create(world.anna)
    started = [start(world.anna, request["id"]) for _ in range(MAX_ATTACHMENTS)]
    first = started[0].json["attachment"]["attachment_id"]
    deleted = world.anna.client.delete(
        f"/api/finance/requests/{request['id']}/attachments/{first}"
    )
    assert deleted.status == 204
    assert start(world.anna, request["id"]).status == 201


def test_deleting_uploaded_file_is_in_history(world, flow):
    request = flow.create(world.anna)
    attachment = attach(world.anna, request["id"])
    path = f"/api/finance/requests/{request['id']}/attachments/"
    path += attachment["attachment_id"]
    assert world.anna.client.delete(path).status == 204
    detail = flow.get(world.anna, request["id"])
    assert detail["attachments"] == []
    assert detail["history"][-1]["action"] == "detached"
    assert world.anna.client.get(path).status == 404
    assert world.anna.client.delete(path).status == 404


def test_double_complete_returns_same_file(world, flow):
    request = flow.create(world.anna)
    started = start(world.anna, request["id"])
    upload(started.json, PDF)
    attachment_id = started.json["attachment"]["attachment_id"]
    first = complete(world.anna, request["id"], attachment_id)
    second = complete(world.anna, request["id"], attachment_id)
    assert first.status == 200
    assert second.status == 200
    history = flow.get(world.anna, request["id"])["history"]
    assert [entry["action"] for entry in history].count("attached") == 1


def test_others_unfinished_upload_is_hidden(world, flow):
    request = flow.create(world.anna)
    start(world.anna, request["id"])
    assert len(flow.get(world.anna, request["id"])["attachments"]) == 1
    assert flow.get(world.boris, request["id"])["attachments"] == []


def test_download_of_pending_file_conflicts(world, flow):
    request = flow.create(world.anna)
    attachment_id = start(world.anna, request["id"]).json["attachment"]["attachment_id"]
    response = world.anna.client.get(
        f"/api/finance/requests/{request['id']}/attachments/{attachment_id}"
    )
    assert response.status == 409


def test_manager_may_read_but_not_attach(world, flow):
    request = flow.create(world.anna)
    response = start(world.boris, request["id"])
    assert response.status == 403


def test_stranger_sees_nothing(world, flow):
    request = flow.create(world.anna)
    attachment = attach(world.anna, request["id"])
    path = f"/api/finance/requests/{request['id']}/attachments"
    assert world.gleb.client.get(f"{path}/{attachment['attachment_id']}").status == 403
    assert start(world.gleb, request["id"]).status == 403


def test_author_cannot_attach_on_approval(world, flow):
    request = flow.submitted(world.anna)
    response = start(world.anna, request["id"])
    assert response.status == 409
    assert "attach" not in flow.get(world.anna, request["id"])["allowed_actions"]


def test_author_may_attach_after_return(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "return", {"reason": "Приложите счёт"})
    assert "attach" in flow.get(world.anna, request["id"])["allowed_actions"]
    attach(world.anna, request["id"])


def test_finance_attaches_receipt_once_approved(world, flow):
    request = flow.submitted(world.anna)
    flow.act(world.boris, request["id"], "approve")
    approved = flow.act(world.fedor, request["id"], "approve")
    assert approved["status"] == "approved"
    receipt = attach(world.alla, request["id"], file_name="Платёжка.pdf")
    assert receipt["uploaded_by"] == world.alla.id
    assert start(world.anna, request["id"]).status == 409


def test_unknown_request_is_not_found(world):
    response = start(world.anna, "01JAAAAAAAAAAAAAAAAAAAAAAA")
    assert response.status == 404
