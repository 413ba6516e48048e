"""Every import route against hostile files: zip bombs and slips, deep or huge
JSON, wrong encodings, files that are not what their format says, 50 MB bodies.

Each case must get a 4xx whose error names the field and gives the fix, and
must leave the seeded chat messages, tasks and articles as they were. A route
that queues a job checks the whole file first, so a hostile file never becomes
a job. The job tests at the end swap the stored file after the check, as a
change in storage would, and expect the job to fail with a reason while the
stream reaction goes on.
"""

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from chalicelib.chat.gateway import use_gateway
from chalicelib.files import storage
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient, ApiResponse
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, reset_backends
from tests.support.hostile_files import (
    GIB,
    MIB,
    bzip2_bomb,
    deep_json,
    deep_object,
    deflate_bomb,
    empty_objects,
    encrypted_zip,
    lying_size_zip,
    zip_of,
)

OCTET_STREAM = "application/octet-stream"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Verbs of the advice every error must give, in the imperative.
ADVICE = re.compile(
    r"\b(upload|save|export|split|pack|send|check|unpack|use|remove|shorten|name)\b"
)

SLACK_USERS = json.dumps([{"id": "U1", "name": "anna", "real_name": "Anna"}])
SLACK_CHANNELS = json.dumps([{"id": "C1", "name": "general", "members": ["U1"]}])
SLACK_DAY = json.dumps([{"type": "message", "user": "U1", "text": "hi", "ts": "1.0"}])
SLACK_LISTS = {"users.json": SLACK_USERS, "channels.json": SLACK_CHANNELS}
TELEGRAM_EXPORT = json.dumps(
    {
        "name": "Склад",
        "type": "private_group",
        "id": 42,
        "messages": [
            {
                "id": 1,
                "type": "message",
                "date": "2024-03-01T10:00:00",
                "from": "Анна",
                "text": "Поставка пришла",
            }
        ],
    },
    ensure_ascii=False,
)
TRELLO_BOARD = json.dumps(
    {
        "lists": [{"id": "L1", "name": "Сделать"}],
        "cards": [{"id": "K1", "name": "Проверить поставку", "idList": "L1"}],
    },
    ensure_ascii=False,
)
CSV_FILE = "Название;Статус\nПроверить поставку;Готово\n"
MARKDOWN = "# Приёмка\n\nПроверьте короба.\n"


@dataclass
class World:
    owner_client: ApiClient
    pump: StreamPump
    channel_id: str
    section_id: str


