"""Task imports as background jobs (``chalicelib.imports``).

The route checks the file and the mappings, then queues a job with the file
as uploaded and, as the job's options, the request's parameters, the caller
and the start time. The job checks them again and writes. Every run of one
job uses its job id as the import key and the same start time, so task ids
come out the same and a run after a failure adds only what is missing.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from chalicelib.clock import utc_now
from chalicelib.tasks.importing.service import (
    ImportRequest,
    ProgressCallback,
    plan_import,
    write_plan,
)
from chalicelib.tasks.visibility import viewer_of
from chalicelib.web import Caller

# A job's report is stored on the job item, which DynamoDB limits to 400 KB.
# So each list in it is cut to this many entries, and the counts stay whole.
MAX_REPORT_ENTRIES = 300
JOB_KINDS = {"trello": "tasks_trello", "csv": "tasks_csv"}


class TaskJobFileError(ValueError):
    """A stored job document that cannot be read."""

    def __init__(self, message: str, field: str | None = "file") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class TaskJob:
    request: ImportRequest
    user_id: str
    role: str
    scopes: list[str]
    integration_name: str | None
    import_key: str
    started_at: datetime
    file: bytes

    def caller(self) -> Caller:
        return Caller(
            user_id=self.user_id,
            role=self.role,
            scopes=frozenset(self.scopes),
            integration_name=self.integration_name,
        )


def job_options(request: ImportRequest, caller: Caller) -> dict:
    """Return the options a task import job is created with."""
    return {
        "request": asdict(request),
        "user_id": caller.user_id,
        "role": caller.role,
        "scopes": sorted(caller.scopes),
        "integration_name": caller.integration_name,
        "started_at": utc_now().isoformat(),
    }


def read_job(data: bytes, options: dict) -> TaskJob:
    """Read a job's file and options; ``job_id`` is added by the job runner."""
    try:
        return TaskJob(
            request=ImportRequest(**options["request"]),
            user_id=options["user_id"],
            role=options["role"],
            scopes=list(options["scopes"]),
            integration_name=options["integration_name"],
            import_key=options["job_id"],
            started_at=datetime.fromisoformat(options["started_at"]),
            file=data,
        )
    except (ValueError, KeyError, TypeError) as error:
        raise TaskJobFileError(
            f"The task import job's options are unreadable ({error}); upload "
            "the file again."
        ) from None


def _capped(report: dict) -> dict:
    for name in ("task_ids", "skipped", "warnings", "placeholders"):
        entries = report[name]
        report[f"{name}_total"] = len(entries)
        report[name] = entries[:MAX_REPORT_ENTRIES]
    return report


def write_job(job: TaskJob, created_by: str, progress: ProgressCallback) -> dict:
    """Run the import a job document describes; return the report.

    The file and mappings are checked again because users and placeholders
    may have changed since the upload; an ApiError ends the job as failed.
    """
    viewer = viewer_of(job.caller())
    plan = plan_import(job.file, job.request, viewer)
    report = write_plan(
        plan,
        viewer,
        import_key=job.import_key,
        started_at=job.started_at,
        progress=progress,
    )
    return _capped(report.to_json())
