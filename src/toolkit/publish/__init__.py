"""Publishing one briefing and one quarter: the sections' HTML
(:mod:`~toolkit.publish.render`), the briefing's outputs and ``figures.json``
(:mod:`~toolkit.publish.briefing`), the exported page (:mod:`~toolkit.publish.export`), its
PDF (:mod:`~toolkit.publish.pdf`) and the quarter's overview and tracker files
(:mod:`~toolkit.publish.quarter_index`)."""
