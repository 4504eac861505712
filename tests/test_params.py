"""Params validation: every message a user sees is pinned here."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from toolkit.errors import InputError
from toolkit.record.params import check_report_id, load_params, parse_due

FIXTURES = Path(__file__).parent / "fixtures"


def problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_params(root)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "params"
    shutil.copytree(FIXTURES / "register", target)
    return target


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


def test_the_fixture_is_valid(root):
    params = load_params(root)
    assert sorted(params.reports) == ["alpha", "beta"]
    assert [q.id for q in params.update_files] == ["2019-20-Q1", "2019-20-Q3"]


def test_report_field_messages(root):
    write(
        root,
        "reports/alpha.yaml",
        """title: Alpha
published: 2019-13-45
kind: forse
itmes: []
items:
  - ref: R1
    kind: recommendation
    text: One
    due: 31/06/2020
  - kind: recommendation
    text: Three
""",
    )
    assert problems(root) == [
        "reports/alpha.yaml:2: published: not a date (expected a date as YYYY-MM-DD or DD/MM/YYYY, "
        "got '2019-13-45')",
        "reports/alpha.yaml:3: kind: not an allowed value (expected 'thematic', 'force', "
        "'joint', 'peel' or 'follow-up', got 'forse')",
        "reports/alpha.yaml:4: itmes: unknown key; did you mean 'items'? (expected one of "
        "title, published, kind, url, crime_types, response, items)",
        "reports/alpha.yaml:9: items[0].due: 31 June 2020 is not a date (expected a date as "
        'YYYY-MM-DD or DD/MM/YYYY, "immediately" or "within N months" / "within N weeks", '
        "got '31/06/2020')",
        "reports/alpha.yaml:10: items[1].ref: required field is missing",
    ]


def test_report_dates_take_the_forms_update_files_take(root):
    write(
        root,
        "reports/gamma.yaml",
        """title: Alpha
published: 10/01/2020
kind: thematic
response:
  sent: 06/02/2020
items:
  - ref: R1
    kind: recommendation
    text: One
    due: 31/07/2020
""",
    )
    report = load_params(root).reports["gamma"]
    assert report.published == date(2020, 1, 10)
    assert report.response.sent == date(2020, 2, 6)
    assert report.items[0].due is not None and report.items[0].due.on == date(2020, 7, 31)


def test_a_missing_params_root_names_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        load_params(Path("params"))
    assert str(caught.value) == (
        f"params: no such folder (looked in {tmp_path / 'params'}); give the params root with "
        "--params DIR, or cd to the folder that holds it"
    )


def test_duplicate_refs(root):
    write(
        root,
        "reports/beta.yaml",
        """title: Beta
published: 2019-08-01
kind: thematic
items:
  - {ref: R1, kind: recommendation, text: One}
  - {ref: L1, kind: local-action, text: Two}
  - {ref: R1, kind: recommendation, text: Three}
""",
    )
    assert problems(root) == [
        "reports/beta.yaml:7: items[2].ref: duplicate ref 'R1' (already used by items[0])"
    ]


def test_yaml_syntax_error_names_the_line(root):
    write(root, "reports/beta.yaml", "title: Beta\npublished: 2019-08-01\nkind: [thematic\n")
    assert problems(root) == [
        "reports/beta.yaml:4: YAML syntax error: expected ',' or ']', but got '<stream end>' "
        "(check the indentation of line 4 and the line above)"
    ]


def test_a_yaml_indentation_slip_gets_a_plain_hint_after_the_parsers_words(root):
    # "published" indented under "title": the parser stops on line 2.
    write(root, "reports/beta.yaml", "title: Beta\n  published: 2019-08-01\nkind: thematic\n")
    (message,) = problems(root)
    assert message.startswith("reports/beta.yaml:2: YAML syntax error: mapping values")
    assert message.endswith("(check the indentation of line 2 and the line above)")


def test_empty_report_file(root):
    write(root, "reports/beta.yaml", "")
    assert problems(root) == ["reports/beta.yaml: the file is empty (expected YAML mapping)"]


def test_report_file_name_must_be_an_id(root):
    write(root, "reports/Beta Report.yaml", "title: x\n")
    assert problems(root) == [
        "reports/Beta Report.yaml: the file name is not a report id (expected lower-case "
        "letters, digits and hyphens, got 'Beta Report')"
    ]


def test_force_file_messages(root):
    write(
        root,
        "force.yaml",
        """force:
  name: Testshire Constabulary
  police_uk: Testshire
