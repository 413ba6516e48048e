"""Run Shtab locally: ``python -m shtab_local`` (what ``make run`` calls)."""

import argparse
import logging
import os
from pathlib import Path

from shtab_local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole Shtab stack locally.")
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("PORT", "8000")),
        help="port for the web app, API and WebSocket (default: $PORT or 8000)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("DATA_DIR", ".data")),
        help="folder that keeps data between runs (default: $DATA_DIR or .data)",
    )
    parser.add_argument(
        "--no-persist", action="store_true", help="start empty and save nothing"
    )
    arguments = parser.parse_args()

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # werkzeug logs every request moto serves; the pump polls many times a second.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    LocalStack(
        arguments.port, arguments.data_dir, persist=not arguments.no_persist
    ).run()


if __name__ == "__main__":
    main()
