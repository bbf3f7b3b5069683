"""`fiscalwatch check`: readable and JSON reports, exit codes, other files still reported."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from fiscalwatch.common.model import Disclosure, Evidence, Finding, Severity, SourceRef
from fiscalwatch.parse.cli import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE, check

SEEDS = Path(__file__).parent / "data" / "seeds"
TABLE_SEED = SEEDS / "001_6180a20aa6797444.txt"


def run(paths, fmt="text", validate=lambda d, doc: []):
    out, err = io.StringIO(), io.StringIO()
    code = check(paths, fmt, out, err, validate=validate)
    return code, out.getvalue(), err.getvalue()


def test_text_report_names_department_year_kind_and_tables() -> None:
    code, out, _ = run([TABLE_SEED])
    assert code == EXIT_OK
    assert "武汉市医疗保障局" in out and "2023" in out and "final_accounts" in out
    assert "final.income_expenditure_summary" in out and "rows" in out


def test_json_is_the_disclosure_model_with_amounts_as_strings() -> None:
    code, out, _ = run([TABLE_SEED], fmt="json")
    assert code == EXIT_OK
    [document] = json.loads(out)
    disclosure = Disclosure.model_validate(document)
    summary = disclosure.table("final.income_expenditure_summary")
    assert summary is not None
    cell = next(r for r in summary.rows if r.key == "1").cells["1"]
    assert cell.value == Decimal("4342.35") and isinstance(document["tables"][0]["rows"][0]["source"]["line"], int)
    first_amount = next(
        c for t in document["tables"] for r in t["rows"] for c in r["cells"].values()
    )
    assert isinstance(first_amount["value"], str)


def test_unreadable_file_exits_2_and_others_are_still_reported(tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("关于举办培训班的通知\n各单位：请准时参加。\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = run([notice, TABLE_SEED, empty])
    assert code == EXIT_UNREADABLE
    assert str(notice) in err and str(empty) in err
    assert "武汉市医疗保障局" in out


def test_an_error_finding_exits_1_and_is_printed_with_evidence() -> None:
    finding = Finding(
        rule_id="T-001",
        severity=Severity.ERROR,
        message_zh="合计不等于各项之和",
        message_en="total is not the sum of its items",
        stated=Decimal("10"),
        expected=Decimal("11"),
        difference=Decimal("-1"),
        evidence=(Evidence(table="final.income", row="合计", column="1", source=SourceRef(line=7, text="合计 10")),),
    )
    code, out, _ = run([TABLE_SEED], validate=lambda d, doc: [finding])
    assert code == EXIT_FINDINGS
    assert "T-001" in out and "line 7" in out and "«合计 10»" in out


def test_the_installed_command_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fiscalwatch.common.cli", "check", str(TABLE_SEED)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode in (EXIT_OK, EXIT_FINDINGS), result.stderr
    assert "final.income" in result.stdout
