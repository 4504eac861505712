"""Every row of tests/BAD_INPUTS.md: make the mistake, check the exact line printed.

The table is the documentation; this test keeps it true. Each case below edits a copy
of tests/fixtures/register the way an analyst might get it wrong.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import declare_size, flag_encrypted, stored_zip, write_xlsx
from toolkit.cli import app

FIXTURES = Path(__file__).parent / "fixtures"
TABLE = Path(__file__).parent / "BAD_INPUTS.md"
HEADER = "report,ref,status,update,evidence,owner,target_date\n"
STREET = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\na1,2019-04,W,W,,,No Location,,,Drugs,,\n"
)


def _rows() -> list[dict[str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("case", "---") or set(cells[0]) <= {"-"}:
            continue
        case, _, command, code, message = cells
        rows.append({"case": case, "command": command, "exit": code, "message": message.strip("`")})
    return rows


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _update(root: Path, body: str, raw: bytes | None = None) -> None:
    path = root / "updates" / "2019-20-Q1.csv"
    path.write_bytes(raw if raw is not None else (HEADER + body).encode("utf-8"))


def _beta(root: Path, text: str) -> None:
    (root / "reports" / "beta.yaml").write_text(text, encoding="utf-8")


BETA = "title: Beta\npublished: 2019-08-01\nkind: thematic\n"


def _data(root: Path, block: str) -> None:
    _edit(root / "force.yaml", "addressee:", f"data:\n{block}addressee:")


def _police_uk(root: Path, force: str) -> None:
    month = root / "police-uk" / "2019-04"
    month.mkdir(parents=True)
    (month / f"2019-04-{force}-street.csv").write_text(STREET, encoding="utf-8")


def _link(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(target)


def _linked_template(root: Path) -> None:
    _link(root / "my-templates" / "letter" / "parts" / "monitoring.html.j2", "/etc/passwd")
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")


def _template(root: Path, source: str) -> None:
    folder = root / "my-templates" / "sections"
    folder.mkdir(parents=True)
    (folder / "header.html.j2").write_text(f"<p>{source}</p>\n", encoding="utf-8")
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")


def _linked_folder(root: Path, name: str, *, templates: bool) -> None:
    """A folder of the params root that is a symlink to /etc: a letter or templates in it."""
    (root / name).symlink_to("/etc", target_is_directory=True)
    if templates:
        with (root / "force.yaml").open("a", encoding="utf-8") as file:
            file.write(f"templates: {name}\n")
    else:
        _edit(
            root / "reports" / "alpha.yaml",
            "  sent: 2019-07-01\n",
            f"  sent: 2019-07-01\n  file: {name}/passwd.md\n",
        )


def _laughs(levels: int) -> str:
    """Each level's list holds nine aliases of the level before: 9**(levels + 1) values."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return BETA + "\n".join(lines) + "\n"


def _street_zip(root: Path) -> None:
    """A data.police.uk download whose one member is encrypted."""
    import zipfile

    member = "2019-04/2019-04-testshire-street.csv"
    with zipfile.ZipFile(root / "download.zip", "w") as archive:
        archive.writestr(member, STREET)
    flag_encrypted(root / "download.zip", member)
    _data(root, "  police_uk: download.zip\n")


def _bomb(path: Path, member: str) -> None:
    """A zip whose ``member`` declares 1.5 GB from 1,000 stored bytes (a zip bomb's shape)."""
    stored_zip(path, {"[Content_Types].xml": b"<Types/>", member: b"x" * 1000})
    declare_size(path, member, 1_500_000_000)


def _letter(root: Path, name: str) -> None:
    _edit(
        root / "reports" / "alpha.yaml",
        "  sent: 2019-07-01\n",
        f"  sent: 2019-07-01\n  file: {name}\n",
    )


def _update_xlsx(root: Path) -> Path:
    (root / "updates" / "2019-20-Q1.csv").unlink()
    return root / "updates" / "2019-20-Q1.xlsx"


def _not_utf8(path: Path) -> Path:
    """``path`` with the byte 0xff added to its name: a name that is no UTF-8 text."""
    return Path(os.fsdecode(os.fsencode(path) + b"\xff"))


ITEM_R1 = "items:\n  - ref: R1\n    kind: recommendation\n    text: Do it.\n"

