"""When a failed webhook delivery is tried again, and when it is given up.

A delivery gets one first attempt and then one retry after each delay below,
so at most ``MAX_ATTEMPTS`` attempts spread over about 7 hours 12 minutes.
The scheduled retry function runs every minute, so a retry happens up to a
minute after it is due. After the last failed attempt the delivery is parked
in the dead-letter list, where an admin can replay it.
"""

from datetime import datetime, timedelta

RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 1 + len(RETRY_DELAYS)


def next_attempt_at(failed_attempts: int, failed_at: datetime) -> datetime | None:
    """Return when to try again after ``failed_attempts`` failures in a row.

    Returns None once every retry is used up, which parks the delivery.
    """
    if failed_attempts < 1:
        raise ValueError("failed_attempts counts the failure just recorded, so >= 1")
    if failed_attempts > len(RETRY_DELAYS):
        return None
    return failed_at + RETRY_DELAYS[failed_attempts - 1]