pcc:
  nme: Alex Example
  area: Testshire
chief_constable: Sam Sample
addressee: [Home Secretary]
peers: [wiltshire, Devon and Cornwall]
data:
  police_uk: nowhere/police-uk
""",
    )
    assert problems(root) == [
        "force.yaml:3: force.police_uk: not a data.police.uk force slug (expected lower-case "
        "words joined by hyphens such as devon-and-cornwall, got 'Testshire')",
        "force.yaml:4: pcc.name: required field is missing",
        "force.yaml:5: pcc.nme: unknown key; did you mean 'name'? (expected one of name, area, "
        "website)",
        "force.yaml:9: peers: not a data.police.uk force slug (expected e.g. wiltshire, "
        "got 'Devon and Cornwall')",
    ]


def test_missing_data_path(root):
    before = (root / "force.yaml").read_text()
    write(root, "force.yaml", before + "data:\n  population: pop.csv\n")
    line = len(before.splitlines()) + 2  # the line of "population:", below "data:"
    assert problems(root) == [
        f"force.yaml:{line}: data.population: no such file or folder (expected a path relative "
        "to the params root, got 'pop.csv')"
    ]


def test_no_force_file(tmp_path):
    assert problems(tmp_path) == [
        f"{tmp_path}: force.yaml: no force.yaml in the params root (expected a params folder "
        "with force.yaml, reports/ and updates/, got a folder)"
    ]


def test_unknown_report_requested(root):
    with pytest.raises(InputError) as caught:
        load_params(root, only=["gamma"])
    assert str(caught.value) == (
        "reports/gamma.yaml: no such report (expected one of alpha, beta, got 'gamma')"
    )


@pytest.mark.parametrize("bad", ["../../x", "x/../../y", "UPPER", "a b", "", "-a", "a--b/"])
def test_unsafe_report_ids_refused_before_any_file(bad, tmp_path):
    with pytest.raises(InputError) as caught:
        load_params(tmp_path / "does-not-exist", only=[bad])
    assert str(caught.value).startswith(
        "report id: report: not a report id (expected lower-case letters, digits and hyphens"
    )
    with pytest.raises(InputError):
        check_report_id(bad)


@pytest.mark.parametrize(
    ("text", "kind", "amount", "unit"),
    [
        ("immediately", "immediately", 0, ""),
        ("Within 6 months", "within", 6, "month"),
        ("within six months", "within", 6, "month"),
        ("within 3 weeks", "within", 3, "week"),
        ("within one month", "within", 1, "month"),
    ],
)
def test_due_forms(text, kind, amount, unit):
    due = parse_due(text)
    assert (due.kind, due.amount, due.unit) == (kind, amount, unit)


def test_due_within_months_clamps_to_month_end():
    from datetime import date

    assert parse_due("within 6 months").resolve(date(2019, 8, 31)) == date(2020, 2, 29)
    assert parse_due("within 2 weeks").resolve(date(2019, 8, 31)) == date(2019, 9, 14)
    assert parse_due("2020-07-31").resolve(date(2019, 8, 31)) == date(2020, 7, 31)
    assert parse_due(None) is None and parse_due("  ") is None


@pytest.mark.parametrize("bad", ["soon", "within months", "within 0 months"])
def test_bad_due_forms(bad):
    with pytest.raises(ValueError, match="not a due date"):
        parse_due(bad)


def test_a_month_first_due_date_says_dates_are_day_first():
    with pytest.raises(ValueError, match=r"31 is not a month: dates are day first \(DD/MM/YYYY\)"):
        parse_due("07/31/2020")


@pytest.mark.slow
@pytest.mark.parametrize(
    "body",
    [
        # a billion laughs: 9**10 values from a few hundred bytes
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)),
        "a: &a [*a, *a]\n",  # a list that holds itself
    ],
    ids=["billion-laughs", "self-reference"],
)
def test_alias_bombs_are_refused_in_bounded_memory(tmp_path, body):
    """In a child with 1 GB of address space and a time limit, so that a regression fails."""
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "bomb.yaml"
    path.write_text("title: Bomb\n" + body)
    script = textwrap.dedent(
        """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from pathlib import Path
        from toolkit.files.yamlfile import read_yaml
        data, lines, problems = read_yaml(Path(sys.argv[1]), "reports/bomb.yaml")
        print(*problems, sep="\\n")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "reports/bomb.yaml: YAML anchors and aliases expand to more than 100,000 values "
        "(expected a params file that writes its values out)"
    ]


