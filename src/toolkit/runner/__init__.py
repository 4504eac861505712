"""A quarter's run: :func:`~toolkit.runner.quarter.run_quarter` and what it puts together.

The checks before anything runs (:mod:`~toolkit.runner.checks`), the batch of briefings on
the kernel pool (:mod:`~toolkit.runner.batch`), the work done ahead of them
(:mod:`~toolkit.runner.prepare`), their results and progress events
(:mod:`~toolkit.runner.results`, :mod:`~toolkit.runner.progress`), the index rows
(:mod:`~toolkit.runner.index_rows`) and the run's provenance
(:mod:`~toolkit.runner.provenance`, :mod:`~toolkit.runner.manifest`).
"""
