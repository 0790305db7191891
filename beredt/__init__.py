"""beredt — crisis operations for municipal home care."""

__version__ = "0.1.0"
