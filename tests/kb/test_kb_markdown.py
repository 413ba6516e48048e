"""Rendered article HTML: Markdown features work, hostile input stays inert."""

from html.parser import HTMLParser

import pytest

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="steal()">click</a>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<style>body { display: none }</style>",
    "<iframe src='https://evil.example'></iframe>",
    "<svg onload=alert(1)><circle/></svg>",
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link](&#106;avascript:alert(1))",
    "[link](java\tscript:alert(1))",
    "[link](vbscript:msgbox(1))",
    "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    '[x](https://example.com "title" onmouseover="alert(1)")',
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    '<form action="https://evil.example"><input name=password></form>',
    "<object data='x.swf'></object><embed src='x.swf'>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<base href='https://evil.example/'>",
    "[ok](https://example.com/?q=<script>)",
]

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "img", "li", "ol", "p", "pre", "s", "span", "strong", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:", "#")


class Elements(HTMLParser):
    """Collect every element and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))

    handle_startendtag = handle_starttag


def elements(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_article(world):
    body = "\n\n".join(HOSTILE)
    response = world.owner.client.post(
        "/api/kb/articles",
        {"section_id": "general", "title": "<b>Заголовок</b>", "body": body},
    )
    assert response.status == 201, response.body
    return response.json["article"]


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_payload_stays_inert(world, payload):
    response = world.owner.client.post(
        "/api/kb/articles",
        {"section_id": "general", "title": "Проверка", "body": payload},
    )
    assert response.status == 201, response.body
    html = response.json["article"]["html"]
    found = elements(html)
    assert set(found.tags) <= ALLOWED_TAGS, (payload, html)
    for _tag, name, value in found.attributes:
        assert not name.startswith("on"), (payload, html)
        assert name in ("href", "src", "alt", "title", "rel", "start"), (payload, html)
        if name in ("href", "src"):
            assert value.startswith(SAFE_SCHEMES), (payload, html)


def test_whole_hostile_body_keeps_only_safe_markup(world, hostile_article):
    found = elements(hostile_article["html"])
    assert set(found.tags) <= ALLOWED_TAGS
    assert "script" not in found.tags
    assert all(not name.startswith("on") for _, name, _ in found.attributes)
    assert all(name != "style" for _, name, _ in found.attributes)


def test_raw_html_shows_as_text(world, hostile_article):
    html = hostile_article["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert hostile_article["body"].startswith("<script>alert(1)</script>")


def test_title_is_returned_as_text(world, hostile_article):
    assert hostile_article["title"] == "<b>Заголовок</b>"


def test_markdown_features_render(world):
    body = (
        "## Шаги\n\n1. Откройте **кабинет**\n2. Нажмите *«Создать»*\n\n"
        "| Склад | Срок |\n| --- | --- |\n| Коледино | 2 дня |\n\n"
        "~~устарело~~ и `код` и [сайт](https://seller.wildberries.ru)\n\n"
        "> Важно\n\n---\n\n```\nкоманда\n```"
    )
    response = world.owner.client.post(
        "/api/kb/articles", {"section_id": "general", "title": "Разметка", "body": body}
    )
    html = response.json["article"]["html"]
    for fragment in (
        "<h2>Шаги</h2>",
        "<ol>",
        "<strong>кабинет</strong>",
        "<em>«Создать»</em>",
        "<table>",
        "<td>Коледино</td>",
        "<s>устарело</s>",
        "<code>код</code>",
        '<a href="https://seller.wildberries.ru" rel="noopener noreferrer nofollow">',
        "<blockquote>",
        "<hr>",
        "<pre><code>команда",
    ):
        assert fragment in html, fragment


def test_mentions_of_people_and_departments(world, kb):
    body = (
        f"Спросите [@Бориса](user:{world.boris.id}) или "
        f"[](department:{world.departments['finance']}). "
        "Не [@никого](user:01ARZ3NDEKTSV4RRFFQ69G5FAV)."
    )
    article = kb.create(world.owner, section_id="general", body=body)
    assert article["mentions"] == [
        {"kind": "user", "id": world.boris.id, "name": "Борис"},
        {"kind": "department", "id": world.departments["finance"], "name": "Финансы"},
    ] or sorted(article["mentions"], key=lambda item: item["kind"]) == sorted(
        [
            {"kind": "user", "id": world.boris.id, "name": "Борис"},
            {
                "kind": "department",
                "id": world.departments["finance"],
                "name": "Финансы",
            },
        ],
        key=lambda item: item["kind"],
    )
    html = article["html"]
    assert f'<a href="#/people/{world.boris.id}"' in html
    assert ">@Бориса</a>" in html
    assert ">@Финансы</a>" in html
    assert "<span>@никого</span>" in html


def test_link_with_empty_text_shows_title(world, kb):
    target = kb.create(
        world.owner, section_id="general", title="Приёмка товара", status="published"
    )
    article = kb.create(
        world.owner, section_id="general", body=f"См. [](article:{target['id']})."
    )
    assert f'<a href="#/kb/articles/{target["id"]}"' in article["html"]
    assert ">Приёмка товара</a>" in article["html"]
    assert article["links"] == [{"id": target["id"], "title": "Приёмка товара"}]
