"""The /s3 proxy passes on only requests that S3 would accept as presigned."""

import time
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.config import Config

from tests.support.live import LiveStack

pytestmark = pytest.mark.live

OWNER_EMAIL = "owner@signatures.example"
OWNER_PASSWORD = "signatures-password-1"
# The local stack's dummy credentials and region (shtab_local/environment.py).
ACCESS_KEY = "local"
SECRET_KEY = "local"
REGION = "eu-central-1"
BUCKET = "shtab-local-files"
INVOICE = b"%PDF-1.4\n" + "Счёт на коробки\n".encode() * 40
FINANCE_REQUEST = {
    "amount": "4200.00",
    "category_id": "purchase-of-goods",
    "counterparty": "ООО «Тара»",
    "problem": "Нет коробок",
    "solution": "Купить коробки",
    "pay_by": "2026-12-20",
    "period": "2026-12",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = LiveStack(tmp_path_factory.mktemp("signatures"), OWNER_EMAIL, OWNER_PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def signer(stack):
    """An S3 client that presigns exactly as the app does on this stack."""
    return boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=f"{stack.url}/s3",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="module")
def stored_invoice(stack):
    """Upload an invoice through the app's flow; return its API path and form."""
    token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    created = stack.api("POST", "/api/finance/requests", token, json=FINANCE_REQUEST)
    assert created.status_code == 201, created.text
    request_id = created.json()["request"]["id"]
    started = stack.api(
        "POST",
        f"/api/finance/requests/{request_id}/attachments",
        token,
        json={
            "file_name": "Счёт.pdf",
            "content_type": "application/pdf",
            "size": len(INVOICE),
        },
    )
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    uploaded = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("invoice.pdf", INVOICE, "application/pdf")},
        timeout=10,
    )
    assert uploaded.status_code == 204, uploaded.text

    attachment_id = started.json()["attachment"]["attachment_id"]
    path = f"/api/finance/requests/{request_id}/attachments/{attachment_id}"
    completed = stack.api("POST", f"{path}/complete", token)
    assert completed.status_code == 200, completed.text
    return {"token": token, "path": path, "form": form}


def download_link(stack, stored_invoice) -> str:
    response = stack.api("GET", stored_invoice["path"], stored_invoice["token"])
    assert response.status_code == 200, response.text
    return response.json()["url"]


def object_key(url: str) -> str:
    return urlsplit(url).path.removeprefix(f"/s3/{BUCKET}/")


def assert_rejected(response: requests.Response, code: str) -> None:
    assert response.status_code == 403, response.text
    assert f"<Code>{code}</Code>" in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_valid_download_returns_bytes(stack, stored_invoice):
    origin = f"http://localhost:{stack.port}"
    response = requests.get(
        download_link(stack, stored_invoice), headers={"Origin": origin}, timeout=10
    )
    assert response.status_code == 200
    assert response.content == INVOICE
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == origin


def test_anonymous_listing_rejected(stack):
    for path in (f"/{BUCKET}", f"/{BUCKET}/", f"/{BUCKET}?list-type=2", "/"):
        listed = requests.get(f"{stack.url}/s3{path}", timeout=10)
        assert listed.status_code == 403, path
        assert "ListBucketResult" not in listed.text
        assert "ListAllMyBucketsResult" not in listed.text


def test_unsigned_read_rejected(stack, stored_invoice):
    link = download_link(stack, stored_invoice)
    unsigned = link.partition("?")[0]
    assert_rejected(requests.get(unsigned, timeout=10), "AccessDenied")


def test_zeroed_signature_rejected(stack, stored_invoice):
    link = download_link(stack, stored_invoice)
    signature = link.rpartition("X-Amz-Signature=")[2]
    zeroed = link.replace(signature, "0" * len(signature))
    response = requests.get(zeroed, timeout=10)
    assert_rejected(response, "SignatureDoesNotMatch")
    assert INVOICE not in response.content


def test_changed_response_type_rejected(stack, stored_invoice):
    # The signed response-content-type keeps a file from being served as HTML.
    link = download_link(stack, stored_invoice)
    changed = link.replace(
        "response-content-type=", "response-content-type=text%2Fhtml&x="
    )
    assert_rejected(requests.get(changed, timeout=10), "SignatureDoesNotMatch")


