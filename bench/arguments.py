"""Command-line options that several benchmarks share."""

import argparse


def add_request_counts(
    parser: argparse.ArgumentParser, timed: int, warm_up: int, per: str
) -> None:
    """Add --requests and --warm-up. ``per`` names what each count is for."""
    parser.add_argument(
        "--requests",
        type=int,
        default=timed,
        help=f"timed requests per {per} (default {timed})",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=warm_up,
        help=f"untimed requests before the timed ones (default {warm_up})",
    )
