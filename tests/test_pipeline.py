"""The pipeline end to end, across real processes: a real nats-server, the four services as
separate processes (`fiscalwatch up --once`, `fiscalwatch serve …`), a real database (a SQLite
file; the PostgreSQL server when reachable), and a subscriber listening as a downstream
service would."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import nats
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from fiscalwatch.common.events import Subjects
from fiscalwatch.common.up import free_port
from fiscalwatch.store.schema import AlertRecord, CellRecord, DeadLetterRecord, DisclosureRecord, FindingRecord

pytestmark = pytest.mark.integration

SEEDS = Path(__file__).parents[1] / "services" / "parse" / "tests" / "data" / "seeds"
FISCALWATCH = [sys.executable, "-m", "fiscalwatch.common.cli"]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pipeline.db'}"
    return request.getfixturevalue("postgres_url")


class Downstream:
    """A subscriber to the published events, as a downstream service would be."""

    def __init__(self) -> None:
        self.events: dict[str, list[dict]] = {}

    async def start(self, url: str) -> "Downstream":
        self.connection = await nats.connect(url)

        async def keep(msg) -> None:
            self.events.setdefault(msg.subject, []).append(json.loads(msg.data))

        for subject in (f"{Subjects.DISCLOSURE}.>", f"{Subjects.ALERT}.>", f"{Subjects.DLQ}.>"):
            await self.connection.subscribe(subject, cb=keep)
        return self

    def of(self, prefix: str) -> list[dict]:
        return [e for subject, events in self.events.items() if subject.startswith(prefix) for e in events]

    async def until(self, condition, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"not seen in {timeout} s; events: {sorted(self.events)}"
            await asyncio.sleep(0.05)


async def up_once(inbox: Path, data_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    process = await asyncio.create_subprocess_exec(
        *FISCALWATCH, "up", "--once", "--timeout", "240", "--inbox", str(inbox), "--data-dir", str(data_dir),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 300)
    return subprocess.CompletedProcess("fiscalwatch up --once", process.returncode, out.decode(), err.decode())


def aged_copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    then = time.time() - 10
    os.utime(target, (then, then))


async def test_the_seeds_go_through_and_downstream_gets_validated_events_and_alerts(
        nats_url, database_url, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        aged_copy(seed, inbox / seed.name)
    downstream = await Downstream().start(nats_url)
    env = {**os.environ, "FISCALWATCH_NATS_URL": nats_url, "FISCALWATCH_DATABASE_URL": database_url}

    result = await up_once(inbox, tmp_path / "data", env)
    await asyncio.sleep(0.3)
    await downstream.connection.drain()

    assert result.returncode == 0, result.stderr + result.stdout
    assert "5 in the inbox: 5 new, 5 stored, 0 failed" in result.stdout
    validated = {e["subject"]: e for e in downstream.of(Subjects.VALIDATED)}
    assert len(validated) == 5
    by_name = {e["data"]["identity"]["name"]: e["data"] for e in validated.values()}
    hongshan = by_name["000_d606ceb80bbf38c6.txt"]
    assert hongshan["identity"]["fiscal_year"] == 2020 and hongshan["key_figures"]["收支总计"] == "2270.24"
    assert hongshan["summary"]["by_severity"]["error"] >= 1
    assert by_name["004_18719c7196d92fe5.txt"]["summary"]["by_severity"]["error"] == 0

    # The year-over-year alert of 000: 67.30 → 2,270.24 (+3,273.31%).
    yoy = downstream.of(Subjects.alert("yoy"))
    assert any(a["data"]["identity"]["name"] == "000_d606ceb80bbf38c6.txt" and "3273.31" in a["data"]["finding"]["message_zh"]
               and a["data"]["finding"]["evidence"] for a in yoy)
    mismatches = downstream.of(Subjects.alert("mismatch"))
    assert any(a["data"]["finding"]["stated"] == "98.12" and a["data"]["finding"]["expected"] == "98.42" for a in mismatches)
    assert downstream.of(Subjects.DLQ) == []

    engine = create_engine(database_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(DisclosureRecord)) == 5
        assert session.scalar(select(func.count()).where(DisclosureRecord.validated_at.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(CellRecord)) > 500
        stored_findings = session.scalar(select(func.count()).select_from(FindingRecord))
        assert stored_findings == sum(v["summary"]["total"] for v in by_name.values())
        alert_ids = {a["id"] for a in downstream.of(Subjects.ALERT)}
        assert set(session.scalars(select(AlertRecord.id))) == alert_ids
        cell = session.get(CellRecord, (by_name["001_6180a20aa6797444.txt"]["identity"]["sha256"],
                                        "final.income", "2080501", "1"))
        assert cell.value == Decimal("1.80")
    engine.dispose()

    # Run again: everything was announced before, nothing is processed twice.
    again = await up_once(inbox, tmp_path / "data", env)
    assert again.returncode == 0 and "5 in the inbox: 0 new" in again.stdout


async def test_bad_input_is_dead_lettered_with_the_reason_and_the_rest_goes_on(nats_url, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    aged_copy(SEEDS / "004_18719c7196d92fe5.txt", inbox / "good.txt")
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "minutes.txt").write_text("区医保局 2023 年第三次党组会议纪要\n会议研究了 12 项议题。\n", encoding="utf-8")
    (inbox / "scan.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    for name in ("empty.txt", "minutes.txt", "scan.pdf"):
        os.utime(inbox / name, (time.time() - 10, time.time() - 10))
    database_url = f"sqlite:///{tmp_path / 'bad.db'}"
    downstream = await Downstream().start(nats_url)
    env = {**os.environ, "FISCALWATCH_NATS_URL": nats_url, "FISCALWATCH_DATABASE_URL": database_url}

    result = await up_once(inbox, tmp_path / "data", env)
    await asyncio.sleep(0.3)
    await downstream.connection.drain()

    assert result.returncode == 1, result.stderr + result.stdout  # documents failed
    assert "4 in the inbox: 4 new, 1 stored, 3 failed" in result.stdout
    letters = {e["data"]["payload"] and json.loads(e["data"]["payload"])["data"]["name"]: e["data"]
               for e in downstream.of(Subjects.dead_letter("parse"))}
    assert set(letters) == {"empty.txt", "minutes.txt", "scan.pdf"}
    assert letters["empty.txt"]["reason"] == "empty.txt: the file is empty"
    assert letters["minutes.txt"]["error_type"] == "NotADisclosure" and letters["minutes.txt"]["reason"].startswith("minutes.txt")
    assert letters["scan.pdf"]["error_type"] == "UnreadableDocument" and letters["scan.pdf"]["deliveries"] == 1
    engine = create_engine(database_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(DisclosureRecord)) == 1
        assert set(session.scalars(select(DeadLetterRecord.document_sha256))) == {
            json.loads(letter["payload"])["subject"] for letter in letters.values()}
    engine.dispose()


def prior_year(text_: str) -> str:
    """The same department's previous year: every year one less, every amount doubled."""
    text_ = re.sub(r"20[12]\d", lambda m: str(int(m.group()) - 1), text_)

    def doubled(m: re.Match) -> str:
        raw = m.group()
        places = len(raw.split(".")[1])
        value = Decimal(raw.replace(",", "")) * 2
        return f"{value:,.{places}f}" if "," in raw else f"{value:.{places}f}"

    return re.sub(r"\d[\d,]*\.\d+(?!\s*%)", doubled, text_)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


