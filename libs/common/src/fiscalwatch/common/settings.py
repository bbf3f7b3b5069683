"""Configuration from the environment: every setting is `FISCALWATCH_<NAME>`.

The table in the README lists them; `fiscalwatch up` fills in the embedded defaults (a local
nats-server on a free port, a SQLite file) for whatever is not set."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FISCALWATCH_", extra="ignore")

    service_name: str = "fiscalwatch"
    nats_url: str = Field("nats://127.0.0.1:4222", description="NATS server(s), comma-separated")
    database_url: str = Field("sqlite:///.fiscalwatch/fiscalwatch.db", description="SQLAlchemy URL; only the store opens it")
    http_host: str = "0.0.0.0"
    http_port: int = Field(8080, description="/metrics, /health/live, /health/ready (and the store's /api/v1)")
    log_format: Literal["auto", "json", "console"] = Field("auto", description="auto: console on a terminal, JSON otherwise")
    log_level: str = "INFO"

    # Delivery: a message that fails is redelivered after each delay in turn (the last one
    # repeats) until it has been delivered `max_deliver` times; then it goes to the dead letters.
    max_deliver: int = Field(5, ge=1)
    retry_backoff: Annotated[tuple[float, ...], NoDecode] = (1.0, 5.0, 30.0)
    ack_wait_seconds: float = Field(120.0, gt=0, description="a message not acknowledged in this time is redelivered")
    concurrency: int = Field(4, ge=1, description="messages a consumer handles at once (the store's disclosure consumer: 1, in order)")
    graceful_timeout_seconds: float = Field(30.0, gt=0, description="on shutdown, time given to in-flight messages")
    duplicate_window_seconds: float = Field(3600.0, gt=0, description="JetStream's window for Nats-Msg-Id deduplication")
    stream_max_age_days: float = Field(365.0, gt=0, description="how long events are kept in the stream")
    history_timeout_seconds: float = Field(5.0, gt=0, description="validate's wait for the store's history reply")

    # Ingest
    inbox: Path = Field(Path("inbox"), description="directory ingest watches")
    poll_seconds: float = Field(5.0, gt=0)
    max_document_bytes: int = Field(50 * 1024 * 1024, gt=0)
    sources: Path | None = Field(None, description="YAML file of ingest's sources (unset: the inbox directory alone)")
    push_token: SecretStr | None = Field(None, description="Bearer token of ingest's POST /api/v1/documents (unset: off)")
    user_agent: str = Field("Fiscalwatch/0.1 (+https://github.com/fiscalwatch/fiscalwatch)",
                            description="User-Agent of ingest's HTTP requests")
    http_timeout_seconds: float = Field(30.0, gt=0, description="ingest: connect/read timeout of one HTTP request")
    http_retries: int = Field(3, ge=0, description="ingest: retries of a request after a connect error, 5xx or 429")
    http_backoff_seconds: float = Field(1.0, ge=0, description="ingest: first retry delay, doubled each time")
    http_min_interval_seconds: float = Field(1.0, ge=0, description="ingest: least time between two requests to one host")
    archive_max_members: int = Field(1000, gt=0, description="ingest: files a .zip may hold")
    archive_max_total_bytes: int = Field(200 * 1024 * 1024, gt=0, description="ingest: a .zip's total uncompressed size")
    archive_max_ratio: float = Field(100.0, gt=1, description="ingest: uncompressed/compressed size of a .zip member")
    archive_max_depth: int = Field(1, ge=0, description="ingest: levels of .zip inside a .zip unpacked (0: none)")

    @field_validator("retry_backoff", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(",") if part.strip())
        return value

    def backoff(self, delivery: int) -> float:
        """Delay before redelivering a message that failed on its `delivery`-th delivery (1-based)."""
        delays = self.retry_backoff or (1.0,)
        return delays[min(delivery, len(delays)) - 1]
