"""The finance table: payment requests with their history, categories and settings.

Keys, by item:
- request:   pk ``REQUEST#<request_id>``, sk ``REQUEST``
- history:   pk ``REQUEST#<request_id>``, sk ``HISTORY#<version, 8 digits>``.
  Entries are append-only, one per version. A transition and its entry share
  the version number, so a transition that lost a race fails on both.
- attachment: pk ``REQUEST#<request_id>``, sk ``ATTACHMENT#<attachment_id>``;
  the file itself is in the files bucket under ``finance/<request_id>/<attachment_id>/``
- category:  pk ``CATEGORY``, sk ``<category_id>`` (tens of items, one Query)
- category template marker: pk ``CATEGORY_TEMPLATE``, sk ``<template key>``
- settings:  pk ``SETTINGS``, sk ``SETTINGS``

Global secondary indexes over request items only (each key attribute is set on
requests alone, so history, categories and settings stay out of them):
- ``author-index``: author_id / request_id, "my requests"
- ``approver-index``: approver_key / request_id, requests waiting for a
  position (or ``OWNER``); set only while a request is on approval
- ``author-position-index``: author_position_id / request_id, what a manager's
  reports asked for
- ``payment-index``: pay_month / pay_key (``<date>#<request_id>``), the payment
  calendar; set only while a request is approved and not fully paid
- ``period-index``: period / request_id, the monthly plan
- ``listing-index``: listing / request_id, every request, for finance and the
  owner. One partition is enough for a company with thousands of requests.

Request ids are ULIDs, so each index lists newest first with a descending Query.
"""

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

STATUSES = (
    "draft",
    "on_approval",
    "approved",
    "scheduled",
    "partially_paid",
    "paid",
    "rejected",
    "returned",
)
EDITABLE_STATUSES = ("draft", "returned")
PAYABLE_STATUSES = ("approved", "scheduled", "partially_paid")

CATEGORY_PARTITION = "CATEGORY"
CATEGORY_TEMPLATE_PARTITION = "CATEGORY_TEMPLATE"
SETTINGS_KEY = "SETTINGS"
LISTING = "REQUEST"
OWNER_APPROVER_KEY = "OWNER"


def request_pk(request_id: str) -> str:
    return f"REQUEST#{request_id}"


def history_sk(version: int) -> str:
    return f"HISTORY#{version:08d}"


def attachment_sk(attachment_id: str) -> str:
    return f"ATTACHMENT#{attachment_id}"


class AuthorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "author-index"
        projection = AllProjection()

    author_id = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class ApproverIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "approver-index"
        projection = AllProjection()

    approver_key = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class AuthorPositionIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "author-position-index"
        projection = AllProjection()

    author_position_id = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class PaymentIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "payment-index"
        projection = AllProjection()

    pay_month = UnicodeAttribute(hash_key=True)
    pay_key = UnicodeAttribute(range_key=True)


class PeriodIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "period-index"
        projection = AllProjection()

    period = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class ListingIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    request_id = UnicodeAttribute(range_key=True)


class Step(MapAttribute):
    """One step of a request's approval path.

    A position step names a position, not a person: whoever holds the position
    when the step is acted on is its approver. An owner step is the owner's.
    """

    kind = UnicodeAttribute()  # "position" or "owner"
    position_id = UnicodeAttribute(null=True)
    position_name = UnicodeAttribute(null=True)
    # "pending", "approved" or "skipped"; the current step is the request's
    # ``current_step``.
    status = UnicodeAttribute(default="pending")
    # Why a step is skipped: "vacant" (nobody holds the position when the path
    # was derived) or "author" (the author holds it and cannot approve).
    note = UnicodeAttribute(null=True)
    acted_by = UnicodeAttribute(null=True)
    acted_by_name = UnicodeAttribute(null=True)
    acted_at = UTCDateTimeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    rate = UnicodeAttribute(null=True)


