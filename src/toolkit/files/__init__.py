"""Files as the toolkit reads and writes them, below everything else.

Atomic writes (:mod:`~toolkit.files.atomic`), the verified cache entry
(:mod:`~toolkit.files.cachefile`), YAML read with its limits (:mod:`~toolkit.files.yamlfile`),
the check of a zip member before it is inflated (:mod:`~toolkit.files.zipmember`), the
params root's containment rule (:mod:`~toolkit.files.containment`), a run's copy of the
params and data (:mod:`~toolkit.files.snapshot`), a letter file's paragraphs
(:mod:`~toolkit.files.letterfile`) and the files the package ships
(:mod:`~toolkit.files.resources`). Nothing here knows about reports or figures.
"""
