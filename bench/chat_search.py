"""Chat search over 20,000 to 100,000 indexed messages: p95 latency and DynamoDB calls.

``GET /api/chat/search`` runs through HttpGateway in this process against the
embedded DynamoDB (moto), with no stream reactions. Messages are written
straight into the chat table, and their index entries (``MessageTerm``, one
per distinct term, computed with the app's own ``terms``) into the search
table. That is what the search index reaction would write for each message.
The items are built and serialized by the app's PynamoDB models and put
through moto's in-process backend (``bench/moto_partitions.py``), because
BatchWriteItem over HTTP would take about 19 minutes for 100,000 messages.
moto's Query is made to list only the partition it reads, as DynamoDB does;
without that, each Query page sorted all the roughly 940,000 index entries.

The messages are Russian sentences built from a fixed vocabulary of
marketplace work (orders, deliveries, warehouses, cards), spread over
``CHANNELS`` channels. The searcher is a member of half of them, so postings
in the other half are read and dropped. Three queries are measured:

- a common word, «заказ», in about a third of the messages;
- a rare word, «рекламация», in one message of every ``RARE_EVERY``;
- two common words, «заказ склад», which checks the second term per page.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated

MESSAGES = 100_000
CHANNELS = 20
RARE_EVERY = 2_000
COMMON_SHARE = 0.33
TIMED_REQUESTS = 10
WARM_UP_REQUESTS = 1
PAGE_LIMIT = 20
SEED = 20261204
LOG_EVERY = 10_000
# Serialized items kept in memory before they are put into moto.
WRITE_BATCH = 20_000

QUERIES = {"common": "заказ", "rare": "рекламация", "two_common": "заказ склад"}

SUBJECTS = (
    "поставка",
    "отгрузка",
    "карточка товара",
    "партия",
    "возврат",
    "приёмка",
    "инвентаризация",
    "фотосессия",
    "упаковка",
    "маркировка",
    "акция",
    "отзыв покупателя",
)
VERBS = (
    "перенесена на",
    "готова к",
    "задерживается до",
    "согласована на",
    "отменена из-за",
    "ждёт проверки до",
    "запланирована на",
)
PLACES = (
    "склад в Коледино",
    "склад в Электростали",
    "склад в Казани",
    "сортировочный центр",
    "пункт выдачи",
    "склад Ozon в Хоругвино",
    "склад Яндекс Маркета в Софьино",
)
DAYS = ("понедельник", "вторник", "среду", "четверг", "пятницу", "конец месяца")
TAILS = (
    "Проверьте остатки.",
    "Нужна новая цена.",
    "Обновите описание и фото.",
    "Счёт уже оплачен.",
    "Поставщик прислал накладную.",
    "Коробов не хватает.",
    "Рейтинг упал до 4,6.",
    "Смотрите таблицу в задаче.",
)


def message_text(generator: random.Random, number: int) -> str:
    """Build one realistic message; the common and rare words are placed on purpose."""
    parts = [
        generator.choice(SUBJECTS).capitalize(),
        generator.choice(VERBS),
        generator.choice(DAYS) + ",",
        generator.choice(PLACES) + ".",
    ]
    if generator.random() < COMMON_SHARE:
        parts.append(f"Заказ №{generator.randint(10_000, 99_999)} на складе.")
    if number % RARE_EVERY == RARE_EVERY // 2:
        parts.append("По этой партии открыта рекламация.")
    parts.append(generator.choice(TAILS))
    return " ".join(parts)


def write_messages(channel_ids: list[str], sender_id: str, count: int) -> dict:
    """Write ``count`` messages and their index entries; return what was written."""
    from ulid import ULID

    from bench.moto_partitions import put_items
    from chalicelib.chat.models import Message, channel_pk, message_sk
    from chalicelib.chat.search_index import MessageTerm, term_pk
    from chalicelib.search.terms import terms

    generator = random.Random(SEED)
    started = datetime.now(UTC) - timedelta(seconds=count + 60)
    by_term: dict[str, int] = {}
    message_items: list[dict] = []
    index_items: list[dict] = []
    entries = 0
    for number in range(count):
        channel_id = channel_ids[number % len(channel_ids)]
        created_at = started + timedelta(seconds=number)
        message_id = str(ULID.from_datetime(created_at))
        text = message_text(generator, number)
        pk = channel_pk(channel_id)
        message = Message(
            pk,
            message_sk(message_id),
            message_id=message_id,
            channel_id=channel_id,
            sender_id=sender_id,
            sender_name="Сотрудник",
            text=text,
            created_at=created_at,
        )
        message_items.append(message.serialize())
        for term in dict.fromkeys(terms(text)):
            entry = MessageTerm(
                term_pk(term),
                message_id,
                channel_id=channel_id,
                sender_id=sender_id,
                message_pk=pk,
            )
            index_items.append(entry.serialize())
            by_term[term] = by_term.get(term, 0) + 1
        if len(index_items) >= WRITE_BATCH:
            entries += put_items(MessageTerm.Meta.table_name, index_items)
            put_items(Message.Meta.table_name, message_items)
            message_items, index_items = [], []
        if number and number % LOG_EVERY == 0:
            print(f"  wrote {number} of {count} messages", flush=True)
    entries += put_items(MessageTerm.Meta.table_name, index_items)
    put_items(Message.Meta.table_name, message_items)
    return {"index_entries": entries, "messages_per_term": by_term}


def write_memberships(user_id: str, channel_ids: list[str]) -> None:
    from chalicelib.chat.models import Member, channel_pk, member_sk

    with Member.batch_write() as batch:
        for channel_id in channel_ids:
            batch.save(
                Member(
                    channel_pk(channel_id),
                    member_sk(user_id),
                    member_user_id=user_id,
                    channel_id=channel_id,
                    joined_at=datetime.now(UTC),
                )
            )


def measure_queries(meters, client, timed: int, warm_up: int, written: dict):
    from chalicelib.search.query import query_terms

    results = {}
    for label, text in QUERIES.items():
        path = f"/api/chat/search?q={quote(text)}&limit={PAGE_LIMIT}"
        figures = measure_repeated(meters, client, path, timed, warm_up)
        body = figures.pop("body")
        query = query_terms(text)
        figures["query"] = text
        figures["results_on_page"] = len(body["results"])
        figures["has_next_page"] = body["next_cursor"] is not None
        figures["messages_with_each_term"] = {
            term: written["messages_per_term"].get(term, 0) for term in query
        }
        print(f"  {label} «{text}»: {figures['results_on_page']} results")
        print(f"    messages with each term: {figures['messages_with_each_term']}")
        print(f"    {cost_line(figures)}")
        print(format_summary("    request", figures["latency"]))
        results[label] = figures
    return results


def run(count: int, timed: int, warm_up: int) -> dict:
    from ulid import ULID

    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start(with_pump=False)
        from bench.moto_partitions import read_partitions_only

        read_partitions_only()
        owner = app.sign_in_owner()
        channel_ids = [str(ULID()) for _ in range(CHANNELS)]
        readable = channel_ids[::2]
        write_memberships(owner.id, readable)
        started = time.perf_counter()
        written = write_messages(channel_ids, owner.id, count)
        write_seconds = time.perf_counter() - started
        print(
            f"wrote {count} messages and {written['index_entries']} index entries "
            f"in {write_seconds:.1f} s"
        )
        results = measure_queries(meters, owner.client, timed, warm_up, written)
    finally:
        app.stop()
    return {
        "setup": {
            "messages": count,
            "index_entries": written["index_entries"],
            "channels": CHANNELS,
            "channels_readable_by_searcher": len(readable),
            "page_limit": PAGE_LIMIT,
            "write_seconds": round(write_seconds, 1),
            "written_through": "moto in-process backend",
            "moto_query_reads_only_its_partition": True,
            "timed_requests_per_query": timed,
            "warm_up_requests_per_query": warm_up,
        },
        **results,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--messages",
        type=int,
        default=MESSAGES,
        help=f"messages written and indexed (default {MESSAGES})",
    )
    add_request_counts(parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="query")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    if arguments.messages < RARE_EVERY:
        raise SystemExit(f"--messages must be at least {RARE_EVERY}")
    figures = run(arguments.messages, arguments.requests, arguments.warm_up)
    save_results("chat_search", "bench.chat_search", figures)


if __name__ == "__main__":
    main()
