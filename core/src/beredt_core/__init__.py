"""beredt's compiled search core. Use it through :mod:`beredt.planning.engine`."""

from beredt_core._core import evaluate, price_routes, solve

__all__ = ["evaluate", "price_routes", "solve"]
