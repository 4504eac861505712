"""Charts: PNG, deterministic bytes, alt text and table from the numbers."""

from __future__ import annotations

import struct

from toolkit.charts.draw import (
    HIGHLIGHT,
    PALETTE,
    PEER_GREY,
    briefing_charts,
    peer_chart,
    trend_chart,
)

FIGURES = {
    "force": "dorset",
    "quarter": "2018-19-Q4",
    "complete": False,
    "focus": ["Drugs", "Possession of weapons"],
    "crime_types": {
        "Drugs": {"count": 240, "rate_per_1000": 0.31},
        "Possession of weapons": {"count": 41, "rate_per_1000": 0.05},
    },
    "peers": {
        "wiltshire": {
            "Drugs": {"count": 237, "rate_per_1000": 0.33},
            "Possession of weapons": {"count": 71, "rate_per_1000": 0.1},
        },
        "city-of-london": {
            "Drugs": {"count": 10, "rate_per_1000": None},
            "Possession of weapons": {"count": 1, "rate_per_1000": None},
        },
    },
    "peers_complete": {"wiltshire": True, "city-of-london": True},
    "trend": [
        {
            "quarter": "2018-19-Q2",
            "label": "Q2 2018/19",
            "complete": True,
            "counts": {"Drugs": 350, "Possession of weapons": 90},
        },
        {
            "quarter": "2018-19-Q3",
            "label": "Q3 2018/19",
            "complete": True,
            "counts": {"Drugs": 380, "Possession of weapons": 82},
        },
        {
            "quarter": "2018-19-Q4",
            "label": "Q4 2018/19",
            "complete": False,
            "counts": {"Drugs": 240, "Possession of weapons": 41},
        },
    ],
}


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_trend_chart() -> None:
    chart = trend_chart(FIGURES)
    assert _png_size(chart.png) == (800, 450)
    assert chart.alt == (
        "Line chart of Dorset's recorded drugs and possession of weapons per quarter, "
        "Q2 2018/19 to Q4 2018/19. Drugs: 240 in Q4 2018/19, down from 380 in Q3 2018/19; "
        "highest 380 in Q3 2018/19. Possession of weapons: 41 in Q4 2018/19, down from 82 in "
        "Q3 2018/19; highest 90 in Q2 2018/19. Data for Q4 2018/19 are incomplete, so those "
        "counts are partial."
    )
    assert "Incomplete data (hollow markers): Q4 2018/19." in chart.caption
    assert chart.table == [
        ["Quarter", "Drugs", "Possession of weapons", "Complete data"],
        ["Q2 2018/19", 350, 90, "Yes"],
        ["Q3 2018/19", 380, 82, "Yes"],
        ["Q4 2018/19", 240, 41, "No"],
    ]


def test_trend_chart_single_quarter() -> None:
    figures = dict(FIGURES, trend=FIGURES["trend"][1:2])
    chart = trend_chart(figures)
    assert chart.alt.startswith(
        "Chart of Dorset's recorded drugs and possession of weapons for Q3 2018/19 only"
    )
    assert "Drugs: 380 in Q3 2018/19." in chart.alt


def test_peer_chart() -> None:
    chart = peer_chart(FIGURES, "Drugs", labels={"dorset": "Dorset Police"})
    assert _png_size(chart.png) == (800, 450)
    assert chart.alt == (
        "Horizontal bar chart comparing drugs crimes per 1,000 people in Q4 2018/19: "
        "Wiltshire 0.33, Dorset Police 0.31. Dorset Police has the lowest rate of the 2 forces. "
        "No figure for City of London."
    )
    assert chart.table == [
        ["Force", "Crimes", "Rate per 1,000 people", "Complete data"],
        ["Dorset Police", 240, 0.31, "No"],
        ["Wiltshire", 237, 0.33, "Yes"],
        ["City of London", 10, None, "Yes"],
    ]
    assert "Incomplete data for Dorset Police." in chart.caption


def test_peer_chart_falls_back_to_counts_without_population() -> None:
    figures = {
        **FIGURES,
        "crime_types": {"Drugs": {"count": 240, "rate_per_1000": None}},
    }
    chart = peer_chart(figures, "Drugs")
    assert chart.alt.startswith(
        "Horizontal bar chart comparing drugs crimes in Q4 2018/19: Dorset 240, Wiltshire 237, "
        "City of London 10. Dorset has the highest count of the 3 forces."
    )


def test_charts_are_deterministic() -> None:
    first = [c.png for c in briefing_charts(FIGURES)]
    second = [c.png for c in briefing_charts(FIGURES)]
    assert len(first) == 3
    assert first == second
    assert all(len(png) < 120_000 for png in first)
    assert b"Software" not in first[0]


def _contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def test_colours_have_3_to_1_contrast_against_white() -> None:
    for colour in (*PALETTE, HIGHLIGHT, PEER_GREY):
        assert _contrast_with_white(colour) >= 3.0, colour


def test_dollar_signs_and_long_names_are_drawn_as_text() -> None:
    """A force named with "$\\foo$" is not mathtext; a very long name still draws."""
    name = "$\\foo$ Police " + "and Somewhere Else " * 12
    figures = dict(FIGURES, force="testshire")
    charts = briefing_charts(figures, labels={"testshire": name})
    assert len(charts) == 3
    assert all(_png_size(chart.png)[0] > 0 for chart in charts)
    assert name in charts[0].alt and name in charts[0].caption


