"""Hostile and oversized input: each rule tried on variants beside the case in
tests/BAD_INPUTS.md (which pins the exact line printed for one of each).

The rules: YAML nesting and alias expansion are limited (not document size); one
character rule for all text; refs are one line; URL fields are http(s) only; report ids
cannot take the outputs' names; every zip-based input passes one guard; a failed write
is one "cannot write" line; paths that are not UTF-8 are refused on the command line;
every CSV escapes formula-like cells; the manifest's params paths resolve from its root.
"""

from __future__ import annotations

import errno
import logging
import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import declare_size, flag_encrypted, stored_zip, write_xlsx
from toolkit.cli import app
from toolkit.errors import InputError, write_failure
from toolkit.files.yamlfile import MAX_DEPTH, read_yaml
from toolkit.record.params import REPORT_ID, RESERVED_IDS, check_report_id, load_params
from toolkit.text.characters import control_character, spreadsheet_text

FIXTURES = Path(__file__).parent / "fixtures"
TOOLKIT = Path(sys.executable).with_name("toolkit")
BETA = "title: Beta\npublished: 2019-08-01\nkind: thematic\n"
HEADER = "report,ref,status,update,evidence,owner,target_date"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", copy)
    return copy


def _validate(root: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


def _yaml(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    return [str(p) for p in read_yaml(path, "r.yaml")[2]]


# ------------------------------------------------------------------- YAML: depth


@pytest.mark.parametrize(
    "nest",
    [
        lambda n: "k: " + "[" * n + "]" * n,  # flow lists
        lambda n: "k: " + "{a: " * n + "1" + "}" * n,  # flow mappings
        lambda n: (
            "k:\n"
            + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(n))
            + "  " * (n + 1)
            # block mappings, ending in a value
            + "v"
        ),
        lambda n: "k:\n  " + "- " * n + "x",  # block lists on one line
    ],
    ids=["flow-lists", "flow-mappings", "block-mappings", "block-lists"],
)
def test_nesting_past_the_limit_is_one_problem_in_any_form(tmp_path, nest):
    # The document's own mapping is level 1, so ``k: <n levels>`` is n + 1 levels deep.
    assert _yaml(tmp_path, BETA + nest(MAX_DEPTH - 1) + "\n") == []
    found = _yaml(tmp_path, BETA + nest(MAX_DEPTH) + "\n")
    assert len(found) == 1 and "nested more than 50 levels deep" in found[0], found


def test_a_hundred_thousand_levels_are_refused_without_recursion(tmp_path):
    found = _yaml(tmp_path, "k: " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert found == [
        "r.yaml:1: YAML lists and mappings nested more than 50 levels deep "
        "(expected at most 50 levels of lists and mappings)"
    ]


def test_nesting_built_from_aliases_is_limited_too(tmp_path):
    """Each anchor is 40 levels as written; each names the one before: 1,600 levels."""
    lines = [BETA + "a0: &a0 " + "[" * 40 + "1" + "]" * 40]
    lines += [f"a{i}: &a{i} " + "[" * 40 + f"*a{i - 1}" + "]" * 40 for i in range(1, 40)]
    found = _yaml(tmp_path, "\n".join(lines) + "\n")
    assert len(found) == 1 and "nested more than 50 levels deep" in found[0], found
    # Two such anchors, 40 + 9 levels under the document's mapping: 50 levels, allowed.
    text = BETA + "a: &a " + "[" * 40 + "1" + "]" * 40 + "\nb: " + "[" * 9 + "*a" + "]" * 9
    assert _yaml(tmp_path, text + "\n") == []


def test_deep_nesting_with_a_syntax_error_is_refused_too(tmp_path):
    # The pure-Python parser, which words syntax errors, must not recurse either.
    found = _yaml(tmp_path, "k: " + "[" * 5000 + "\n")
    assert len(found) == 1 and "nested more than 50 levels deep" in found[0]


# ------------------------------------------------------------------- YAML: aliases


def _items(count: int, owner: str = "ACC Crime") -> str:
    lines = [BETA, "items:\n"]
    for i in range(count):
        lines.append(f"  - ref: R{i}\n    kind: recommendation\n    text: Item {i}.\n")
        lines.append(f"    owner: {owner}\n    due: within six months\n")
    return "".join(lines)


def test_a_ten_thousand_item_report_without_aliases_is_valid(root):
    (root / "reports" / "gamma.yaml").write_text(_items(10_000), encoding="utf-8")
    code, lines = _validate(root)
    assert code == 0, lines


def test_a_modest_alias_is_still_allowed(root):
    # One owner written once and named 1,999 times: aliases add 1,999 values, 17,991 chars.
    # The first item anchors the owner; the other 1,999 name it.
    text = _items(2_000, owner="*owner").replace("owner: *owner", "owner: &owner ACC Crime", 1)
    (root / "reports" / "gamma.yaml").write_text(text, encoding="utf-8")
    code, lines = _validate(root)
    assert code == 0, lines


@pytest.mark.parametrize(
    ("anchor", "uses", "words"),
    [
        ("x" * 100, 20_000, "1,000,000 characters"),  # 2,000,000 characters added
        ("[" + ",".join(["a"] * 1000) + "]", 200, "100,000 values"),  # 200,000 values added
    ],
)
def test_aliases_are_limited_by_what_they_add(tmp_path, anchor, uses, words):
    text = BETA + f"a: &a {anchor}\nb: [" + ",".join(["*a"] * uses) + "]\n"
    found = _yaml(tmp_path, text)
    assert found == [
        f"r.yaml: YAML anchors and aliases expand to more than {words} "
        "(expected a params file that writes its values out)"
    ]


# ------------------------------------------------------------------- characters


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a\x85b", "a control character (U+0085)"),
        ("a\x9b31m", "a control character (U+009B)"),
        ("a\x80", "a control character (U+0080)"),
        ("a\x9f", "a control character (U+009F)"),
        ("a\x7f", "a control character (U+007F)"),
        ("a\u202ab", "a bidirectional control character (U+202A)"),
        ("a\u202eb", "a bidirectional control character (U+202E)"),
        ("a\u2066b", "a bidirectional control character (U+2066)"),
        ("a\u2069b", "a bidirectional control character (U+2069)"),
        ("a\ud800", "a lone surrogate (U+D800)"),
        ("a\udfff", "a lone surrogate (U+DFFF)"),
        ("a\ufffe", "a control character (U+FFFE)"),
    ],
)
def test_refused_characters(text, words):
    assert control_character(text) == words


