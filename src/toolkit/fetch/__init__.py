"""Fetch street-level crime months from data.police.uk's bulk archive.

The library half of ``toolkit fetch-data --months 2019-01..2019-03 [--forces SLUG,…]``:
it reads the months asked for from data.police.uk's monthly archives and adds only the
files the params root needs (its force and peers, or the forces named) to the
``data.police_uk`` folder, in the same ``YYYY-MM/YYYY-MM-<slug>-street.csv`` layout.

The CLI calls :func:`parse_months`, :func:`parse_forces` and :func:`fetch_months`;
the modules below them do one job each:

``plan``        ``--months`` and ``--forces``, and which monthly archive holds which months
``download``    :func:`fetch_months`: what is read, what is written, and :class:`FetchReport`
``archive``     the archive as a :mod:`zipfile` (over byte ranges with ``remotezip``),
                members refused when implausible, inflated, checked and written atomically
``client``      HTTP with byte ranges, retries, and ``.part`` downloads that continue
"""

from toolkit.fetch.download import DEFAULT_BASE_URL, KINDS, FetchReport, Progress, fetch_months
from toolkit.fetch.plan import (
    ARCHIVE_MONTHS,
    DEFAULT_ARCHIVE_NAME,
    parse_forces,
    parse_months,
    plan_archives,
)

__all__ = [
    "ARCHIVE_MONTHS",
    "DEFAULT_ARCHIVE_NAME",
    "DEFAULT_BASE_URL",
    "KINDS",
    "FetchReport",
    "Progress",
    "fetch_months",
    "parse_forces",
    "parse_months",
    "plan_archives",
]
