"""Prometheus metrics of one service. FastStream's middleware counts messages in, out and
failed by subject and times their processing; these are what it cannot know."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.consumer_pending = Gauge(
            "fiscalwatch_consumer_pending_messages", "Messages in the stream not yet delivered to the consumer",
            ["consumer"], registry=r)
        self.consumer_ack_pending = Gauge(
            "fiscalwatch_consumer_ack_pending_messages", "Messages delivered to the consumer and not yet acknowledged",
            ["consumer"], registry=r)
        self.dead_letters = Counter(
            "fiscalwatch_dead_letters_total", "Messages given up on and sent to the dead-letter subject",
            ["stage", "error_type"], registry=r)
        self.retries = Counter(
            "fiscalwatch_retries_total", "Messages handed back for a later redelivery after a failure",
            ["stage", "error_type"], registry=r)
        self.documents_announced = Counter(
            "fiscalwatch_documents_announced_total", "New documents (or new versions) announced by ingest",
            ["source"], registry=r)
        self.http_requests = Counter(
            "fiscalwatch_http_requests_total", "Requests ingest made to publishers' sites, by host and outcome "
            "(status code, or the connection error)", ["host", "outcome"], registry=r)
        self.findings = Counter(
            "fiscalwatch_findings_total", "Findings raised by validation", ["severity", "rule_id"], registry=r)
        self.alerts = Counter("fiscalwatch_alerts_total", "Alerts published", ["kind"], registry=r)
