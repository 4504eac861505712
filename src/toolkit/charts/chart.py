"""A drawn chart with its accessible text: what :mod:`toolkit.charts.draw` returns.

Kept apart from the drawing code (and so from matplotlib), so that a chart drawn in
another process can be handed over and shown without importing matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

Row = list[str | int | float | None]


@dataclass(frozen=True)
class Chart:
    """A rendered chart with its accessible text.

    Attributes
    ----------
    png
        The image.
    alt
        Alt text: what the chart shows and its main message, from the data.
    caption
        A caption for the figure (source and caveats included).
    table
        The same numbers: the first row is the header.
    """

    png: bytes
    alt: str
    caption: str
    table: list[Row]

    @property
    def size(self) -> tuple[int, int]:
        """The image's width and height in pixels (from its PNG header)."""
        return int.from_bytes(self.png[16:20], "big"), int.from_bytes(self.png[20:24], "big")


class ChartView(TypedDict):
    """A chart as the page templates read it (:meth:`Chart.view`): the image, its text,
    its numbers (``header`` then ``rows``) and its size in pixels."""

    png: bytes
    alt: str
    caption: str
    header: Row
    rows: list[Row]
    width: int
    height: int
