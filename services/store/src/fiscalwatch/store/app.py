"""The store service: the only one that opens the database.

- `fiscalwatch.disclosure.parsed` (consumer `store-disclosures`): persist the disclosure, its cells and facts;
- `fiscalwatch.disclosure.validated` (the same consumer): persist key figures and findings, then send
  back to validation (`fiscalwatch.disclosure.revalidate`) the disclosures whose history has grown,
  and announce `fiscalwatch.disclosure.stored`;
- the alerts validation published come with the validation (`alerts`), and are stored with it;
- `fiscalwatch.dlq.>` (`store-dead-letters`): persist them;
- `fiscalwatch.store.history` (request-reply, queue group `store`): a department's history;
- HTTP: the read-only API under /api/v1.
Every write is idempotent and commits before the message is acknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from faststream.nats import NatsMessage
from sqlalchemy.orm import Session, sessionmaker

from fiscalwatch.common.broker import envelope, publish
from fiscalwatch.common.events import (
    AlertRaised, DeadLetter, DisclosureIdentity, DisclosureParsed, DisclosureStored, DisclosureValidated, Envelope,
    HistoryRequest, HistoryResponse, Subjects,
)
from fiscalwatch.common.model import Disclosure
from fiscalwatch.common.runtime import Service, publishes
from fiscalwatch.common.settings import Settings
from fiscalwatch.store import repository
from fiscalwatch.store.api import api_router
from fiscalwatch.store.db import make_engine

T = TypeVar("T")


def create(settings: Settings | None = None) -> Service:
    service = Service.create("store", settings)
    engine = make_engine(service.settings.database_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    service.routers.append(api_router(sessions))

    async def in_transaction(work: Callable[[Session], T]) -> T:
        # On the event loop, not in a worker thread: a write takes a few milliseconds, the
        # disclosure consumer takes one message at a time anyway, and handing each write to a
        # thread cost a fifth of the store's CPU in GIL hand-offs (bench/bench_pipeline.py).
        with sessions.begin() as session:
            return work(session)

    async def on_parsed(event: Envelope[DisclosureParsed], _message: NatsMessage) -> None:
        await in_transaction(lambda s: repository.store_disclosure(s, event.data.disclosure))

    async def on_validated(event: Envelope[DisclosureValidated], _message: NatsMessage) -> None:
        validated = event.data
        sha = validated.identity.sha256

        def write(session: Session) -> list[tuple[str, Disclosure]]:
            repository.store_validation(session, sha, validated.key_figures, validated.findings,
                                        validated.compared_with)
            # The alerts published for these findings, in the same transaction (their own
            # events are for subscribers; the ids are the same, so nothing is stored twice).
            repository.store_alerts(session, [
                (ref.id, AlertRaised(kind=ref.kind, identity=validated.identity, finding=validated.findings[ref.finding]))
                for ref in validated.alerts], event.time)
            session.flush()
            return [(other, repository.stored_disclosure(session, other))
                    for other in repository.to_revalidate(session, sha)]

        again = await in_transaction(write)
        for other_sha, disclosure in again:
            request = DisclosureParsed(identity=DisclosureIdentity.of(disclosure), disclosure=disclosure)
            await publish(service.broker, Subjects.REVALIDATE, envelope(
                request, source="store", type_=Subjects.REVALIDATE, id_parts=(other_sha, event.id), subject=other_sha))
        stored = DisclosureStored(identity=validated.identity, findings=validated.summary.total,
                                  revalidating=[s for s, _ in again])
        await publish(service.broker, Subjects.STORED, envelope(
            stored, source="store", type_=Subjects.STORED, id_parts=(event.id,), subject=sha))

    # One consumer, in stream order, for a disclosure and its validation: a disclosure's parsed
    # event is always in the stream before its validated event, so it is stored first (with
    # several replicas the order can still cross; the validation is then retried).
    service.consumers.consume_in_order(
        f"{Subjects.DISCLOSURE}.>", "store-disclosures",
        {Subjects.PARSED: (DisclosureParsed, on_parsed), Subjects.VALIDATED: (DisclosureValidated, on_validated)},
        "Persist each parsed disclosure (tables, cells, narrative facts), then its validation; send back to "
        "validation what a new history changes.")

    @service.consumers.consume(f"{Subjects.DLQ}.>", "store-dead-letters", DeadLetter,
                               "Persist each dead letter, for the operators' API.")
    async def on_dead_letter(event: Envelope[DeadLetter], _message: NatsMessage) -> None:
        await in_transaction(lambda s: repository.store_dead_letter(s, event.id, event.data))

    @service.broker.subscriber(Subjects.HISTORY, queue="store", max_workers=service.settings.concurrency,
                               title="store:history",
                               description="A department's validated disclosures of the prior and the same year.")
    async def on_history(request: HistoryRequest) -> str:
        def read() -> HistoryResponse:
            with sessions() as session:
                return HistoryResponse(records=repository.history(session, request.department_key, request.fiscal_year,
                                                                   request.kind))
        return read().model_dump_json()

    publishes(service, Subjects.REVALIDATE, DisclosureParsed,
              "A stored disclosure sent back to validation because a related one arrived after it.")
    publishes(service, Subjects.STORED, DisclosureStored, "A disclosure and its validation are persisted.")
    publishes(service, Subjects.dead_letter("store"), DeadLetter, "A message the store gave up on, with the reason.")
    service.on_stop.append(lambda: asyncio.to_thread(engine.dispose))
    return service
