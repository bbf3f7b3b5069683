"""NATS JetStream wiring shared by the services: the stream, the buckets, durable publishing,
and the delivery policy every consumer follows.

Delivery is at least once, processing effectively once:
- events are published to JetStream with `Nats-Msg-Id` = the event's deterministic id and the
  publisher waits for JetStream's acknowledgement, so a republished event is a duplicate that the
  stream drops (within `duplicate_window_seconds`) and the store's idempotent writes absorb;
- a consumer acknowledges a message only after its results are published or stored;
- a failure is handed back with a delay (`retry_backoff`) until the message has been delivered
  `max_deliver` times; then it goes to `fiscalwatch.dlq.<stage>` with the reason, and only then
  is it acknowledged. Input that no retry can fix (not a disclosure, a payload that does not
  match its schema) goes to the dead letters at once. Nothing is dropped.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from faststream.middlewares import AckPolicy
from faststream.nats import JStream, NatsBroker, NatsMessage, PullSub
from faststream.nats.prometheus import NatsPrometheusMiddleware
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import BaseModel, ValidationError

from fiscalwatch.common.errors import FiscalwatchError
from fiscalwatch.common.events import DeadLetter, Envelope, Subjects, deterministic_id
from fiscalwatch.common.logs import get_logger
from fiscalwatch.common.metrics import Metrics
from fiscalwatch.common.settings import Settings

STREAM_NAME = "FISCALWATCH"
STREAM_SUBJECTS = [f"{Subjects.DISCLOSURE}.>", f"{Subjects.ALERT}.>", f"{Subjects.DLQ}.>"]
DOCUMENTS_BUCKET = "fiscalwatch-documents"  # Object Store: raw documents, named by their SHA-256
INGEST_MEMORY_BUCKET = "fiscalwatch-ingest"  # key-value: what ingest has announced
EVENTS_BUCKET = "fiscalwatch-events"  # Object Store: bodies of events too large for a message
CLAIM_HEADER = "Fiscalwatch-Claim"
INLINE_LIMIT = 512 * 1024  # larger event bodies travel by reference (see `publish`)

P = TypeVar("P", bound=BaseModel)
log = get_logger(__name__)


Handler = Callable[[Envelope[Any], NatsMessage], Awaitable[None]]
Route = tuple[type[BaseModel], Handler]


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` is one token, `>` the rest."""
    tokens, wanted = subject.split("."), pattern.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > i
        if i >= len(tokens) or (token != "*" and token != tokens[i]):
            return False
    return len(tokens) == len(wanted)


class Permanent(Exception):
    """A failure no retry can fix: the message goes to the dead letters at once."""


def stream(settings: Settings) -> JStream:
    return JStream(
        STREAM_NAME,
        subjects=STREAM_SUBJECTS,
        duplicate_window=settings.duplicate_window_seconds,
        max_age=settings.stream_max_age_days * 86400,
        description="Fiscalwatch events: disclosures, alerts, dead letters",
        declare=False,  # declare_stream does it, once, before the subscribers start
    )


def make_broker(settings: Settings, metrics: Metrics) -> NatsBroker:
    return NatsBroker(
        [url.strip() for url in settings.nats_url.split(",") if url.strip()],
        name=f"fiscalwatch-{settings.service_name}",
        logger=logging.getLogger(f"fiscalwatch.{settings.service_name}.broker"),
        log_level=logging.DEBUG,  # one "Received"/"Processed" line per message: too many for INFO
        graceful_timeout=settings.graceful_timeout_seconds,
        max_reconnect_attempts=-1,
        middlewares=[NatsPrometheusMiddleware(registry=metrics.registry, app_name=settings.service_name)],
    )


async def declare_stream(broker: NatsBroker, settings: Settings) -> None:
    """Create the stream, or bring its configuration up to date: idempotent, safe from every replica."""
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    js = broker.config.connection_state.stream
    config = StreamConfig(
        name=STREAM_NAME, subjects=STREAM_SUBJECTS, duplicate_window=settings.duplicate_window_seconds,
        max_age=settings.stream_max_age_days * 86400, description="Fiscalwatch events: disclosures, alerts, dead letters",
    )
    try:
        await js.stream_info(STREAM_NAME)
    except NotFoundError:
        try:
            await js.add_stream(config)
            return
        except Exception:  # another replica created it first
            pass
    await js.update_stream(config)


def envelope(data: P, *, source: str, type_: str, id_parts: tuple[str, ...], subject: str | None = None) -> Envelope[P]:
    return Envelope[type(data)](
        id=deterministic_id(type_, *id_parts), source=f"fiscalwatch/{source}", type=type_, subject=subject, data=data
    )


