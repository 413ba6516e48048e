"""Import a Telegram Desktop export into a channel of the running local stack.

For files too large for the web form. Run while ``make run`` is up:
``python -m shtab_local.import_telegram --channel CHANNEL_ID result.json``.
"""

import argparse
import os
import sys
from pathlib import Path

from shtab_local import environment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="path to the export's result.json")
    parser.add_argument("--channel", required=True, help="id of the target channel")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("DATA_DIR", ".data")),
        help="data folder of the running stack (default: $DATA_DIR or .data)",
    )
    arguments = parser.parse_args()

    endpoint_file = arguments.data_dir / "dynamodb-endpoint"
    if not endpoint_file.exists():
        print(
            f"error: no running stack found in {arguments.data_dir}; "
            "start `make run` first",
            file=sys.stderr,
        )
        return 2
    environment.prepare(arguments.data_dir, port=int(os.environ.get("PORT", "8000")))
    os.environ["SHTAB_DYNAMODB_ENDPOINT"] = endpoint_file.read_text().strip()

    from pynamodb.exceptions import PynamoDBException

    from chalicelib.chat.channels import find_channel
    from chalicelib.chat.telegram_import import import_telegram_export
    from chalicelib.errors import ApiError

    try:
        channel = find_channel(arguments.channel)
    except PynamoDBException:
        print(
            f"error: the stack recorded in {endpoint_file} is not running; "
            "start `make run` first",
            file=sys.stderr,
        )
        return 2
    if channel is None:
        print(f"error: channel {arguments.channel} not found", file=sys.stderr)
        return 2

    def report(done: int, total: int) -> None:
        print(f"\rimported {done} of {total} messages", end="", flush=True)

    try:
        result = import_telegram_export(channel, arguments.export.read_bytes(), report)
    except ApiError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 1
    print()
    for key, value in result.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
