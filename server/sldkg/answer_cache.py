"""A bounded, thread-safe LRU of answers, one per server worker and use: canned answers, ad-hoc answers, descriptions, replayed responses.

Keys are built by the caller, and include the data version where the answer depends on it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    """A thread-safe LRU of answers (per server worker); keys are built by the caller."""

    def __init__(self, size: int):
        self.size = max(0, size)
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            self.misses += 1
            return None

    def put(self, key: Hashable, value: object) -> None:
        if self.size == 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["AnswerCache"]
