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

from toolkit import briefing, render
from toolkit.export import notebook_html

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
    from toolkit.export import exporter

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
    from toolkit.narrative.draft import preload as preload_letter
    from toolkit.render import environment, preload

    preload()
    preload_letter()
    env = environment()
    assert env.list_templates(filter_func=lambda name: name.startswith("sections/"))
    assert env.list_templates(filter_func=lambda name: name.startswith("letter/"))


def test_the_environment_is_one_per_template_folder(tmp_path) -> None:
    """The zygote's ``environment()`` is the one a briefing's ``environment(None)`` gets,
    so templates compiled before the fork are not compiled again in each kernel."""
    from toolkit.render import environment

    assert environment() is environment(None) is environment(override=None)
    assert environment(tmp_path) is environment(tmp_path)
    assert environment(tmp_path) is not environment()


def test_warming_the_exporter_builds_it_and_exports_an_empty_page() -> None:
    from toolkit import export

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
