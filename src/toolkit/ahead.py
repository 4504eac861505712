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
import threading
import time
from pathlib import Path

from toolkit.params import Params, load_params
from toolkit.quarter_index import QuarterParts, quarter_parts
from toolkit.quarters import Quarter
from toolkit.zygote import Zygote, ZygoteError

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
    parts = quarter_parts(load_params(Path(params_dir)), Quarter.parse(quarter))
    return pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)


def warm_cache(
    params: Params, report_id: str, quarter: Quarter, cache_dir: Path | None, zygote: Zygote | None
) -> None:
    """Parse the data files every briefing of the run reads, once, while kernels start
    (:func:`warm`, in a zygote child where there is one)."""
    if cache_dir is None:
        return
    began = time.perf_counter()
    if zygote is not None and zygote.alive:
        try:
            args = {"params_dir": str(params.root), "report_id": report_id}
            args.update(quarter=quarter.id, cache_dir=str(cache_dir))
            zygote.call("toolkit.ahead:warm_data", args)
            log.debug("data cache warmed in %.2f s (zygote)", time.perf_counter() - began)
            return
        except ZygoteError as err:
            log.debug("data cache not warmed by the zygote, warming here: %s", err)
    warm(params, report_id, quarter, cache_dir)
    log.debug("data cache warmed in %.2f s", time.perf_counter() - began)


class QuarterPartsAhead(threading.Thread):
    """:func:`toolkit.quarter_index.quarter_parts`, made on a thread while briefings run.

    The overview's chart and the tracker come from the register alone; made here (by a
    zygote child where there is one), the end of the run only writes them. A problem
    is left for the end of the run, which makes them again and reports it.
    """

    def __init__(self, params: Params, quarter: Quarter, zygote: Zygote | None) -> None:
        super().__init__(name="toolkit-overview", daemon=True)
        self.params, self.quarter, self.zygote = params, quarter, zygote
        self.parts: QuarterParts | None = None

    def run(self) -> None:
        try:
            if self.zygote is not None and self.zygote.alive:
                try:
                    args = {"params_dir": str(self.params.root), "quarter": self.quarter.id}
                    made = self.zygote.call("toolkit.ahead:quarter_parts_pickled", args)
                    self.parts = pickle.loads(made)  # noqa: S301 - our own child's, via a pipe
                    return
                except ZygoteError as err:
                    log.debug("overview not made by the zygote, making it here: %s", err)
            self.parts = quarter_parts(self.params, self.quarter)
        except Exception as err:
            log.debug("overview not made ahead: %s", err)

    def result(self) -> QuarterParts | None:
        if self.ident is not None:  # started
            self.join()
        return self.parts