@pytest.mark.parametrize("text", ["Café — “quoted” 5 m²", "two\nlines\tand a tab", "a\u00a0b"])
def test_ordinary_text_passes(text):
    assert control_character(text) is None


@pytest.mark.slow  # runs toolkit in a subprocess
def test_a_surrogate_in_a_key_is_one_printable_line(root):
    """The key is in no field's schema: refused before any message could print it raw."""
    (root / "reports" / "gamma.yaml").write_text(BETA + '"\\ud800x": 1\n', encoding="utf-8")
    done = subprocess.run(
        [str(TOOLKIT), "validate", "--params", str(root)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "reports/gamma.yaml:4: \\ud800x: a lone surrogate (U+D800) cannot go into the briefing "
        "or the letter (expected printable text, got '\\ud800x')"
    ]


@pytest.mark.parametrize("character", ["\x85", "\x9b", "\u202e", "\u2067"])
def test_the_same_characters_are_refused_in_update_files(root, character):
    (root / "updates" / "2019-20-Q1.csv").write_text(
        f"{HEADER}\nalpha,R1,in-progress,Done,,AC{character}C,\n", encoding="utf-8"
    )
    code, lines = _validate(root)
    assert code == 2
    assert lines[0].startswith(f"updates/2019-20-Q1.csv:2: owner: {control_character(character)}")


def test_the_same_characters_are_refused_in_an_update_workbook(root):
    (root / "updates" / "2019-20-Q1.csv").unlink()
    write_xlsx(
        root / "updates" / "2019-20-Q1.xlsx",
        [HEADER.split(","), ["alpha", "R1", "in-progress", "Work\u202e done", "", "", ""]],
    )
    code, lines = _validate(root)
    assert code == 2
    assert lines[0].startswith("updates/2019-20-Q1.xlsx:2: update: a bidirectional control")


# ------------------------------------------------------------------- refs


@pytest.mark.parametrize("ref", ["R\\n1", "R1\\tb", "R\\r1", "R\\x851", "R1\\u202e"])
def test_a_ref_is_one_line_of_printable_text(root, ref):
    item = f'items:\n  - ref: "{ref}"\n    kind: recommendation\n    text: Do it.\n'
    (root / "reports" / "gamma.yaml").write_text(BETA + item, encoding="utf-8")
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("reports/gamma.yaml:5: items[0].ref: ")


def test_an_explanation_key_is_a_ref_too(root):
    text = (
        BETA + 'response:\n  explanations:\n    "R\\n1": Why.\n'
        "items:\n  - {ref: R1, kind: recommendation, text: One.}\n"
    )
    (root / "reports" / "gamma.yaml").write_text(text, encoding="utf-8")
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1, lines
    assert "cannot go into a ref" in lines[0]


# ------------------------------------------------------------------- URLs

BAD_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "//evil.example/x",
    "www.example.gov.uk",
    "https://",
    "https://exa mple.gov.uk/",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_report_url_must_be_http_or_https(root, url):
    (root / "reports" / "gamma.yaml").write_text(BETA + f'url: "{url}"\n', encoding="utf-8")
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("reports/gamma.yaml:4: url: not a web address")


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_pcc_website_follows_the_same_rule(root, url):
    force = (root / "force.yaml").read_text()
    force = force.replace("  area: Testshire\n", f'  area: Testshire\n  website: "{url}"\n')
    (root / "force.yaml").write_text(force)
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("force.yaml:7: pcc.website: not a web address")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.justiceinspectorates.gov.uk/hmicfrs/publications/peel-2023/",
        "http://example.org",
        "HTTPS://WWW.EXAMPLE.GOV.UK/a?b=c#d",
    ],
)
def test_web_addresses_pass(root, url):
    (root / "reports" / "gamma.yaml").write_text(BETA + f'url: "{url}"\n', encoding="utf-8")
    force = (root / "force.yaml").read_text()
    force = force.replace("  area: Testshire\n", f'  area: Testshire\n  website: "{url}"\n')
    (root / "force.yaml").write_text(force)
    assert _validate(root)[0] == 0


