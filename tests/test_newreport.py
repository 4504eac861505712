"""``reports/<id>.yaml`` skeletons: they load at once, and nothing is overwritten."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.record.newreport import new_report, report_text
from toolkit.record.params import Response, load_params


def _messages(caught: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in caught.value.problems]


def test_the_skeleton_loads_straight_away(register_root):
    path = new_report(
        register_root, "county-lines-2020", title="Both sides of the coin", published="2020-01-10"
    )
    assert path == register_root / "reports" / "county-lines-2020.yaml"
    report = load_params(register_root).reports["county-lines-2020"]
    assert (report.title, report.published, report.kind) == (
        "Both sides of the coin",
        date(2020, 1, 10),
        "thematic",
    )
    assert report.items == [] and report.crime_types == [] and report.response.sent is None
    text = path.read_text(encoding="utf-8")
    for field in ("url:", "sent:", "chief_constable_comments:", "monitoring:", "- ref: R1"):
        assert f"# {field}" in text or f"#   {field}" in text, field
    for field in ("due:", "owner:", "addressee:", "text:"):
        assert f"#     {field}" in text, field


def test_uncommenting_the_example_item_gives_a_valid_item(register_root):
    path = new_report(register_root, "peel-2023", title="PEEL", published="2023-03-01", kind="peel")
    text = path.read_text(encoding="utf-8")
    start = text.index("# items:\n")
    example = "\n".join(line[2:] for line in text[start:].splitlines())
    example = example.replace("YYYY-MM-DD", "2023-09-30")
    path.write_text(text[:start].replace("items: []\n", "") + example + "\n", encoding="utf-8")
    item = load_params(register_root).reports["peel-2023"].items[0]
    assert (item.ref, item.kind, item.owner, str(item.due)) == (
        "R1",
        "recommendation",
        "ACC Crime",
        "2023-09-30",
    )


@pytest.mark.parametrize(
    "title",
    [
        'Both sides of the coin: "county lines"',
        "It's a #1 issue: don't - panic",
        "- starts like a list item",
        "@at & *star | pipe > more % per cent",
        "Policing in austerity \u2013 one year on (caf\u00e9)",
        "yes",
        "2020-01-10",
    ],
)
def test_titles_are_written_as_yaml_strings(register_root, title):
    new_report(register_root, "tricky", title=title, published="2020-01-10")
    assert load_params(register_root).reports["tricky"].title == title


def test_an_existing_report_is_never_overwritten(register_root):
    path = register_root / "reports" / "alpha.yaml"
    before = path.read_bytes()
    with pytest.raises(InputError) as caught:
        new_report(register_root, "alpha", title="Another", published="2020-01-10")
    assert _messages(caught) == [
        "reports/alpha.yaml: the report already exists; new-report never overwrites a report "
        "file (expected a new report id, or edit the existing file, got 'alpha')"
    ]
    assert path.read_bytes() == before
    (register_root / "reports" / "gamma.yml").write_text("title: x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        new_report(register_root, "gamma", title="Another", published="2020-01-10")
    assert _messages(caught)[0].startswith("reports/gamma.yml: the report already exists")


@pytest.mark.parametrize("report_id", ["../x", "Alpha", "a b", "x/y", "", "peel_2023"])
def test_an_unsafe_id_is_refused_before_any_file_is_touched(tmp_path, report_id):
    root = tmp_path / "params"  # not even a params root: the id is checked first
    with pytest.raises(InputError) as caught:
        new_report(root, report_id, title="T", published="2020-01-10")
    assert _messages(caught) == [
        f"command line: report: not a report id (expected lower-case letters, digits and "
        f"hyphens, e.g. peel-2023, got {report_id!r})"
    ]
    assert not tmp_path.joinpath("x").exists() and not root.exists()


def test_bad_title_date_and_kind_are_all_reported(register_root):
    with pytest.raises(InputError) as caught:
        new_report(register_root, "new", title="  ", published="10/01/2020", kind="national")
    assert _messages(caught) == [
        "command line: --title: a title is required (expected the report's title as HMICFRS "
        "gives it, got '  ')",
        "command line: --published: not a date (expected the publication date as YYYY-MM-DD, "
        "got '10/01/2020')",
        "command line: --kind: unknown kind (expected one of thematic, force, joint, peel, "
        "follow-up, got 'national')",
    ]
    assert not (register_root / "reports" / "new.yaml").exists()


def test_a_folder_without_force_yaml_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        new_report(tmp_path, "new", title="T", published="2020-01-10")
    assert _messages(caught) == [
        f"{tmp_path}: force.yaml: no force.yaml in the params root (expected a params folder "
        "with force.yaml, reports/ and updates/, got a folder)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_no_temporary_file_is_left_behind(register_root):
    new_report(register_root, "new", title="T", published="2020-01-10")
    assert sorted(p.name for p in (register_root / "reports").iterdir()) == [
        "alpha.yaml",
        "beta.yaml",
        "new.yaml",
    ]


def test_every_letter_field_is_listed(register_root):
    path = new_report(register_root, "letter-fields", title="A", published="2020-01-10")
    text = path.read_text(encoding="utf-8")
    for name in Response.model_fields:
        assert re.search(rf"^ *(# *)?{name}:", text, re.M), name


def test_the_template_names_every_field_a_report_file_can_hold():
    from toolkit.record.params import Report, Response

    text = report_text("x", "T", date(2020, 1, 10), "thematic")
    for name in Report.model_fields:
        assert re.search(rf"^#? ?{name}:", text, re.M), name
    for name in Response.model_fields:
        assert re.search(rf"^  #? ?{name}:", text, re.M), name
    readme = (Path(__file__).resolve().parents[1] / "docs" / "params.md").read_text(
        encoding="utf-8"
    )
    letter = readme[readme.index("**Letter material**") : readme.index("**Wording**")]
    # The section also names fields of items, force.yaml and update files (owner, due,
    # target_date, crime_types, peers_basis): those are listed in their own places.
    from toolkit.record.params import Item

    elsewhere = set(Report.model_fields) | set(Item.model_fields) | {"target_date", "peers_basis"}
    documented = set(re.findall(r"`([a-z_]+)`", letter)) - {"response", "items"} - elsewhere
    assert documented and all(re.search(rf"^  #? ?{n}:", text, re.M) for n in documented)


def test_the_skeleton_names_each_commented_field_once():
    text = report_text("new-thematic", "A title", date(2020, 1, 10), "thematic")
    commented = re.findall(r"^\s*# ([a-z_]+):", text, re.MULTILINE)
    assert commented.count("recommendations") == 1
    doubled = sorted({name for name in commented if commented.count(name) > 1})
    assert doubled == [], doubled
