"""Put a briefing's new outputs in place of the old ones, and undo a swap a killed run cut short.

A briefing is written into a staging folder beside its final one
(``<out>/<quarter>/.staging-<report>-<pid>``); :func:`swap_in` replaces the final
folder with it by two renames, so a reader sees the old briefing or the new one,
never a mixture. :func:`recover_interrupted`, at the start of the next run, puts
back what a run killed between the two renames had moved aside.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

log = logging.getLogger("toolkit")


def swap_in(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` by renames, keeping the old one until done.

    A run killed between the two renames leaves ``.old-<report>-<pid>`` and no
    ``<report>``: :func:`recover_interrupted` (at the next run's start) puts it back.
    """
    old = final.with_name(f".old-{final.name}-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def recover_interrupted(quarter_dir: Path) -> None:
    """Undo what a killed run left half done in a quarter's folder; remove its litter.

    Called at the start of a run, which holds the quarter's lock, so every staging or
    ``.old-`` folder there belongs to a run that died (kill -9, power loss). A briefing
    whose swap-in was cut between its two renames is rolled back to the previous good
    one (``.old-<report>-<pid>`` renamed back to ``<report>``: the index and manifest
    still describe it); an ``.old-`` folder beside a briefing in place is the end of a
    finished swap and is removed, as is every ``.staging-`` folder.
    """
    if not quarter_dir.is_dir():
        return
    for old in sorted(quarter_dir.glob(".old-*-*")):
        report_id = old.name.removeprefix(".old-").rsplit("-", 1)[0]
        final = quarter_dir / report_id
        if old.is_dir() and not final.exists():
            log.warning("%s: restoring the briefing an interrupted run had moved aside", final)
            os.replace(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for staging in quarter_dir.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
