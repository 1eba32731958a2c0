"""gmtui: a terminal dashboard for partner operators of cloud-mining platforms."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line client whenever click is installed (uvicorn, used
# by `gmtui sandbox`, installs it): ~50 ms of click and pygments at every start, for a
# tool gmtui never runs. Its package then falls back to a stub `httpx.main`.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
