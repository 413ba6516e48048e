"""Create import jobs and run them in the background.

The HTTP route checks the whole archive, stores it in the files bucket and
saves a queued job. The job's insert reaches the chat stream reaction, which
runs it here and records progress on the job as it goes. A run writes messages
with ids derived from the export, so running a job again after a failure adds
only what is missing.
"""

import json
import logging

from pynamodb.exceptions import UpdateError

from chalicelib.clock import utc_now
from chalicelib.errors import ApiError, NotFound
from chalicelib.files import storage
from chalicelib.ids import new_id
from chalicelib.imports.formats import FORMATS, ExportFileError
from chalicelib.imports.models import ImportJob, job_pk

logger = logging.getLogger(__name__)

# Progress is saved at most this often (in messages), to keep writes few.
PROGRESS_STEP = 500


def create_job(
    kind: str, archive: bytes, created_by: str, options: dict | None = None
) -> ImportJob:
    job_id = new_id()
    now = utc_now()
    job = ImportJob(
        job_pk(job_id),
        job_id=job_id,
        kind=kind,
        created_by=created_by,
        object_key=f"imports/{job_id}/export",
        file_size=len(archive),
        options_json=json.dumps(options, ensure_ascii=False) if options else None,
        created_at=now,
        updated_at=now,
    )
    # The archive is stored first: a job never points at a missing file.
    storage.put_object(job.object_key, archive, FORMATS[kind].content_type)
    job.save()
    logger.info(
        "import job queued job_id=%s kind=%s bytes=%d by user_id=%s",
        job_id,
        kind,
        len(archive),
        created_by,
    )
    return job


def get_job(job_id: str) -> ImportJob:
    try:
        return ImportJob.get(job_pk(job_id), "META", consistent_read=True)
    except ImportJob.DoesNotExist:
        raise NotFound(f"Import job {job_id} was not found.") from None


def run_job(job_id: str) -> None:
    """Run a queued job; a finished one is left alone, so redelivery is harmless.

    NOTE: the job runs inside the chat stream's function, so live delivery of
    other changes on the same stream shard waits until the import ends.
    """
    job = get_job(job_id)
    if job.status in ("done", "failed"):
        logger.info("import job already finished job_id=%s", job_id)
        return
    job.update(actions=[ImportJob.status.set("running"), _touch()])
    logger.info("import job started job_id=%s kind=%s", job_id, job.kind)

    export_format = FORMATS[job.kind]
    data = storage.read_object(job.object_key)
    try:
        export = export_format.parse(data, job_options(job))
    except ExportFileError as error:
        # The route checked the file, so this means it changed in storage.
        logger.warning("import job file invalid job_id=%s: %s", job_id, error.message)
        _finish(job, status="failed", error=error.message)
        return

    saved = {"done": -PROGRESS_STEP}

    def progress(done: int, total: int) -> None:
        if done - saved["done"] >= PROGRESS_STEP or done == total:
            saved["done"] = done
            job.update(
                actions=[
                    ImportJob.progress_done.set(done),
                    ImportJob.progress_total.set(total),
                    _touch(),
                ]
            )

    try:
        report = export_format.write_export(export, job.created_by, progress)
    except ApiError as error:
        # A rule the file breaks that parsing did not catch: retrying cannot
        # help, so the job ends with the reason instead of staying "running".
        logger.warning("import job rejected job_id=%s: %s", job_id, error.message)
        _finish(job, status="failed", error=error.message)
        return
    _finish(job, status="done", report=report)
    storage.delete_object(job.object_key)


def _finish(
    job: ImportJob, *, status: str, report: dict | None = None, error: str | None = None
) -> None:
    now = utc_now()
    actions = [
        ImportJob.status.set(status),
        ImportJob.finished_at.set(now),
        ImportJob.updated_at.set(now),
    ]
    if report is not None:
        actions.append(
            ImportJob.report_json.set(json.dumps(report, ensure_ascii=False))
        )
    if error is not None:
        actions.append(ImportJob.error.set(error))
    try:
        job.update(
            actions=actions,
            condition=ImportJob.status.is_in("queued", "running"),
        )
    except UpdateError as failure:
        if failure.cause_response_code != "ConditionalCheckFailedException":
            raise
    logger.info("import job finished job_id=%s status=%s", job.job_id, status)


def job_options(job: ImportJob) -> dict:
    """Return the options stored with the job, plus its ``job_id``."""
    stored = json.loads(job.options_json) if job.options_json else {}
    return {**stored, "job_id": job.job_id}


def _touch():
    return ImportJob.updated_at.set(utc_now())


def job_json(job: ImportJob) -> dict:
    return {
        "id": job.job_id,
        "kind": job.kind,
        "status": job.status,
        "progress": {"done": job.progress_done, "total": job.progress_total},
        "report": json.loads(job.report_json) if job.report_json else None,
        "error": job.error,
        "created_by": job.created_by,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def check_file(kind: str, data: bytes) -> None:
    """Parse the file once so that a bad one is rejected before any write."""
    FORMATS[kind].parse(data)
