"""gmtui: a terminal dashboard for partner operators of cloud-mining platforms."""

__version__ = "0.1.0"

import logging as _logging

# Until a session starts its log file, gmtui's records go nowhere rather than to
# Python's last-resort handler, which would print them raw on stderr (escapes included).
_logging.getLogger("gmtui").addHandler(_logging.NullHandler())
