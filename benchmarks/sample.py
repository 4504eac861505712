"""The sample data.police.uk files the benchmarks build their larger data sets from.

``data/sample/police-uk`` holds five months of street-level crime for six forces
(see ``data/sample/README.md``). Contains public sector information licensed under
the Open Government Licence v3.0 (data.police.uk).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "police-uk"
SAMPLE_MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
SAMPLE_FORCES = [
    "avon-and-somerset",
    "hampshire",
    "devon-and-cornwall",
    "dorset",
    "gloucestershire",
    "wiltshire",
]
