"""Text from params is data: every section and the exported page show it literally.

The params root ``fixtures/render`` puts hostile markup in the report title, the item text,
addressee and owner, the update text, evidence and owner, the force, PCC and chief constable
names and the letter material. Its ``force.yaml`` has no ``data:``, so nothing but the params
is needed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from toolkit.publish import briefing, render
from toolkit.publish.export import notebook_html
from toolkit.text import templating

FIXTURE = Path(__file__).parent / "fixtures" / "render"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}"
MARKDOWN = "**bold**"

TITLE = f"Inspection {SCRIPT} {IMG} {TEMPLATE} {MARKDOWN}"
ITEM_TEXT = f"Stop {SCRIPT} and {IMG}; {TEMPLATE} is {MARKDOWN}."
UPDATE = f"Update {SCRIPT} {TEMPLATE} {MARKDOWN}"
EVIDENCE = f"Evidence {IMG}"
UPDATE_OWNER = f"Owner {SCRIPT} {TEMPLATE}"

# What each section must show as text, exactly as the params wrote it.
EXPECTED_TEXT = {
    "header": [TITLE, f"Testshire {SCRIPT} Police"],
    "status": [ITEM_TEXT, UPDATE, EVIDENCE, UPDATE_OWNER, f"chief constables {SCRIPT}"],
    "performance": [],
    "response": [TITLE],
}


class _Page(HTMLParser):
    """Collects the elements, attributes and text a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.chunks))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _assert_inert(html: str) -> _Page:
    """No live markup from params: no script, no event handler, no template evaluated."""
    assert "<script" not in html.lower()
    page = _parse(html)
    assert [tag for tag, _ in page.tags if tag == "script"] == []
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert [attrs for tag, attrs in page.tags if tag == "img" and attrs.get("src") == "x"] == []
    assert "<strong>bold</strong>" not in html and "<b>bold</b>" not in html
    assert "7*7" in page.text or TEMPLATE not in html  # a template is never evaluated...
    assert " 49 " not in page.text  # ...into its value
    return page


@pytest.fixture(scope="module")
def hostile() -> briefing.Briefing:
    return briefing.build("hostile", "2019-20-Q2", FIXTURE)


@pytest.mark.parametrize("name", render.SECTIONS)
def test_section_shows_params_text_literally(hostile: briefing.Briefing, name: str) -> None:
    html = render.section(name, hostile)
    page = _assert_inert(html)
    for expected in EXPECTED_TEXT[name]:
        assert expected in page.text, f"{name} does not show {expected!r} as text"


def test_sections_cover_every_hostile_field(hostile: briefing.Briefing) -> None:
    shown = " ".join(_parse(render.section(name, hostile)).text for name in render.SECTIONS)
    for expected in [TITLE, ITEM_TEXT, UPDATE, EVIDENCE, UPDATE_OWNER]:
        assert expected in shown
    assert SCRIPT in shown and IMG in shown and TEMPLATE in shown and MARKDOWN in shown


def test_header_escapes_the_title_as_html(hostile: briefing.Briefing) -> None:
    html = render.section("header", hostile)
    assert "<h1>Inspection &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x" in html
    assert "{{ 7*7 }} **bold**</h1>" in html