def test_the_init_placeholder_for_the_website_still_loads(tmp_path):
    from toolkit.record.params import load_force

    result = CliRunner().invoke(app, ["init", str(tmp_path / "p"), "--force", "kent"])
    assert result.exit_code == 0, result.output
    force = load_force(tmp_path / "p")
    assert force.pcc.website is not None and force.pcc.website.startswith("[FILL IN:")


# ------------------------------------------------------------------- reserved ids


@pytest.mark.parametrize("name", sorted(RESERVED_IDS))
def test_every_reserved_name_is_refused_as_a_report(root, name):
    (root / "reports" / f"{name}.yaml").write_text(BETA, encoding="utf-8")
    code, lines = _validate(root)
    assert code == 2
    assert lines == [
        f"reports/{name}.yaml: the report id {name!r} is a name the outputs use (expected "
        f"another id, not one of {', '.join(sorted(RESERVED_IDS))}, got {name!r})"
    ]
    with pytest.raises(InputError):
        check_report_id(name)


def test_new_report_refuses_a_reserved_name(root):
    result = CliRunner().invoke(
        app,
        [
            "new-report",
            "failed",
            "--title",
            "T",
            "--published",
            "2019-08-01",
            "--params",
            str(root),
        ],
    )
    assert result.exit_code == 2
    assert "is a name the outputs use" in result.output
    assert not (root / "reports" / "failed.yaml").exists()