@pytest.mark.parametrize(
    ("report_id", "message"),
    [
        (
            "evil\n",
            "report id: report: not a report id (expected lower-case letters, digits and "
            "hyphens, e.g. peel-2023, got 'evil\\n')",
        ),
        (
            "a" * 249,
            "report id: report: the report id is too long (expected at most 100 characters, "
            "got 249 characters)",
        ),
    ],
    ids=["newline", "too-long"],
)
def test_report_ids_that_cannot_name_a_folder_are_refused(report_id, message):
    from toolkit.errors import InputError
    from toolkit.record.params import check_report_id

    with pytest.raises(InputError) as caught:
        check_report_id(report_id)
    assert str(caught.value) == message


# -- crime types are data.police.uk's own --------------------------------------------


def _crime_types(root: Path, value: str) -> None:
    beta = root / "reports" / "beta.yaml"
    text = beta.read_text(encoding="utf-8")
    beta.write_text(text.replace("kind: thematic\n", f"kind: thematic\ncrime_types: {value}\n"))


_ALL_TYPES = (
    "Anti-social behaviour, Bicycle theft, Burglary, Criminal damage and arson, Drugs, "
    "Other crime, Other theft, Possession of weapons, Public order, Robbery, Shoplifting, "
    "Theft from the person, Vehicle crime, Violence and sexual offences"
)


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("Drug", "; did you mean 'Drugs'?"),
        ("Weapons", "; did you mean 'Possession of weapons'?"),
        ("Violence & sexual offences", "; did you mean 'Violence and sexual offences'?"),
        ("Knife crime", ""),
    ],
)
def test_an_unknown_crime_type_is_refused_with_the_closest(root, given, hint):
    """``crime_types: [Drug]`` passed validate and the figures said 0 where the data
    hold 380: a type the data never holds is an error naming the nearest real one."""
    _crime_types(root, f"[Burglary, {given}]")
    assert problems(root) == [
        f"reports/beta.yaml:4: crime_types: not a data.police.uk crime type{hint} "
        f"(expected one of {_ALL_TYPES}, got '{given}')"
    ]


def test_a_crime_type_in_another_case_is_spelled_as_the_data_spells_it(root):
    _crime_types(root, "[drugs, POSSESSION OF  WEAPONS, Violent crime]")
    report = load_params(root).reports["beta"]
    assert report.crime_types == ["Drugs", "Possession of weapons", "Violent crime"]


def test_the_crime_types_are_the_ones_data_police_uk_files_hold():
    """One list, in toolkit.vocabulary: the sample's street files hold exactly these
    (no more), and the Home Office mapping covers each."""
    import csv

    from toolkit.performance.recorded_crime import OFFENCES_FOR_CRIME_TYPE
    from toolkit.vocabulary import POLICE_UK_CRIME_TYPES

    sample = Path(__file__).resolve().parents[1] / "data" / "sample" / "police-uk"
    seen: set[str] = set()
    for path in sorted(sample.glob("*/*-street.csv")):
        with path.open(encoding="utf-8") as file:
            seen |= {row["Crime type"] for row in csv.DictReader(file)}
    assert seen <= set(POLICE_UK_CRIME_TYPES)
    assert len(seen) == 14
    assert set(OFFENCES_FOR_CRIME_TYPE) == set(POLICE_UK_CRIME_TYPES)