def test_a_chart_is_drawn_once_for_the_same_inputs(tmp_path, monkeypatch) -> None:
    from toolkit.charts import draw as charts

    first = briefing_charts(FIGURES, cache_dir=tmp_path)
    assert len(list((tmp_path / "charts").glob("*.json"))) == 3
    drawn: list[str] = []
    for name in ("trend_chart", "peer_chart"):
        real = getattr(charts, name)
        monkeypatch.setattr(
            charts,
            name,
            lambda *a, _real=real, _name=name, **k: drawn.append(_name) or _real(*a, **k),
        )
    again = briefing_charts(FIGURES, cache_dir=tmp_path)
    assert again == first
    assert drawn == []  # every chart from the cache
    # Another report with the same force, quarter and one of the crime types: the
    # Drugs peer chart is shared; its trend chart (one crime type) is its own.
    drugs_only = dict(FIGURES, focus=["Drugs"])
    other = briefing_charts(drugs_only, cache_dir=tmp_path)
    assert drawn == ["trend_chart"]
    assert other[1] == first[1]
    assert other[0].alt != first[0].alt


def test_a_chart_with_different_numbers_is_not_reused(tmp_path) -> None:
    first = briefing_charts(FIGURES, cache_dir=tmp_path)
    peers = {**FIGURES["peers"], "wiltshire": {  # type: ignore[dict-item]
        "Drugs": {"count": 999, "rate_per_1000": 1.5},
        "Possession of weapons": {"count": 71, "rate_per_1000": 0.1},
    }}  # fmt: skip
    changed = briefing_charts(dict(FIGURES, peers=peers), cache_dir=tmp_path)
    assert changed[0] == first[0]  # the trend does not show peers
    assert changed[1] != first[1] and "1.50" in changed[1].alt
    assert changed[2] == first[2]  # weapons figures unchanged
    relabelled = briefing_charts(FIGURES, labels={"dorset": "Dorset Test"}, cache_dir=tmp_path)
    assert all("Dorset Test" in c.alt for c in relabelled)


def test_a_broken_cache_entry_is_drawn_again(tmp_path) -> None:
    first = briefing_charts(FIGURES, cache_dir=tmp_path)
    for entry in (tmp_path / "charts").glob("*.json"):
        entry.write_text('{"png": "not base64!"', encoding="utf-8")
    assert briefing_charts(FIGURES, cache_dir=tmp_path) == first


def _edge_ink(png: bytes) -> dict[str, int]:
    """Non-white pixels in the outermost 2 columns and rows of the image, per edge."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    dark = pixels < 200
    return {
        "left": int(dark[:, :2].sum()),
        "right": int(dark[:, -2:].sum()),
        "top": int(dark[:2, :].sum()),
        "bottom": int(dark[-2:, :].sum()),
    }


def test_long_titles_and_labels_stay_inside_the_image() -> None:
    long_type = "Violence and sexual offences including stalking and harassment offences"
    figures = {
        **FIGURES,
        "force": "a-force-whose-name-is-far-too-long-for-one-line-of-a-chart-title-anywhere",
        "focus": [long_type],
        "crime_types": {long_type: {"count": 240, "rate_per_1000": 0.31}},
        "peers": {"wiltshire": {long_type: {"count": 237, "rate_per_1000": 0.33}}},
        "trend": [{**p, "counts": {long_type: 300}} for p in FIGURES["trend"]],
    }
    labels = {
        figures["force"]: "The Constabulary of a Force Whose Name Is Far Too Long For One Line"
    }
    for chart in briefing_charts(figures, labels=labels):
        assert _edge_ink(chart.png) == {"left": 0, "right": 0, "top": 0, "bottom": 0}


def _entries(tmp_path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "charts").glob("*.json"))}


def test_swapped_chart_cache_entries_are_discarded_with_a_warning(tmp_path, caplog) -> None:
    """Swapping the two peer charts' entries showed Drugs' figures as Weapons' and the
    other way round: each entry now carries what it shows, checked on read."""
    first = briefing_charts(FIGURES, cache_dir=tmp_path)
    entries = _entries(tmp_path)
    peer = sorted(name for name in entries if name.startswith("peer-"))
    assert len(peer) == 2
    (tmp_path / "charts" / peer[0]).write_bytes(entries[peer[1]])
    (tmp_path / "charts" / peer[1]).write_bytes(entries[peer[0]])
    with caplog.at_level("WARNING", logger="toolkit"):
        again = briefing_charts(FIGURES, cache_dir=tmp_path)
    assert again == first
    assert "drugs" in again[1].alt and "weapons" in again[2].alt
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2
    assert all("belongs to another source file or version" in w for w in warnings)
    assert all(w.endswith("drawing the chart again") for w in warnings)
    assert (tmp_path / "charts" / "discarded.log").read_text().count("\n") == 2


def test_an_edited_chart_cache_entry_is_discarded_with_a_warning(tmp_path, caplog) -> None:
    """An entry edited to show 99999 (picture, alt text and table alike) is not used."""
    first = briefing_charts(FIGURES, cache_dir=tmp_path)
    name = next(n for n, data in _entries(tmp_path).items() if b'"Dorset", 240' in data)
    path = tmp_path / "charts" / name
    path.write_bytes(path.read_bytes().replace(b'"Dorset", 240', b'"Dorset", 99999'))
    with caplog.at_level("WARNING", logger="toolkit"):
        again = briefing_charts(FIGURES, cache_dir=tmp_path)
    assert again == first and all("99999" not in c.alt for c in again)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "does not match" in warnings[0], warnings