def _notebook(hostile: briefing.Briefing) -> nbformat.NotebookNode:
    """An executed-looking notebook: code, a stream, an error and the sections' HTML."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Notebook heading that is not shown"))
    for name in render.SECTIONS:
        cell = nbformat.v4.new_code_cell(f'secret_code_{name} = b.show("{name}")')
        html = render.section(name, hostile)
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stderr", text=f"stderr noise {name}\n"),
            nbformat.v4.new_output("display_data", data={"text/html": html}),
        ]
        nb.cells.append(cell)
    failing = nbformat.v4.new_code_cell("1/0")
    failing.outputs = [
        nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero", traceback=["tb line"]
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": "plain repr only"}),
    ]
    nb.cells.append(failing)
    return nb


def test_exported_page_is_inert_and_shows_no_notebook_internals(
    hostile: briefing.Briefing,
) -> None:
    html = notebook_html(_notebook(hostile), title=f"Briefing {SCRIPT}", footer=f"From {IMG}")
    page = _assert_inert(html)
    assert f"Briefing {SCRIPT}" in page.text and f"From {IMG}" in page.text
    for hidden in ("secret_code_", "stderr noise", "ZeroDivisionError", "tb line", "plain repr"):
        assert hidden not in html
    assert "Notebook heading that is not shown" not in html
    assert "MathJax" not in html and "require.js" not in html and "requirejs" not in html
    assert page.text.count(TITLE) >= 2  # the header and the letter
    assert [tag for tag, _ in page.tags].count("h1") == 1


def test_generated_row_appears_only_when_the_runner_passes_one(
    hostile: briefing.Briefing,
) -> None:
    from toolkit.publish.export import exporter

    nb = _notebook(hostile)
    without = notebook_html(nb, title="Briefing")
    assert "Generated</dt>" not in without and "toolkit:generated" not in without

    resources = {"toolkit": {"title": "Briefing", "generated": f"10 March 2020 {SCRIPT}"}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    page = _assert_inert(body)
    assert "<dt>Generated</dt><dd>10 March 2020 &lt;script&gt;" in body
    assert f"10 March 2020 {SCRIPT}" in page.text


def test_every_shipped_template_compiles_ahead_of_use() -> None:
    # The kernel zygote compiles them before forking; a template that needs a filter or
    # global the environment lacks would make that silently fall back to per-kernel work.
    from toolkit.letter.draft import preload as preload_letter
    from toolkit.text.templating import environment, preload

    preload()
    preload_letter()
    env = environment()
    assert env.list_templates(filter_func=lambda name: name.startswith("sections/"))
    assert env.list_templates(filter_func=lambda name: name.startswith("letter/"))


def test_a_briefing_compiles_no_template_after_the_preload(monkeypatch, tmp_path) -> None:
    # What a forked kernel does: the zygote preloads, the briefing renders every section
    # and drafts the letter (HTML, Markdown, Word) without compiling a template again.
    from jinja2 import Environment

    from toolkit.letter.draft import preload as preload_letter
    from toolkit.text.templating import preload

    preload()
    preload_letter()
    compiled: list[str] = []
    real = Environment.compile

    def compile_(self: Environment, source: object, name: str | None = None, *a, **k):  # type: ignore[no-untyped-def]
        compiled.append(str(name))
        return real(self, source, name, *a, **k)

    monkeypatch.setattr(Environment, "compile", compile_)
    example = Path(__file__).parents[1] / "params"
    b = briefing.build("both-sides-of-the-coin", "2019-20-Q4", example)
    for name in ("header", "status", "performance", "response"):
        render.section(name, b)
    b.save(tmp_path)
    assert compiled == []


# -- a force's own templates are data, not code ----------------------------------------


def _with_templates(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    root = tmp_path / "params"
    shutil.copytree(FIXTURE, root)
    with (root / "force.yaml").open("a", encoding="utf-8") as file:
        file.write("templates: my-templates\n")
    folder = root / "my-templates" / "sections"
    folder.mkdir(parents=True)
    return root, folder


def test_a_force_template_cannot_run_code(tmp_path: Path) -> None:
    from jinja2.exceptions import SecurityError

    root, folder = _with_templates(tmp_path)
    marker = tmp_path / "ran"
    (folder / "header.html.j2").write_text(
        f"{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}\n"
    )
    hostile_root = briefing.build("hostile", "2019-20-Q2", root)
    with pytest.raises(SecurityError):
        render.section("header", hostile_root)
    assert not marker.exists()


def test_a_force_template_linked_outside_its_folder_is_not_read(tmp_path: Path) -> None:
    from toolkit.errors import InputError

    root, folder = _with_templates(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cret-content\n")
    (folder / "header.html.j2").symlink_to(secret)
    with pytest.raises(InputError) as caught:  # validation refuses it before any run...
        briefing.build("hostile", "2019-20-Q2", root)
    assert str(caught.value) == (
        "my-templates/sections/header.html.j2: a symlink leading outside the params root is "
        f"not read (expected a file inside the params root, got a link to '{secret}')"
    )
    # ...and the renderer refuses it too, should the link appear after validation.
    (folder / "header.html.j2").unlink()
    built = briefing.build("hostile", "2019-20-Q2", root)
    (folder / "header.html.j2").symlink_to(secret)
    with pytest.raises(InputError, match="symlink leading out of the template folder"):
        render.section("header", built)


@pytest.mark.parametrize("quarter", ["2017-18-Q1"])
def test_a_quarter_with_no_data_in_its_trend_window_still_renders(quarter: str) -> None:
    """The sample's police.uk months (from October 2018) fall after the whole window.

    (A quarter after the data, such as 2020-21-Q4, briefs on the latest complete quarter
    the data holds, with its trend: ``tests/test_performance_figures.py``.)"""
    from toolkit.letter.draft import draft_letter

    project = Path(__file__).resolve().parents[1]
    built = briefing.build("both-sides-of-the-coin", quarter, project / "params")
    assert built.police_uk is not None and built.police_uk["trend"] == []
    html = render.section("performance", built)
    text = _parse(html).text
    assert "no trend is shown" in text
    assert "Crimes per quarter" not in text  # no empty trend chart or table
    for name in render.SECTIONS:
        render.section(name, built)
    draft_letter(built)


def test_the_export_makes_no_second_pass_over_the_page(
    hostile: briefing.Briefing, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nbconvert's BeautifulSoup pass over the whole page took minutes on 10,000 update
    rows; the toolkit's exporter renders without it (benchmarks/bench_export.py)."""
    import nbconvert.exporters.html as nbconvert_html

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was parsed again")

    monkeypatch.setattr(nbconvert_html, "BeautifulSoup", refuse)
    html = notebook_html(_notebook(hostile), title="Briefing")
    _assert_inert(html)
    assert html.count("<img") == html.count(" alt=")


