"""A real ``toolkit run`` on tests/fixtures/rag for 2021-22-Q3: no update file for the
quarter and no data.police.uk files. The briefing is still produced (status, s55, letter,
tracker), the run exits 0 with one warning about the data, and the new sections of the
briefing and the overview pass axe-core at desktop and phone widths. The hand-worked
values are in tests/test_rag.py's docstring.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser_tools import format_violations, require_browser_tools, run_axe

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "fixtures" / "rag"
QUARTER = "2021-22-Q3"
_CSP = re.compile(r"<meta\b[^>]*Content-Security-Policy[^>]*>", re.IGNORECASE)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    tmp = tmp_path_factory.mktemp("rag-run")
    root = tmp / "params"
    shutil.copytree(FIXTURE, root)
    (root / "police-uk").mkdir()
    toolkit = Path(sys.executable).with_name("toolkit")
    command = [str(toolkit)] if toolkit.is_file() else [sys.executable, "-m", "toolkit.cli"]
    done = subprocess.run(
        [*command, "run", "--all", "--quarter", QUARTER, "--params", str(root), "--out", str(tmp)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, tmp / QUARTER


def test_the_run_exits_0_with_one_warning_about_the_data(run):
    done, folder = run
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert [w for w in warnings if "data.police.uk" in w] == [
        "warning: force.yaml: data.police_uk: police-uk holds no data.police.uk street-level "
        "files; the briefings are produced without performance figures (fetch them with "
        "toolkit fetch-data)"
    ]
    assert [w for w in warnings if "no update file" in w] == [
        "warning: updates/2021-22-Q3.csv|.xlsx: no update file for 2021-22-Q3; the briefings "
        'and the overview show every open item as "no update this quarter"'
    ]
    for name in ("briefing.html", "figures.json", "response-draft.md", "response-draft.docx"):
        assert (folder / "kappa" / name).is_file(), name


def test_the_briefing_says_why_there_are_no_figures_and_carries_the_banner(run):
    _, folder = run
    html = (folder / "kappa" / "briefing.html").read_text(encoding="utf-8")
    assert "Figures not available" in html
    assert "holds no data.police.uk street-level files" in html
    assert "No update file was received from the force for Q3 2021/22" in html
    figures = json.loads((folder / "kappa" / "figures.json").read_text(encoding="utf-8"))
    assert figures["police_uk"] is None
    assert figures["s55"]["state"] == "overdue"
    assert figures["update_file"] == {"quarter": QUARTER, "received": False}


def test_overview_and_tracker_counts_equal_the_hand_count(run):
    _, folder = run
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert index["overview"]["rag"] == {"red": 1, "amber": 3, "green": 0, "blue": 2}
    assert index["overview"]["update_missing"] is True
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "No update file was received from the force for Q3 2021/22" in html
    text = (folder / "tracker.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted((row["Ref"], row["RAG"]) for row in rows) == [
        ("K1", "Amber"),
        ("K2", "Red"),
        ("K3", "Blue"),
        ("K4", "Amber"),
        ("K5", "Blue"),
        ("K6", "Amber"),
    ]


@pytest.mark.parametrize("page", ["index.html", "kappa/briefing.html"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_new_sections_have_no_axe_violations(run, tmp_path, page, width):
    require_browser_tools()
    _, folder = run
    checked = tmp_path / "page.html"
    checked.write_text(_CSP.sub("", (folder / page).read_text(encoding="utf-8")), "utf-8")
    shot = tmp_path / f"shot-{width}.png"
    result = run_axe(checked, width=width, screenshot=shot)
    assert result["violations"] == [], format_violations(result)
    assert int.from_bytes(shot.read_bytes()[16:20], "big") == width, "the page scrolls sideways"
