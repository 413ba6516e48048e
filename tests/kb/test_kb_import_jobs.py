"""Import jobs of the knowledge base: one file or a zip, run in the background.

The HTML files are real Google Docs exports (see tests/fixtures/kb/README.md),
the Markdown file is written for these tests, and the .docx files are built
by docx_files.py.
"""

import io
import zipfile
from pathlib import Path

import pytest

from chalicelib.files import storage
from chalicelib.imports.jobs import get_job, run_job
from chalicelib.imports.models import ImportJob
from chalicelib.kb import import_jobs
from chalicelib.kb.import_articles import MAX_FILE_BYTES
from tests.kb.conftest import Kb
from tests.kb.docx_files import build_docx

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kb"
MARKDOWN = (FIXTURES / "warehouse-acceptance.md").read_bytes()
TABLES_HTML = (FIXTURES / "google-docs-tables.html").read_bytes()
LINKS_HTML = (FIXTURES / "google-docs-internal-links.html").read_bytes()
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def section(kb: Kb) -> str:
    return kb.section_id("marketplaces")


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def start(person, data: bytes, content_type: str, **query):
    params = "&".join(f"{name}={value}" for name, value in query.items())
    return person.client.request(
        "POST",
        f"/api/kb/import?{params}",
        raw=data,
        headers={"Content-Type": content_type},
    )


def run(world, person, data: bytes, content_type: str, **query) -> dict:
    """Start a job, let the chat stream run it and return the finished job."""
    started = start(person, data, content_type, **query)
    assert started.status == 202, started.body
    assert started.json["kind"] == "kb"
    assert started.json["status"] == "queued"
    world.pump.drain()
    job = person.client.get(f"/api/imports/{started.json['id']}")
    assert job.status == 200, job.body
    return job.json


def section_titles(person, section_id: str) -> dict[str, str]:
    response = person.client.get(f"/api/kb/sections/{section_id}")
    assert response.status == 200, response.body
    return {item["id"]: item["title"] for item in response.json["articles"]}


def test_markdown_job_creates_draft(world, kb, section):
    job = run(
        world,
        world.owner,
        MARKDOWN,
        "text/markdown",
        section_id=section,
        format="markdown",
    )
    assert job["status"] == "done", job
    assert job["progress"] == {"done": 1, "total": 1}
    assert job["error"] is None
    report = job["report"]
    assert report["section_id"] == section
    assert (report["created"], report["existing"]) == (1, 0)
    [written] = report["articles"]
    assert written["title"] == "Приёмка товара на складе"
    assert written["created"] is True

    article = kb.get(world.owner, written["id"])
    assert article["status"] == "draft"
    assert article["section_id"] == section
    assert article["body"] == MARKDOWN.decode()
    # The stored upload is removed once the job is done.
    assert storage.stored_object(f"imports/{job['id']}/export") is None


def test_google_docs_html_job(world, kb, section):
    job = run(
        world,
        world.owner,
        TABLES_HTML,
        "text/html",
        section_id=section,
        format="html",
        file_name="tables.html",
    )
    assert job["status"] == "done", job
    [written] = job["report"]["articles"]
    assert written["title"] == "tables"
    assert written["format"] == "html"
    body = kb.get(world.owner, written["id"])["body"]
    assert "| Values | 1120 | 5000 | To center | 🤷 emoji ❓ |" in body
    assert "<" not in body


def test_docx_job(world, kb, section):
    job = run(world, world.owner, build_docx(), DOCX, section_id=section, format="docx")
    assert job["status"] == "done", job
    [written] = job["report"]["articles"]
    assert written["title"] == "Отгрузка на склад Wildberries"
    body = kb.get(world.owner, written["id"])["body"]
    assert "Перед отгрузкой **проверьте короба** и *этикетки*." in body


def test_zip_job_imports_each_document(world, kb, section):
    archive = zipped(
        {
            "1-acceptance.md": MARKDOWN,
            "2-tables.html": TABLES_HTML,
            "docs/3-links.htm": LINKS_HTML,
            "docs/4-shipping.docx": build_docx(),
            "docs/price-list.pdf": b"%PDF-1.4",
            "__MACOSX/._1-acceptance.md": b"\x00\x05\x16\x07",
            ".DS_Store": b"\x00\x00\x00\x01Bud1",
        }
    )
    before = set(section_titles(world.owner, section))
    job = run(
        world, world.owner, archive, "application/zip", section_id=section, format="zip"
    )
    assert job["status"] == "done", job
    report = job["report"]
    assert job["progress"] == {"done": 4, "total": 4}
    assert [item["file_name"] for item in report["articles"]] == [
        "1-acceptance.md",
        "2-tables.html",
        "docs/3-links.htm",
        "docs/4-shipping.docx",
    ]
    assert [item["title"] for item in report["articles"]] == [
        "Приёмка товара на складе",
        "2-tables",
        "First he ading",
        "Отгрузка на склад Wildberries",
    ]
    assert report["skipped"] == [
        {
            "file_name": "docs/price-list.pdf",
            "reason": "not a .md, .txt, .html or .docx file",
        }
    ]
    after = section_titles(world.owner, section)
    assert set(after) - before == {item["id"] for item in report["articles"]}


