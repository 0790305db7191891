from collections.abc import Callable
from typing import Any

def solve(
    payload: dict[str, Any],
    initial: list[list[int]],
    params: dict[str, Any],
    progress: Callable[[float, float], None] | None,
) -> dict[str, Any]: ...
def evaluate(payload: dict[str, Any], routes: list[list[int]]) -> dict[str, Any]: ...
