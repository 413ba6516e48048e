"""Process templates and launches, kept in the tasks table next to their tasks.

Keys, by item:
- template created by an admin: pk ``PROCESS_TEMPLATE``, sk ``<template_id>``.
  Templates are few, so they share one partition and are listed with one Query.
- launch: pk ``LAUNCH#<launch_id>``, sk ``LAUNCH``. It keeps the steps as
  launched, each with the id of its task, so later template changes or a new
  version of a shipped file do not change a running project.
- launch key: pk ``LAUNCH_KEY#<digest>``, sk ``LAUNCH_KEY``. Written in the
  same transaction as the launch, on the condition that it does not exist, so
  a repeated request finds the first launch instead of creating a second.

The tasks stream reaction reads these records too and ignores them by their
``item_type``.
"""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

TEMPLATE_PARTITION = "PROCESS_TEMPLATE"
LAUNCH_SK = "LAUNCH"
LAUNCH_KEY_SK = "LAUNCH_KEY"


def launch_pk(launch_id: str) -> str:
    return f"LAUNCH#{launch_id}"


def launch_key_pk(digest: str) -> str:
    return f"LAUNCH_KEY#{digest}"


class ProcessTemplate(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True, default=TEMPLATE_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="process_template")
    # The TemplateDefinition as JSON; it is read and written whole.
    definition = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    @property
    def template_id(self) -> str:
        return self.sk


class Launch(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=LAUNCH_SK)
    item_type = UnicodeAttribute(default="launch")
    launch_id = UnicodeAttribute()
    template_id = UnicodeAttribute()
    template_name = UnicodeAttribute()
    name = UnicodeAttribute()
    product = UnicodeAttribute(null=True)
    # The calendar day the product goes on sale, YYYY-MM-DD.
    target_date = UnicodeAttribute()
    locale = UnicodeAttribute()
    launcher_id = UnicodeAttribute()
    # JSON list of the launched steps: key, task id, position, dates and
    # dependencies (see chalicelib.processes.launching.LaunchedStep).
    steps = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()


class LaunchKey(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=LAUNCH_KEY_SK)
    item_type = UnicodeAttribute(default="launch_key")
    launch_id = UnicodeAttribute()
    # What the request asked for; a repeat with the same key but another
    # request is rejected instead of answered with the first launch.
    fingerprint = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
