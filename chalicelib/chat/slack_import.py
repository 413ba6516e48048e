"""Write a parsed Slack workspace export into Shtab channels.

Each Slack channel becomes a custom channel, found again on a later import by
its Slack id, so importing the same export twice adds nothing. Slack people are
matched to Shtab accounts by e-mail, then by name; the matched ones join the
channel, and the others keep their names on their messages. Deleted Slack
accounts still have their names in users.json, so their messages keep them too.
"""

import logging
from dataclasses import dataclass, field

from chalicelib.chat import channels
from chalicelib.chat.history_writer import (
    ProgressCallback,
    count_replies,
    drop_existing,
    write_messages,
)
from chalicelib.chat.imported_pins import ImportedPin, apply_pins
from chalicelib.chat.imported_reactions import (
    SourceReaction,
    reaction_map,
    slack_emoji,
)
from chalicelib.chat.models import Channel, Message, channel_pk, message_sk, thread_pk
from chalicelib.chat.slack_export import SlackChannel, SlackExport, SlackUser
from chalicelib.clock import utc_now
from chalicelib.ids import stable_id
from chalicelib.people.models import ACTIVE, DIRECTORY, User
from chalicelib.text import strip_controls

logger = logging.getLogger(__name__)

IMPORTED_SENDER_PREFIX = "slack:"
# The API's limit on channel names; Slack allows longer ones.
MAX_CHANNEL_NAME_LENGTH = 80
# The report lists this many skipped lines one by one and counts the rest.
MAX_REPORTED_SKIPS = 200


@dataclass
class ChannelReport:
    name: str
    channel_id: str
    messages: int = 0
    replies: int = 0
    imported: int = 0
    already_present: int = 0
    pinned: int = 0
    already_pinned: int = 0
    reactions: int = 0

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SlackImportReport:
    channels: list[ChannelReport] = field(default_factory=list)
    matched_people: list[str] = field(default_factory=list)
    unmatched_people: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    skipped_total: int = 0

    def skip(self, channel: str, ts: str | None, reason: str) -> None:
        self.skipped_total += 1
        if len(self.skipped) < MAX_REPORTED_SKIPS:
            self.skipped.append({"channel": channel, "ts": ts, "reason": reason})

    def to_json(self) -> dict:
        return {
            "channels": [channel.to_json() for channel in self.channels],
            "imported": sum(channel.imported for channel in self.channels),
            "already_present": sum(c.already_present for c in self.channels),
            "matched_people": sorted(self.matched_people),
            "unmatched_people": sorted(self.unmatched_people),
            "skipped": self.skipped,
            "skipped_total": self.skipped_total,
        }


def import_slack_export(
    export: SlackExport,
    imported_by: str,
    progress: ProgressCallback | None = None,
) -> SlackImportReport:
    """Create or find a channel per Slack channel and write the messages."""
    report = SlackImportReport(skipped_total=len(export.skipped))
    report.skipped = [skip.to_json() for skip in export.skipped[:MAX_REPORTED_SKIPS]]
    accounts = _match_people(export.users, report)
    total = export.message_count
    done = 0
    if progress is not None:
        progress(0, total)

    for slack_channel in export.channels:
        channel = _ensure_channel(slack_channel, imported_by, accounts)
        channel_report = ChannelReport(slack_channel.name, channel.channel_id)
        report.channels.append(channel_report)
        items = _messages_of(slack_channel, channel, accounts)
        reaction_counts = _add_reactions(slack_channel, items, accounts, report)
        channel_report.messages = len(items)
        channel_report.replies = sum(1 for item in items if item.thread_id)

        new_items = drop_existing(items)
        channel_report.already_present = len(items) - len(new_items)

        def channel_progress(written: int, _: int, offset: int = done) -> None:
            if progress is not None:
                progress(offset + written, total)

        channel_report.imported = write_messages(new_items, channel_progress)
        count_replies(new_items, IMPORTED_SENDER_PREFIX)
        channel_report.reactions = sum(
            reaction_counts.get(item.message_id, 0) for item in new_items
        )
        _pin_messages(slack_channel, items, imported_by, report, channel_report)
        done += len(items)
        if progress is not None:
            progress(done, total)
        logger.info(
            "slack channel imported channel_id=%s slack_id=%s imported=%d "
            "already_present=%d",
            channel.channel_id,
            slack_channel.channel_id,
            channel_report.imported,
            channel_report.already_present,
        )
    return report


def _match_people(
    users: dict[str, SlackUser], report: SlackImportReport
) -> dict[str, User]:
    """Map Slack user ids to active Shtab accounts, by e-mail and then by name."""
    by_email, by_name = {}, {}
    for user in User.directory_index.query(DIRECTORY):
        if user.status != ACTIVE:
            continue
        by_email.setdefault(user.email.casefold(), user)
        by_name.setdefault(user.name.strip().casefold(), user)
    accounts = {}
    for slack_user in users.values():
        account = None
        if slack_user.email:
            account = by_email.get(slack_user.email.casefold())
        if account is None:
            account = by_name.get(slack_user.name.casefold())
        if account is None or slack_user.is_bot:
            report.unmatched_people.append(slack_user.name)
            continue
        accounts[slack_user.user_id] = account
        report.matched_people.append(slack_user.name)
    return accounts


