"""Checks of deploy/: the Helm chart, the Dockerfile, the Grafana dashboard and the alert rules.

Most checks need nothing but PyYAML, so they run everywhere; the ones that need
the `helm` binary skip, saying so, where it is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "fiscalwatch"
TEMPLATES = CHART / "templates"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
DASHBOARD = DEPLOY / "dashboards" / "fiscalwatch.json"
ALERTS = DEPLOY / "dashboards" / "alerts.yaml"
README = DEPLOY / "README.md"

SERVICES = ("ingest", "parse", "validate", "store")

# The settings the services read (pydantic-settings, prefix FISCALWATCH_).
DOCUMENTED_ENV = {
    "FISCALWATCH_NATS_URL",
    "FISCALWATCH_DATABASE_URL",
    "FISCALWATCH_HTTP_PORT",
    "FISCALWATCH_LOG_FORMAT",
    "FISCALWATCH_LOG_LEVEL",
    "FISCALWATCH_MAX_DELIVER",
    "FISCALWATCH_RETRY_BACKOFF",
    "FISCALWATCH_INBOX",
    "FISCALWATCH_POLL_SECONDS",
    "FISCALWATCH_SERVICE_NAME",
    "FISCALWATCH_SOURCES",
    "FISCALWATCH_PUSH_TOKEN",
}

# Metrics the services export: FastStream's NatsPrometheusMiddleware and Fiscalwatch's own.
KNOWN_METRICS = {
    "faststream_received_messages_total",
    "faststream_received_processed_messages_total",
    "faststream_received_processed_messages_duration_seconds",
    "faststream_received_processed_messages_exceptions_total",
    "faststream_received_messages_in_process",
    "faststream_published_messages_total",
    "faststream_published_messages_duration_seconds",
    "fiscalwatch_consumer_pending_messages",
    "fiscalwatch_consumer_ack_pending_messages",
    "fiscalwatch_dead_letters_total",
    "fiscalwatch_retries_total",
    "fiscalwatch_documents_announced_total",
    "fiscalwatch_http_requests_total",
    "fiscalwatch_findings_total",
    "fiscalwatch_alerts_total",
}
HISTOGRAMS = {
    "faststream_received_processed_messages_duration_seconds",
    "faststream_published_messages_duration_seconds",
}
METRIC_RE = re.compile(r"\b((?:faststream|fiscalwatch)_[a-z0-9_]+)")
ENV_RE = re.compile(r"\bFISCALWATCH_[A-Z0-9_]+\b")
ACTION_RE = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)


def _metric_base(name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in HISTOGRAMS:
            return name[: -len(suffix)]
    return name


def _metrics_in(expr: str) -> set[str]:
    return {_metric_base(m) for m in METRIC_RE.findall(expr)}


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.iterdir() if p.suffix in (".yaml", ".tpl", ".txt"))


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))


# --- Chart -------------------------------------------------------------------------


def test_chart_yaml():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "fiscalwatch"
    assert chart["type"] == "application"
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(chart["version"]))
    assert chart.get("appVersion")
    for name in ("_helpers.tpl", "NOTES.txt"):
        assert (TEMPLATES / name).is_file(), name


def test_values_have_every_service(values):
    assert set(values["image"]) >= {"repository", "tag", "pullPolicy"}
    for svc in SERVICES:
        section = values.get(svc)
        assert isinstance(section, dict), f"values.yaml has no section for {svc}"
        assert {"enabled", "replicas", "resources", "extraEnv"} <= set(section), svc
        assert isinstance(section["replicas"], int)
    # ingest scans a directory: one replica.
    assert values["ingest"]["replicas"] == 1
    inbox = values["ingest"]["inbox"]
    assert inbox["path"] == "/data/inbox"
    assert {"enabled", "existingClaim", "size"} <= set(inbox["persistence"])


def test_values_defaults(values):
    assert values["config"]["httpPort"] == 8080
    assert values["config"]["logFormat"] == "json"
    assert values["config"]["logLevel"] == "INFO"
    assert values["config"]["maxDeliver"] == 5
    assert [int(s) for s in str(values["config"]["retryBackoff"]).split(",")] == [1, 5, 30]
    assert values["ingest"]["pollSeconds"] == 5
    assert values["terminationGracePeriodSeconds"] == 40
    assert values["metrics"]["serviceMonitor"]["enabled"] is False
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["securityContext"]["readOnlyRootFilesystem"] is True
    assert values["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert values["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert {"url", "existingSecret"} <= set(values["database"])
    assert "url" in values["nats"]


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_has_a_deployment_running_serve(svc):
    text = (TEMPLATES / f"deployment-{svc}.yaml").read_text(encoding="utf-8")
    assert "serve" in text and f'"{svc}"' in text
    assert re.search(r'\(list\s+"serve"\s+"%s"\)' % svc, text), text
    assert '"fiscalwatch.deployment"' in text


def test_shared_deployment_template():
    text = (TEMPLATES / "_deployment.tpl").read_text(encoding="utf-8")
    assert "kind: Deployment" in text
    assert "- name: http" in text and "containerPort:" in text
    assert "livenessProbe" in text and "readinessProbe" in text
    assert "terminationGracePeriodSeconds" in text
    assert "mountPath: /tmp" in text
    assert "prometheus.io/scrape" in text and "prometheus.io/path: /metrics" in text
    assert "FISCALWATCH_SERVICE_NAME" in text
    assert "configMapRef" in text
    # the database URL reaches the store only, through a Secret
    assert re.search(r'if eq \$svc "store".*?fiscalwatch\.databaseEnv', text, re.S)
    assert "secretKeyRef" in (TEMPLATES / "_helpers.tpl").read_text(encoding="utf-8")


def test_migrations_job_is_a_hook():
    text = (TEMPLATES / "job-migrations.yaml").read_text(encoding="utf-8")
    assert "kind: Job" in text
    assert '"helm.sh/hook": pre-install,pre-upgrade' in text
    assert '"helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded' in text
    assert 'args: ["db", "upgrade"]' in text
    assert "fiscalwatch.databaseEnv" in text


def test_store_service_and_optional_resources():
    store = (TEMPLATES / "service-store.yaml").read_text(encoding="utf-8")
    assert "targetPort: http" in store and ".Values.store.service.port" in store
    sm = (TEMPLATES / "servicemonitor.yaml").read_text(encoding="utf-8")
    assert sm.lstrip().startswith("{{- if .Values.metrics.serviceMonitor.enabled }}")
    pvc = (TEMPLATES / "pvc-inbox.yaml").read_text(encoding="utf-8")
    assert "existingClaim" in pvc and "kind: PersistentVolumeClaim" in pvc


@pytest.mark.parametrize("path", _template_files(), ids=lambda p: p.name)
def test_template_actions_balanced(path):
    """Every {{ }} closes, and if/range/with/define blocks each have their {{ end }}."""
    text = path.read_text(encoding="utf-8")
    assert text.count("{{") == text.count("}}"), "unbalanced {{ }}"
    stack: list[str] = []
    for m in ACTION_RE.finditer(text):
        body = m.group(1).strip()
        if body.startswith("/*"):
            assert body.endswith("*/"), f"unterminated comment: {body[:40]}"
            continue
        word = body.split(None, 1)[0] if body else ""
        if word in ("if", "range", "with", "define", "block"):
            stack.append(word)
        elif word == "end":
            assert stack, f"{{{{ end }}}} without a block at offset {m.start()}"
            stack.pop()
        elif word == "else":
            assert stack and stack[-1] in ("if", "range", "with"), f"else outside a block at {m.start()}"
    assert not stack, f"unclosed blocks: {stack}"


def test_includes_reference_defined_templates():
    defined: set[str] = set()
    used: set[str] = set()
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        defined |= set(re.findall(r'\{\{-?\s*define\s+"([^"]+)"', text))
        used |= set(re.findall(r'include\s+"([^"]+)"', text))
    assert used, "no include found"
    assert used <= defined, f"undefined templates: {sorted(used - defined)}"


def _lookup(values: dict, path: list[str]) -> bool:
    node = values
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def test_values_referenced_by_templates_exist(values):
    missing, seen = [], 0
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(?:\$root|\.root|\$)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", text):
            keys = m.group(1).lstrip(".").split(".")
            seen += 1
            if not _lookup(values, keys):
                missing.append(f"{path.name}: .Values.{'.'.join(keys)}")
    assert seen > 50, "the .Values references were not found"
    assert not missing, missing


def _chart_env_vars() -> set[str]:
    found: set[str] = set()
    for path in _template_files():
        found |= set(ENV_RE.findall(path.read_text(encoding="utf-8")))
    return found


def _readme_env_table() -> set[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`(FISCALWATCH_[A-Z0-9_]+)`", section, re.M))


def test_env_vars_set_by_chart_are_documented():
    chart_vars = _chart_env_vars()
    documented = _readme_env_table()
    assert documented == DOCUMENTED_ENV, "README's environment-variable table differs from the services' settings"
    assert chart_vars <= documented, f"chart sets undocumented variables: {sorted(chart_vars - documented)}"
    assert chart_vars == DOCUMENTED_ENV, f"chart never sets: {sorted(DOCUMENTED_ENV - chart_vars)}"


def test_values_comments_name_only_documented_env_vars():
    text = (CHART / "values.yaml").read_text(encoding="utf-8")
    assert set(ENV_RE.findall(text)) <= DOCUMENTED_ENV


def test_configmap_keys():
    text = (TEMPLATES / "configmap.yaml").read_text(encoding="utf-8")
    keys = set(re.findall(r"^\s{2}(FISCALWATCH_[A-Z0-9_]+):", text, re.M))
    assert keys == {
        "FISCALWATCH_NATS_URL", "FISCALWATCH_HTTP_PORT", "FISCALWATCH_LOG_FORMAT",
        "FISCALWATCH_LOG_LEVEL", "FISCALWATCH_MAX_DELIVER", "FISCALWATCH_RETRY_BACKOFF",
    }
    assert "FISCALWATCH_DATABASE_URL" not in text  # secrets stay out of the ConfigMap


def test_readme_values_table_covers_values(values):
    text = README.read_text(encoding="utf-8")
    for key in ("image.repository", "image.tag", "image.pullPolicy", "nats.url", "database.url",
                "database.existingSecret", "terminationGracePeriodSeconds",
                "ingest.inbox.persistence.enabled", "ingest.inbox.persistence.existingClaim",
                "metrics.serviceMonitor.enabled", "migrations.enabled"):
        assert f"`{key}`" in text, key
    assert "helm install fiscalwatch deploy/helm/fiscalwatch" in text
    assert "-f deploy/docker/Dockerfile" in text


# --- Dockerfile --------------------------------------------------------------------


def test_dockerfile():
    text = DOCKERFILE.read_text(encoding="utf-8")
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(froms) >= 2, "multi-stage build expected"
    assert "python:3.11-slim" in text
    assert re.search(r'^ARG SERVICES="ingest parse validate store"$', text, re.M)
    assert "pip install --no-cache-dir" in text
    assert "./libs/common" in text and "./services/${s}" in text
    assert not re.search(r"pip install[^\n]*\s(-e|--editable)\s", text)
    assert 'ENTRYPOINT ["fiscalwatch"]' in text
    assert 'CMD ["--help"]' in text
    # runs as non-root: the final stage's last USER is neither root nor uid 0
    final = text[text.rindex("\nFROM ") :]
    users = re.findall(r"^USER\s+(\S+)", final, re.M)
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert (DEPLOY / "docker" / ".dockerignore").is_file()


def test_dockerfile_services_match_repository():
    text = DOCKERFILE.read_text(encoding="utf-8")
    services = re.search(r'^ARG SERVICES="([^"]+)"', text, re.M).group(1).split()
    present = {p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml")}
    assert present <= set(services), f"services missing from the image: {sorted(present - set(services))}"
    for name in services:
        pyproject = ROOT / "services" / name / "pyproject.toml"
        if pyproject.is_file():
            assert f'name = "fiscalwatch-{name}"' in pyproject.read_text(encoding="utf-8")
    assert 'fiscalwatch = "fiscalwatch.common.cli:main"' in (ROOT / "libs/common/pyproject.toml").read_text(
        encoding="utf-8"
    )


# --- Dashboard ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _all_panels(dashboard: dict) -> list[dict]:
    out = []
    for p in dashboard["panels"]:
        out.append(p)
        out.extend(p.get("panels", []))
    return out


def test_dashboard_basics(dashboard):
    assert dashboard["schemaVersion"] == 39
    assert dashboard["uid"] and dashboard["title"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert "app_name" in variables["service"]["definition"]
    ids = [p["id"] for p in _all_panels(dashboard)]
    assert len(ids) == len(set(ids)), "panel ids are not unique"


def test_dashboard_targets_use_known_metrics(dashboard):
    used: set[str] = set()
    for panel in _all_panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}", panel["title"]
        assert panel.get("targets"), panel["title"]
        for target in panel["targets"]:
            metrics = _metrics_in(target["expr"])
            assert metrics, f"{panel['title']}: no known metric in {target['expr']}"
            assert metrics <= KNOWN_METRICS, f"{panel['title']}: unknown {metrics - KNOWN_METRICS}"
            # FastStream's metrics carry app_name (the service); Fiscalwatch's own have no such label.
            if any(m.startswith("faststream_") for m in metrics):
                assert 'app_name=~"$service"' in target["expr"], f"{panel['title']}: not filtered by $service"
            else:
                assert "app_name" not in target["expr"], f"{panel['title']}: fiscalwatch_* have no app_name"
            for name in METRIC_RE.findall(target["expr"]):
                if name.endswith("_bucket"):
                    assert "histogram_quantile" in target["expr"]
            used |= metrics
    assert used == KNOWN_METRICS, f"metrics without a panel: {sorted(KNOWN_METRICS - used)}"


def test_dashboard_has_required_panels(dashboard):
    titles = " | ".join(p["title"].lower() for p in _all_panels(dashboard))
    for words in ("messages in", "messages out", "failures", "p50", "p95", "lag", "dead letters",
                  "documents announced", "findings by severity", "alerts by kind"):
        assert words in titles, words


def test_dashboard_is_generated(dashboard):
    """fiscalwatch.json is what gen_dashboard.py writes (edit the script, not the JSON)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_dashboard", DEPLOY / "dashboards" / "gen_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads(json.dumps(module.dashboard)) == dashboard


