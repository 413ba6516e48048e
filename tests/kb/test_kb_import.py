"""Importing files as draft articles: Markdown, Google Docs HTML and Word .docx.

The HTML files are real Google Docs exports kept by another project (see
tests/fixtures/kb/README.md); the .docx files are built by docx_files.py.
"""

# The table of hostile files keeps one case a line, so its lines run long.
# ruff: noqa: E501

import io
import zipfile
from pathlib import Path

import pytest

from tests.kb.conftest import Kb
from tests.kb.docx_files import build_docx, document_xml

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kb"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def send(person, section_id, data: bytes, file_format: str, content_type: str, **query):
    params = "&".join(
        f"{name}={value}" for name, value in {"format": file_format, **query}.items()
    )
    return person.client.request(
        "POST",
        f"/api/kb/sections/{section_id}/import?{params}",
        raw=data,
        headers={"Content-Type": content_type},
    )


def imported(person, section_id, data, file_format, content_type, **query) -> dict:
    response = send(person, section_id, data, file_format, content_type, **query)
    assert response.status == 201, response.body
    return response.json["article"]


def section_article_ids(person, section_id) -> set[str]:
    response = person.client.get(f"/api/kb/sections/{section_id}")
    assert response.status == 200, response.body
    return {item["id"] for item in response.json["articles"]}


@pytest.fixture
def section(kb: Kb) -> str:
    return kb.section_id("marketplaces")


def test_markdown_imported_as_is(world, section):
    text = "Вступление.\n\n```\n# не заголовок\n```\n\n## Приёмка товара\n\n- шаг\n"
    article = imported(world.owner, section, text.encode(), "markdown", "text/markdown")
    assert article["title"] == "Приёмка товара"
    assert article["body"] == text
    assert article["status"] == "draft"
    assert article["section_id"] == section


def test_markdown_setext_heading_is_title(world, section):
    text = "Возвраты\n========\n\nТекст.\n"
    article = imported(world.owner, section, text.encode(), "markdown", "text/plain")
    assert article["title"] == "Возвраты"


def test_title_falls_back_to_file_name(world, section):
    article = imported(
        world.owner,
        section,
        "Просто текст без заголовка.".encode(),
        "markdown",
        "text/markdown",
        file_name="Правила%20упаковки.md",
    )
    assert article["title"] == "Правила упаковки"


def test_google_docs_table_becomes_markdown_table(world, section):
    data = (FIXTURES / "google-docs-tables.html").read_bytes()
    article = imported(
        world.owner, section, data, "html", "text/html", file_name="tables.html"
    )
    body = article["body"]
    # The file has no heading, so the name gives the title.
    assert article["title"] == "tables"
    assert body.startswith("This is a test of table support.\n\n")
    assert (
        "| Column | Headings | Go | Here | And Here |\n| --- | --- | --- | --- | --- |"
        in body
    )
    assert "| Values | 1120 | 5000 | To center | 🤷 emoji ❓ |" in body
    assert "font-family" not in body
    assert "<" not in body


def test_google_docs_internal_links_become_text(world, section):
    data = (FIXTURES / "google-docs-internal-links.html").read_bytes()
    article = imported(world.owner, section, data, "html", "text/html")
    body = article["body"]
    # The file is pretty-printed, so the spans of «First heading» carry spaces.
    assert article["title"] == "First he ading"
    assert "Link to the first heading." in body
    assert "Link to the second bookmark." in body
    assert "#h." not in body
    assert "#id." not in body
    assert "](" not in body
    assert "# First he ading\n" in body
    assert "## Second heading\n" in body
    assert "### Second heading\n" in body


def test_html_emphasis_lists_and_links(world, section):
    html = """<html><head><style>.c5{font-weight:700}.c6{font-style:italic}</style>
    <script>alert('x')</script></head><body>
    <h1>Упаковка <b>FBO</b></h1>
    <p>Коробка <span class="c5">плотная</span>, лента <span class="c6">прозрачная</span>.
    <a href="https://www.google.com/url?q=https://ozon.ru/seller&amp;sa=D">Кабинет</a>
    <a href="javascript:alert(1)">опасно</a></p>
    <ul class="lst-kix_a-0"><li>Первый</li></ul>
    <ul class="lst-kix_a-1"><li>Вложенный</li></ul>
    <ol><li>Раз</li><li>Два</li></ol>
    <p>- не список, а *звёздочки*</p>
    <style>.x{}</style><img src="x.png" alt="картинка"></body></html>"""
    article = imported(world.owner, section, html.encode(), "html", "text/html")
    body = article["body"]
    assert article["title"] == "Упаковка FBO"
    assert body.startswith("# Упаковка **FBO**\n")
    assert "Коробка **плотная**, лента *прозрачная*." in body
    assert "[Кабинет](https://ozon.ru/seller)" in body
    assert "опасно" in body
    assert "javascript" not in body
    assert "alert" not in body
    assert "- Первый\n    - Вложенный" in body
    assert "1. Раз\n2. Два" in body
    assert "\\- не список, а \\*звёздочки\\*" in body


