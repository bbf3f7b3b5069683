"""The `fiscalwatch` command: one subcommand per job.

Each installed Fiscalwatch package contributes its subcommands through the entry-point
group `fiscalwatch.commands` (a `register(subparsers)` function), so a container that
installs one service gets exactly that service's commands.
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import entry_points


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fiscalwatch",
        description="Check published public-finance disclosures (部门预算 / 部门决算).",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for ep in sorted(entry_points(group="fiscalwatch.commands"), key=lambda e: e.name):
        ep.load()(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    return int(args.handler(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
