"""A briefing run's work done ahead: here, or called by name in a child of the kernel zygote.

Before the first briefing starts, :func:`toolkit.runner.batch.run_reports` parses the data
files every briefing reads (:func:`warm`, in the run's own process while the kernel zygote
imports), and while the briefings run it makes the quarter overview's chart and tracker
(:func:`quarter_parts_pickled`, in a zygote child where there is one:
:mod:`toolkit.kernels.offload`). Each function called by name takes JSON-native arguments and
returns bytes, as a zygote call must; the imports are inside the functions, so that a
child imports only what its work needs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from toolkit.quarters import Quarter
    from toolkit.record.params import Params

log = logging.getLogger("toolkit")


def warm(params: Params, report_id: str, quarter: Quarter, cache_dir: Path) -> None:
    """Parse the data files a briefing of the run reads into ``cache_dir``.

    Every briefing reads the same data.police.uk files (the force's and its peers'),
    population and recorded crime table. Problems are left for the briefings to report.
    """
    from toolkit.publish.briefing import Briefing

    try:
        briefing = Briefing(params, report_id, quarter, cache_dir)
        _ = briefing.police_uk, briefing.recorded_crime
    except ToolkitError as err:
        log.debug("data cache not warmed: %s", err)


def quarter_parts_pickled(params_dir: str, quarter: str) -> bytes:
    """:func:`toolkit.publish.quarter_index.quarter_parts`, pickled, for a zygote call.

    The pickle goes from the child to the run that forked it, through a pipe of its
    own: nothing else can write there.
    """
    import pickle

    from toolkit.publish.quarter_index import quarter_parts
    from toolkit.quarters import Quarter
    from toolkit.record.params import load_params

    parts = quarter_parts(load_params(Path(params_dir)), Quarter.parse(quarter))
    return pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
