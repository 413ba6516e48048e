import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib.chat import telegram_export
from chalicelib.chat.telegram_export import (
    MAX_EXPORT_BYTES,
    ImportedMessage,
    ParsedExport,
    TelegramExportError,
    iter_messages,
    parse_export,
)

# Real Telegram Desktop exports from other open-source projects, read unchanged.
# Source: la-ninpre/tg2md, tests/result.json @ 856df0e (BSD-3-Clause).
CHANNEL_2021 = "private-channel-2021.json"
# Source: la-ninpre/tg2md, tests/result.json @ 767dc7f (BSD-3-Clause).
CHANNEL_2020 = "private-channel-2020-integer-ids.json"
# Source: DomaCKBO3H9K/chatstyle, tests/fixtures/result.json @ b67bf6d (MIT).
PERSONAL_CHAT = "personal-chat-ru.json"


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"


def load_real_export(name: str) -> ParsedExport:
    return parse_export((FIXTURES / name).read_bytes())


@pytest.fixture(scope="module")
def channel_2021() -> ParsedExport:
    return load_real_export(CHANNEL_2021)


@pytest.fixture(scope="module")
def channel_2020() -> ParsedExport:
    return load_real_export(CHANNEL_2020)


@pytest.fixture(scope="module")
def personal_chat() -> ParsedExport:
    return load_real_export(PERSONAL_CHAT)


def message_by_id(export: ParsedExport, source_id: str) -> ImportedMessage:
    matches = [message for message in export.messages if message.source_id == source_id]
    assert len(matches) == 1, f"expected one message with id {source_id}"
    return matches[0]


def make_message(message_id=1, omit=(), **fields) -> dict:
    message = {
        "id": message_id,
        "type": "message",
        "date": "2024-03-01T10:00:00",
        "from": "Anna",
        "from_id": "user1",
        "text": "",
    }
    message.update(fields)
    for key in omit:
        del message[key]
    return message


def make_export(*messages) -> str:
    chat = {"name": "Shop", "type": "personal_chat", "id": 5, "messages": messages}
    return json.dumps(chat, ensure_ascii=False)


def parse_one(**fields) -> ImportedMessage:
    return parse_export(make_export(make_message(**fields))).messages[0]


def raise_error(data) -> TelegramExportError:
    with pytest.raises(TelegramExportError) as caught:
        parse_export(data)
    return caught.value


# Real exports


@pytest.mark.parametrize(
    ("name", "message_count", "service_count"),
    [(CHANNEL_2021, 19, 1), (CHANNEL_2020, 13, 1), (PERSONAL_CHAT, 12, 1)],
)
def test_real_export_counts(name, message_count, service_count):
    export = load_real_export(name)
    kinds = [message.kind for message in export.messages]
    assert len(export.messages) == message_count
    assert kinds.count("service") == service_count
    assert kinds.count("message") == message_count - service_count
    assert export.skipped == 0


def test_real_export_chat_fields(personal_chat):
    assert personal_chat.chat_name == "Борис"
    assert personal_chat.chat_type == "personal_chat"
    assert personal_chat.chat_source_id == "222"


def test_real_export_keeps_id_order(channel_2021):
    ids = [int(message.source_id) for message in channel_2021.messages]
    assert ids == sorted(ids)
    assert ids[-5:] == [22, 23, 24, 25, 26]


def test_integer_ids_become_strings(channel_2020):
    first = channel_2020.messages[0]
    second = channel_2020.messages[1]
    assert first.source_id == "1"
    assert first.author_source_id == "9882011936"
    assert second.author_source_id == "9882011936"
    assert channel_2020.chat_source_id == "9882011936"


def test_string_peer_ids_kept(channel_2021):
    assert channel_2021.messages[1].author_source_id == "channel1292077344"


def test_both_channel_exports_same_text(channel_2020, channel_2021):
    texts_2020 = [message.text for message in channel_2020.messages]
    texts_2021 = [message.text for message in channel_2021.messages[:13]]
    assert texts_2020 == texts_2021