def test_the_environment_is_one_per_template_folder(tmp_path) -> None:
    """The zygote's ``environment()`` is the one a briefing's ``environment(None)`` gets,
    so templates compiled before the fork are not compiled again in each kernel."""
    from toolkit.text.templating import environment

    assert environment() is environment(None) is environment(override=None)
    assert environment(tmp_path) is environment(tmp_path)
    assert environment(tmp_path) is not environment()


def test_warming_the_exporter_builds_it_and_exports_an_empty_page() -> None:
    from toolkit.publish import export

    export.exporter.cache_clear()
    export.warm()
    assert export.exporter.cache_info().currsize == 1
    built = export.exporter()
    cell = nbformat.v4.new_code_cell("b.show('header')")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<p>after warming</p>"})
    ]
    html = notebook_html(nbformat.v4.new_notebook(cells=[cell]), title="Briefing")
    assert export.exporter() is built  # the briefings' exports reuse it
    assert "<p>after warming</p>" in html


# -- nothing in a template's reach touches files or processes ---------------------------

_REACH = [
    '{{ (b.params.root / "SECRET").read_text() }}',
    '{{ (b.params.root / "WRITTEN").write_text("boom") }}',
    '{{ b.params.root["read_text"]() }}',
    '{% set f = (b.params.root / "SECRET").read_text %}{{ f() }}',
    '{{ ((b.params.root / "SECRET") | attr("read_text"))() }}',
    '{{ (b.params.root / "SECRET").open().read() }}',
    "{{ b.params.root.parent.iterdir() | list }}",
    "{{ (b.params.root / 'SECRET').stat().st_size }}",
    "{{ b.params.root.__class__ }}",
    "{{ cycler.__init__.__globals__.os.system('true') }}",
    "{{ b.report.model_dump_json() }}",
    "{{ b.params.force.model_copy() }}",
    "{{ b.params.root.cwd() }}",
]


@pytest.mark.parametrize("source", _REACH)
def test_a_force_template_cannot_reach_files_through_its_context(
    tmp_path: Path, source: str
) -> None:
    """A path in the context has read_text and write_text; a model has methods: a
    template can show them, never call them (the sandbox allows listed calls only)."""
    from jinja2.exceptions import SecurityError

    root, folder = _with_templates(tmp_path)
    (root / "SECRET").write_text("s3cret-content\n")
    built = briefing.build("hostile", "2019-20-Q2", root)  # validate checks it first
    (folder / "header.html.j2").write_text(source + "\n")
    with pytest.raises(SecurityError):
        render.section("header", built)
    assert not (root / "WRITTEN").exists()


