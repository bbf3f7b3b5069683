"""The delivery policy against a real nats-server: retried with backoff, then dead-lettered
with the reason; bad input dead-lettered at once; a republished event processed once."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timezone

import nats
import pytest

from fiscalwatch.common.broker import envelope, publish
from fiscalwatch.common.errors import NotADisclosure
from fiscalwatch.common.events import DocumentDiscovered, Subjects
from fiscalwatch.common.runtime import Service
from fiscalwatch.common.settings import Settings

pytestmark = pytest.mark.integration


def discovered(sha: str = "a" * 64) -> DocumentDiscovered:
    return DocumentDiscovered(sha256=sha, object_store="b", object_name=sha, name="x.txt", size=1,
                              source="test", discovered_at=datetime.now(timezone.utc))


async def dead_letters(url: str) -> tuple[nats.NATS, list[dict]]:
    connection = await nats.connect(url)
    letters: list[dict] = []

    async def keep(msg) -> None:
        letters.append(json.loads(msg.data))

    await connection.subscribe(f"{Subjects.DLQ}.>", cb=keep)
    return connection, letters


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def service_with(url: str, handler, **settings) -> Service:
    service = Service.create("parse", Settings(nats_url=url, max_deliver=3, retry_backoff=(0.3, 0.6), **settings))
    service.consumers.consume(Subjects.DISCOVERED, "test", DocumentDiscovered, "test consumer")(handler)
    return service


async def test_a_transient_failure_is_retried_with_backoff_and_then_succeeds(nats_url) -> None:
    attempts: list[float] = []

    async def flaky(event, message) -> None:
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise ConnectionError("database away")

    connection, letters = await dead_letters(nats_url)
    service = service_with(nats_url, flaky)
    async with service.running():
        event = envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=("1",))
        await publish(service.broker, Subjects.DISCOVERED, event)
        await until(lambda: len(attempts) == 3)
        await asyncio.sleep(0.8)  # a fourth delivery would have come by now
    await connection.drain()
    assert len(attempts) == 3 and letters == []
    assert attempts[1] - attempts[0] >= 0.25 and attempts[2] - attempts[1] >= 0.55  # the backoff, in turn


async def test_a_persistent_failure_lands_on_the_dead_letter_subject_with_the_reason(nats_url) -> None:
    attempts = 0

    async def broken(event, message) -> None:
        nonlocal attempts
        attempts += 1
        raise RuntimeError("store unreachable")

    connection, letters = await dead_letters(nats_url)
    service = service_with(nats_url, broken)
    async with service.running():
        event = envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=("2",), subject="a" * 64)
        await publish(service.broker, Subjects.DISCOVERED, event)
        await until(lambda: letters)
        await asyncio.sleep(0.8)
    await connection.drain()
    assert attempts == 3 and len(letters) == 1
    letter = letters[0]["data"]
    assert letter["stage"] == "parse" and letter["deliveries"] == 3 and letter["error_type"] == "RuntimeError"
    assert "store unreachable" in letter["reason"] and letter["document_sha256"] == "a" * 64
    assert json.loads(letter["payload"])["id"] == event.id  # the original message, whole


@pytest.mark.parametrize("body, error_type", [
    (b'{"not": "an envelope"}', "ValidationError"),
    (b"\xff\xfe binary", "ValidationError"),
])
async def test_a_message_that_does_not_match_its_schema_is_dead_lettered_at_once(nats_url, body, error_type) -> None:
    calls = 0

    async def never(event, message) -> None:
        nonlocal calls
        calls += 1

    connection, letters = await dead_letters(nats_url)
    service = service_with(nats_url, never)
    async with service.running():
        await service.broker.publish(body, Subjects.DISCOVERED, stream="FISCALWATCH")
        await until(lambda: letters)
    await connection.drain()
    letter = letters[0]["data"]
    assert calls == 0 and letter["deliveries"] == 1 and letter["error_type"] == error_type
    assert "DocumentDiscovered event schema" in letter["reason"]


async def test_input_no_retry_can_fix_is_dead_lettered_at_once_naming_the_file(nats_url) -> None:
    async def not_a_disclosure(event, message) -> None:
        raise NotADisclosure("minutes.txt", "no department budget or final-accounts title", line=1)

    connection, letters = await dead_letters(nats_url)
    service = service_with(nats_url, not_a_disclosure)
    async with service.running():
        await publish(service.broker, Subjects.DISCOVERED,
                      envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=("3",)))
        await until(lambda: letters)
    await connection.drain()
    letter = letters[0]["data"]
    assert letter["deliveries"] == 1 and letter["error_type"] == "NotADisclosure"
    assert letter["reason"].startswith("minutes.txt:1: ")


async def test_a_republished_event_is_processed_once(nats_url) -> None:
    seen: list[str] = []

    async def record(event, message) -> None:
        seen.append(event.id)

    service = service_with(nats_url, record)
    async with service.running():
        event = envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=("4",))
        for _ in range(3):
            await publish(service.broker, Subjects.DISCOVERED, event)
        other = envelope(discovered("b" * 64), source="test", type_=Subjects.DISCOVERED, id_parts=("5",))
        await publish(service.broker, Subjects.DISCOVERED, other)
        await until(lambda: other.id in seen)
        await asyncio.sleep(0.3)
    assert seen == [event.id, other.id]


async def test_replicas_share_one_durable_consumer(nats_url) -> None:
    handled: dict[str, list[str]] = {"one": [], "two": []}

    def by(name):
        async def handle(event, message) -> None:
            handled[name].append(event.id)
            await asyncio.sleep(0.02)
        return handle

    one, two = service_with(nats_url, by("one")), service_with(nats_url, by("two"))
    async with one.running(), two.running():
        events = [envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=(str(i),))
                  for i in range(40)]
        for event in events:
            await publish(one.broker, Subjects.DISCOVERED, event)
        await until(lambda: len(handled["one"]) + len(handled["two"]) >= 40)
        await asyncio.sleep(0.3)
    everything = handled["one"] + handled["two"]
    assert sorted(everything) == sorted(e.id for e in events)  # each exactly once
    assert handled["one"] and handled["two"]  # and both replicas worked


async def test_a_stopping_service_finishes_its_in_flight_message_and_it_is_not_delivered_again(nats_url) -> None:
    started, finished, later = asyncio.Event(), [], []

    async def slow(event, message) -> None:
        started.set()
        await asyncio.sleep(1.0)
        finished.append(event.id)

    async def record(event, message) -> None:
        later.append(event.id)

    service = service_with(nats_url, slow)
    async with service.running():
        event = envelope(discovered(), source="test", type_=Subjects.DISCOVERED, id_parts=("slow",))
        await publish(service.broker, Subjects.DISCOVERED, event)
        await asyncio.wait_for(started.wait(), 10)
    # Leaving `running()` is what SIGTERM does: the in-flight message was finished and acknowledged.
    assert finished == [event.id]
    successor = service_with(nats_url, record)
    async with successor.running():
        await asyncio.sleep(1.0)
    assert later == []


async def test_an_event_too_large_for_a_message_travels_by_reference(nats_url, monkeypatch) -> None:
    import fiscalwatch.common.broker as broker_module

    monkeypatch.setattr(broker_module, "INLINE_LIMIT", 200)  # this small event is then "too large"
    received: list[str] = []

    async def record(event, message) -> None:
        received.append(event.data.name)

    connection = await nats.connect(nats_url)
    raw: list = []

    async def keep(msg) -> None:
        raw.append(msg)

    await connection.subscribe(Subjects.DISCOVERED, cb=keep)
    service = service_with(nats_url, record)
    async with service.running():
        big = discovered().model_copy(update={"name": "一份很长的文件名.pdf" * 20})
        await publish(service.broker, Subjects.DISCOVERED,
                      envelope(big, source="test", type_=Subjects.DISCOVERED, id_parts=("big",)))
        await until(lambda: received)
    await connection.drain()
    assert received == [big.name]
    assert raw[0].data == b"" and raw[0].headers["Fiscalwatch-Claim"]