def test_album_keeps_three_messages(channel_2021):
    album = [message_by_id(channel_2021, source_id) for source_id in ("23", "24", "25")]
    sent_times = {message.sent_at for message in album}
    assert len(album) == 3
    assert sent_times == {datetime(2021, 7, 14, 18, 52, 46, tzinfo=UTC)}
    assert album[0].text == "multiple photos\n[photo: photo_3@14-07-2021_18-52-46.jpg]"
    assert album[1].text == "[photo: photo_3@14-07-2021_18-52-46.jpg]"
    for message in album:
        assert message.attachments == ("photo_3@14-07-2021_18-52-46.jpg",)


@pytest.mark.parametrize(
    ("name", "source_id", "expected"),
    [
        (
            CHANNEL_2021,
            "14",
            "text link (http://example.com/)\n\nexample.com\n\nexample@example.com",
        ),
        (
            CHANNEL_2021,
            "5",
            "italic\n\nbold\n\nunderline\n\nstrikethrough\n\nmonospace",
        ),
        (
            CHANNEL_2020,
            "10",
            (
                "bold in text\nbold below\n\nnormal text\n\n"
                "bold with one line gap\nnormal text"
            ),
        ),
        (
            CHANNEL_2020,
            "13",
            "monospace with one baktick\n\nmultiline\nmonospace",
        ),
        (PERSONAL_CHAT, "3", "смотри https://example.com/a круто"),
        (PERSONAL_CHAT, "4", "ну реально норм, @boris_k глянь"),
    ],
)
def test_entity_text_flattened(name, source_id, expected):
    export = load_real_export(name)
    assert message_by_id(export, source_id).text == expected


def test_date_without_offset_read_as_utc(channel_2021):
    message = message_by_id(channel_2021, "2")
    assert message.sent_at == datetime(2020, 11, 12, 12, 54, 7, tzinfo=UTC)
    assert message.sent_at.tzinfo is UTC


def test_unixtime_date_used(personal_chat):
    message = message_by_id(personal_chat, "1")
    assert message.sent_at == datetime.fromtimestamp(1682942460, tz=UTC)


def test_edited_time_read(channel_2021):
    message = message_by_id(channel_2021, "22")
    assert message.edited_at == datetime(2021, 7, 14, 18, 40, 24, tzinfo=UTC)


def test_unedited_message_has_no_edit_time(channel_2021):
    assert message_by_id(channel_2021, "21").edited_at is None


def test_forwarded_message(personal_chat):
    message = message_by_id(personal_chat, "7")
    assert message.forwarded_from == "Какой-то канал"
    assert message.text == "это чужое сообщение переслано"


def test_not_forwarded_message(personal_chat):
    assert message_by_id(personal_chat, "5").forwarded_from is None


def test_sticker_emoji_in_text(personal_chat):
    message = message_by_id(personal_chat, "8")
    assert message.text == "[sticker 😀]"
    assert message.attachments == ()


def test_photo_not_included(personal_chat):
    message = message_by_id(personal_chat, "9")
    assert message.text == "короче вот фотка\n[photo: not included]"
    assert message.attachments == ()


def test_pinned_message_service_line(personal_chat):
    message = message_by_id(personal_chat, "6")
    assert message.kind == "service"
    assert message.text == "pin_message: 3"
    assert message.author_name == "Борис"
    assert message.author_source_id == "user222"


def test_create_channel_service_line(channel_2021):
    message = message_by_id(channel_2021, "1")
    assert message.kind == "service"
    assert message.text == "create_channel: test"
    assert message.author_name == "test"


def test_empty_text_kept(personal_chat):
    message = message_by_id(personal_chat, "10")
    assert message.text == ""
    assert message.kind == "message"


def test_newlines_kept(personal_chat):
    assert message_by_id(personal_chat, "12").text == "ладно))\nщас дойду"


def test_voice_message_attachment(channel_2021):
    message = message_by_id(channel_2021, "7")
    assert message.text == "[voice message: audio_1@12-11-2020_13-01-05.ogg]"
    assert message.attachments == ("audio_1@12-11-2020_13-01-05.ogg",)


def test_audio_file_attachment(channel_2021):
    message = message_by_id(channel_2021, "8")
    assert message.text == "[audio: test-sound.ogg]"
    assert message.attachments == ("test-sound.ogg",)


