"""Import jobs: an uploaded export waiting for, or done with, its background run.

A job lives in the chat table (pk ``IMPORT#<job_id>``, sk ``META``) because the
chat stream reaction runs it: the job's insert is the signal to start.
"""

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

IMPORT_KINDS = ("slack", "telegram", "kb", "tasks_trello", "tasks_csv")
JOB_STATUSES = ("queued", "running", "done", "failed")


def job_pk(job_id: str) -> str:
    return f"IMPORT#{job_id}"


class ImportJob(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="META")
    item_type = UnicodeAttribute(default="import_job")
    job_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")
    created_by = UnicodeAttribute()
    # Where the uploaded archive waits in the files bucket until the run ends.
    object_key = UnicodeAttribute()
    file_size = NumberAttribute()
    # Settings sent with the upload, such as a kb import's section, as JSON text.
    options_json = UnicodeAttribute(null=True)
    progress_done = NumberAttribute(default=0)
    progress_total = NumberAttribute(default=0)
    # The finished run's report as JSON text, kept well under the item limit.
    report_json = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    finished_at = UTCDateTimeAttribute(null=True)