def test_the_reserved_names_cover_what_the_outputs_write(root, tmp_path):
    """Every name the quarter folder holds beside the report folders that could be read as
    a report id (tracker, request workbook, failed notebooks) is reserved."""
    out = tmp_path / "out"
    runner = CliRunner()
    for args in (
        ["tracker", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(out)],
        [
            "tracker",
            "--public",
            "--quarter",
            "2019-20-Q1",
            "--params",
            str(root),
            "--out",
            str(out),
        ],
    ):
        assert runner.invoke(app, args).exit_code == 0
    request = out / "2019-20-Q1" / "updates-request-2019-20-Q1.xlsx"
    args = ["request-updates", "--quarter", "2019-20-Q1", "--params", str(root)]
    assert runner.invoke(app, [*args, "--out", str(request)]).exit_code == 0
    names = {p.name for p in (out / "2019-20-Q1").iterdir()} | {"failed", "index.html"}
    names |= {"manifest.json", ".cache", ".staging-alpha-1", ".old-alpha-1"}
    stems = set()
    for name in names:
        stem = name.lstrip(".").split(".")[0]
        stem = stem.removesuffix("-2019-20-Q1").removesuffix("-alpha-1")
        if REPORT_ID.match(stem):
            stems.add(stem)
    assert stems <= RESERVED_IDS, stems - RESERVED_IDS


# ------------------------------------------------------------------- zip inputs


