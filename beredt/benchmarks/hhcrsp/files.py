"""JSON files of the HHCRSP benchmark, plain (``.json``) or gzipped (``.json.gz``)."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

from beredt.domain.errors import InputError, Problem


def is_gzip(path: Path) -> bool:
    return path.suffix == ".gz"


def read_json(path: Path) -> Any:
    """The parsed content of ``path``; :class:`InputError` if it is missing or not JSON."""
    try:
        raw = gzip.decompress(path.read_bytes()) if is_gzip(path) else path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), [Problem("", "file not found")]) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(str(path), [Problem("", f"not UTF-8 text: {exc}")]) from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise InputError(str(path), [Problem(where, f"not valid JSON: {exc.msg}")]) from None


def write_json(data: Any, path: Path) -> None:
    """Write compactly with sorted keys, the way the published files are serialised, so
    that reading and writing a published solution gives back the same bytes."""
    text = json.dumps(data, separators=(",", ":"), sort_keys=True, allow_nan=False)
    payload = gzip.compress(text.encode()) if is_gzip(path) else text.encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)  # never leave a half-written file behind


def file_stem(path: Path) -> str:
    """``InstanzCPLEX_HCSRP_10_1.json.gz`` → ``InstanzCPLEX_HCSRP_10_1``."""
    name = path.name
    for suffix in (".gz", ".json"):
        name = name.removesuffix(suffix)
    return name