SETUPS: dict[str, Callable[[Path], None]] = {
    "yaml-syntax": lambda r: _beta(r, BETA.replace("kind: thematic", "kind: [thematic")),
    "yaml-empty": lambda r: _beta(r, ""),
    "yaml-not-mapping": lambda r: _beta(r, "- title\n- published\n"),
    "unknown-key": lambda r: _beta(r, BETA + "itmes: []\n"),
    "bad-date": lambda r: _beta(r, BETA.replace("2019-08-01", "2019-13-45")),
    "no-such-day": lambda r: _beta(r, BETA.replace("2019-08-01", "31/02/2020")),
    "bad-kind": lambda r: _beta(r, BETA.replace("thematic", "thematc")),
    "missing-field": lambda r: _beta(
        r, BETA + "items:\n  - kind: recommendation\n    text: Do it.\n"
    ),
    "wrong-type": lambda r: _beta(r, BETA + "crime_types: Drugs\n"),
    "bad-due": lambda r: _edit(
        r / "reports" / "alpha.yaml", "due: within six months", "due: next spring"
    ),
    "duplicate-ref": lambda r: _beta(
        r,
        BETA + "items:\n  - {ref: R1, kind: recommendation, text: One.}\n"
        "  - {ref: R1, kind: recommendation, text: Two.}\n"
        "  - {ref: L1, kind: local-action, text: Three.}\n",
    ),
    "explanation-ref": lambda r: _beta(
        r,
        BETA + "response:\n  explanations:\n    R9: Not our item.\n"
        "items:\n  - {ref: R1, kind: recommendation, text: One.}\n",
    ),
    "response-file-missing": lambda r: _edit(
        r / "reports" / "alpha.yaml",
        "  sent: 2019-07-01\n",
        "  sent: 2019-07-01\n  file: letters/sent.docx\n",
    ),
    "response-file-kind": lambda r: (
        (r / "letter.pdf").write_bytes(b"%PDF-1.4"),
        _edit(
            r / "reports" / "alpha.yaml",
            "  sent: 2019-07-01\n",
            "  sent: 2019-07-01\n  file: letter.pdf\n",
        ),
    ),
    "response-file-unsent": lambda r: (
        (r / "sent.md").write_text("Dear Home Secretary\n"),
        _edit(r / "reports" / "alpha.yaml", "  sent: 2019-07-01\n", "  file: sent.md\n"),
    ),
    "report-file-name": lambda r: (r / "reports" / "Beta Report.yaml").write_text(BETA),
    "no-force-file": lambda r: (r / "force.yaml").unlink(),
    "force-slug": lambda r: _edit(r / "force.yaml", "police_uk: testshire", "police_uk: Testshire"),
    "peer-slug": lambda r: (r / "force.yaml").write_text(
        (r / "force.yaml").read_text() + "peers: [Devon and Cornwall]\n"
    ),
    "update-file-name": lambda r: (r / "updates" / "Q1 2019.csv").write_text(HEADER),
    "two-update-files": lambda r: write_xlsx(
        r / "updates" / "2019-20-Q1.xlsx", [HEADER.strip().split(",")]
    ),
    "unknown-report": lambda r: _update(r, "gama,R1,complete,,,,\n"),
    "unknown-ref": lambda r: _update(r, "beta,R7,complete,,,,\n"),
    "unknown-status": lambda r: _update(r, "alpha,R1,Done,,,,\n"),
    "duplicate-row": lambda r: _update(r, "alpha,R1,complete,,,,\nalpha,R1,in-progress,,,,\n"),
    "as-at-outside": lambda r: _update(
        r, "", raw=(HEADER.strip() + ",as_at\nalpha,R1,complete,,,,,2019-07-01\n").encode()
    ),
    "as-at-same-day": lambda r: _update(
        r,
        "",
        raw=(
            HEADER.strip() + ",as_at\nalpha,R1,in-progress,,,,,2019-05-01\n"
            "alpha,R1,complete,,,,,01/05/2019\n"
        ).encode(),
    ),
    "no-reason": lambda r: _update(r, "beta,R1,not-accepted,,,,\n"),
    "bad-target-date": lambda r: _update(r, "alpha,R1,in-progress,,,,2019-02-30\n"),
    "us-date": lambda r: _update(r, "alpha,R1,in-progress,,,,11/15/2018\n"),
    "extra-fields": lambda r: _update(r, "alpha,R1,complete,Done, signed off,,ACC,\n"),
    "missing-column": lambda r: _update(r, "", raw=b"report,ref,state\nalpha,R1,complete\n"),
    "empty-update-file": lambda r: _update(r, "", raw=b""),
    "encoding": lambda r: _update(r, "", raw=HEADER.encode() + b"alpha,R1,complete,\x81,,,\n"),
    "not-xlsx": lambda r: (
        (r / "updates" / "2019-20-Q1.csv").unlink(),
        (r / "updates" / "2019-20-Q1.xlsx").write_text("not a workbook"),
    ),
    "bad-closed-by": lambda r: _update(
        r,
        "",
        raw=(HEADER.rstrip("\n") + ",signed_off_by,closed_by\n").encode()
        + b"alpha,R1,complete,Done.,Minutes,ACC,,Board,PCC\n",
    ),
    "bad-rag-colour": lambda r: _edit(
        r / "force.yaml", "chief_constable:", "rag:\n  past_due: orange\nchief_constable:"
    ),
    "data-missing": lambda r: _data(r, "  police_uk: police-uk\n"),
    "data-no-force": lambda r: (_police_uk(r, "wiltshire"), _data(r, "  police_uk: police-uk\n")),
    "data-header": lambda r: (
        _police_uk(r, "testshire"),
        _edit(
            r / "police-uk" / "2019-04" / "2019-04-testshire-street.csv", "Crime type", "Offence"
        ),
        _data(r, "  police_uk: police-uk\n"),
    ),
    "corrupt-zip": lambda r: (
        (r / "download.zip").write_bytes(b"PK\x03\x04 broken"),
        _data(r, "  police_uk: download.zip\n"),
    ),
    "population-header": lambda r: (
        (r / "pop.csv").write_text("force,year,people\nx,2019,1\n"),
        _data(r, "  population: pop.csv\n"),
    ),
    "population-missing": lambda r: (
        (r / "pop.csv").write_text("police_uk,year,population\nwiltshire,2019,1000\n"),
        _data(r, "  population: pop.csv\n"),
    ),
    "params-symlink": lambda r: _link(r / "reports" / "beta.yaml", "/etc/passwd"),
    "force-symlink": lambda r: _link(r / "force.yaml", "/etc/passwd"),
    "template-symlink": _linked_template,
    "yaml-aliases": lambda r: _beta(r, _laughs(5)),
    "report-id-newline": lambda r: (r / "reports" / "beta.yaml").rename(
        r / "reports" / "beta\n.yaml"
    ),
    "report-id-long": lambda r: (r / "reports" / "beta.yaml").rename(
        r / "reports" / f"{'a' * 120}.yaml"
    ),
    "published-range": lambda r: _beta(r, BETA.replace("2019-08-01", "9999-12-31")),
    "due-range": lambda r: _beta(
        r,
        BETA + "items:\n  - ref: R1\n    kind: recommendation\n    text: Do it.\n"
        "    due: within 99999 months\n",
    ),
    "supersedes-report": lambda r: _beta(
        r, BETA + "items:\n  - {ref: R1, kind: recommendation, text: One., supersedes: gamma/R1}\n"
    ),
    "supersedes-ref": lambda r: _beta(
        r, BETA + "items:\n  - {ref: R1, kind: recommendation, text: One., supersedes: alpha/R9}\n"
    ),
    "supersedes-form": lambda r: _beta(
        r, BETA + "items:\n  - {ref: R1, kind: recommendation, text: One., supersedes: R1}\n"
    ),
    "supersedes-cycle": lambda r: (
        _beta(
            r,
            BETA + "items:\n  - {ref: R1, kind: recommendation, text: One., "
            "supersedes: alpha/R1}\n",
        ),
        _edit(
            r / "reports" / "alpha.yaml",
            "    due: 2019-09-30\n",
            "    due: 2019-09-30\n    supersedes: beta/R1\n",
        ),
    ),
    "parent-kind": lambda r: _beta(
        r,
        BETA + "items:\n  - {ref: R1, kind: recommendation, text: One., parent: L1}\n"
        "  - {ref: L1, kind: local-action, text: Two.}\n",
    ),
    "control-character": lambda r: _update(r, "alpha,R1,in-progress,Work\x07 started.,,ACC,\n"),
    "control-character-yaml": lambda r: _beta(r, BETA.replace("title: Beta", 'title: "Beta\\a"')),
    "template-call": lambda r: _template(r, '{{ (b.params.root / "/etc/passwd").read_text() }}'),
    "template-call-run": lambda r: _template(r, '{{ b.params.root["write_text"]("x") }}'),
    "template-folder-symlink": lambda r: _linked_folder(r, "my-templates", templates=True),
    "template-folder-symlink-run": lambda r: _linked_folder(r, "my-templates", templates=True),
    "letter-folder-symlink": lambda r: _linked_folder(r, "letters", templates=False),
    "letter-folder-symlink-run": lambda r: _linked_folder(r, "letters", templates=False),
    "crime-type": lambda r: _beta(r, BETA + "crime_types: [Drug]\n"),
    "yaml-deep": lambda r: _beta(r, BETA + "deep: " + "[" * 1000 + "]" * 1000 + "\n"),
    "yaml-deep-run": lambda r: _beta(r, BETA + "deep: " + "[" * 1000 + "]" * 1000 + "\n"),
    "yaml-alias-text": lambda r: _beta(
        r, BETA + 'a: &a "' + "x" * (1 << 20) + '"\nb: [' + ",".join(["*a"] * 2000) + "]\n"
    ),
    "yaml-surrogate": lambda r: _beta(r, BETA.replace("title: Beta", 'title: "\\ud800"')),
    "yaml-c1": lambda r: _beta(r, BETA.replace("title: Beta", 'title: "Beta\\x85"')),
    "yaml-bidi": lambda r: _beta(r, BETA.replace("title: Beta", 'title: "Beta\\u202e"')),
    "bidi-update": lambda r: _update(r, "alpha,R1,in-progress,Work\u202e started.,,ACC,\n"),
    "reserved-id": lambda r: (r / "reports" / "failed.yaml").write_text(BETA),
    "ref-newline": lambda r: _beta(r, BETA + ITEM_R1.replace("ref: R1", 'ref: "R\\n1"')),
    "url-scheme": lambda r: _beta(r, BETA + 'url: "javascript:alert(1)"\n'),
    "website-scheme": lambda r: _edit(
        r / "force.yaml", "  area: Testshire\n", "  area: Testshire\n  website: data:text/html,hi\n"
    ),
    "response-file-not-docx": lambda r: (
        (r / "letter.docx").write_text("Dear Home Secretary\n"),
        _letter(r, "letter.docx"),
    ),
    "response-file-bomb": lambda r: (
        _bomb(r / "letter.docx", "word/document.xml"),
        _letter(r, "letter.docx"),
    ),
    "xlsx-bomb": lambda r: _bomb(_update_xlsx(r), "xl/worksheets/sheet1.xml"),
    "xlsx-encrypted": lambda r: flag_encrypted(
        write_xlsx(_update_xlsx(r), [HEADER.strip().split(",")]), "xl/worksheets/sheet1.xml"
    ),
    "zip-encrypted": _street_zip,
    "zip-encrypted-run": _street_zip,
    "recorded-crime-bomb": lambda r: (
        _bomb(r / "table.ods", "content.xml"),
        _data(r, "  recorded_crime: table.ods\n"),
    ),
    "params-not-utf8": lambda r: shutil.copytree(r, _not_utf8(r)),
    "out-not-utf8": lambda r: None,
    "bad-quarter": lambda r: None,
    "quarter-years": lambda r: None,
    "quarter-range": lambda r: None,
    "unsafe-id": lambda r: None,
    "report-file-as-id": lambda r: None,
    "all-and-ids": lambda r: None,
    "no-params-root": lambda r: None,
    "no-such-report": lambda r: None,
}

