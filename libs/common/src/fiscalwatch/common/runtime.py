"""What every service process has around its handlers: the broker's life cycle, the HTTP port
with /metrics, /health/live and /health/ready, background tasks, structured logs, and a
graceful shutdown (uvicorn turns SIGTERM into the lifespan's end, which stops the broker after
its in-flight messages are done, within `graceful_timeout_seconds`)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Response
from faststream.nats import NatsBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from fiscalwatch.common.broker import Consumers, declare_stream, make_broker
from fiscalwatch.common.logs import configure_logging, get_logger
from fiscalwatch.common.metrics import Metrics
from fiscalwatch.common.settings import Settings

log = get_logger(__name__)


@dataclass
class Service:
    """One service: its broker and consumers, plus what it runs beside them."""

    name: str
    settings: Settings
    metrics: Metrics
    broker: NatsBroker
    consumers: Consumers
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # after the broker connects
    background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # run until shutdown
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    routers: list[APIRouter] = field(default_factory=list)  # extra HTTP routes (the store's API)
    started: bool = False

    @classmethod
    def create(cls, name: str, settings: Settings | None = None) -> "Service":
        settings = (settings or Settings()).model_copy(update={"service_name": name})
        metrics = Metrics()
        broker = make_broker(settings, metrics)
        return cls(name, settings, metrics, broker, Consumers(broker, settings, metrics, stage=name))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["Service"]:
        """Connect, declare the stream, start consuming and the background tasks; undo on exit."""
        await self.broker.connect()
        await declare_stream(self.broker, self.settings)
        for hook in self.on_start:
            await hook()
        await self.broker.start()
        tasks = [asyncio.create_task(job(), name=f"{self.name}:{job.__name__}")
                 for job in [*self.background, self.consumers.watch_lag]]
        self.started = True
        log.info("service started", nats=self.settings.nats_url, consumers=self.consumers.durables)
        try:
            yield self
        finally:
            self.started = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            try:  # waits for in-flight messages (graceful_timeout); bounded, even with NATS gone
                await asyncio.wait_for(self.broker.stop(), self.settings.graceful_timeout_seconds + 5)
            except (asyncio.TimeoutError, Exception) as exc:  # noqa: BLE001 - stopping anyway
                log.warning("broker did not stop cleanly", error=repr(exc))
            for hook in self.on_stop:
                await hook()
            log.info("service stopped")

    def ready(self) -> bool:
        connection = self.broker.config.connection_state
        return self.started and bool(connection) and connection.connection.is_connected

    def http_app(self) -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            async with self.running():
                yield

        app = FastAPI(title=f"Fiscalwatch {self.name}", lifespan=lifespan,
                      docs_url="/api/v1/docs" if self.routers else None,
                      openapi_url="/api/v1/openapi.json" if self.routers else None)

        @app.get("/metrics", include_in_schema=False)
        def metrics() -> Response:
            return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

        @app.get("/health/live", include_in_schema=False)
        def live() -> dict[str, str]:
            return {"status": "alive", "service": self.name}

        @app.get("/health/ready", include_in_schema=False)
        def ready(response: Response) -> dict[str, str]:
            if not self.ready():
                response.status_code = 503
                return {"status": "not ready", "service": self.name}
            return {"status": "ready", "service": self.name}

        for router in self.routers:
            app.include_router(router)
        return app


def serve(service: Service) -> None:
    """Run one service in this process until SIGTERM or Ctrl-C."""
    import uvicorn

    configure_logging(service.settings)
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then raises the signal again with the
    # handlers it found installed; with these, a clean shutdown exits 0, as orchestrators expect.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    uvicorn.run(
        service.http_app(),
        host=service.settings.http_host,
        port=service.settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(service.settings.graceful_timeout_seconds),
    )


def publishes(service: Service, subject: str, payload_type: type, description: str) -> None:
    """Declare, for the AsyncAPI document, an event this service publishes (the publishing itself
    goes through `broker.publish`, which waits for JetStream's acknowledgement)."""
    from fiscalwatch.common.events import Envelope

    service.broker.publisher(subject, schema=Envelope[payload_type], title=f"{service.name}:{subject}",
                             description=description)