def _deflated_bomb(path: Path, members: dict[str, bytes], bomb: str) -> Path:
    """A real zip bomb: ``bomb`` is 20 MiB of zeros, deflated to about 20 KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr(bomb, b"\0" * (20 << 20))
    return path


def _letter(root: Path, name: str) -> None:
    text = (root / "reports" / "alpha.yaml").read_text()
    text = text.replace("  sent: 2019-07-01\n", f"  sent: 2019-07-01\n  file: {name}\n")
    (root / "reports" / "alpha.yaml").write_text(text)


def test_a_real_word_document_passes_validate(root):
    from docx import Document

    document = Document()
    document.add_paragraph("Dear Home Secretary")
    document.save(str(root / "letter.docx"))
    _letter(root, "letter.docx")
    assert _validate(root)[0] == 0


def test_a_deflated_bomb_as_the_letter_is_refused_at_validate_and_at_run(root):
    from toolkit.files.letterfile import read_paragraphs

    _deflated_bomb(root / "letter.docx", {"[Content_Types].xml": b"<Types/>"}, "word/document.xml")
    _letter(root, "letter.docx")
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(
        "reports/alpha.yaml:6: response.file: 'letter.docx': refused: the member "
        "'word/document.xml' is implausibly compressed"
    )
    with pytest.raises(InputError, match="implausibly compressed"):
        read_paragraphs(root / "letter.docx", "letter.docx")


@pytest.mark.parametrize(
    ("make", "got"),
    [
        (lambda path: path.write_text("Dear Home Secretary\n"), "PackageNotFoundError"),
        (lambda path: path.write_bytes(b""), "PackageNotFoundError"),
        (lambda path: write_xlsx(path, [["a workbook, renamed"]]), "ValueError"),
    ],
    ids=["text", "empty", "workbook"],
)
def test_a_letter_that_is_no_word_document_is_refused_at_validate(root, make, got):
    make(root / "letter.docx")
    _letter(root, "letter.docx")
    assert _validate(root) == (
        2,
        [
            "reports/alpha.yaml:6: response.file: 'letter.docx': not a Word document "
            f"(expected a .docx saved by Word or LibreOffice, got {got})"
        ],
    )


def test_an_encrypted_member_of_the_letter_is_refused(root):
    stored_zip(
        root / "letter.docx", {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"x"}
    )
    flag_encrypted(root / "letter.docx", "word/document.xml")
    _letter(root, "letter.docx")
    code, lines = _validate(root)
    assert code == 2
    assert lines == [
        "reports/alpha.yaml:6: response.file: 'letter.docx': refused: the member "
        "'word/document.xml' is encrypted (password-protected) and cannot be read "
        "(expected a file saved without a password)"
    ]


def test_a_markdown_letter_that_is_not_utf8_is_refused_at_validate(root):
    (root / "letter.md").write_bytes(b"Dear Home Secretary \xff\xfe\n")
    _letter(root, "letter.md")
    code, lines = _validate(root)
    assert (code, lines) == (
        2,
        [
            "reports/alpha.yaml:6: response.file: 'letter.md': not UTF-8 text "
            "(expected a UTF-8 Markdown file)"
        ],
    )


def test_a_deflated_bomb_as_an_update_workbook_is_refused(root):
    (root / "updates" / "2019-20-Q1.csv").unlink()
    _deflated_bomb(
        root / "updates" / "2019-20-Q1.xlsx",
        {"[Content_Types].xml": b"<Types/>"},
        "xl/worksheets/sheet1.xml",
    )
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1
    assert "'xl/worksheets/sheet1.xml' is implausibly compressed" in lines[0]


def test_an_update_workbook_declaring_too_much_in_total_is_refused(root):
    """Each member is plausible; all together they would inflate past the ceiling."""
    from toolkit.files.zipmember import DOCUMENT_BYTES

    path = root / "updates" / "2019-20-Q1.xlsx"
    (root / "updates" / "2019-20-Q1.csv").unlink()
    members = {f"xl/worksheets/sheet{i}.xml": b"x" * 1_000_000 for i in range(3)}
    stored_zip(path, members)
    for name in members:  # 60 MB each: 60 times, under the ratio; 180 MB together
        declare_size(path, name, 60_000_000)
    assert DOCUMENT_BYTES < 3 * 60_000_000
    code, lines = _validate(root)
    assert code == 2
    assert lines == [
        "updates/2019-20-Q1.xlsx: refused: the file would inflate to an implausible size "
        "(expected at most 100 MB once unzipped, "
        f"got 180,000,000 bytes from {path.stat().st_size:,})"
    ]


def test_a_recorded_crime_table_bomb_is_refused_before_it_is_read(tmp_path):
    from toolkit.errors import DataError
    from toolkit.performance.recorded_crime_read import read_sheets

    for suffix in (".ods", ".xlsx"):
        path = _deflated_bomb(tmp_path / f"t{suffix}", {"mimetype": b"x"}, "content.xml")
        with pytest.raises(DataError, match="implausibly compressed"):
            read_sheets(path)


def test_a_password_protected_or_broken_table_is_one_line(root):
    """LibreOffice encrypts an ODS inside its members (the zip itself is not encrypted):
    the table reader's own error is worded, as for any file it cannot read."""
    table = root / "table.ods"
    with zipfile.ZipFile(table, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"\x8f\x12 encrypted bytes")
    force = (root / "force.yaml").read_text()
    force = force.replace("addressee:", "data:\n  recorded_crime: table.ods\naddressee:")
    (root / "force.yaml").write_text(force)
    code, lines = _validate(root)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"{table}: cannot be read as a table (got '")


def test_an_encrypted_data_member_is_refused_when_read_at_run(tmp_path):
    """The briefing's own read (not only validate's header check) refuses it."""
    from toolkit.errors import DataError
    from toolkit.performance import PoliceUkData

    member = "2019-04/2019-04-testshire-street.csv"
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "Crime ID,Month,Crime type\na,2019-04,Drugs\n")
    flag_encrypted(path, member)
    with PoliceUkData(path) as data, pytest.raises(DataError, match="is encrypted"):
        data.month_rows("testshire", ["2019-04"])


