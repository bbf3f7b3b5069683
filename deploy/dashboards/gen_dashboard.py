"""Generates fiscalwatch.json (the Grafana dashboard). Run: python deploy/dashboards/gen_dashboard.py"""

import json
from pathlib import Path

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
# FastStream's metrics carry app_name (= FISCALWATCH_SERVICE_NAME) and are filtered by the
# $service variable; fiscalwatch_* metrics have no app_name label and are not. Every replica
# reports the same consumer gauges: take the max per consumer, never the sum.
SEL = 'app_name=~"$service"'

panels = []
_y = 0
_next_id = 1


def _id():
    global _next_id
    i = _next_id
    _next_id += 1
    return i


def row(title):
    global _y
    panels.append({"type": "row", "id": _id(), "title": title, "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": _y}, "panels": []})
    _y += 1


def ts(title, targets, x, w=12, h=8, unit="short", description="", stack=False):
    panels.append({
        "type": "timeseries",
        "id": _id(),
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"h": h, "w": w, "x": x, "y": _y},
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10,
                           "stacking": {"mode": "normal" if stack else "none", "group": "A"}},
            },
            "overrides": [],
        },
        "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["mean", "max", "lastNotNull"]},
                    "tooltip": {"mode": "multi", "sort": "desc"}},
        "targets": [
            {"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "range": True}
            for i, (expr, legend) in enumerate(targets)
        ],
    })


def stat(title, expr, x, w=6, h=4, unit="short", description="", thresholds=None):
    panels.append({
        "type": "stat",
        "id": _id(),
        "title": title,
        "description": description,
        "datasource": DS,
        "gridPos": {"h": h, "w": w, "x": x, "y": _y},
        "fieldConfig": {"defaults": {"unit": unit, "thresholds": thresholds or {
            "mode": "absolute", "steps": [{"color": "green", "value": None}]}}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "colorMode": "value", "graphMode": "area", "textMode": "auto"},
        "targets": [{"datasource": DS, "refId": "A", "expr": expr, "instant": False, "range": True}],
    })


def advance(h):
    global _y
    _y += h