def test_file_thumbnail_not_attached(channel_2021):
    message = message_by_id(channel_2021, "22")
    assert message.text == "test file other than sound\n[file: dice.svg]"
    assert message.attachments == ("dice.svg",)


def test_photo_with_caption(channel_2021):
    message = message_by_id(channel_2021, "4")
    assert message.text == "photo with text\n[photo: photo_1@12-11-2020_12-57-31.jpg]"
    assert message.attachments == ("photo_1@12-11-2020_12-57-31.jpg",)


# Synthetic exports for cases the real files lack


def test_reply_to_id_as_string():
    messages = parse_export(
        make_export(make_message(1), make_message(2, reply_to_message_id=1))
    ).messages
    assert messages[0].reply_to_source_id is None
    assert messages[1].reply_to_source_id == "1"


def test_text_link_equal_to_href():
    entity = {
        "type": "text_link",
        "text": "https://shop.example/",
        "href": "https://shop.example/",
    }
    assert parse_one(text=[entity]).text == "https://shop.example/"


def test_text_link_without_visible_text():
    entity = {"type": "text_link", "text": " ", "href": "https://shop.example/"}
    assert parse_one(text=["see", entity]).text == "seehttps://shop.example/"


def test_entities_keep_their_text():
    text = [
        {"type": "hashtag", "text": "#order"},
        " ",
        {"type": "phone", "text": "+7 900 000-00-00"},
        " ",
        {"type": "mention_name", "text": "Boris", "user_id": 222},
        " ",
        {"type": "spoiler", "text": "secret"},
    ]
    assert parse_one(text=text).text == "#order +7 900 000-00-00 Boris secret"


def test_only_trailing_whitespace_stripped():
    assert parse_one(text="  indented\n  line \n\n").text == "  indented\n  line"


def test_text_entities_ignored():
    message = parse_one(text="real", text_entities=[{"type": "plain", "text": "other"}])
    assert message.text == "real"


def test_edited_unixtime_preferred():
    message = parse_one(edited="2024-03-01T12:00:00", edited_unixtime="1709294400")
    assert message.edited_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def test_unixtime_preferred_over_local_date():
    message = parse_one(date="2024-03-01T13:00:00", date_unixtime="1709290800")
    assert message.sent_at == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)


def test_date_with_offset_converted_to_utc():
    message = parse_one(date="2024-03-01T13:00:00+03:00")
    assert message.sent_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


def test_string_id_accepted():
    assert parse_one(message_id="017").source_id == "17"


def test_anonymous_service_line():
    message = parse_one(
        type="service", actor="", action="clear_history", omit=("from",)
    )
    assert message.author_name == "Telegram"
    assert message.author_source_id is None
    assert message.text == "clear_history"


def test_deleted_account_author():
    message = parse_one(**{"from": None, "from_id": None})
    assert message.author_name == "Deleted Account"
    assert message.author_source_id is None


def test_service_members_joined():
    message = parse_one(
        type="service", actor="Anna", action="invite_members", members=["Boris", "Vera"]
    )
    assert message.text == "invite_members: Boris, Vera"


def test_service_text_ignores_message_text():
    message = parse_one(
        type="service", action="edit_group_title", title="Orders", text="x"
    )
    assert message.text == "edit_group_title: Orders"


def test_duplicate_ids_keep_first():
    export = parse_export(
        make_export(make_message(1, text="first"), make_message(1, text="second"))
    )
    assert [message.text for message in export.messages] == ["first"]
    assert export.skipped == 1


def test_unknown_type_skipped_and_counted():
    export = parse_export(
        make_export(
            make_message(1), make_message(2, type="unsupported"), make_message(3)
        )
    )
    assert [message.source_id for message in export.messages] == ["1", "3"]
    assert export.skipped == 1


def test_forwarded_from_hidden_sender():
    assert parse_one(forwarded_from=None).forwarded_from == ""


