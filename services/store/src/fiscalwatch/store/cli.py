"""`fiscalwatch db upgrade`: bring the database to the current schema."""

from __future__ import annotations

import argparse

from fiscalwatch.store.db import database_url, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database migrations")
    commands = parser.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    up = commands.add_parser("upgrade", help="migrate the database (FISCALWATCH_DATABASE_URL) to the latest schema")
    up.add_argument("--url", default=None, help="database URL (default: FISCALWATCH_DATABASE_URL or the embedded SQLite)")
    up.set_defaults(handler=lambda args: (upgrade(args.url or database_url()), 0)[1])