ARGS = {
    "bad-quarter": ["--quarter", "2019-Q3"],
    "quarter-years": ["--quarter", "2019-21-Q1"],
    "quarter-range": ["--quarter", "9999-00-Q4"],
}


def test_every_case_in_the_table_has_a_setup():
    assert sorted(r["case"] for r in _rows()) == sorted(SETUPS)


def _params() -> list[object]:
    """Each row; ``toolkit run`` rows are slow (the run starts its kernel zygote first)."""
    return [
        pytest.param(
            r, id=r["case"], marks=[pytest.mark.slow] if r["command"].startswith("run") else []
        )
        for r in _rows()
    ]


@pytest.mark.parametrize("row", _params())
def test_bad_input_message(row, tmp_path):
    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    SETUPS[row["case"]](root)
    words = row["command"].split()
    given = {"no-params-root": root / "nowhere", "params-not-utf8": _not_utf8(root)}.get(
        row["case"], root
    )
    args = [words[0], *words[1:], "--params", str(given)]
    out = _not_utf8(tmp_path / "o") if row["case"] == "out-not-utf8" else tmp_path / "o"
    if words[0] == "run":
        args += ARGS.get(row["case"], ["--quarter", "2019-20-Q1"]) + ["--out", str(out)]
    result = CliRunner().invoke(app, args)
    expected = (
        row["message"]
        .replace("<root>", str(root))
        .replace("<tmp>", str(tmp_path))
        .replace("<120 x a>", "a" * 120)
    )
    lines = [re.sub(r"\s+$", "", line) for line in result.output.splitlines()]
    assert expected in lines, result.output
    assert result.exit_code == int(row["exit"]), result.output
    assert "Traceback" not in result.output
    assert not out.exists() or row["exit"] == "0"


def _pinned_rows() -> list[tuple[str, str]]:
    """The six-column table: faults a run, the caches or fetch-data meet, each
    with the test that makes it and checks what the user sees."""
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or cells[0] == "case" or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0], cells[5]))
    return rows


def test_every_fault_of_the_second_table_names_a_test_that_exists():
    rows = _pinned_rows()
    assert len(rows) >= 8
    for case, pinned in rows:
        names = [name.strip().strip("`") for name in pinned.split(";")]
        for name in names:
            path, _, function = name.partition("::")
            source = (TABLE.parent.parent / path).read_text(encoding="utf-8")
            assert f"def {function}(" in source, (case, name)
