"""`fiscalwatch serve SERVICE`: run one service in this process, as in production.

Services are found through the entry-point group `fiscalwatch.services` (a `create(settings)`
function each), so a container that installs one service can serve exactly that one."""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import entry_points

from fiscalwatch.common.runtime import Service, serve
from fiscalwatch.common.settings import Settings


def installed_services() -> dict[str, object]:
    return {ep.name: ep for ep in entry_points(group="fiscalwatch.services")}


def create_service(name: str, settings: Settings | None = None) -> Service:
    return installed_services()[name].load()(settings)


def register(subparsers: argparse._SubParsersAction) -> None:
    names = sorted(installed_services())
    parser = subparsers.add_parser(
        "serve", help="run one service (as in production)",
        description="Run one service until SIGTERM: consumes its subjects, serves /metrics, /health/live, "
        "/health/ready (and the store's /api/v1) on FISCALWATCH_HTTP_PORT.")
    parser.add_argument("service", choices=names)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        service = create_service(args.service)
    except Exception as exc:  # noqa: BLE001 - a configuration that cannot work: say why, plainly
        print(f"error: cannot start {args.service}: {exc}", file=sys.stderr)
        return 2
    serve(service)
    return 0