async def publish(broker: NatsBroker, subject: str, event: Envelope[Any], timeout: float = 10.0) -> None:
    """Publish to JetStream and wait for its acknowledgement (the event is then durable).

    An event too large for a NATS message (a parsed disclosure of a long PDF) travels by
    reference: its body goes to the Object Store bucket `fiscalwatch-events` under the event
    id, and the message carries the header `Fiscalwatch-Claim` naming it, with an empty body.
    `read_body` gives back the body either way."""
    body = event.model_dump_json().encode()
    headers = {"Nats-Msg-Id": event.id, "Content-Type": "application/cloudevents+json"}
    if len(body) > inline_limit(broker):
        claims = await broker.object_storage(EVENTS_BUCKET)
        await claims.put(event.id, body)
        headers[CLAIM_HEADER] = event.id
        body = b""
    await broker.publish(body, subject, headers=headers, stream=STREAM_NAME, timeout=timeout)


def inline_limit(broker: NatsBroker) -> int:
    """The largest body sent inside a message: the server's limit, less room for headers."""
    server_limit = broker.config.connection_state.connection.max_payload or 1024 * 1024
    return min(INLINE_LIMIT, server_limit - 16 * 1024)


async def read_body(broker: NatsBroker, data: bytes, headers: dict[str, str] | None) -> bytes:
    """A message's event body, fetched from the Object Store when the message carries a claim."""
    claim = (headers or {}).get(CLAIM_HEADER)
    if not claim:
        return data
    from nats.js.errors import ObjectNotFoundError

    claims = await broker.object_storage(EVENTS_BUCKET)
    try:
        return (await claims.get(claim)).data or b""
    except ObjectNotFoundError as exc:
        raise Permanent(f"the event body {claim} is not in the object store {EVENTS_BUCKET}") from exc


