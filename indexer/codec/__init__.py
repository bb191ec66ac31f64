"""Whoosh's segment format (its `W3Codec`, Whoosh 2.7.5): the one module that reads and writes it directly.

The engine reads whole posting lists into arrays and writes segments itself, both much faster than Whoosh's
per-posting machinery, in Whoosh's own format, so Whoosh opens, merges and searches the index (the tests
compare our answers with its searcher's). Everything that depends on how Whoosh lays out a segment is here:

* field formats: `GramPositions` (positions packed as varints; every posting weighs the field's boost, so the
  weights need no space) and `WordFrequency` (a frequency kept as the posting's weight alone) — Whoosh's
  `Format` extension point, so Whoosh's own matchers read them;
* reading: `MappedStorage` opens compound segments as a memory map read in place (Whoosh's `BufferFile` copies
  each file into memory), `Postings.read` decodes a posting list block by block, skipping blocks with no
  document of interest, `field_lengths`, `column_values`, and `read_extra` a file of our own that
  `write_extra` added to a segment (Whoosh keeps it in the compound file and ignores it);
* writing: `TermsWriter` writes a segment's terms, posting blocks and hash tables as `W3FieldWriter` would;
  `commit` adds segments written here to a writer's commit; `latest_generation` and `remove_unlisted` for
  what killed writers leave behind.
"""

from __future__ import annotations

import whoosh

WHOOSH_VERSION = (2, 7, 5)
if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
    raise ImportError(
        f"indexer.codec reads and writes the segment format of Whoosh {'.'.join(map(str, WHOOSH_VERSION))} "
        f"(the package whoosh-reloaded==2.7.5), but Whoosh {whoosh.versionstring()} is installed: "
        f"`pip install whoosh-reloaded==2.7.5`."
    )

from .formats import GramPositions, WordFrequency, pack_positions, unpack_positions  # noqa: E402
from .reading import LENGTHS, MappedFile, MappedStorage, Postings, column_values, field_lengths, read_extra  # noqa: E402
from .writing import (  # noqa: E402
    BLOCK_LIMIT,
    INDEX_NAME,
    INLINE_LIMIT,
    TOKENIZER,
    TermsWriter,
    commit,
    latest_generation,
    new_segment,
    remove_unlisted,
    write_extra,
    writer,
)

__all__ = [
    "BLOCK_LIMIT",
    "INDEX_NAME",
    "INLINE_LIMIT",
    "LENGTHS",
    "TOKENIZER",
    "GramPositions",
    "MappedFile",
    "MappedStorage",
    "Postings",
    "TermsWriter",
    "WordFrequency",
    "column_values",
    "commit",
    "field_lengths",
    "latest_generation",
    "new_segment",
    "pack_positions",
    "read_extra",
    "remove_unlisted",
    "unpack_positions",
    "write_extra",
    "writer",
]
