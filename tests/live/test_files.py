"""Attachments on the local stack: the /s3 proxy, CORS, and files kept on restart."""

from urllib.parse import urlsplit

import pytest
import requests

from tests.support.live import LiveStack

pytestmark = pytest.mark.live

INVOICE = b"%PDF-1.4\n" + "Счёт на коробки\n".encode() * 100
REQUEST_BODY = {
    "amount": "9900.00",
    "category_id": "purchase-of-goods",
    "counterparty": "ООО «Тара»",
    "problem": "Нет коробок",
    "solution": "Купить коробки",
    "pay_by": "2026-12-20",
    "period": "2026-12",
}


def test_invoice_upload_download_and_restart(tmp_path):
    stack = LiveStack(tmp_path / "data", "owner@files.example", "files-password-1")
    stack.data_dir.mkdir()
    stack.start()
    try:
        token = stack.login("owner@files.example", "files-password-1")
        created = stack.api("POST", "/api/finance/requests", token, json=REQUEST_BODY)
        assert created.status_code == 201, created.text
        request_id = created.json()["request"]["id"]

        started = stack.api(
            "POST",
            f"/api/finance/requests/{request_id}/attachments",
            token,
            json={
                "file_name": "Счёт №7.pdf",
                "content_type": "application/pdf",
                "size": len(INVOICE),
            },
        )
        assert started.status_code == 201, started.text
        form = started.json()["upload"]
        assert urlsplit(form["url"]).netloc == f"127.0.0.1:{stack.port}"
        assert urlsplit(form["url"]).path.startswith("/s3/")

        # A page opened at localhost uploads to 127.0.0.1: a CORS request.
        origin = f"http://localhost:{stack.port}"
        uploaded = requests.post(
            form["url"],
            data=form["fields"],
            files={"file": ("invoice.pdf", INVOICE, "application/pdf")},
            headers={"Origin": origin},
            timeout=10,
        )
        assert uploaded.status_code in (200, 201, 204), uploaded.text
        assert uploaded.headers["Access-Control-Allow-Origin"] == origin

        attachment_id = started.json()["attachment"]["attachment_id"]
        base = f"/api/finance/requests/{request_id}/attachments/{attachment_id}"
        completed = stack.api("POST", f"{base}/complete", token)
        assert completed.status_code == 200, completed.text

        link = stack.api("GET", base, token).json()["url"]
        downloaded = requests.get(link, timeout=10)
        assert downloaded.content == INVOICE
        assert "filename*=UTF-8''" in downloaded.headers["Content-Disposition"]
    finally:
        stack.stop()

    assert any((stack.data_dir / "files").rglob(attachment_id))

    stack.start()
    try:
        link = stack.api("GET", base, token).json()["url"]
        assert requests.get(link, timeout=10).content == INVOICE
    finally:
        stack.stop()


def test_proxy_answers_no_cors_to_other_origins(tmp_path):
    stack = LiveStack(tmp_path / "data", "owner@cors.example", "cors-password-1")
    stack.data_dir.mkdir()
    stack.start()
    try:
        answer = requests.options(
            f"{stack.url}/s3/anything",
            headers={"Origin": "http://evil.example"},
            timeout=10,
        )
        assert "Access-Control-Allow-Origin" not in answer.headers
    finally:
        stack.stop()