def test_a_letter_template_cannot_reach_files(tmp_path: Path) -> None:
    from toolkit.errors import InputError
    from toolkit.letter.draft import draft_letter

    root, _ = _with_templates(tmp_path)
    parts = root / "my-templates" / "letter" / "parts"
    parts.mkdir(parents=True)
    built = briefing.build("hostile", "2019-20-Q2", root)
    (parts / "monitoring.html.j2").write_text(
        '<p>{{ (b.params.root / "WRITTEN").write_text("boom") }}</p>\n'
    )
    with pytest.raises(InputError, match="unsafe"):
        draft_letter(built)
    assert not (root / "WRITTEN").exists()


def test_a_template_keeps_its_wording_tools(tmp_path: Path) -> None:
    """What wording needs still works: text and dict methods, macros, loops, filters,
    the toolkit's pure methods and fields."""
    root, folder = _with_templates(tmp_path)
    (folder / "header.html.j2").write_text(
        "{% macro m(x) %}[{{ x }}]{% endmacro %}"
        "{{ m(b.params.force.force.name.upper()) }}"
        "{{ ', '.join(['a', 'b']) }}"
        "{{ {'k': 1}.get('k') }}"
        "{% for k, v in {'x': 2}.items() %}{{ k }}{{ v }}{{ loop.cycle('o', 'e') }}{% endfor %}"
        "{{ b.quarter.previous().label }}"
        "{{ b.report.published.strftime('%Y') }}"
        "{{ 'it''s' | replace('i', 'I') }}"
        "{% set ns = namespace(n=1) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}"
        "\n"
    )
    built = briefing.build("hostile", "2019-20-Q2", root)
    html = render.section("header", built)
    assert html.startswith("[TESTSHIRE &lt;SCRIPT&gt;")
    assert "a, b1x2o" in html
    assert "Q1 2019/20" in html or "2019/20" in html
    assert html.rstrip().endswith("2")


def test_every_environment_is_the_allow_list_sandbox(tmp_path: Path) -> None:
    """Page sections, the quarter index, letter parts and the letter's Markdown all
    render through one sandbox class."""
    from toolkit.letter.draft import letter_environment
    from toolkit.letter.markdown import markdown_environment
    from toolkit.text.sandbox import TemplateSandbox

    for env in (
        templating.environment(),
        templating.environment(tmp_path),
        letter_environment(),
        letter_environment(tmp_path),
        markdown_environment(None),
        markdown_environment(tmp_path),
    ):
        assert isinstance(env, TemplateSandbox)


def test_validate_names_a_template_that_calls_out(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app

    root, folder = _with_templates(tmp_path)
    (folder / "status.html.j2").write_text(
        "<p>fine {{ b.report.title | upper }}</p>\n"
        '{{ (b.params.root / "/etc/passwd").read_text() }}\n'
        "{{ (b.params.root | attr('unlink'))() }}\n"
    )
    (folder / "status.html.j2").write_text(
        (folder / "status.html.j2").read_text() + '{% include "sections/extra.txt" %}\n'
    )
    (folder / "extra.txt").write_text("{{ b.params.root.unlink() }}\n")  # any file is read
    result = CliRunner().invoke(app, ["validate", "--params", str(root)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert (
        "my-templates/sections/extra.txt:1: templates: a template may not call 'unlink': "
        "templates cannot reach files or programs (expected filters, macros and text "
        "methods such as upper or join)"
    ) in lines
    assert (
        "my-templates/sections/status.html.j2:2: templates: a template may not call "
        "'read_text': templates cannot reach files or programs (expected filters, macros "
        "and text methods such as upper or join)"
    ) in lines
    assert any(
        line.startswith(
            "my-templates/sections/status.html.j2:3: templates: a template may "
            "not call the result of an expression"
        )
        for line in lines
    ), result.output
