"""The package's layers: a lower layer never imports a higher one.

The layers, lowest first, are the ones the developer docs draw (``docs/developers.md``)::

    foundation  errors, vocabulary, quarters, forces,   the words, quarters, forces; files as read
                files/, text/                          and written; text as accepted and shown
    kernels     kernels/                               generic: runs notebooks on pooled kernels
    sources     record/, performance/, charts/,        the register; the crime figures; drawing;
                fetch/                                 downloading data.police.uk
    facts       facts, gaps, importer/                 one report in one quarter; report text read
    letter      letter/                                the s55 letter, drafted and as sent
    publish     publish/                               sections, figures.json, pages, exports
    runner      runner/                                a quarter's run: checks, snapshot, batch
    entry       cli, the package itself                what users call

Within the sources layer the four packages are siblings: none imports another. Any
module may read the package's own ``__version__`` (``from toolkit import __version__``).
The graph is read from the source as ``tests/test_imports.py`` reads it (every import,
lazy or for types only, counts).
"""

from __future__ import annotations

from test_imports import PACKAGE, import_graph

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("errors", "vocabulary", "quarters", "forces", "files", "text")),
    ("kernels", ("kernels",)),
    ("sources", ("record", "performance", "charts", "fetch")),
    ("facts", ("facts", "gaps", "importer")),
    ("letter", ("letter",)),
    ("publish", ("publish",)),
    ("runner", ("runner",)),
    ("entry", ("cli", "")),
]
SIBLINGS = {"sources"}


def place(module: str) -> tuple[int, str]:
    """The layer (index) and the top-level part (package or module) of a dotted name."""
    top = module.split(".")[1] if "." in module else ""
    for index, (_, parts) in enumerate(LAYERS):
        if top in parts:
            return index, top
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/developers.md")


def violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        layer, top = place(module)
        for target in sorted(targets - {"toolkit"}):
            target_layer, target_top = place(target)
            if target_layer > layer:
                found.append(
                    f"{module} ({LAYERS[layer][0]}) imports {target} ({LAYERS[target_layer][0]})"
                )
            elif target_layer == layer and LAYERS[layer][0] in SIBLINGS and target_top != top:
                found.append(f"{module} imports its sibling {target}")
    return found


def test_every_module_has_a_layer_and_no_layer_imports_upwards():
    graph = import_graph()
    assert "toolkit.record.register" in graph and "toolkit.kernels.zygote" in graph
    found = violations(graph)
    assert not found, "layer order broken:\n" + "\n".join(found)


def test_the_layer_check_finds_an_upward_and_a_sibling_import():
    graph = {
        "toolkit.record.register": {"toolkit.letter.draft", "toolkit.performance.figures"},
        "toolkit.letter.draft": {"toolkit.record.register"},
    }
    assert violations(graph) == [
        "toolkit.record.register (sources) imports toolkit.letter.draft (letter)",
        "toolkit.record.register imports its sibling toolkit.performance.figures",
    ]


def test_the_kernel_machinery_imports_no_domain_module():
    """The generic runner is told what to preload; it imports only the foundation."""
    graph = import_graph()
    domain = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.startswith("toolkit.kernels")
        for target in targets
        if place(target)[0] > 0 and not target.startswith("toolkit.kernels")
    ]
    assert not domain, "\n".join(domain)


def test_few_modules_at_the_top():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 10, sorted(top)