def test_toolkit_example_refuses_an_encrypted_download(tmp_path):
    member = "2019-04/2019-04-dorset-street.csv"
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, "Crime ID,Month,Crime type\n")
    flag_encrypted(path, member)
    result = CliRunner().invoke(app, ["example", str(tmp_path / "ex"), "--police-uk", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.splitlines() == [
        f"{path}!{member}: --police-uk: refused: the member is encrypted (password-protected) "
        "and cannot be read (expected a file saved without a password)"
    ]


def test_a_duplicate_member_is_named_once_and_the_copy_read_is_the_one_checked(tmp_path, caplog):
    import warnings

    from toolkit.performance import PoliceUkData

    member = "2019-04/2019-04-testshire-street.csv"
    path = tmp_path / "d.zip"
    head = "Crime ID,Month,Crime type\n"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        archive.writestr(member, head + "a,2019-04,Drugs\n")
        archive.writestr(member, head + "a,2019-04,Drugs\nb,2019-04,Drugs\nc,2019-04,Drugs\n")
    with caplog.at_level(logging.WARNING, "toolkit"), PoliceUkData(path) as data:
        rows = data.month_rows("testshire", ["2019-04"])
        identity = data.files[("testshire", "2019-04", "street")].identity
    assert rows == {"2019-04": 3}  # the last copy, which zipfile reads
    with zipfile.ZipFile(path) as archive:
        last = archive.infolist()[-1]
    assert f'"crc": {last.CRC}' in identity
    warned = [r.getMessage() for r in caplog.records]
    assert warned == [f"{path}: the zip holds 2 members named {member}; reading the last of them"]


# ------------------------------------------------------------------- writing outputs


def _limited(limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """``toolkit …`` with a file-size limit (``ulimit -f``); Python ignores SIGXFSZ, so a
    write past it fails with EFBIG."""

    def limit_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [str(TOOLKIT), *args],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=limit_size,  # noqa: PLW1509 - only sets a limit
    )


@pytest.mark.slow  # runs toolkit in a subprocess
def test_a_file_size_limit_while_writing_the_request_workbook_is_one_line(root, tmp_path):
    dest = tmp_path / "r.xlsx"
    done = _limited(
        2000,
        "request-updates",
        "--quarter",
        "2019-20-Q4",
        "--params",
        str(root),
        "--out",
        str(dest),
    )
    assert done.returncode != 0
    assert done.stderr.splitlines() == [f"{dest}: cannot write the workbook (File too large)"]
    assert not dest.exists()


@pytest.mark.slow  # runs toolkit in a subprocess
def test_a_file_size_limit_while_writing_the_tracker_is_one_line(root, tmp_path):
    out = tmp_path / "out"
    done = _limited(
        2000, "tracker", "--quarter", "2019-20-Q4", "--params", str(root), "--out", str(out)
    )
    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        f"{out / '2019-20-Q4'}: cannot write the tracker (File too large)"
    ]


@pytest.mark.slow  # runs toolkit in a subprocess
@pytest.mark.parametrize(
    ("args", "place", "what"),
    [
        (["init", "{tmp}/new", "--force", "kent"], "{tmp}/new", "the params root"),
        (
            [
                "new-report",
                "zeta",
                "--title",
                "Z",
                "--published",
                "2019-08-01",
                "--params",
                "{root}",
            ],
            "{root}/reports",
            "the report file",
        ),
    ],
)
def test_every_command_that_writes_says_cannot_write_in_one_line(root, tmp_path, args, place, what):
    done = _limited(100, *(a.format(tmp=tmp_path, root=root) for a in args))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{place.format(tmp=tmp_path, root=root)}: cannot write {what} here (EFBIG: File too large)"
    ]


