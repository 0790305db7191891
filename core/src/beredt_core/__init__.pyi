from collections.abc import Callable
from typing import Any

def solve(
    payload: dict[str, Any],
    initial: list[list[int]],
    params: dict[str, Any],
    progress: Callable[[float, float], None] | None,
) -> dict[str, Any]: ...
def evaluate(payload: dict[str, Any], routes: list[list[int]]) -> dict[str, Any]: ...
def price_routes(
    visits: list[tuple[int, int, int]],
    travel: list[list[int]],
    shift: tuple[int, int, bool, int, int, int],
    eligible: list[int],
    profit: list[float],
    ng: list[list[int]],
    min_profit: float,
    max_routes: int,
    max_labels: int,
    seconds: float,
    forbidden: list[tuple[int, int]] = ...,
) -> tuple[float, list[tuple[float, list[int]]]]: ...