red_above = lambda v: {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": v}]}

row("Overview")
stat("Messages processed / s", f'sum(rate(faststream_received_processed_messages_total{{{SEL}}}[$__rate_interval]))', 0,
     unit="ops")
stat("Failures / s", f'sum(rate(faststream_received_processed_messages_total{{{SEL}, status=~"nacked|rejected|error"}}[$__rate_interval]))', 6,
     unit="ops", thresholds=red_above(0.001),
     description="Messages whose handling ended other than acked (nacked, rejected, error).")
stat("Consumer lag (pending)", f'sum(max by (consumer) (fiscalwatch_consumer_pending_messages))', 12,
     thresholds=red_above(1000))
stat("Dead letters (24h)", f'sum(increase(fiscalwatch_dead_letters_total[24h]))', 18,
     thresholds=red_above(1))
advance(4)

row("Messages")
ts("Messages in / s by subject",
   [(f'sum by (app_name, handler) (rate(faststream_received_messages_total{{{SEL}}}[$__rate_interval]))',
     "{{app_name}} {{handler}}")], 0, unit="ops")
ts("Messages out / s by subject",
   [(f'sum by (app_name, destination) (rate(faststream_published_messages_total{{{SEL}}}[$__rate_interval]))',
     "{{app_name}} → {{destination}}")], 12, unit="ops")
advance(8)
ts("Processed messages / s by status",
   [(f'sum by (app_name, status) (rate(faststream_received_processed_messages_total{{{SEL}}}[$__rate_interval]))',
     "{{app_name}} {{status}}")], 0, unit="ops", stack=True)
ts("Failures / s by exception type",
   [(f'sum by (app_name, handler, exception_type) (rate(faststream_received_processed_messages_exceptions_total{{{SEL}}}[$__rate_interval]))',
     "{{app_name}} {{handler}} {{exception_type}}"),
    (f'sum by (app_name, destination) (rate(faststream_published_messages_total{{{SEL}, status!="success"}}[$__rate_interval]))',
     "{{app_name}} publish to {{destination}} failed")], 12, unit="ops")
advance(8)

row("Latency")
ts("Processing time p50 / p95 by handler",
   [(f'histogram_quantile(0.5, sum by (le, app_name, handler) (rate(faststream_received_processed_messages_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))',
     "p50 {{app_name}} {{handler}}"),
    (f'histogram_quantile(0.95, sum by (le, app_name, handler) (rate(faststream_received_processed_messages_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))',
     "p95 {{app_name}} {{handler}}")], 0, unit="s")
ts("Publish time p95 by destination",
   [(f'histogram_quantile(0.95, sum by (le, app_name, destination) (rate(faststream_published_messages_duration_seconds_bucket{{{SEL}}}[$__rate_interval])))',
     "p95 {{app_name}} → {{destination}}")], 12, unit="s")
advance(8)
ts("Messages in process",
   [(f'sum by (app_name, handler) (faststream_received_messages_in_process{{{SEL}}})', "{{app_name}} {{handler}}")],
   0, w=24, h=6)
advance(6)

row("JetStream consumers")
ts("Consumer lag: pending messages",
   [(f'max by (consumer) (fiscalwatch_consumer_pending_messages)', "{{consumer}}")],
   0, description="Messages in the stream not yet delivered to the durable consumer.")
ts("Delivered, not yet acked",
   [(f'max by (consumer) (fiscalwatch_consumer_ack_pending_messages)', "{{consumer}}")],
   12)
advance(8)
ts("Dead letters by stage and error",
   [(f'sum by (stage, error_type) (increase(fiscalwatch_dead_letters_total[$__rate_interval]))',
     "{{stage}} {{error_type}}")], 0,
   description="Messages given up after FISCALWATCH_MAX_DELIVER attempts or rejected as poison.")
ts("Retries by stage and error",
   [(f'sum by (stage, error_type) (increase(fiscalwatch_retries_total[$__rate_interval]))',
     "{{stage}} {{error_type}}")], 12,
   description="Messages handed back for a later redelivery (backoff per FISCALWATCH_RETRY_BACKOFF).")
advance(8)

row("Disclosures")
ts("Documents announced by source",
   [(f'sum by (source) (increase(fiscalwatch_documents_announced_total[$__rate_interval]))', "{{source}}")],
   0, w=8, stack=True)
ts("Findings by severity",
   [(f'sum by (severity) (increase(fiscalwatch_findings_total[$__rate_interval]))', "{{severity}}")],
   8, w=8, stack=True)
ts("Alerts by kind",
   [(f'sum by (kind) (increase(fiscalwatch_alerts_total[$__rate_interval]))', "{{kind}}")],
   16, w=8, stack=True)
advance(8)
ts("Requests to publishers' sites by host and outcome",
   [(f'sum by (host, outcome) (rate(fiscalwatch_http_requests_total[$__rate_interval]))', "{{host}} {{outcome}}")],
   0, w=24, stack=True,
   description="Ingest's HTTP listing sources: 304 is an unchanged page; 5xx, 429 and connection errors are retried.")
advance(8)
panels.append({
    "type": "table", "id": _id(), "title": "Top rules by findings (range)", "datasource": DS,
    "gridPos": {"h": 8, "w": 24, "x": 0, "y": _y},
    "options": {"showHeader": True, "sortBy": [{"displayName": "Value", "desc": True}]},
    "fieldConfig": {"defaults": {}, "overrides": []},
    "transformations": [{"id": "organize", "options": {"excludeByName": {"Time": True}}}],
    "targets": [{"datasource": DS, "refId": "A", "format": "table", "instant": True,
                 "expr": f'topk(20, sum by (rule_id, severity) (increase(fiscalwatch_findings_total[$__range])))'}],
})
advance(8)

dashboard = {
    "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "", "type": "datasource",
                  "pluginId": "prometheus", "pluginName": "Prometheus"}],
    "__requires": [
        {"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.4.0"},
        {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"},
        {"type": "panel", "id": "timeseries", "name": "Time series", "version": ""},
        {"type": "panel", "id": "stat", "name": "Stat", "version": ""},
        {"type": "panel", "id": "table", "name": "Table", "version": ""},
    ],
    "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                              "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                              "name": "Annotations & Alerts", "type": "dashboard"}]},
    "description": "Fiscalwatch services: NATS JetStream message flow, latency, consumer lag, dead letters, documents, findings and alerts.",
    "editable": True,
    "fiscalYearStartMonth": 0,
    "graphTooltip": 1,
    "id": None,
    "links": [],
    "panels": panels,
    "refresh": "30s",
    "schemaVersion": 39,
    "tags": ["fiscalwatch", "nats", "faststream"],
    "templating": {"list": [
        {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "refresh": 1, "regex": "", "includeAll": False, "multi": False, "options": []},
        {"name": "service", "label": "Service", "type": "query", "datasource": DS,
         "definition": "label_values(faststream_received_messages_total, app_name)",
         "query": {"query": "label_values(faststream_received_messages_total, app_name)", "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
         "refresh": 2, "regex": "", "sort": 1, "includeAll": True, "allValue": ".*", "multi": True,
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]}, "hide": 0, "options": []},
    ]},
    "time": {"from": "now-6h", "to": "now"},
    "timepicker": {},
    "timezone": "",
    "title": "Fiscalwatch",
    "uid": "fiscalwatch",
    "version": 1,
    "weekStart": "",
}

if __name__ == "__main__":
    out = Path(__file__).with_name("fiscalwatch.json")
    out.write_text(json.dumps(dashboard, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(panels)} panels)")
