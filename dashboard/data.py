"""Cached access to the store for the dashboard's pages.

Every function here calls `mande`; the caches are keyed by what changes the answer (the store's
data version), so a page never shows stale figures after an upload or a change of current version.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

import mande
from mande.store import Store


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """One store per server process (SQLAlchemy pools its connections)."""
    return Store.open()


def data_version() -> str:
    """Changes whenever uploads or current versions change: part of every cache key below."""
    return store().data_version()


def mission() -> mande.MissionConfig | None:
    return _mission(data_version())


@st.cache_data(show_spinner=False)
def _mission(_version: str) -> mande.MissionConfig | None:
    return store().mission()


def rounds() -> pd.DataFrame:
    return _rounds(data_version())


@st.cache_data(show_spinner=False)
def _rounds(_version: str) -> pd.DataFrame:
    return store().rounds()


def clear() -> None:
    """Forget cached answers (after an upload or a change of current version)."""
    st.cache_data.clear()


def _unused(*_: Any) -> None:  # pragma: no cover
    return None