@pytest.mark.parametrize(
    ("fields", "expected_text", "expected_attachments"),
    [
        (
            {"file": "video_files/clip.mp4", "media_type": "video_file"},
            "[video: clip.mp4]",
            ("clip.mp4",),
        ),
        (
            {"file": "video_files/loop.mp4", "media_type": "animation"},
            "[animation: loop.mp4]",
            ("loop.mp4",),
        ),
        (
            {"file": "round_video_messages/note.mp4", "media_type": "video_message"},
            "[video message: note.mp4]",
            ("note.mp4",),
        ),
        (
            {
                "file": "stickers/sticker.webp",
                "media_type": "sticker",
                "sticker_emoji": "👍",
            },
            "[sticker 👍]",
            ("sticker.webp",),
        ),
        (
            {"file": "stickers/sticker.webp", "media_type": "sticker"},
            "[sticker]",
            ("sticker.webp",),
        ),
        (
            {"file": "(File exceeds maximum size. Change data exporting settings.)"},
            "[file: not included]",
            (),
        ),
        (
            {"photo": "(File not included. Change data exporting settings.)"},
            "[photo: not included]",
            (),
        ),
        (
            {"poll": {"question": "Ship today?", "answers": []}},
            "[poll: Ship today?]",
            (),
        ),
        (
            {"location_information": {"latitude": 55.75, "longitude": 37.62}},
            "[location: 55.75, 37.62]",
            (),
        ),
        (
            {
                "contact_information": {
                    "first_name": "Vera",
                    "last_name": "",
                    "phone_number": "+79000000000",
                }
            },
            "[contact: Vera, +79000000000]",
            (),
        ),
    ],
)
def test_media_placeholder(fields, expected_text, expected_attachments):
    message = parse_one(**fields)
    assert message.text == expected_text
    assert message.attachments == expected_attachments


def test_placeholder_after_text():
    message = parse_one(text="invoice ", file="files/invoice.pdf")
    assert message.text == "invoice\n[file: invoice.pdf]"


def test_full_account_with_one_chat():
    chat = json.loads(make_export(make_message(1, text="hello")))
    export = parse_export(json.dumps({"chats": {"list": [chat]}}))
    assert export.chat_name == "Shop"
    assert export.messages[0].text == "hello"


def test_full_account_error_path():
    chat = json.loads(make_export(make_message(1, date="yesterday")))
    error = raise_error(json.dumps({"chats": {"list": [chat]}}))
    assert error.field == "chats.list[0].messages[0].date"


def test_byte_order_mark_accepted():
    data = "\ufeff".encode() + make_export(make_message(1, text="hi")).encode()
    assert parse_export(data).messages[0].text == "hi"


def test_str_and_bytes_agree():
    data = make_export(make_message(1, text="привет"), make_message(2, text="ок"))
    assert parse_export(data) == parse_export(data.encode())


def test_iter_messages_matches_parse_export():
    data = make_export(make_message(1, text="a"), make_message(2, text="b"))
    assert tuple(iter_messages(data)) == parse_export(data).messages


def test_iter_messages_raises_file_errors_at_call():
    with pytest.raises(TelegramExportError):
        iter_messages(b"not json")


# Invalid exports


def too_deep_export() -> str:
    return '{"messages": [{"id": 1, "text": ' + "[" * 70 + "]" * 70 + "}]}"


