"""A least-recently-used cache bounded by the bytes of what it holds, shared by the threads of a process.

An open index keeps its decoded posting lists in one (`execute.run` with `cache=`): the common words of a
news corpus recur in most queries, and decoding their lists (a pickle per block of 128 postings) was most of
a query's time. Each value's size is given by the caller; the structure's own overhead is not counted.
`cachetools.LRUCache` does the bookkeeping; this adds the lock and the rule for values too large to keep.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from operator import itemgetter
from typing import Any

import cachetools


class SizedLRU:
    """Values by key; past `limit` bytes the least recently used are dropped. A value larger than `largest`
    (by default a quarter of the limit) is not kept: one huge list would push out many of the lists queries
    share."""

    def __init__(self, limit: int, largest: int | None = None):
        self.limit = limit
        self.largest = limit // 4 if largest is None else largest
        self._items: cachetools.LRUCache = cachetools.LRUCache(limit, getsizeof=itemgetter(1))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        return int(self._items.currsize)

    def get(self, key: Hashable) -> Any:
        """The value under `key` (now the most recently used), or None."""
        with self._lock:
            item = self._items.get(key)
        return None if item is None else item[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keep `value`, which its users must not change (`frozen` makes numpy arrays read-only)."""
        if size > self.largest:
            return
        with self._lock:
            self._items[key] = (value, size)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def frozen(*arrays) -> None:
    """Make numpy arrays read-only: a cached array is shared by every search and thread."""
    for array in arrays:
        if array is not None:
            array.flags.writeable = False
