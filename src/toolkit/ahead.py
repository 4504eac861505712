"""Work a run does ahead of its briefings, in a child of the kernel zygote.

``toolkit run`` parses the data files every briefing reads (so that the first
briefings do not all parse them at once) and makes the quarter overview's chart and
tracker (which come from the register alone) while its first kernels start. Both need
pandas, matplotlib and the toolkit, which the kernel zygote has imported already; run
in a child forked from it (:meth:`toolkit.zygote.Zygote.call`), they cost a fraction of
the CPU they would in the command's own process, and they do not hold its interpreter
lock while it starts kernels and builds the exporter. Where there is no zygote
(Windows, macOS, ``TOOLKIT_KERNEL_FORK=0``) the run calls the same functions itself.

Each function takes JSON-native arguments and returns bytes, as a zygote call must.
"""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

from toolkit.params import Params, load_params
from toolkit.quarters import Quarter

log = logging.getLogger("toolkit")


def warm(params: Params, report_id: str, quarter: Quarter, cache_dir: Path) -> None:
    """Parse the data files a briefing of the run reads into ``cache_dir``.

    Every briefing reads the same data.police.uk files (the force's and its peers'),
    population and recorded crime table. Problems are left for the briefings to report.
    """
    from toolkit.briefing import Briefing
    from toolkit.errors import ToolkitError

    try:
        briefing = Briefing(params, report_id, quarter, cache_dir)
        _ = briefing.police_uk, briefing.recorded_crime
    except ToolkitError as err:
        log.debug("data cache not warmed: %s", err)


def warm_data(params_dir: str, report_id: str, quarter: str, cache_dir: str) -> bytes:
    """:func:`warm`, called by name in a zygote child (the params root read again)."""
    warm(load_params(Path(params_dir)), report_id, Quarter.parse(quarter), Path(cache_dir))
    return b""


def quarter_parts_pickled(params_dir: str, quarter: str) -> bytes:
    """:func:`toolkit.quarter_index.quarter_parts`, pickled, for a zygote call.

    The pickle goes from the child to the run that forked it, through a pipe of its
    own: nothing else can write there.
    """
    from toolkit.quarter_index import quarter_parts

    parts = quarter_parts(load_params(Path(params_dir)), Quarter.parse(quarter))
    return pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