def test_lxml_write_errors_are_the_os_errors_they_name():
    from lxml.etree import SerialisationError

    for name in ("EFBIG", "ENOSPC", "EDQUOT"):
        found = write_failure(SerialisationError(f"IO_{name}"))
        assert isinstance(found, OSError) and found.errno == getattr(errno, name)
    assert write_failure(SerialisationError("IO_WRITE")).errno == errno.EIO
    assert write_failure(ValueError("no")) is None


@pytest.mark.slow
def test_a_file_size_limit_while_a_run_writes_the_index_is_one_line(root, tmp_path, monkeypatch):
    from lxml.etree import SerialisationError

    from toolkit.runner import batch

    def too_large(*args, **kwargs):
        raise SerialisationError("IO_EFBIG")

    monkeypatch.setattr(batch, "write_quarter_index", too_large)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "alpha", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.splitlines()[-1] == (
        f"{out / '2019-20-Q1'}: cannot write the outputs here (EFBIG: File too large)"
    )


# ------------------------------------------------------------------- paths not UTF-8


@pytest.mark.parametrize(
    "command",
    [
        ["status", "--quarter", "2019-20-Q1"],
        ["tracker", "--quarter", "2019-20-Q1"],
        ["request-updates", "--quarter", "2019-20-Q1"],
        ["fetch-data", "--months", "2019-04"],
    ],
)
def test_a_params_path_that_is_not_utf8_is_refused_by_every_command(root, command):
    bad = Path(os.fsdecode(os.fsencode(root) + b"\xff"))
    shutil.copytree(root, bad)
    result = CliRunner().invoke(app, [*command, "--params", str(bad)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "command line: --params: the path is not valid UTF-8, so the outputs and messages "
        "could not name it (expected a path whose folder names are UTF-8 (rename it or "
        f"choose another), got '{root}\\xff')"
    ]


def test_an_out_path_that_is_not_utf8_is_refused_by_the_tracker(root, tmp_path):
    bad = Path(os.fsdecode(os.fsencode(tmp_path) + b"/out\xff"))
    result = CliRunner().invoke(
        app, ["tracker", "--quarter", "2019-20-Q1", "--params", str(root), "--out", str(bad)]
    )
    assert result.exit_code == 2
    assert "command line: --out: the path is not valid UTF-8" in result.output
    assert not bad.exists()


# ------------------------------------------------------------------- CSV cells


def test_status_csv_escapes_a_formula_as_tracker_csv_does(tmp_path):
    root = tmp_path / "overview"
    shutil.copytree(FIXTURES / "overview", root)
    formula = '=HYPERLINK("http://evil.example/","DCI Smith")'
    alpha = root / "reports" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("owner: DCI Smith", f"owner: '{formula}'"))
    result = CliRunner().invoke(
        app, ["status", "--quarter", "2019-20-Q4", "--params", str(root), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("alpha,A1,"))
    assert '"\'=HYPERLINK(""http://evil.example/"",""DCI Smith"")"' in row
    assert spreadsheet_text(formula) == "'" + formula


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_escaped(text):
    assert spreadsheet_text(text) == "'" + text


# ------------------------------------------------------------------- the manifest


def test_every_params_path_the_manifest_records_resolves_from_its_root(tmp_path):
    from toolkit.files.snapshot import params_snapshot
    from toolkit.runner.provenance import Hasher, params_files

    root = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", root)
    (root / "responses").mkdir()
    (root / "responses" / "alpha.md").write_text("Dear Home Secretary\n", encoding="utf-8")
    _letter(root, "responses/alpha.md")
    hasher = Hasher()
    with params_snapshot(root) as copy:
        params = load_params(copy)
        entries = hasher.entries(params.root, params_files(params))
    recorded_root = params.origin.resolve()
    assert recorded_root == root.resolve()
    paths = [e["path"] for e in entries]
    assert "responses/alpha.md" in paths
    for entry in entries:
        resolved = recorded_root / entry["path"]
        assert resolved.is_file(), entry
        assert Hasher().sha256(resolved) == entry["sha256"]