def full_account_export(chat_count: int) -> str:
    chat = json.loads(make_export(make_message(1)))
    return json.dumps({"chats": {"list": [chat] * chat_count}})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(b"{not json", None, id="not-json"),
        pytest.param(
            '{"name": "Борис", "messages": []}'.encode("cp1251"), None, id="cp1251"
        ),
        pytest.param(b"<!DOCTYPE html><html></html>", None, id="html-export"),
        pytest.param(b"PK\x03\x04rest-of-zip", None, id="zip-archive"),
        pytest.param("[]", None, id="top-level-array"),
        pytest.param('{"name": "Shop"}', "messages", id="missing-messages"),
        pytest.param('{"messages": {}}', "messages", id="messages-not-list"),
        pytest.param('{"messages": [7]}', "messages[0]", id="message-not-object"),
        pytest.param(
            make_export(make_message(omit=("id",))), "messages[0].id", id="missing-id"
        ),
        pytest.param(
            make_export(make_message(message_id="abc")), "messages[0].id", id="text-id"
        ),
        pytest.param(
            make_export(make_message(message_id=1.5)), "messages[0].id", id="float-id"
        ),
        pytest.param(
            make_export(make_message(message_id=True)), "messages[0].id", id="bool-id"
        ),
        pytest.param(
            make_export(make_message(1), make_message(2, date="2024-13-45T10:00:00")),
            "messages[1].date",
            id="bad-date",
        ),
        pytest.param(
            make_export(make_message(omit=("date",))),
            "messages[0].date",
            id="missing-date",
        ),
        pytest.param(
            make_export(make_message(date_unixtime="soon")),
            "messages[0].date_unixtime",
            id="bad-unixtime",
        ),
        pytest.param(
            make_export(make_message(edited="later")),
            "messages[0].edited",
            id="bad-edited",
        ),
        pytest.param(
            make_export(make_message(text=42)), "messages[0].text", id="text-number"
        ),
        pytest.param(
            make_export(make_message(text=[7])),
            "messages[0].text[0]",
            id="text-part-number",
        ),
        pytest.param(
            make_export(make_message(text=["a", {"type": "bold", "text": 1}])),
            "messages[0].text[1].text",
            id="entity-text-number",
        ),
        pytest.param(
            make_export(make_message(reply_to_message_id="first")),
            "messages[0].reply_to_message_id",
            id="bad-reply-to",
        ),
        pytest.param(full_account_export(2), "chats.list", id="two-chats"),
        pytest.param(full_account_export(0), "chats.list", id="no-chats"),
        pytest.param('{"chats": {"list": [1]}}', "chats.list[0]", id="chat-not-object"),
    ],
)
def test_invalid_export_names_field(data, field):
    assert raise_error(data).field == field


def test_not_json_explains_export_format():
    message = str(raise_error(b"{not json"))
    assert "Machine-readable JSON" in message
    assert "line 1, column 2" in message


def test_wrong_encoding_explains_export_format():
    message = str(raise_error('{"name": "Борис"}'.encode("cp1251")))
    assert "UTF-8" in message
    assert "Machine-readable JSON" in message


def test_two_chats_asks_for_single_chat():
    message = str(raise_error(full_account_export(2)))
    assert "2 chats" in message
    assert "Export a single chat" in message


def test_bad_date_names_message_and_value():
    message = str(raise_error(make_export(make_message(17, date="2024-13-45"))))
    assert "Message 17" in message
    assert "'2024-13-45'" in message


def test_error_is_value_error():
    assert isinstance(raise_error(b""), ValueError)


def test_too_deep_rejected():
    error = raise_error(too_deep_export())
    assert error.field is not None
    assert error.field.startswith("messages[0].text[0][0]")
    assert "64 levels" in str(error)


def test_very_deep_rejected():
    error = raise_error("[" * 200_000 + "]" * 200_000)
    assert "64 levels" in str(error)


def test_depth_limit_allows_64_levels():
    # The top-level object, "messages", one message and 61 nested lists make 64.
    nested = json.loads("[" * 61 + "]" * 61)
    data = make_export(make_message(1, text="hi", extra=nested))
    assert parse_export(data).messages[0].text == "hi"


def test_depth_limit_rejects_65_levels():
    nested = json.loads("[" * 62 + "]" * 62)
    data = make_export(make_message(1, text="hi", extra=nested))
    assert raise_error(data).field == "messages[0].extra" + "[0]" * 61


def test_too_large_rejected_before_parsing(monkeypatch):
    def fail_loads(*args, **kwargs):
        raise AssertionError("json.loads must not run on an oversized export")

    monkeypatch.setattr(telegram_export.json, "loads", fail_loads)
    error = raise_error(b" " * (MAX_EXPORT_BYTES + 1))
    assert error.field is None
    assert "50 MB" in str(error)


def test_too_large_str_measured_in_bytes():
    # Cyrillic letters take two bytes each in UTF-8.
    data = "я" * (MAX_EXPORT_BYTES // 2 + 1)
    assert "50 MB" in str(raise_error(data))


def test_limit_size_accepted():
    data = make_export(make_message(1, text="hi"))
    padded = data + " " * (MAX_EXPORT_BYTES - len(data.encode()))
    assert parse_export(padded.encode()).messages[0].text == "hi"
