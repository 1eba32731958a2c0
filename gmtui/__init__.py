"""gmtui: a terminal dashboard for partner operators of cloud-mining platforms."""

__version__ = "0.1.0"
