"""Chat files: presigned uploads to S3, sending, downloads, previews and limits."""

import base64
import json
from urllib.parse import quote, unquote

import pytest
import requests

from chalicelib.chat.attachment_limits import MAX_ATTACHMENT_BYTES
from chalicelib.chat.connections import add_connection
from chalicelib.chat.websocket import on_message
from tests.support.chat_files import png_bytes
from tests.support.chat_message_ops import (  # noqa: F401 - room_fixture
    handle_of,
    history,
    room_fixture,
)

PDF = b"%PDF-1.4\n" + "Акт сверки за декабрь\n".encode() * 50
PDF_NAME = "Акт сверки «Декабрь» 2026.pdf"


def start(person, channel_id, **overrides):
    body = {"file_name": PDF_NAME, "content_type": "application/pdf", "size": len(PDF)}
    body.update(overrides)
    return person.client.post(f"/api/chat/channels/{channel_id}/attachments", body)


def upload(started: dict, content: bytes, content_type: str) -> None:
    form = started["upload"]
    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", content, content_type)},
        timeout=10,
    )
    assert response.status_code in (200, 201, 204), response.text


def uploaded(person, channel_id, content=PDF, **overrides) -> str:
    """Start an upload, send its bytes and return the attachment id."""
    overrides.setdefault("size", len(content))
    started = start(person, channel_id, **overrides)
    assert started.status == 201, started.body
    content_type = overrides.get("content_type", "application/pdf")
    upload(started.json, content, content_type)
    return started.json["attachment"]["id"]


def send(person, channel_id, attachment_ids, text=""):
    return person.client.post(
        f"/api/chat/channels/{channel_id}/messages",
        {"text": text, "attachment_ids": attachment_ids},
    )


def sent_message(person, channel_id, attachment_ids, text="") -> dict:
    response = send(person, channel_id, attachment_ids, text)
    assert response.status == 201, response.body
    return response.json["message"]


def download(person, attachment_id):
    return person.client.get(f"/api/chat/attachments/{attachment_id}")


def create_channel(person, name: str, member_ids: list[str]) -> str:
    response = person.client.post(
        "/api/chat/channels", {"name": name, "member_ids": member_ids}
    )
    assert response.status == 201, response.body
    return response.json["channel"]["id"]


# Sending and downloading