class FinanceRequest(Model):
    """A request to pay a counterparty, from draft to paid."""

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="REQUEST")
    item_type = UnicodeAttribute(default="request")
    request_id = UnicodeAttribute()
    listing = UnicodeAttribute(default=LISTING)
    status = UnicodeAttribute(default="draft")
    # Raised by every change; each write is conditional on the version read.
    version = NumberAttribute(default=1)

    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    author_position_id = UnicodeAttribute(null=True)

    amount_minor = NumberAttribute()
    currency = UnicodeAttribute(default="RUB")
    # Attachments created and not deleted, pending uploads included; a
    # conditional ADD keeps it at or under the limit under concurrent uploads.
    attachment_count = NumberAttribute(default=0)
    # RUB per unit of ``currency``, as the latest approver recorded it.
    rate = UnicodeAttribute(null=True)
    amount_rub_minor = NumberAttribute(null=True)
    paid_minor = NumberAttribute(default=0)

    category_id = UnicodeAttribute()
    counterparty = UnicodeAttribute()
    problem = UnicodeAttribute()
    solution = UnicodeAttribute()
    pay_by = UnicodeAttribute()
    pay_on = UnicodeAttribute(null=True)
    period = UnicodeAttribute()
    task_id = UnicodeAttribute(null=True)
    launch_id = UnicodeAttribute(null=True)

    steps = ListAttribute(of=Step, default=list)
    current_step = NumberAttribute(null=True)
    approver_key = UnicodeAttribute(null=True)
    pay_month = UnicodeAttribute(null=True)
    pay_key = UnicodeAttribute(null=True)
    # The reason of the latest rejection or return, shown to the author.
    reason = UnicodeAttribute(null=True)

    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    submitted_at = UTCDateTimeAttribute(null=True)
    approved_at = UTCDateTimeAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)

    author_index = AuthorIndex()
    approver_index = ApproverIndex()
    author_position_index = AuthorPositionIndex()
    payment_index = PaymentIndex()
    period_index = PeriodIndex()
    listing_index = ListingIndex()


class HistoryEntry(Model):
    """One change of a request, written in the same transaction as the change.

    The stream reaction sends notifications from these entries, so each carries
    what the notification needs as of that version.
    """

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="history")
    request_id = UnicodeAttribute()
    version = NumberAttribute()
    # created, edited, submitted, approved, rejected, returned, withdrawn,
    # scheduled or paid
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    rate = UnicodeAttribute(null=True)
    step_index = NumberAttribute(null=True)
    # The approver key (position id or OWNER) the request waits for after this
    # change, if it is on approval.
    next_approver_key = UnicodeAttribute(null=True)
    next_step_index = NumberAttribute(null=True)
    # A payment's amount, and the total paid with it.
    amount_minor = NumberAttribute(null=True)
    paid_total_minor = NumberAttribute(null=True)
    pay_on = UnicodeAttribute(null=True)
    changed_fields = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UTCDateTimeAttribute()


class Attachment(Model):
    """A file attached to a request: "pending" until the upload is checked."""

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="attachment")
    request_id = UnicodeAttribute()
    attachment_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    uploaded_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    uploaded_at = UTCDateTimeAttribute(null=True)

    @property
    def upload_key(self) -> str:
        """The key the browser uploads to; only the server reads it."""
        return f"finance/{self.request_id}/{self.attachment_id}/upload"

    @property
    def storage_key(self) -> str:
        """The key of the checked file, which downloads read."""
        return f"finance/{self.request_id}/{self.attachment_id}/file"


class Category(Model):
    """An expense category; ``parent_id`` makes the categories a tree."""

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True, default=CATEGORY_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="category")
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    # Who may request it: people of this department (or its subdepartments) or
    # holders of this position. Neither set means everyone.
    department_id = UnicodeAttribute(null=True)
    position_id = UnicodeAttribute(null=True)
    monthly_limit_minor = NumberAttribute(null=True)
    sort_order = NumberAttribute(default=1000)
    source_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def category_id(self) -> str:
        return self.sk


class CategoryTemplate(Model):
    """Marks the shipped category tree as created."""

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True, default=CATEGORY_TEMPLATE_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="category_template")
    applied_at = UTCDateTimeAttribute()


class FinalApprover(MapAttribute):
    kind = UnicodeAttribute()  # "position" or "owner"
    position_id = UnicodeAttribute(null=True)
    # The step applies to requests of more than this many RUB minor units.
    above_minor = NumberAttribute(default=0)


class FinanceSettings(Model):
    """The company's approval rules; absent until an admin saves them."""

    Meta = table_meta("finance")

    pk = UnicodeAttribute(hash_key=True, default=SETTINGS_KEY)
    sk = UnicodeAttribute(range_key=True, default=SETTINGS_KEY)
    item_type = UnicodeAttribute(default="settings")
    # Up to this amount only the direct manager approves from the chain;
    # above it every manager up the chain does.
    direct_manager_only_up_to_minor = NumberAttribute()
    final_approvers = ListAttribute(of=FinalApprover, default=list)
    finance_position_ids = ListAttribute(of=UnicodeAttribute, default=list)
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