def _ensure_channel(
    slack_channel: SlackChannel, imported_by: str, accounts: dict[str, User]
) -> Channel:
    name = strip_controls(slack_channel.name)[:MAX_CHANNEL_NAME_LENGTH]
    channel = channels.ensure_channel(
        f"slack:{slack_channel.channel_id}",
        name=name or f"slack-{slack_channel.channel_id}",
        kind="custom",
        created_by=imported_by,
    )
    updates = []
    if slack_channel.purpose and not channel.description:
        updates.append(Channel.description.set(slack_channel.purpose[:1000]))
    if slack_channel.is_archived and not channel.archived:
        updates.append(Channel.archived.set(True))
    if updates:
        channel.update(actions=[*updates, Channel.updated_at.set(utc_now())])
    # NOTE: a private Slack channel (groups.json) is imported as a custom
    # channel open to its matched members only by membership, not marked private.
    members = {imported_by}
    members.update(
        accounts[member].user_id
        for member in slack_channel.member_ids
        if member in accounts
    )
    for user_id in sorted(members):
        channels.add_member(channel.channel_id, user_id, source="manual")
    return channel


def _messages_of(
    slack_channel: SlackChannel, channel: Channel, accounts: dict[str, User]
) -> list[Message]:
    ids = {
        message.ts: stable_id(
            message.sent_at,
            channel.channel_id,
            "slack",
            slack_channel.channel_id,
            message.ts,
        )
        for message in slack_channel.messages
    }
    # A reply whose root is not in the export (outside the exported dates)
    # becomes a plain channel message.
    roots = {message.ts for message in slack_channel.messages if not message.thread_ts}
    items = []
    for message in slack_channel.messages:
        root_ts = message.thread_ts if message.thread_ts in roots else None
        root_id = ids[root_ts] if root_ts else None
        account = accounts.get(message.author_id or "")
        sender_id = (
            account.user_id
            if account
            else IMPORTED_SENDER_PREFIX + (message.author_id or message.author_name)
        )
        items.append(
            Message(
                thread_pk(root_id) if root_id else channel_pk(channel.channel_id),
                message_sk(ids[message.ts]),
                message_id=ids[message.ts],
                channel_id=channel.channel_id,
                thread_id=root_id,
                sender_id=sender_id,
                sender_name=message.author_name,
                kind="imported",
                text=message.text,
                attachments=list(message.files) or None,
                source_ref=f"slack:{slack_channel.channel_id}:{message.ts}",
                created_at=message.sent_at,
                edited_at=message.edited_at,
            )
        )
    return items


def _add_reactions(
    slack_channel: SlackChannel,
    items: list[Message],
    accounts: dict[str, User],
    report: SlackImportReport,
) -> dict[str, int]:
    """Put each message's reactions on its item; return the count per message id.

    ``items`` are in the order of ``slack_channel.messages``.
    """
    counts = {}
    for message, item in zip(slack_channel.messages, items, strict=True):
        if not message.reactions:
            continue
        sources = []
        for reaction in message.reactions:
            emoji, reason = slack_emoji(reaction.name)
            people = [
                (_person_id(user_id, accounts), None) for user_id in reaction.user_ids
            ]
            sources.append(
                SourceReaction(
                    label=f":{reaction.name}:",
                    emoji=emoji,
                    people=people,
                    count=reaction.count,
                    reason=reason,
                )
            )
        stored, skipped = reaction_map(
            sources, IMPORTED_SENDER_PREFIX, default_at=message.sent_at
        )
        for reason in skipped:
            report.skip(slack_channel.name, message.ts, reason)
        if stored:
            item.reactions = stored
            counts[item.message_id] = sum(len(users) for users in stored.values())
    return counts


def _pin_messages(
    slack_channel: SlackChannel,
    items: list[Message],
    imported_by: str,
    report: SlackImportReport,
    channel_report: ChannelReport,
) -> None:
    """Pin the messages that Slack lists as pinned in this channel.

    The export does not record who pinned a message or when, so the pin is by
    the person who ran the import, at the message's own time.
    """
    pins = [
        ImportedPin(
            message=item,
            pinned_by=imported_by,
            pinned_at=message.sent_at,
            source_ref=message.ts,
        )
        for message, item in zip(slack_channel.messages, items, strict=True)
        if slack_channel.channel_id in message.pinned_to
    ]
    result = apply_pins(pins)
    channel_report.pinned = result.pinned
    channel_report.already_pinned = result.already_pinned
    for ts, reason in result.skipped:
        report.skip(slack_channel.name, ts, f"pin not imported: {reason}")


def _person_id(slack_user_id: str, accounts: dict[str, User]) -> str:
    account = accounts.get(slack_user_id)
    return account.user_id if account else IMPORTED_SENDER_PREFIX + slack_user_id
