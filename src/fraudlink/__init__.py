"""fraudlink: police–platform cooperation against online fraud."""

__version__ = "0.1.0"