def test_expired_link_rejected(stack, stored_invoice, signer):
    key = object_key(download_link(stack, stored_invoice))
    link = signer.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=1
    )
    assert requests.get(link, timeout=10).status_code == 200

    time.sleep(2.1)
    assert_rejected(requests.get(link, timeout=10), "AccessDenied")


def test_other_secret_rejected(stack, stored_invoice):
    key = object_key(download_link(stack, stored_invoice))
    forger = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=f"{stack.url}/s3",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key="guessed",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    link = forger.generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": key}
    )
    assert_rejected(requests.get(link, timeout=10), "SignatureDoesNotMatch")


def test_download_link_reused_for_writes(stack, stored_invoice):
    link = download_link(stack, stored_invoice)
    assert_rejected(
        requests.put(link, data=b"<script>1</script>", timeout=10),
        "SignatureDoesNotMatch",
    )
    assert_rejected(requests.delete(link, timeout=10), "AccessDenied")
    assert requests.get(link, timeout=10).content == INVOICE


def test_put_type_must_match_signature(stack, signer):
    link = signer.generate_presigned_url(
        "put_object",
        Params={"Bucket": BUCKET, "Key": "probe/note.txt", "ContentType": "text/plain"},
    )
    assert "content-type" in link.lower()

    html = requests.put(
        link,
        data=b"<script>alert(1)</script>",
        headers={"Content-Type": "text/html"},
        timeout=10,
    )
    assert_rejected(html, "SignatureDoesNotMatch")

    plain = requests.put(
        link, data=b"plain", headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert plain.status_code == 200, plain.text


def test_put_with_unsigned_copy_source_rejected(stack, stored_invoice, signer):
    source = object_key(download_link(stack, stored_invoice))
    link = signer.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "probe/copy.pdf"}
    )
    copied = requests.put(
        link, headers={"x-amz-copy-source": f"{BUCKET}/{source}"}, timeout=10
    )
    assert_rejected(copied, "AccessDenied")


def test_post_form_type_must_match_policy(stack, stored_invoice):
    form = stored_invoice["form"]
    fields = {**form["fields"], "Content-Type": "text/html"}
    response = requests.post(
        form["url"],
        data=fields,
        files={"file": ("x.html", b"<script>1</script>", "text/html")},
        timeout=10,
    )
    assert_rejected(response, "AccessDenied")
    assert "Policy Condition failed" in response.text


def test_post_form_size_must_match_policy(stack, stored_invoice):
    form = stored_invoice["form"]
    response = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("invoice.pdf", INVOICE + b"extra", "application/pdf")},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert "<Code>EntityTooLarge</Code>" in response.text


def test_post_extra_field_rejected(stack, stored_invoice):
    form = stored_invoice["form"]
    fields = {**form["fields"], "success_action_redirect": "http://evil.example/"}
    response = requests.post(
        form["url"],
        data=fields,
        files={"file": ("invoice.pdf", INVOICE, "application/pdf")},
        timeout=10,
    )
    assert_rejected(response, "AccessDenied")
    assert "Extra input fields" in response.text


def test_bulk_delete_post_rejected(stack):
    response = requests.post(
        f"{stack.url}/s3/{BUCKET}?delete",
        data=b"<Delete><Object><Key>x</Key></Object></Delete>",
        timeout=10,
    )
    assert_rejected(response, "AccessDenied")


def test_preflight_still_answered(stack):
    origin = f"http://localhost:{stack.port}"
    response = requests.options(
        f"{stack.url}/s3/{BUCKET}/any",
        headers={"Origin": origin, "Access-Control-Request-Method": "PUT"},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == origin


def test_malformed_form_rejected(stack):
    for body in (b"not a form", b"--x\r\nContent-Disposition: form-data\r\n\r\n"):
        response = requests.post(
            f"{stack.url}/s3/{BUCKET}",
            data=body,
            headers={"Content-Type": "multipart/form-data; boundary=x"},
            timeout=10,
        )
        assert response.status_code in (400, 403), response.text
        assert "<Error><Code>" in response.text
