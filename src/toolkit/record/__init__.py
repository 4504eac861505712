"""The record: what the OPCC keeps and what the force reports.

The params root read and validated (:mod:`~toolkit.record.params`), the quarterly update
files (:mod:`~toolkit.record.updates`, :mod:`~toolkit.record.returned`), the register that
turns them into each item's status at a quarter or a day (:mod:`~toolkit.record.register`,
:mod:`~toolkit.record.history`, :mod:`~toolkit.record.rag`), and what is made from the
register alone: the request-updates workbook, the tracker, the quarter overview's numbers,
``toolkit status``, and new params roots and report files (``init``, ``new-report``).
It never reads the crime data (:mod:`toolkit.performance`).
"""