@pytest.fixture(scope="module")
def world(database, http_gateway):
    """Seed one owner, a channel with messages, a task and an article."""
    import app as app_module
    from chalicelib.auth.service import bootstrap_owner

    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    use_gateway(FakeGateway())
    api = ApiClient(http_gateway)
    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    login = api.post(
        "/api/auth/login", {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
    )
    assert login.status == 200, login.body
    owner = api.as_user(login.json["token"])
    owner_id = login.json["user"]["id"]

    channel = owner.post("/api/chat/channels", {"name": "склад"})
    assert channel.status == 201, channel.body
    channel_id = channel.json["channel"]["id"]
    for text in ("Поставка пришла", "Короба проверены"):
        posted = owner.post(f"/api/chat/channels/{channel_id}/messages", {"text": text})
        assert posted.status == 201, posted.body
    task = owner.post(
        "/api/tasks", {"title": "Проверить поставку", "assignee_id": owner_id}
    )
    assert task.status == 201, task.body
    section = owner.post("/api/kb/sections", {"name": "Склад"})
    assert section.status == 201, section.body
    section_id = section.json["section"]["id"]
    article = owner.post(
        "/api/kb/articles",
        {"section_id": section_id, "title": "Приёмка", "body": "Шаги приёмки."},
    )
    assert article.status == 201, article.body
    pump.drain()

    yield World(owner, pump, channel_id, section_id)
    use_gateway(None)


def snapshot(world: World) -> dict:
    """Return the data an import could change, as the owner sees it."""
    client = world.owner_client
    channels = client.get("/api/chat/channels").json["channels"]
    messages = client.get(f"/api/chat/channels/{world.channel_id}/messages").json
    tasks = client.get("/api/tasks?creator=me").json["tasks"]
    section = client.get(f"/api/kb/sections/{world.section_id}").json
    placeholders = client.get("/api/tasks/import/placeholders").json
    return {
        "channels": sorted((item["id"], item["name"]) for item in channels),
        "messages": [(item["id"], item["text"]) for item in messages["messages"]],
        "tasks": sorted((item["id"], item["title"]) for item in tasks),
        "articles": sorted((item["id"], item["title"]) for item in section["articles"]),
        "placeholders": placeholders["placeholders"],
    }


@dataclass(frozen=True)
class Route:
    name: str
    # "{channel}" and "{section}" stand for the seeded channel and section.
    path: str
    content_type: str
    family: str


ROUTES = [
    Route(
        "telegram_channel",
        "/api/chat/channels/{channel}/import/telegram",
        OCTET_STREAM,
        "telegram",
    ),
    Route("telegram_job", "/api/chat/import/telegram", OCTET_STREAM, "telegram"),
    Route("slack_job", "/api/chat/import/slack", ZIP, "slack"),
    Route(
        "trello_preview",
        "/api/tasks/import/preview?format=trello",
        OCTET_STREAM,
        "trello",
    ),
    Route("trello_import", "/api/tasks/import?format=trello", OCTET_STREAM, "trello"),
    Route("trello_job", "/api/tasks/import/trello", OCTET_STREAM, "trello"),
    Route("csv_preview", "/api/tasks/import/preview?format=csv", OCTET_STREAM, "csv"),
    Route("csv_import", "/api/tasks/import?format=csv", OCTET_STREAM, "csv"),
    Route("csv_job", "/api/tasks/import/csv", OCTET_STREAM, "csv"),
    Route(
        "kb_markdown",
        "/api/kb/sections/{section}/import?format=markdown",
        OCTET_STREAM,
        "text",
    ),
    Route(
        "kb_html", "/api/kb/sections/{section}/import?format=html", OCTET_STREAM, "html"
    ),
    Route("kb_docx", "/api/kb/sections/{section}/import?format=docx", DOCX, "docx"),
    Route(
        "kb_job_markdown",
        "/api/kb/import?section_id={section}&format=markdown",
        OCTET_STREAM,
        "text",
    ),
    Route(
        "kb_job_docx", "/api/kb/import?section_id={section}&format=docx", DOCX, "docx"
    ),
    Route(
        "kb_job_zip", "/api/kb/import?section_id={section}&format=zip", ZIP, "kb_zip"
    ),
]
ROUTES_BY_NAME = {route.name: route for route in ROUTES}


def send(world: World, route: Route, data: bytes) -> ApiResponse:
    path = route.path.format(channel=world.channel_id, section=world.section_id)
    return world.owner_client.request(
        "POST", path, raw=data, headers={"Content-Type": route.content_type}
    )


def assert_clear_error(response: ApiResponse, statuses=(400, 413)) -> None:
    assert response.status in statuses, (response.status, response.body[:500])
    error = response.json["error"]
    assert error.get("field"), error
    message = error["message"]
    assert len(message) < 2000, message[:300]
    assert ADVICE.search(message.lower()), message


# The archive entry each zip family reads, and the entries it needs besides.
ZIP_TARGETS = {
    "slack": ("general/2024-03-01.json", SLACK_LISTS),
    "kb_zip": ("guide.md", {}),
    "docx": ("word/document.xml", {"[Content_Types].xml": "<Types/>"}),
}


def _zip_slip(name: str) -> Callable[[str], bytes]:
    def build(family: str) -> bytes:
        target, extra = ZIP_TARGETS[family]
        return zip_of({**extra, target: "[]", name: "[]"})

    return build


@functools.cache
def _many_entries(family: str) -> bytes:
    target, extra = ZIP_TARGETS[family]
    entries = {f"general/{number}.json": "" for number in range(25_000)}
    return zip_of({**extra, target: "[]", **entries}, method=0)


@functools.cache
def _truncated(family: str) -> bytes:
    target, extra = ZIP_TARGETS[family]
    whole = zip_of({**extra, target: "[" + "1," * 50_000 + "1]"})
    return whole[: len(whole) // 2]


def _zip_case(builder: Callable[[str, dict], bytes]) -> Callable[[str], bytes]:
    def build(family: str) -> bytes:
        target, extra = ZIP_TARGETS[family]
        return builder(target, extra)

    return build


ZIP_CASES = {
    "slip_parent": _zip_slip("../../etc/cron.d/evil"),
    "slip_absolute": _zip_slip("/etc/passwd"),
    "slip_backslash": _zip_slip("..\\..\\evil.json"),
    "slip_drive": _zip_slip("C:/Windows/evil.json"),
    "bomb_1_gib": _zip_case(lambda target, extra: deflate_bomb(target, GIB, extra)),
    "bomb_ratio_3_mib": _zip_case(
        lambda target, extra: deflate_bomb(target, 3 * MIB, extra)
    ),
    "lying_size": _zip_case(
        lambda target, extra: lying_size_zip(target, 20 * MIB, extra)
    ),
    "bzip2_bomb": _zip_case(
        lambda target, extra: bzip2_bomb(target, 2 * MIB, tuple(extra.items()))
    ),
    "encrypted": _zip_case(lambda target, extra: encrypted_zip(target, b"[]", extra)),
    "too_many_entries": _many_entries,
    "truncated": _truncated,
    "not_a_zip": lambda family: b"PK\x03\x04 this is not a zip archive",
    "json_named_zip": lambda family: TELEGRAM_EXPORT.encode(),
}
ZIP_ROUTES = ["slack_job", "kb_docx", "kb_job_docx", "kb_job_zip"]


@pytest.mark.parametrize("case", sorted(ZIP_CASES))
@pytest.mark.parametrize("route_name", ZIP_ROUTES)
def test_hostile_zip_rejected(world, route_name, case):
    route = ROUTES_BY_NAME[route_name]
    data = ZIP_CASES[case](route.family)
    before = snapshot(world)

    response = send(world, route, data)
    world.pump.drain()

    assert_clear_error(response)
    assert world.pump.parked == []
    assert snapshot(world) == before


JSON_CASES = {
    "deep_array_100k": lambda family: deep_json(100_000),
    "deep_object_100k": lambda family: deep_object(100_000),
    "deep_in_valid_export": lambda family: _deep_inside(family),
    # 4.5 MB of "{}" parses to about 110 MB, under both routes' size limits.
    "empty_objects_4_mb": lambda family: empty_objects(4 * MIB + MIB // 2),
    "huge_integer": lambda family: b'{"messages": [{"id": ' + b"9" * 5000 + b"}]}",
    "utf16_with_bom": lambda family: _valid(family).encode("utf-16"),
    "utf16_without_bom": lambda family: _valid(family).encode("utf-16-le"),
    "cp1251": lambda family: _valid(family).encode("cp1251"),
    "invalid_utf8": lambda family: b'{"name": "\xff\xfe\xfa", "messages": []}',
    "binary": lambda family: bytes(range(256)) * 4096,
    "zip_sent_as_json": lambda family: zip_of({"result.json": _valid(family)}),
    "html_sent_as_json": lambda family: b"<html><body><script>x</script></body></html>",
    "empty": lambda family: b"",
}
JSON_ROUTES = [
    "telegram_channel",
    "telegram_job",
    "trello_preview",
    "trello_import",
    "trello_job",
]


def _valid(family: str) -> str:
    return TELEGRAM_EXPORT if family == "telegram" else TRELLO_BOARD


def _deep_inside(family: str) -> bytes:
    """Return a valid export with 900 nested arrays in one field of one record."""
    document = json.loads(_valid(family))
    deep = "[" * 900 + "]" * 900
    key = "messages" if family == "telegram" else "cards"
    text = json.dumps(document, ensure_ascii=False)
    marker = f'"{key}": ['
    return text.replace(marker, marker + deep + ", ", 1).encode()


@pytest.mark.parametrize("case", sorted(JSON_CASES))
@pytest.mark.parametrize("route_name", JSON_ROUTES)
def test_hostile_json_rejected(world, route_name, case):
    route = ROUTES_BY_NAME[route_name]
    data = JSON_CASES[case](route.family)
    before = snapshot(world)

    response = send(world, route, data)
    world.pump.drain()

    assert_clear_error(response)
    assert world.pump.parked == []
    assert snapshot(world) == before


def test_many_objects_stop_before_parsing(world):
    # 7 MB of "{}" would take about 170 MB once parsed; the brackets are
    # counted first.
    route = ROUTES_BY_NAME["telegram_job"]
    before = snapshot(world)

    response = send(world, route, empty_objects(7 * MIB))

    assert_clear_error(response)
    assert "brackets" in response.json["error"]["message"]
    assert snapshot(world) == before


CSV_CASES = {
    "utf16_without_bom": "Title,Status\nA,Done\n".encode("utf-16-le"),
    "utf16_with_bom_not_csv": TRELLO_BOARD.encode("utf-16"),
    "undefined_cp1251_byte": b"Title\n\x98\x98\x98\n",
    "binary": bytes(range(256)) * 4096,
    "huge_field": b'Title\n"' + b"a" * 200_000 + b'"\n',
    "deep_json": deep_json(100_000),
    "zip": zip_of({"tasks.csv": CSV_FILE}),
    "no_header": b"1,2,3\n4,5,6\n",
    "only_bom": b"\xef\xbb\xbf",
}


@pytest.mark.parametrize("case", sorted(CSV_CASES))
@pytest.mark.parametrize("route_name", ["csv_preview", "csv_import", "csv_job"])
def test_hostile_csv_rejected(world, route_name, case):
    before = snapshot(world)

    response = send(world, ROUTES_BY_NAME[route_name], CSV_CASES[case])
    world.pump.drain()

    assert_clear_error(response)
    assert snapshot(world) == before


def test_utf16_error_names_the_encoding(world):
    for route_name, data in (
        ("csv_preview", CSV_CASES["utf16_without_bom"]),
        ("trello_preview", TRELLO_BOARD.encode("utf-16-le")),
        ("telegram_job", TELEGRAM_EXPORT.encode("utf-16")),
        ("kb_markdown", MARKDOWN.encode("utf-16-le")),
    ):
        response = send(world, ROUTES_BY_NAME[route_name], data)
        assert response.status == 400, (route_name, response.body)
        assert "UTF-16" in response.json["error"]["message"], route_name


def test_cp1251_csv_is_read(world):
    response = send(world, ROUTES_BY_NAME["csv_preview"], CSV_FILE.encode("cp1251"))

    assert response.status == 200, response.body
    names = [column["name"] for column in response.json["columns"]]
    assert names == ["Название", "Статус"]


TEXT_CASES = {
    "utf16_without_bom": MARKDOWN.encode("utf-16-le"),
    "invalid_utf8": b"# \xd0\xd0\xff\xfe\n",
    "binary": bytes(range(256)) * 4096,
    "empty": b"",
    "only_spaces": b"   \n\t ",
    "unknown_charset": b'<meta charset="x-klingon"><h1>T</h1>',
}


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
@pytest.mark.parametrize("route_name", ["kb_markdown", "kb_html", "kb_job_markdown"])
def test_hostile_text_rejected(world, route_name, case):
    before = snapshot(world)

    response = send(world, ROUTES_BY_NAME[route_name], TEXT_CASES[case])
    world.pump.drain()

    assert_clear_error(response)
    assert snapshot(world) == before


DOCX_CASES = {
    "entity_expansion": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><w:document>&lol2;</w:document>'
    ),
    "external_entity": (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<w:document>&x;</w:document>"
    ),
    "deep_xml": b"<a>" * 150 + b"</a>" * 150,
    "not_xml": b"\x00\x01\x02 not xml",
    "no_body": b'<w:document xmlns:w="urn:x"/>',
}


@pytest.mark.parametrize("case", sorted(DOCX_CASES))
@pytest.mark.parametrize("route_name", ["kb_docx", "kb_job_docx"])
def test_hostile_docx_rejected(world, route_name, case):
    data = zip_of(
        {"[Content_Types].xml": "<Types/>", "word/document.xml": DOCX_CASES[case]}
    )
    before = snapshot(world)

    response = send(world, ROUTES_BY_NAME[route_name], data)
    world.pump.drain()

    assert_clear_error(response)
    assert snapshot(world) == before


def test_docx_in_zip_checked_too(world):
    inner = deflate_bomb("word/document.xml", 3 * MIB)
    data = zip_of({"guide.docx": inner})
    before = snapshot(world)

    response = send(world, ROUTES_BY_NAME["kb_job_zip"], data)

    assert_clear_error(response)
    assert response.json["error"]["message"].startswith("guide.docx:")
    assert snapshot(world) == before


def test_deep_html_rejected(world):
    before = snapshot(world)

    response = send(world, ROUTES_BY_NAME["kb_html"], b"<div>" * 100_000 + b"x")

    assert_clear_error(response)
    assert snapshot(world) == before


def test_html_scripts_dropped(world):
    html = (
        b"<h1>Scripted</h1><script>alert(1)</script>"
        b'<p onclick="steal()">Text<img src=x onerror=alert(2)></p>'
        b'<a href="javascript:alert(3)">link</a><iframe src="https://evil"></iframe>'
        b"<style>p{}</style><svg><script>alert(4)</script></svg>"
    )

    response = send(world, ROUTES_BY_NAME["kb_html"], html)

    assert response.status == 201, response.body
    body = response.json["article"]["body"]
    for marker in ("alert", "script", "onclick", "onerror", "javascript", "iframe"):
        assert marker not in body, marker
    assert "Text" in body


@pytest.fixture(scope="module")
def fifty_megabytes(tmp_path_factory) -> bytes:
    """Return 50 MB of JSON whitespace around an empty object, built on disk."""
    path = tmp_path_factory.mktemp("hostile") / "fifty.json"
    with path.open("wb") as file:
        file.write(b"{")
        for _ in range(50):
            file.write(b" " * MIB)
        file.write(b"}")
    return path.read_bytes()


def test_fifty_megabytes_rejected_everywhere(world, fifty_megabytes):
    before = snapshot(world)

    for route in ROUTES:
        response = send(world, route, fifty_megabytes)
        assert response.status == 413, (route.name, response.body[:300])
        assert response.json["error"]["field"] == "file", route.name

    world.pump.drain()
    assert world.pump.parked == []
    assert snapshot(world) == before


# Jobs whose stored file is swapped for a hostile one after the route checked it.
JOB_SWAPS = {
    "slack_job": (
        zip_of({**SLACK_LISTS, "general/2024-03-01.json": SLACK_DAY}),
        lambda: bzip2_bomb(
            "general/2024-03-01.json", 8 * MIB, tuple(SLACK_LISTS.items())
        ),
    ),
    "telegram_job": (TELEGRAM_EXPORT.encode(), lambda: deep_json(100_000)),
    "trello_job": (TRELLO_BOARD.encode(), lambda: deep_object(100_000)),
    "csv_job": (CSV_FILE.encode(), lambda: "Title\n".encode("utf-16-le") * 10),
    "kb_job_zip": (
        zip_of({"guide.md": MARKDOWN}),
        lambda: deflate_bomb("guide.md", GIB),
    ),
}


@pytest.mark.parametrize("route_name", sorted(JOB_SWAPS))
def test_job_with_swapped_file_fails(world, route_name):
    valid, hostile = JOB_SWAPS[route_name]
    before = snapshot(world)
    started = send(world, ROUTES_BY_NAME[route_name], valid)
    assert started.status == 202, started.body
    job_id = started.json["id"]
    storage.put_object(f"imports/{job_id}/export", hostile(), OCTET_STREAM)

    world.pump.drain()

    job = world.owner_client.get(f"/api/imports/{job_id}").json
    assert job["status"] == "failed", job
    assert job["error"], job
    assert world.pump.parked == []
    assert snapshot(world) == before


def test_snapshot_sees_writes(world):
    # The comparison above must be able to fail: a valid file changes it.
    before = snapshot(world)

    imported = send(world, ROUTES_BY_NAME["kb_markdown"], MARKDOWN.encode())

    assert imported.status == 201, imported.body
    after = snapshot(world)
    assert after["articles"] != before["articles"]