async def test_served_services_recheck_a_year_when_its_prior_year_arrives_later(nats_url, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "FISCALWATCH_NATS_URL": nats_url, "FISCALWATCH_DATABASE_URL": database_url,
           "FISCALWATCH_INBOX": str(inbox), "FISCALWATCH_POLL_SECONDS": "0.2", "FISCALWATCH_LOG_FORMAT": "json"}
    assert subprocess.run([*FISCALWATCH, "db", "upgrade"], env=env, capture_output=True).returncode == 0
    ports = {name: free_port() for name in ("ingest", "parse", "validate", "store")}
    processes = {name: subprocess.Popen([*FISCALWATCH, "serve", name],
                                        env={**env, "FISCALWATCH_HTTP_PORT": str(port), "FISCALWATCH_HTTP_HOST": "127.0.0.1"},
                                        stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"{name}.log", "wb"))
                 for name, port in ports.items()}
    downstream = await Downstream().start(nats_url)
    try:
        deadline = time.monotonic() + 30
        while not all(get(f"http://127.0.0.1:{port}/health/ready")[0] == 200 for port in ports.values()):
            assert time.monotonic() < deadline, "services not ready in 30 s"
            assert all(p.poll() is None for p in processes.values()), "a service exited"
            await asyncio.sleep(0.2)

        current = (SEEDS / "001_6180a20aa6797444.txt").read_text(encoding="utf-8")
        aged_copy(SEEDS / "001_6180a20aa6797444.txt", inbox / "2023.txt")
        await downstream.until(lambda: len(downstream.of(Subjects.STORED)) == 1)
        [first] = downstream.of(Subjects.VALIDATED)
        assert first["data"]["compared_with"] == []

        (inbox / "2022.txt").write_text(prior_year(current), encoding="utf-8")
        os.utime(inbox / "2022.txt", (time.time() - 10, time.time() - 10))
        await downstream.until(lambda: len(downstream.of(Subjects.STORED)) == 3)
        checks = [e["data"] for e in downstream.of(Subjects.VALIDATED) if e["subject"] == first["subject"]]
        prior_sha = next(e["subject"] for e in downstream.of(Subjects.VALIDATED) if e["subject"] != first["subject"])
        assert [c["compared_with"] for c in checks] == [[], [prior_sha]]
        assert "Y-003" in checks[1]["summary"]["rule_ids"] and "Y-003" not in checks[0]["summary"]["rule_ids"]
        assert any(a["subject"] == first["subject"] and a["data"]["finding"]["rule_id"] == "Y-003"
                   for a in downstream.of(Subjects.alert("yoy")))

        status, metrics = get(f"http://127.0.0.1:{ports['parse']}/metrics")
        assert status == 200 and 'faststream_received_messages_total{app_name="parse"' in metrics
        assert 'fiscalwatch_consumer_pending_messages{consumer="parse"} 0.0' in metrics
        status, metrics = get(f"http://127.0.0.1:{ports['validate']}/metrics")
        assert re.search(r'fiscalwatch_alerts_total\{kind="yoy"\} [1-9]', metrics)
        status, body = get(f"http://127.0.0.1:{ports['store']}/api/v1/disclosures")
        assert status == 200 and len(json.loads(body)) == 2
        assert get(f"http://127.0.0.1:{ports['store']}/health/live")[0] == 200
    finally:
        await downstream.connection.drain()
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        codes = {name: process.wait(40) for name, process in processes.items()}
    assert codes == {name: 0 for name in processes}, "a service did not shut down cleanly"


