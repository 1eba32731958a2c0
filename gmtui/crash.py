"""When gmtui itself fails (a bug): the details go to the log, redacted, and the
person gets one line saying so and where the log is. No traceback is printed and no
variable's value is shown anywhere: a frame's locals can hold the API secret."""

from __future__ import annotations

import logging
import traceback


def report(error: BaseException) -> str:
    """Log ``error`` with its traceback (code lines only, through the redacting
    filter); return the line to show."""
    from gmtui import config, places
    from gmtui.api import logs

    # a demo writes only in its own folder; its log goes at exit, so the report is a file kept there
    demo = logs.logging_to(places.demo_log)
    path = places.demo_dir() / "crash.log" if demo else config.paths().state / logs.LOG_FILE
    try:
        logs.start(path, [])
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__, limit=40))
        logging.getLogger("gmtui.crash").error("gmtui failed:\n%s", text)
        where = f"The details are in {path}"
    except Exception:  # the log cannot be written either: still say what happened
        where = "The log could not be written"
    return f"gmtui: internal error ({type(error).__name__}), a bug in gmtui. {where}; please report it."