def test_rerun_after_crash_adds_only_missing(world, section, monkeypatch):
    archive = zipped(
        {"a.md": b"# First\n\nText.\n", "b.md": b"# Second\n", "c.md": b"# Third\n"}
    )
    before = set(section_titles(world.owner, section))
    started = start(
        world.owner, archive, "application/zip", section_id=section, format="zip"
    )
    assert started.status == 202, started.body
    job_id = started.json["id"]

    # The first run stops after its first draft, as a crashed function would.
    calls = {"count": 0}
    real_write = import_jobs.write_draft

    def crash_on_second(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("the function timed out")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(import_jobs, "write_draft", crash_on_second)
    with pytest.raises(RuntimeError):
        run_job(job_id)
    assert get_job(job_id).status == "running"
    monkeypatch.setattr(import_jobs, "write_draft", real_write)

    # The stream delivers the job's insert and runs it again.
    world.pump.drain()
    job = world.owner.client.get(f"/api/imports/{job_id}").json
    assert job["status"] == "done", job
    assert (job["report"]["created"], job["report"]["existing"]) == (2, 1)
    added = set(section_titles(world.owner, section)) - before
    assert len(added) == 3
    assert added == {item["id"] for item in job["report"]["articles"]}


def test_rerun_of_finished_job_writes_nothing(world, section):
    job = run(
        world,
        world.owner,
        MARKDOWN,
        "text/markdown",
        section_id=section,
        format="markdown",
    )
    titles = section_titles(world.owner, section)

    # Run the same job once more from its stored upload, as a retry would.
    stored = get_job(job["id"])
    storage.put_object(stored.object_key, MARKDOWN, "application/octet-stream")
    stored.update(actions=[ImportJob.status.set("running")])
    run_job(job["id"])

    rerun = get_job(job["id"])
    assert rerun.status == "done"
    assert section_titles(world.owner, section) == titles
    again = world.owner.client.get(f"/api/imports/{job['id']}").json["report"]
    assert (again["created"], again["existing"]) == (0, 1)
    assert again["articles"][0]["id"] == job["report"]["articles"][0]["id"]


def test_job_hidden_from_other_people(world, section):
    job = run(
        world,
        world.owner,
        MARKDOWN,
        "text/markdown",
        section_id=section,
        format="markdown",
    )
    assert world.anna.client.get(f"/api/imports/{job['id']}").status == 404


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"notes.pdf": b"%PDF"}, "contains no .md"),
        ({"../evil.md": b"# Evil\n"}, "unsafe path"),
        ({"a.md": b"# Fine\n", "b.md": b"   "}, "b.md: The file is empty"),
        ({"broken.docx": b"not a zip"}, "broken.docx:"),
        ({"bad.html": "<p>Привет</p>".encode("utf-16-le")}, "bad.html:"),
    ],
    ids=["no documents", "traversal", "empty entry", "broken docx", "bad encoding"],
)
def test_bad_zip_rejected_before_any_job(world, section, entries, expected):
    before = section_titles(world.owner, section)
    response = start(
        world.owner,
        zipped(entries),
        "application/zip",
        section_id=section,
        format="zip",
    )
    assert response.status == 400, response.body
    assert response.error_field() == "file"
    assert expected in response.json["error"]["message"]
    world.pump.drain()
    assert section_titles(world.owner, section) == before


def test_not_a_zip_rejected(world, section):
    response = start(
        world.owner, b"PK but no", "application/zip", section_id=section, format="zip"
    )
    assert response.status == 400
    assert "not a valid zip archive" in response.json["error"]["message"]


def test_zip_entry_over_limit_rejected(world, section):
    oversized = b"# Big\n" + b"a" * MAX_FILE_BYTES
    response = start(
        world.owner,
        zipped({"big.md": oversized}),
        "application/zip",
        section_id=section,
        format="zip",
    )
    assert response.status == 400
    assert "uncompressed" in response.json["error"]["message"]


def test_upload_over_limit_is_413(world, section):
    response = start(
        world.owner,
        b"a" * (MAX_FILE_BYTES + 1),
        "text/markdown",
        section_id=section,
        format="markdown",
    )
    assert response.status == 413
    assert response.error_field() == "file"
