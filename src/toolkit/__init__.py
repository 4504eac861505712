"""Accountability briefings for Offices of Police and Crime Commissioners."""

__version__ = "0.1.0"

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from toolkit.runner.quarter import QuarterRun, ReportOutcome, RunWarning, run_quarter

__all__ = ["QuarterRun", "ReportOutcome", "RunWarning", "run_quarter"]

_LAZY = {"run_quarter", "QuarterRun", "ReportOutcome", "RunWarning"}


def __getattr__(name: str) -> object:
    """``toolkit.run_quarter`` and its result types, imported on first use: ``import
    toolkit`` stays cheap (the command line and every kernel import it)."""
    if name in _LAZY:
        from toolkit.runner import quarter as quarter_run

        return getattr(quarter_run, name)
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