def test_file_sent_and_listed(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    message = sent_message(room.anna, room.channel_id, [attachment_id], "Акт")

    assert message["text"] == "Акт"
    assert message["files"] == [
        {
            "id": attachment_id,
            "file_name": PDF_NAME,
            "content_type": "application/pdf",
            "size": len(PDF),
            "width": None,
            "height": None,
            "is_image": False,
        }
    ]
    listed = history(room.boris, room.channel_id)[0]
    assert listed["files"] == message["files"]


def test_file_without_text_sent(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    message = sent_message(room.anna, room.channel_id, [attachment_id], "  ")
    assert message["text"] == ""
    assert [file["id"] for file in message["files"]] == [attachment_id]


def test_empty_message_without_files_rejected(room):
    response = send(room.anna, room.channel_id, [], "")
    assert response.status == 400
    assert response.json["error"]["field"] == "text"


def test_download_same_bytes_and_name(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    sent_message(room.anna, room.channel_id, [attachment_id])

    response = download(room.boris, attachment_id)
    assert response.status == 200, response.body
    assert response.json["attachment"]["file_name"] == PDF_NAME
    downloaded = requests.get(response.json["url"], timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["Content-Type"] == "application/pdf"
    disposition = downloaded.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == PDF_NAME


def test_image_measured_and_previewed(room):
    image = png_bytes(37, 21)
    attachment_id = uploaded(
        room.anna,
        room.channel_id,
        content=image,
        file_name="склад.png",
        content_type="image/png",
    )
    message = sent_message(room.anna, room.channel_id, [attachment_id])
    file = message["files"][0]
    assert (file["width"], file["height"]) == (37, 21)
    assert file["is_image"] is True

    preview = room.boris.client.get(f"/api/chat/attachments/{attachment_id}/preview")
    assert preview.status == 200, preview.body
    shown = requests.get(preview.json["url"], timeout=10)
    assert shown.content == image
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline;")


def test_document_has_no_preview(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    sent_message(room.anna, room.channel_id, [attachment_id])
    preview = room.boris.client.get(f"/api/chat/attachments/{attachment_id}/preview")
    assert preview.status == 404
    assert "not an image" in preview.json["error"]["message"]


def test_several_files_in_order(room):
    first = uploaded(room.anna, room.channel_id, file_name="первый.pdf")
    second = uploaded(
        room.anna,
        room.channel_id,
        content=b"a,b\n1,2\n",
        file_name="итоги.csv",
        content_type="text/csv",
    )
    message = sent_message(room.anna, room.channel_id, [first, second])
    assert [file["file_name"] for file in message["files"]] == [
        "первый.pdf",
        "итоги.csv",
    ]


def test_thread_reply_carries_file(room):
    root = sent_message(room.anna, room.channel_id, [], "Вопрос")
    attachment_id = uploaded(room.boris, room.channel_id)
    response = room.boris.client.post(
        f"/api/chat/channels/{room.channel_id}/messages",
        {"text": "Ответ", "thread_id": root["id"], "attachment_ids": [attachment_id]},
    )
    assert response.status == 201, response.body
    assert response.json["message"]["files"][0]["id"] == attachment_id
    assert download(room.anna, attachment_id).status == 200


def test_socket_send_with_file(room, gateway, pump):
    attachment_id = uploaded(room.anna, room.channel_id)
    add_connection("anna-tab", room.anna.id)
    add_connection("boris-tab", room.boris.id)
    frame = {
        "action": "send_message",
        "channel_id": room.channel_id,
        "text": "по сокету",
        "attachment_ids": [attachment_id],
        "request_id": "r1",
    }
    on_message("anna-tab", json.dumps(frame))
    ack = gateway.events("anna-tab", "ack")[0]
    assert ack["message"]["files"][0]["id"] == attachment_id
    pump.drain()

    created = gateway.events("boris-tab", "message.created")[0]["message"]
    assert created["files"][0]["file_name"] == PDF_NAME


def test_socket_send_with_foreign_upload_errors(room, gateway):
    attachment_id = uploaded(room.boris, room.channel_id)
    add_connection("anna-tab", room.anna.id)
    frame = {
        "action": "send_message",
        "channel_id": room.channel_id,
        "text": "чужой файл",
        "attachment_ids": [attachment_id],
        "request_id": "r2",
    }
    on_message("anna-tab", json.dumps(frame))
    error = gateway.events("anna-tab", "error")[0]
    assert error["request_id"] == "r2"
    assert error["error"]["field"] == "attachment_ids.0"


# Who may upload and read


def test_removed_member_gets_403(room, pump):
    attachment_id = uploaded(room.anna, room.channel_id)
    sent_message(room.anna, room.channel_id, [attachment_id])
    assert download(room.boris, attachment_id).status == 200

    removed = room.owner.client.delete(
        f"/api/chat/channels/{room.channel_id}/members/{room.boris.id}"
    )
    assert removed.status in (200, 204), removed.body
    pump.drain()

    assert download(room.boris, attachment_id).status == 403
    preview = room.boris.client.get(f"/api/chat/attachments/{attachment_id}/preview")
    assert preview.status == 403


def test_outsider_cannot_upload_or_read(room):
    assert start(room.outsider, room.channel_id).status == 403
    attachment_id = uploaded(room.anna, room.channel_id)
    sent_message(room.anna, room.channel_id, [attachment_id])
    assert download(room.outsider, attachment_id).status == 403


def test_pending_upload_not_downloadable(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    assert download(room.anna, attachment_id).status == 404


def test_unknown_attachment_404(room):
    assert download(room.anna, "01JUNKNOWNATTACHMENT00000").status == 404


def test_deleted_message_hides_files(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    message = sent_message(room.anna, room.channel_id, [attachment_id], "убрать")

    deleted = room.anna.client.delete(f"/api/chat/messages/{message['id']}")
    assert deleted.status == 200, deleted.body
    assert deleted.json["message"]["files"] == []
    assert history(room.boris, room.channel_id)[0]["files"] == []
    assert download(room.boris, attachment_id).status == 404
    assert download(room.anna, attachment_id).status == 404


# Uploads that a message may not take


def test_upload_of_other_channel_rejected(room):
    other = create_channel(room.anna, "Склад", [room.boris.id])
    attachment_id = uploaded(room.anna, other)
    response = send(room.anna, room.channel_id, [attachment_id], "не туда")
    assert response.status == 400
    assert response.json["error"]["field"] == "attachment_ids.0"
    assert "another channel" in response.json["error"]["message"]


def test_upload_of_other_person_rejected(room):
    attachment_id = uploaded(room.boris, room.channel_id)
    response = send(room.anna, room.channel_id, [attachment_id], "чужой")
    assert response.status == 400
    assert response.json["error"]["field"] == "attachment_ids.0"


def test_upload_sent_once(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    sent_message(room.anna, room.channel_id, [attachment_id])
    again = send(room.anna, room.channel_id, [attachment_id], "ещё раз")
    assert again.status == 409
    assert again.json["error"]["field"] == "attachment_ids.0"


def test_bytes_not_uploaded_rejected(room):
    started = start(room.anna, room.channel_id)
    attachment_id = started.json["attachment"]["id"]
    response = send(room.anna, room.channel_id, [attachment_id], "без файла")
    assert response.status == 409
    assert "not reached storage" in response.json["error"]["message"]


def test_size_mismatch_rejected(room):
    # moto does not enforce the POST policy's exact length, so the send
    # checks the stored size.
    started = start(room.anna, room.channel_id, size=len(PDF) + 10)
    upload(started.json, PDF, "application/pdf")
    attachment_id = started.json["attachment"]["id"]
    response = send(room.anna, room.channel_id, [attachment_id], "размер")
    assert response.status == 400
    assert response.json["error"]["field"] == "attachment_ids.0"
    assert "bytes" in response.json["error"]["message"]


def test_type_mismatch_rejected(room):
    started = start(room.anna, room.channel_id)
    form = started.json["upload"]
    fields = {**form["fields"], "Content-Type": "text/html"}
    requests.post(
        form["url"], data=fields, files={"file": ("x", PDF, "text/html")}, timeout=10
    )
    attachment_id = started.json["attachment"]["id"]
    response = send(room.anna, room.channel_id, [attachment_id], "тип")
    if response.status == 201:
        pytest.fail("a file stored as text/html was sent as a PDF")
    assert response.status in (400, 409)
    assert response.json["error"]["field"] == "attachment_ids.0"


def test_listed_twice_rejected(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    response = send(room.anna, room.channel_id, [attachment_id, attachment_id])
    assert response.status == 400
    assert response.json["error"]["field"] == "attachment_ids"


def test_too_many_files_rejected(room):
    response = send(room.anna, room.channel_id, [f"id{index}" for index in range(11)])
    assert response.status == 400
    assert response.json["error"]["field"] == "attachment_ids"
    assert "at most 10" in response.json["error"]["message"]


def test_failed_send_leaves_upload_usable(room):
    attachment_id = uploaded(room.anna, room.channel_id)
    other = uploaded(room.boris, room.channel_id)
    failed = send(room.anna, room.channel_id, [attachment_id, other])
    assert failed.status == 400
    message = sent_message(room.anna, room.channel_id, [attachment_id])
    assert message["files"][0]["id"] == attachment_id


# Limits on the upload request

BAD_UPLOADS = [
    ({"size": 0}, "size"),
    ({"size": MAX_ATTACHMENT_BYTES + 1}, "size"),
    ({"size": "12"}, "size"),
    ({"content_type": "text/html"}, "content_type"),
    ({"content_type": "image/svg+xml"}, "content_type"),
    ({"content_type": "application/x-msdownload"}, "content_type"),
    ({"content_type": "application/octet-stream"}, "content_type"),
    ({"file_name": "setup.exe"}, "file_name"),
    ({"file_name": "Отчёт.HTML"}, "file_name"),
    ({"file_name": "logo.svg", "content_type": "image/png"}, "file_name"),
    ({"file_name": "run.bat. "}, "file_name"),
    ({"file_name": "../etc/passwd.pdf"}, "file_name"),
    ({"file_name": "   "}, "file_name"),
    ({"file_name": "a" * 201 + ".pdf"}, "file_name"),
    ({"file_name": None}, "file_name"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_UPLOADS)
def test_bad_upload_rejected(room, overrides, field):
    response = start(room.anna, room.channel_id, **overrides)
    assert response.status == 400, response.body
    assert response.json["error"]["field"] == field
    assert field in response.json["error"]["message"]


def test_accepted_types_listed_in_error(room):
    response = start(room.anna, room.channel_id, content_type="text/html")
    message = response.json["error"]["message"]
    for kind in ("PDF", "PNG", "DOCX", "ZIP"):
        assert kind in message


def test_upload_form_limits_size_and_type(room):
    started = start(room.anna, room.channel_id)
    assert started.status == 201, started.body
    form = started.json["upload"]
    assert form["method"] == "POST"
    assert form["fields"]["Content-Type"] == "application/pdf"
    policy = json.loads(base64.b64decode(form["fields"]["policy"]).decode())
    assert ["content-length-range", len(PDF), len(PDF)] in policy["conditions"]


def test_archived_channel_rejects_upload(room, pump):
    archived = room.owner.client.post(f"/api/chat/channels/{room.channel_id}/archive")
    assert archived.status == 200, archived.body
    response = start(room.anna, room.channel_id)
    assert response.status == 409


# Search and mention handles


def test_search_finds_file_name(room, pump):
    attachment_id = uploaded(
        room.anna, room.channel_id, file_name="накладная_поставщика.pdf"
    )
    sent_message(room.anna, room.channel_id, [attachment_id])
    pump.drain()
    response = room.boris.client.get("/api/chat/search?q=накладная")
    assert response.status == 200, response.body
    found = [message["files"][0]["id"] for message in response.json["results"]]
    assert found == [attachment_id]


def test_members_list_has_handles(room):
    response = room.anna.client.get(f"/api/chat/channels/{room.channel_id}/members")
    assert response.status == 200, response.body
    handles = {member["id"]: member["handle"] for member in response.json["members"]}
    assert handles[room.boris.id] == handle_of(room.boris)
    assert handles[room.anna.id] == handle_of(room.anna)
