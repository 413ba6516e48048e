"""Unread counts for a person in 200 channels: DynamoDB calls and items read.

``GET /api/chat/unread`` runs through HttpGateway in this process against the
embedded DynamoDB (moto), with no stream reactions. The owner is made a member
of 200 channels by writing the chat table directly. Each channel gets a
``Member`` item, its counter (``Sequence``, with some deleted positions), the
owner's read marker (``ReadState``) at a random position, and its messages,
numbered in server order. The response is checked
against the counts expected from what was written, and the items the request
read are counted by ``item_type``, which shows whether any message was read.
"""

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated

CHANNELS = 200
MESSAGES_PER_CHANNEL = 50
# One message in this many is deleted, which the count must leave out.
DELETED_EVERY = 7
TIMED_REQUESTS = 10
WARM_UP_REQUESTS = 1
SEED = 20261204


def write_channels(user_id: str, channels: int, per_channel: int) -> dict[str, int]:
    """Write the channels, messages, counters and markers; return expected counts."""
    from ulid import ULID

    from chalicelib.chat.models import Member, Message, channel_pk, member_sk
    from chalicelib.chat.models import message_sk as message_key
    from chalicelib.chat.thread_models import ReadState, Sequence, read_sk

    generator = random.Random(SEED)
    started = datetime.now(UTC) - timedelta(days=1)
    expected = {}
    with Message.batch_write() as batch:
        for number in range(channels):
            channel_id = str(ULID())
            pk = channel_pk(channel_id)
            batch.save(
                Member(
                    pk,
                    member_sk(user_id),
                    member_user_id=user_id,
                    channel_id=channel_id,
                    joined_at=started,
                )
            )
            deleted = set(range(DELETED_EVERY, per_channel + 1, DELETED_EVERY))
            for seq in range(1, per_channel + 1):
                created_at = started + timedelta(seconds=number * per_channel + seq)
                message_id = str(ULID.from_datetime(created_at))
                batch.save(
                    Message(
                        pk,
                        message_key(message_id),
                        message_id=message_id,
                        channel_id=channel_id,
                        sender_id="bench-sender",
                        sender_name="Benchmark",
                        text=f"сообщение {seq} в канале {number}",
                        created_at=created_at,
                        deleted_at=created_at if seq in deleted else None,
                        seq_scope=pk,
                        seq=seq,
                    )
                )
            batch.save(
                Sequence(
                    pk,
                    channel_id=channel_id,
                    last_seq=per_channel,
                    deleted_seqs=deleted or None,
                )
            )
            read_seq = generator.randint(0, per_channel)
            batch.save(
                ReadState(
                    pk,
                    read_sk(user_id),
                    user_id=user_id,
                    channel_id=channel_id,
                    read_seq=read_seq,
                    joined_at=started,
                )
            )
            skipped = len([seq for seq in deleted if seq > read_seq])
            expected[channel_id] = per_channel - read_seq - skipped
    return expected


def check_counts(body: dict, expected: dict[str, int]) -> None:
    found = {entry["channel_id"]: entry["unread"] for entry in body["channels"]}
    wrong = {
        channel_id: (found.get(channel_id), count)
        for channel_id, count in expected.items()
        if found.get(channel_id) != count
    }
    if wrong:
        raise RuntimeError(f"unread counts differ (found, expected): {wrong}")


def run(channels: int, per_channel: int, timed: int, warm_up: int) -> dict:
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start(with_pump=False)
        owner = app.sign_in_owner()
        started = time.perf_counter()
        expected = write_channels(owner.id, channels, per_channel)
        write_seconds = time.perf_counter() - started
        print(
            f"wrote {channels} channels of {per_channel} messages "
            f"in {write_seconds:.1f} s"
        )
        figures = measure_repeated(
            meters, owner.client, "/api/chat/unread", timed, warm_up
        )
    finally:
        app.stop()
    body = figures.pop("body")
    check_counts(body, expected)
    messages_read = sum(
        count
        for kind, count in figures["items_returned_by_type"].items()
        if kind == "chat/message"
    )
    print(f"  {len(body['channels'])} channels in the response, counts as expected")
    print(f"  {cost_line(figures)}")
    print(f"  messages read: {messages_read}")
    print(format_summary("  request", figures["latency"]))
    return {
        "setup": {
            "channels_written": channels,
            "messages_per_channel": per_channel,
            "deleted_every": DELETED_EVERY,
            "write_seconds": round(write_seconds, 1),
            "timed_requests": timed,
            "warm_up_requests": warm_up,
        },
        "channels_in_response": len(body["channels"]),
        "unread_total": body["total"],
        "counts_match_expected": True,
        "messages_read": messages_read,
        **figures,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--channels",
        type=int,
        default=CHANNELS,
        help=f"channels the person is a member of (default {CHANNELS})",
    )
    parser.add_argument(
        "--messages",
        type=int,
        default=MESSAGES_PER_CHANNEL,
        help=f"messages written per channel (default {MESSAGES_PER_CHANNEL})",
    )
    add_request_counts(parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="run")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    if arguments.channels < 1 or arguments.messages < 1:
        raise SystemExit("--channels and --messages must be at least 1")
    figures = run(
        arguments.channels, arguments.messages, arguments.requests, arguments.warm_up
    )
    save_results("chat_unread", "bench.chat_unread", figures)


if __name__ == "__main__":
    main()