async def test_up_stops_everything_it_started_on_ctrl_c(tmp_path) -> None:
    """Without --once, `up` runs until interrupted; then no service and no nats-server is left."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    aged_copy(SEEDS / "004_18719c7196d92fe5.txt", inbox / "a.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCALWATCH_")}
    process = subprocess.Popen([*FISCALWATCH, "up", "--inbox", str(inbox), "--data-dir", str(tmp_path / "data")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    store_db = tmp_path / "data" / "fiscalwatch.db"
    while True:  # until the document is stored
        assert time.monotonic() < deadline and process.poll() is None, "up did not process the inbox"
        if store_db.exists():
            engine = create_engine(f"sqlite:///{store_db}")
            try:
                with Session(engine) as session:
                    done = session.scalar(select(func.count()).where(DisclosureRecord.validated_at.is_not(None)))
            except OperationalError:  # the database is still being migrated
                done = 0
            engine.dispose()
            if done:
                break
        await asyncio.sleep(0.3)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(children) == 5  # nats-server and the four services
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "stopping the services" in output
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert alive == []


def _format_fixtures():
    """The parse package's generator of DOCX/XLSX/HTML renderings of the seeds."""
    import importlib.util

    path = SEEDS.parents[1] / "format_fixtures.py"
    spec = importlib.util.spec_from_file_location("format_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_office_documents_go_through_like_their_text(nats_url, tmp_path) -> None:
    fixtures = _format_fixtures()
    text = (SEEDS / "001_6180a20aa6797444.txt").read_text(encoding="utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "决算.docx").write_bytes(fixtures.to_docx(text))
    (inbox / "决算.xlsx").write_bytes(fixtures.to_xlsx(text))
    aged_copy(SEEDS / "001_6180a20aa6797444.txt", inbox / "决算.txt")
    for name in ("决算.docx", "决算.xlsx"):
        os.utime(inbox / name, (time.time() - 10, time.time() - 10))
    downstream = await Downstream().start(nats_url)
    env = {**os.environ, "FISCALWATCH_NATS_URL": nats_url, "FISCALWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}

    result = await up_once(inbox, tmp_path / "data", env)
    await asyncio.sleep(0.3)
    assert result.returncode == 0, result.stderr + result.stdout
    by_name = {e["data"]["identity"]["name"]: e["data"] for e in downstream.of(Subjects.VALIDATED)}
    assert set(by_name) == {"决算.docx", "决算.xlsx", "决算.txt"}
    figures = {name: v["key_figures"] for name, v in by_name.items()}
    assert figures["决算.docx"] == figures["决算.txt"] == figures["决算.xlsx"]
    rules = {name: sorted(v["summary"]["rule_ids"]) for name, v in by_name.items()}
    assert rules["决算.docx"] == rules["决算.txt"]
    # Validation read the same lines the parser numbered: kept beside the file.
    store = await downstream.connection.jetstream().object_store("fiscalwatch-documents")
    docx_sha = by_name["决算.docx"]["identity"]["sha256"]
    lines = json.loads((await store.get(f"{docx_sha}.lines.json")).data)
    assert any("武汉市医疗保障局" in line for line in lines)
    await downstream.connection.drain()


async def test_published_pdfs_and_bad_files_each_get_a_result(nats_url, tmp_path) -> None:
    """A real PDF goes through; a DOCX named .pdf is read as what it is; a truncated, an encrypted,
    a scanned (image-only) PDF and an empty file each fail with their reason, the rest goes on."""
    import io

    import pypdf
    from reportlab.pdfgen import canvas

    pdfs = SEEDS.parents[1] / "data" / "pdf"
    good = next(pdfs.glob("24_*.pdf")).read_bytes()
    scan = io.BytesIO()
    page = canvas.Canvas(scan)
    page.rect(50, 500, 300, 200, fill=1)
    page.showPage()
    page.save()
    locked = io.BytesIO()
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(good)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    writer.write(locked)
    files = {
        "湖州财政局.pdf": good,
        "医保局决算.pdf": _format_fixtures().to_docx((SEEDS / "001_6180a20aa6797444.txt").read_text(encoding="utf-8")),
        "truncated.pdf": good[: len(good) // 2],
        "locked.pdf": locked.getvalue(),
        "scan.pdf": scan.getvalue(),
        "empty.pdf": b"",
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data)
        os.utime(inbox / name, (time.time() - 10, time.time() - 10))
    downstream = await Downstream().start(nats_url)
    env = {**os.environ, "FISCALWATCH_NATS_URL": nats_url, "FISCALWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}

    result = await up_once(inbox, tmp_path / "data", env)
    await asyncio.sleep(0.3)
    await downstream.connection.drain()

    assert result.returncode == 1 and "6 in the inbox: 6 new, 2 stored, 4 failed" in result.stdout, result.stdout
    validated = {e["data"]["identity"]["name"]: e["data"]["identity"] for e in downstream.of(Subjects.VALIDATED)}
    assert validated["湖州财政局.pdf"]["fiscal_year"] == 2026 and validated["湖州财政局.pdf"]["kind"] == "budget"
    assert validated["医保局决算.pdf"]["department_key"] == "武汉市医疗保障局"
    reasons = {json.loads(e["data"]["payload"])["data"]["name"]: e["data"]["reason"]
               for e in downstream.of(Subjects.dead_letter("parse"))}
    assert reasons["truncated.pdf"].startswith("truncated.pdf: not a readable PDF")
    assert reasons["locked.pdf"].startswith("locked.pdf: encrypted PDF")
    assert reasons["scan.pdf"].startswith("scan.pdf: needs OCR")
    assert reasons["empty.pdf"].startswith("empty.pdf: ") and "empty" in reasons["empty.pdf"]