def decode(payload_type: type[P], body: bytes) -> Envelope[P]:
    try:
        return Envelope[payload_type].model_validate_json(body)
    except ValidationError as exc:
        raise Permanent(f"message does not match the {payload_type.__name__} event schema: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error.get("loc", ())) or "body"
    return f"{where}: {error.get('msg')} ({exc.error_count()} error(s))"


class Consumers:
    """The durable consumers of one service, all following the delivery policy above."""

    def __init__(self, broker: NatsBroker, settings: Settings, metrics: Metrics, stage: str) -> None:
        self.broker, self.settings, self.metrics, self.stage = broker, settings, metrics, stage
        self.durables: list[str] = []

    def consume(
        self,
        subject: str,
        durable: str,
        payload_type: type[P],
        description: str,
        max_workers: int | None = None,
    ) -> Callable[[Callable[[Envelope[P], NatsMessage], Awaitable[None]]], None]:
        """Register `handler(event, message)` as durable pull consumer `durable` on `subject`.
        Replicas of the service share the consumer, so they share the work. It handles
        `max_workers` messages at once (default: the `concurrency` setting)."""

        def register(handler: Callable[[Envelope[P], NatsMessage], Awaitable[None]]) -> None:
            self.consume_in_order(subject, durable, {subject: (payload_type, handler)}, description,
                                  name=handler.__name__, max_workers=max_workers or self.settings.concurrency)

        return register

    def consume_in_order(self, subject: str, durable: str, routes: dict[str, Route], description: str,
                         name: str | None = None, max_workers: int = 1) -> None:
        """One durable consumer on `subject` (wildcards allowed) whose messages, in stream order,
        go to the handler of the first route whose pattern matches their subject. Messages no
        route wants are acknowledged and left alone. With `max_workers` > 1, that many messages
        are handled at once (waiting on I/O overlaps), and the order is no longer kept."""
        self.durables.append(durable)

        async def on_message(message: NatsMessage) -> None:
            actual = message.raw_message.subject
            route = next((r for pattern, r in routes.items() if subject_matches(pattern, actual)), None)
            if route is None:
                await message.ack()
                return
            await self._deliver(actual, *route, message)

        on_message.__name__ = name or durable.replace("-", "_")
        self.broker.subscriber(
            subject,
            stream=stream(self.settings),
            durable=durable,
            pull_sub=PullSub(batch_size=1, timeout=5.0),
            config=ConsumerConfig(
                durable_name=durable,
                ack_wait=self.settings.ack_wait_seconds,
                max_deliver=-1,  # the delivery policy counts deliveries itself, see _deliver
                deliver_policy=DeliverPolicy.ALL,
            ),
            ack_policy=AckPolicy.MANUAL,
            decoder=_undecoded,
            **({"max_workers": max_workers} if max_workers > 1 else {}),
            title=f"{self.stage}:{subject}",
            description=description,
        )(on_message)

    async def _deliver(self, subject: str, payload_type: type[P], handler, message: NatsMessage) -> None:
        raw = message.raw_message
        deliveries = raw.metadata.num_delivered if raw.metadata else 1
        msg_id = (raw.headers or {}).get("Nats-Msg-Id")
        bound = log.bind(subject=subject, message_id=msg_id, delivery=deliveries)
        if deliveries > self.settings.max_deliver and not subject.startswith(Subjects.DLQ):
            # Delivered that often without an answer: the service died while processing it.
            await self.dead_letter(subject, raw.data, msg_id, deliveries,
                                   f"no result after {deliveries - 1} deliveries (the service stopped while processing it?)",
                                   "DeliveryLimit")
            await message.ack()
            return
        started = time.perf_counter()
        body = raw.data  # until the claimed body, if any, is read
        # Dead letters are the last stop: a consumer of them never writes another one (that could
        # loop); it retries instead, and the letter stays in the stream whatever happens.
        last_stop = subject.startswith(Subjects.DLQ)
        try:
            body = await read_body(self.broker, raw.data, raw.headers)
            event = decode(payload_type, body)
            await handler(event, message)
        except (Permanent, FiscalwatchError) as exc:
            bound.warning("message rejected", error=str(exc))
            if last_stop:
                await message.ack()
                return
            await self.dead_letter(subject, body, msg_id, deliveries, str(exc), _error_type(exc))
            await message.ack()
        except asyncio.CancelledError:
            await message.nack()
            raise
        except Exception as exc:  # noqa: BLE001 - anything else may be transient: retry, then dead-letter
            error_type = _error_type(exc)
            if deliveries >= self.settings.max_deliver and not last_stop:
                bound.error("message failed, giving up", error=repr(exc), exc_info=True)
                await self.dead_letter(subject, body, msg_id, deliveries,
                                       f"failed {deliveries} times, last: {exc!r}", error_type)
                await message.ack()
            else:
                delay = self.settings.backoff(deliveries)
                bound.warning("message failed, will retry", error=repr(exc), retry_in=delay)
                self.metrics.retries.labels(self.stage, error_type).inc()
                await message.nack(delay=delay)
        else:
            await message.ack()
            bound.debug("message processed", seconds=round(time.perf_counter() - started, 4))

    async def dead_letter(self, subject: str, body: bytes, msg_id: str | None, deliveries: int | None,
                          reason: str, error_type: str) -> None:
        try:
            payload, encoding = body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            payload, encoding = base64.b64encode(body).decode("ascii"), "base64"
        letter = DeadLetter(
            stage=self.stage, reason=reason, error_type=error_type, subject=subject, message_id=msg_id,
            deliveries=deliveries, payload=payload, payload_encoding=encoding,
            document_sha256=_document_sha(body), failed_at=datetime.now(timezone.utc),
        )
        event = envelope(letter, source=self.stage, type_=Subjects.dead_letter(self.stage),
                         id_parts=(subject, msg_id or deterministic_id(payload)), subject=letter.document_sha256)
        await publish(self.broker, Subjects.dead_letter(self.stage), event)
        self.metrics.dead_letters.labels(self.stage, error_type).inc()

    async def watch_lag(self, interval: float = 5.0) -> None:
        """Keep the consumer-lag gauges current (pending and unacknowledged messages)."""
        js = self.broker.config.connection_state.stream
        while True:
            for durable in self.durables:
                try:
                    info = await js.consumer_info(STREAM_NAME, durable)
                except Exception:  # noqa: BLE001 - not created yet, or the server is away; try again later
                    continue
                self.metrics.consumer_pending.labels(durable).set(info.num_pending or 0)
                self.metrics.consumer_ack_pending.labels(durable).set(info.num_ack_pending or 0)
            await asyncio.sleep(interval)


async def _undecoded(message: NatsMessage) -> bytes:
    """Handlers decode the body themselves, into the event's model (see `decode`): FastStream's
    own JSON decoding of a 100 KB disclosure would be thrown away."""
    return message.body


def _error_type(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, Permanent) and exc.__cause__ else exc
    return type(cause).__name__


def _document_sha(body: bytes) -> str | None:
    """The document a failed message was about, when it says (events carry it as `subject`)."""
    try:
        value = json.loads(body).get("subject")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


async def fetch_document(broker: NatsBroker, object_name: str, sha256: str) -> bytes:
    """A raw document's bytes from the Object Store, checked against its SHA-256."""
    import hashlib

    from nats.js.errors import ObjectNotFoundError

    bucket = await broker.object_storage(DOCUMENTS_BUCKET)
    try:
        result = await bucket.get(object_name)
    except ObjectNotFoundError as exc:
        raise Permanent(f"document {object_name} is not in the object store {DOCUMENTS_BUCKET}") from exc
    data = result.data or b""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Permanent(f"document {object_name} does not match its SHA-256 {sha256}")
    return data


def lines_object(sha256: str) -> str:
    """Object name of a document's text as its reader read it (the lines the parser numbered)."""
    return f"{sha256}.lines.json"


async def store_lines(broker: NatsBroker, sha256: str, lines: list[str]) -> None:
    """Keep the text a reader made of a PDF, DOCX, XLSX or HTML file beside the file itself, so
    that checks reading the text (validate's) see the same numbered lines as the parser did."""
    bucket = await broker.object_storage(DOCUMENTS_BUCKET)
    await bucket.put(lines_object(sha256), json.dumps(lines, ensure_ascii=False).encode())


async def fetch_lines(broker: NatsBroker, sha256: str) -> list[str] | None:
    from nats.js.errors import ObjectNotFoundError

    bucket = await broker.object_storage(DOCUMENTS_BUCKET)
    try:
        result = await bucket.get(lines_object(sha256))
    except ObjectNotFoundError:
        return None
    return json.loads(result.data or b"[]")