def test_html_declared_charset_is_used(world, section):
    html = '<meta charset="windows-1251"><h2>Склад</h2><p>Текст</p>'
    article = imported(
        world.owner,
        section,
        html.encode("cp1251"),
        "html",
        "application/octet-stream",
    )
    assert article["title"] == "Склад"
    assert "Текст" in article["body"]


def test_docx_headings_lists_tables_links(world, section):
    article = imported(world.owner, section, build_docx(), "docx", DOCX)
    body = article["body"]
    assert article["title"] == "Отгрузка на склад Wildberries"
    assert body.startswith("# Отгрузка на склад Wildberries\n\n")
    assert "Перед отгрузкой **проверьте короба** и *этикетки*." in body
    assert "## Шаги" in body
    assert "1. Создайте поставку\n2. Распечатайте ШК" in body
    assert "- Короба по 20 кг\n    - Тяжёлые вниз" in body
    assert (
        "[Кабинет поставщика](https://seller.wildberries.ru/supplies), раздел Шаги"
        in body
    )
    assert "| Склад | Окно |\n| --- | --- |\n| Коледино | 9\\|18 |" in body


def test_docx_as_octet_stream(world, section):
    article = imported(
        world.owner, section, build_docx(), "docx", "application/octet-stream"
    )
    assert article["title"] == "Отгрузка на склад Wildberries"


def test_imported_draft_hidden_from_readers(world, section):
    article = imported(
        world.owner, section, "# Черновик\n".encode(), "markdown", "text/markdown"
    )
    assert article["id"] not in section_article_ids(world.anna, section)
    assert world.anna.client.get(f"/api/kb/articles/{article['id']}").status == 404


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _bomb() -> bytes:
    # 40 MB of zeros compresses to about 40 KB.
    return _zip({"word/document.xml": b"\0" * (40 * 1024 * 1024)})


def _nested(depth: int) -> str:
    return "<div>" * depth + "текст" + "</div>" * depth


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    f'<w:document xmlns:w="{"http://schemas.openxmlformats.org/wordprocessingml/2006/main"}">'
    "<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
)

# (name, body, format, content type, expected text in the message)
HOSTILE = [
    ("traversal", lambda: build_docx({"../../evil.txt": "x"}), "docx", DOCX, "unsafe path"),
    ("absolute", lambda: build_docx({"/etc/passwd": "x"}), "docx", DOCX, "unsafe path"),
    ("bomb", _bomb, "docx", DOCX, "uncompressed"),
    ("entities", lambda: build_docx({"word/document.xml": LAUGHS}), "docx", DOCX, "document type"),
    ("not zip", lambda: b"PK\x03\x04 not really", "docx", DOCX, "zip"),
    ("no document", lambda: _zip({"word/other.xml": b"<a/>"}), "docx", DOCX, "word/document.xml"),
    ("bad xml", lambda: build_docx({"word/document.xml": "<w:document"}), "docx", DOCX, "not valid XML"),
    ("deep docx", lambda: build_docx({"word/document.xml": document_xml("<w:p>" * 150 + "</w:p>" * 150)}), "docx", DOCX, "levels deep"),
    ("deep html", lambda: _nested(150).encode(), "html", "text/html", "levels deep"),
    ("windows-1251 unmarked", lambda: "Привет".encode("cp1251"), "markdown", "application/octet-stream", "UTF-8"),
    ("unknown charset", lambda: b"text", "markdown", "application/octet-stream; charset=klingon", "unknown"),
    ("nul", lambda: b"# a\x00b", "markdown", "application/octet-stream", "NUL"),
    ("empty", lambda: b"", "markdown", "text/markdown", "empty"),
    ("only markup", lambda: b"<p>  </p><script>x</script>", "html", "text/html", "no text"),
    ("too long", lambda: ("ж" * 600_000).encode(), "markdown", "application/octet-stream", "split"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "file_format", "content_type", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_file_is_400_and_creates_nothing(
    world, section, data, file_format, content_type, message
):
    before = section_article_ids(world.owner, section)
    response = send(world.owner, section, data(), file_format, content_type)
    assert response.status == 400, response.body
    assert response.error_field() == "file"
    assert message in response.json["error"]["message"]
    assert section_article_ids(world.owner, section) == before


def test_file_over_limit_is_413(world, section):
    before = section_article_ids(world.owner, section)
    response = send(
        world.owner,
        section,
        b"a" * (4 * 1024 * 1024 + 1),
        "markdown",
        "application/octet-stream",
    )
    assert response.status == 413, response.body
    assert section_article_ids(world.owner, section) == before
