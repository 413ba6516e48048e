"""Article images: presigned uploads to S3, shown to readers of their article only."""

import requests

from tests.kb.conftest import put

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def upload_image(person, article_id: str, content: bytes = PNG) -> dict:
    started = person.client.post(
        f"/api/kb/articles/{article_id}/images",
        {
            "file_name": "схема склада.png",
            "content_type": "image/png",
            "size": len(content),
        },
    )
    assert started.status == 201, started.body
    form = started.json["upload"]
    sent = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("upload", content, "image/png")},
        timeout=10,
    )
    assert sent.status_code in (200, 201, 204)
    image_id = started.json["image"]["id"]
    completed = person.client.post(
        f"/api/kb/articles/{article_id}/images/{image_id}/complete"
    )
    assert completed.status == 200, completed.body
    return completed.json["image"]


def test_uploaded_image_renders_with_download_url(world, kb):
    article = kb.create(world.boris, status="published")
    image = upload_image(world.boris, article["id"])
    assert image["markdown"] == (
        f"![схема склада.png](image:{article['id']}/{image['id']})"
    )
    saved = kb.save(world.boris, article, body=f"Схема:\n\n{image['markdown']}")
    found = kb.get(world.anna, saved["id"])
    assert '<img src="http://' in found["html"]
    url = found["html"].split('<img src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    downloaded = requests.get(url, timeout=10)
    assert downloaded.status_code == 200
    assert downloaded.content == PNG


def test_image_of_hidden_article_shows_alt_text(world, kb):
    hidden = kb.create(world.boris, status="published")
    image = upload_image(world.boris, hidden["id"])
    put(
        world.owner,
        f"/api/kb/articles/{hidden['id']}/access",
        {
            "grants": [
                {
                    "to": "position",
                    "position_id": world.positions["head_of_marketplaces"],
                    "level": "read",
                }
            ]
        },
    )
    embedding = kb.create(
        world.boris, status="published", body=f"Чужая картинка: {image['markdown']}"
    )
    for_anna = kb.get(world.anna, embedding["id"])
    assert "<img" not in for_anna["html"]
    assert "схема склада.png" in for_anna["html"]
    for_boris = kb.get(world.boris, embedding["id"])
    assert "<img" in for_boris["html"]


def test_pending_image_is_not_shown(world, kb):
    article = kb.create(world.boris, status="published")
    started = world.boris.client.post(
        f"/api/kb/articles/{article['id']}/images",
        {"file_name": "a.png", "content_type": "image/png", "size": len(PNG)},
    ).json["image"]
    saved = kb.save(world.boris, article, body=started["markdown"])
    assert "<img" not in kb.get(world.boris, saved["id"])["html"]
    response = world.boris.client.get(
        f"/api/kb/articles/{article['id']}/images/{started['id']}"
    )
    assert response.status == 404


def test_image_upload_checks(world, kb):
    article = kb.create(world.boris, status="published")
    base = f"/api/kb/articles/{article['id']}/images"
    cases = [
        (
            {"file_name": "a.pdf", "content_type": "application/pdf", "size": 10},
            "content_type",
        ),
        ({"file_name": "a.png", "content_type": "image/png", "size": 0}, "size"),
        (
            {"file_name": "a/b.png", "content_type": "image/png", "size": 10},
            "file_name",
        ),
        ({"file_name": "a.png", "content_type": "image/png"}, "size"),
    ]
    for body, field in cases:
        response = world.boris.client.post(base, body)
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, (body, response.body)
    reader_try = world.anna.client.post(
        base, {"file_name": "a.png", "content_type": "image/png", "size": 10}
    )
    assert reader_try.status == 403


def test_completing_before_upload_conflicts(world, kb):
    article = kb.create(world.boris)
    started = world.boris.client.post(
        f"/api/kb/articles/{article['id']}/images",
        {"file_name": "a.png", "content_type": "image/png", "size": len(PNG)},
    ).json["image"]
    response = world.boris.client.post(
        f"/api/kb/articles/{article['id']}/images/{started['id']}/complete"
    )
    assert response.status == 409