def test_dashboard_panels_do_not_overlap(dashboard):
    cells: dict[tuple[int, int], str] = {}
    for p in dashboard["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24, p["title"]
        for y in range(g["y"], g["y"] + g["h"]):
            for x in range(g["x"], g["x"] + g["w"]):
                assert (x, y) not in cells, f"{p['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = p["title"]


# --- Alerts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rules() -> list[dict]:
    doc = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    assert doc["groups"]
    out = []
    for group in doc["groups"]:
        assert group["name"] and group["rules"]
        out.extend(group["rules"])
    return out


def test_alert_rules_complete(rules):
    names = [r["alert"] for r in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert rule.get("expr"), rule["alert"]
        assert re.fullmatch(r"\d+[smhd]", str(rule.get("for", ""))), rule["alert"]
        assert rule["labels"]["severity"] in ("info", "warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        metrics = _metrics_in(rule["expr"])
        assert metrics <= KNOWN_METRICS, f"{rule['alert']}: unknown {metrics - KNOWN_METRICS}"
        if metrics and all(m.startswith("fiscalwatch_") for m in metrics):
            assert "app_name" not in rule["expr"], f"{rule['alert']}: fiscalwatch_* have no app_name"
        assert metrics or re.search(r"\bup\b", rule["expr"]), rule["alert"]


def test_required_alerts(rules):
    by_metric = {}
    for rule in rules:
        for m in _metrics_in(rule["expr"]):
            by_metric.setdefault(m, []).append(rule)
    assert by_metric["fiscalwatch_dead_letters_total"]
    assert any(r["for"] == "15m" for r in by_metric["fiscalwatch_consumer_pending_messages"])
    assert any("[1d]" in r["expr"] for r in rules), "no 'nothing processed for a day' alert"
    assert any(re.search(r"\bup\b[^\n]*==\s*0", r["expr"]) for r in rules), "no service-down alert"


# --- With helm ---------------------------------------------------------------------

HELM = shutil.which("helm")
needs_helm = pytest.mark.skipif(HELM is None, reason="helm is not installed; `helm lint`/`helm template` not run")
HELM_SET = ["--set", "nats.url=nats://nats:4222", "--set", "database.url=postgresql+psycopg://u:p@db:5432/fiscalwatch"]


@needs_helm
def test_helm_lint():
    subprocess.run([HELM, "lint", "--strict", str(CHART), *HELM_SET], check=True)


@needs_helm
def test_helm_template_renders_services(tmp_path):
    out = subprocess.run(
        [HELM, "template", "fw", str(CHART), *HELM_SET, "--set", "metrics.serviceMonitor.enabled=true"],
        check=True, capture_output=True, text=True,
    ).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == {f"fw-fiscalwatch-{s}" for s in SERVICES}
    for svc in SERVICES:
        pod = deployments[f"fw-fiscalwatch-{svc}"]["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert container["args"] == ["serve", svc]
        env = {e["name"] for e in container["env"]}
        assert env <= DOCUMENTED_ENV
        assert ("FISCALWATCH_DATABASE_URL" in env) == (svc == "store")
        assert pod["securityContext"]["runAsNonRoot"] is True
    kinds = {d["kind"] for d in docs}
    assert {"ConfigMap", "Secret", "Service", "Job", "PersistentVolumeClaim", "ServiceMonitor"} <= kinds


@needs_helm
def test_helm_template_requires_nats_url():
    result = subprocess.run([HELM, "template", "fw", str(CHART)], capture_output=True, text=True)
    assert result.returncode != 0 and "nats.url" in result.stderr
