"""Charts: the drawn chart with its accessible text (:mod:`~toolkit.charts.chart`, no
matplotlib) and the drawing code with its cache (:mod:`~toolkit.charts.draw`)."""
