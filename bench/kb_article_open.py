"""Opening one kb article with 100 vs 10,000 articles: DynamoDB calls and items read.

``GET /api/kb/articles/{id}`` runs through HttpGateway in this process against
the embedded DynamoDB (moto). The company is the marketplace org template with
the staff of bench/finance_company.py; the stream reactions run while it is
set up, so every department has its kb sections. The reader is the
Wildberries manager, an employee whose position the measured article targets,
so each request also records the read (a conditional UpdateItem that fails
once the receipt exists).

Articles are written straight into the kb table: the article item, its first
revision and the search terms that the kb stream reaction
(``indexing.update_indexes``) would write for its title and body. Background
articles are spread over the «Регламенты» and «Инструкции» sections of every
department. The pump is not drained after set-up, so nothing else reacts to
these writes.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.finance_company import hire_staff
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated, ratio
from bench.task_views_50k import staff_number

SMALL_TABLE_ARTICLES = 100
LARGE_TABLE_ARTICLES = 10_000
TIMED_REQUESTS = 10
WARM_UP_REQUESTS = 1
SEED = 20261205
LOG_EVERY = 2_000
VIEWER = "wb_manager"
# Words the bodies are drawn from, so that articles share search terms as
# real ones do and each term partition holds many articles.
VOCABULARY = (
    "поставка склад короб этикетка маркировка приёмка отгрузка возврат карточка "
    "фото описание цена скидка акция остаток заказ сборка упаковка пломба накладная "
    "акт счёт оплата поставщик логистика маршрут водитель пропуск слот календарь "
    "реклама ставка кампания бюджет отчёт аналитика продажи выкуп отзыв рейтинг "
    "вопрос ответ претензия брак пересорт инвентаризация хранение тариф комиссия "
    "Wildberries Ozon Маркет кабинет менеджер дизайнер контент закупка сертификат"
).split()
# Each distinct word of a body is one search term item. moto's Query sorts the
# whole table, so with 60 words (about 40 terms an article) a Query at 10,000
# articles took over botocore's 10 s read timeout on a loaded 2-core machine.
WORDS_PER_BODY = 12
WORDS_PER_SENTENCE = 6


class ArticleWriter:
    """Writes articles, their first revision and their search terms in batches."""

    def __init__(self, author_id: str) -> None:
        self.author_id = author_id
        self.generator = random.Random(SEED)
        self.written = 0

    def body(self) -> str:
        words = [self.generator.choice(VOCABULARY) for _ in range(WORDS_PER_BODY)]
        sentences = [
            " ".join(words[start : start + WORDS_PER_SENTENCE])
            for start in range(0, WORDS_PER_BODY, WORDS_PER_SENTENCE)
        ]
        return ".\n\n".join(sentence.capitalize() for sentence in sentences) + ".\n"

    def build(self, number: int, section_id: str, position_ids: list[str]):
        from chalicelib.ids import new_id
        from chalicelib.kb.models import Article, Revision, article_pk, revision_sk

        article_id = new_id()
        created_at = datetime.now(UTC) - timedelta(days=30, seconds=-number)
        title = f"Инструкция {number}: {self.generator.choice(VOCABULARY)}"
        body = self.body()
        fields = {
            "title": title,
            "kind": "instruction",
            "status": "published",
            "section_id": section_id,
            "position_ids": position_ids,
            "body": body,
            "body_bytes": len(body.encode()),
            "edition": 1,
            "edition_reason": "published",
            "edition_at": created_at,
        }
        article = Article(
            article_pk(article_id),
            article_id=article_id,
            revision=1,
            author_id=self.author_id,
            created_at=created_at,
            updated_at=created_at,
            updated_by=self.author_id,
            **fields,
        )
        revision = Revision(
            article_pk(article_id),
            revision_sk(1),
            revision=1,
            saved_by=self.author_id,
            saved_at=created_at,
            **fields,
        )
        return article, revision

    def write(self, articles) -> None:
        from chalicelib.kb.indexing import _entries
        from chalicelib.kb.models import Article, Term, term_pk

        with Article.batch_write() as batch:
            for article, revision in articles:
                batch.save(article)
                batch.save(revision)
                # The terms the kb stream reaction writes for a new article.
                for term, (count, in_title) in _entries(
                    article.title, article.body
                ).items():
                    batch.save(
                        Term(
                            term_pk(term),
                            article.article_id,
                            count=count,
                            in_title=in_title,
                        )
                    )
                self.written += 1
                if self.written % LOG_EVERY == 0:
                    print(f"  wrote {self.written} articles", flush=True)


def background_sections() -> list[str]:
    from chalicelib.kb.models import SECTION_PARTITION, Section

    return sorted(
        section.section_id
        for section in Section.query(SECTION_PARTITION)
        if section.role in ("regulations", "instructions")
    )


def measure(meters, client, path: str, timed: int, warm_up: int) -> dict:
    figures = measure_repeated(meters, client, path, timed, warm_up)
    body = figures.pop("body")
    figures["article_id"] = body["article"]["id"]
    print(f"  {cost_line(figures)}")
    print(format_summary("  request", figures["latency"]))
    return figures


def run(small: int, large: int, timed: int, warm_up: int) -> dict:
    if not 1 <= small <= large:
        raise SystemExit(
            f"invalid sizes --small {small} --large {large}: "
            "they need 1 <= --small <= --large"
        )
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start()
        print("setting up: org template, staff and their kb sections")
        company = hire_staff(app)
        app.drain()
        viewer = company.users[VIEWER]
        client = app.sign_in(
            viewer.email, f"bench-password-{staff_number(VIEWER)}"
        ).client
        sections = background_sections()
        measured_section = f"dept-{viewer.department_id}-instructions"
        writer = ArticleWriter(company.owner.id)
        measured = writer.build(0, measured_section, [viewer.position_id])
        writer.write([measured])
        path = f"/api/kb/articles/{measured[0].article_id}"

        def background(start: int, stop: int):
            for number in range(start, stop):
                yield writer.build(number, writer.generator.choice(sections), [])

        writer.write(background(1, small))
        print(f"{small} articles written by the benchmark:")
        small_figures = measure(meters, client, path, timed, warm_up)
        started = time.perf_counter()
        writer.write(background(small, large))
        write_seconds = time.perf_counter() - started
        print(f"{large} articles written by the benchmark ({write_seconds:.1f} s):")
        large_figures = measure(meters, client, path, timed, warm_up)
    finally:
        app.stop()
    return {
        "setup": {
            "small_table_articles": small,
            "large_table_articles": large,
            "background_sections": len(sections),
            "words_per_body": WORDS_PER_BODY,
            "large_write_seconds": round(write_seconds, 1),
            "timed_requests": timed,
            "warm_up_requests": warm_up,
        },
        "small": small_figures,
        "large": large_figures,
        "ratio_large_to_small": {
            key: ratio(large_figures[key], small_figures[key])
            for key in ("total_calls", "items_read", "estimated_read_units")
        },
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL_TABLE_ARTICLES,
        help=f"articles in the small table (default {SMALL_TABLE_ARTICLES})",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE_TABLE_ARTICLES,
        help=f"articles in the large table (default {LARGE_TABLE_ARTICLES})",
    )
    add_request_counts(parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="table size")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(
        arguments.small, arguments.large, arguments.requests, arguments.warm_up
    )
    print(f"ratio large/small: {figures['ratio_large_to_small']}")
    save_results("kb_article_open", "bench.kb_article_open", figures)


if __name__ == "__main__":
    main()
