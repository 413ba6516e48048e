"""The org table: departments, positions and applied templates in one partition each.

A marketplace seller has tens of departments and positions, so each kind lives
in a single partition and is listed with one Query.
"""

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

DEPARTMENT_PARTITION = "DEPARTMENT"
POSITION_PARTITION = "POSITION"
TEMPLATE_PARTITION = "TEMPLATE"


class Department(Model):
    Meta = table_meta("org")

    pk = UnicodeAttribute(hash_key=True, default=DEPARTMENT_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    purpose = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    sort_order = NumberAttribute(default=0)
    source_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def department_id(self) -> str:
        return self.sk


class Position(Model):
    Meta = table_meta("org")

    pk = UnicodeAttribute(hash_key=True, default=POSITION_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    department_id = UnicodeAttribute()
    name = UnicodeAttribute()
    name_en = UnicodeAttribute(null=True)
    purpose = UnicodeAttribute(null=True)
    purpose_en = UnicodeAttribute(null=True)
    functions = ListAttribute(of=UnicodeAttribute, default=list)
    functions_en = ListAttribute(of=UnicodeAttribute, default=list)
    reports_to = UnicodeAttribute(null=True)
    sort_order = NumberAttribute(default=0)
    source_key = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def position_id(self) -> str:
        return self.sk


class AppliedTemplate(Model):
    """Marks a template as applied; its time seeds the ids of what it creates."""

    Meta = table_meta("org")

    pk = UnicodeAttribute(hash_key=True, default=TEMPLATE_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    applied_at = UTCDateTimeAttribute()
    applied_by = UnicodeAttribute()
