"""How the store serialises: canonical JSON, Parquet blobs, content hashes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mande.errors import StoreError

BLOB_FORMAT = "parquet-zstd"


def _default(obj: Any) -> Any:
    """JSON for the values mande's objects hold (dataclasses, dates, frames, paths, sets)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, pd.DataFrame):
        return json.loads(obj.to_json(orient="split", date_format="iso", index=False))
    if isinstance(obj, pd.Series):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, bytes):
        return hashlib.sha256(obj).hexdigest()
    for attr in ("to_dict", "as_dict"):
        fn = getattr(obj, attr, None)
        if callable(fn):
            try:
                return fn()
            except TypeError:
                pass
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return repr(obj)


def _plain(obj: Any, depth: int = 0) -> Any:
    """``obj`` as plain JSON values: text keys, no NaN or infinity (they become null)."""
    if depth > 50:
        return repr(obj)
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v, depth + 1) for v in obj]
    return _plain(_default(obj), depth + 1)


def _json(obj: Any) -> str:
    """Canonical JSON text (sorted keys) of mande's values; NaN and infinity become null."""
    return json.dumps(_plain(obj), sort_keys=True, ensure_ascii=False, allow_nan=False)


_json_safe = _json


def catalogue_version(catalogue: Any) -> str:
    """The SHA-256 of a catalogue's definitions: the cache key part that changes with them."""
    for attr in ("version", "version_hash", "sha256", "fingerprint"):
        value = getattr(catalogue, attr, None)
        if isinstance(value, str) and value:
            return value
    text = json.dumps(catalogue, default=_default, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _frame_to_blob(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    try:
        frame.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
    except Exception as first:  # pyarrow refuses mixed-type text columns
        fixed = frame.copy()
        for col in fixed.columns:
            if fixed[col].dtype == object:
                fixed[col] = fixed[col].map(
                    lambda v: (
                        None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                    )
                )
        buf = io.BytesIO()
        try:
            fixed.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
        except Exception as exc:
            raise StoreError(f"could not store the table: {exc}") from first
    return buf.getvalue()


def _blob_to_frame(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


def content_hash(frame: pd.DataFrame, extra: str = "") -> str:
    """SHA-256 of a table's content (column names, types and values) and ``extra`` text."""
    h = hashlib.sha256()
    for col in sorted(map(str, frame.columns)):
        s = frame[col]
        h.update(col.encode())
        h.update(str(s.dtype).encode())
        h.update(pd.util.hash_pandas_object(s, index=False).to_numpy().tobytes())
    h.update(extra.encode())
    return h.hexdigest()
