"""Test corpora made from the seed articles: many small articles cut from their paragraphs, in every format."""

from __future__ import annotations

import gzip
import json
import lzma
import pathlib

from conftest import SEEDS

# Every generated article says this, so a query for it counts the articles in the index.
MARKER = "朝阳开发区新闻"


def paragraphs() -> list[str]:
    """The seeds' paragraphs of some length, in file order."""
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        found += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) >= 40]
    return found


def articles(n: int, start: int = 0, version: str = "第一版", size: int = 300) -> dict[str, str]:
    """`n` articles `art0000`… of about `size` characters, each a slice of a seed paragraph under a headline
    naming its number and `version`."""
    source = paragraphs()
    made = {}
    for i in range(start, start + n):
        paragraph = source[i % len(source)]
        offset = (i // len(source)) * 37 % max(1, len(paragraph) - size)
        made[f"art{i:04d}"] = (f"{MARKER}第{i}号 {version}\n\n{MARKER}。{version}。\n\n"
                               f"{paragraph[offset:offset + size].strip()}")
    return made


def write_txt(folder: pathlib.Path, texts: dict[str, str], encoding: str = "utf-8") -> pathlib.Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in texts.items():
        (folder / f"{doc_id}.txt").write_bytes(text.encode(encoding))
    return folder


def write_jsonl(path: pathlib.Path, records: list[dict]) -> pathlib.Path:
    """`records` as JSON Lines at `path`, compressed as its suffix says."""
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes({".gz": gzip.compress, ".xz": lzma.compress}.get(path.suffix, bytes)(data))
    return path


def records(texts: dict[str, str]) -> list[dict]:
    """Articles as JSON Lines records: the first line is the title."""
    return [{"id": doc_id, "title": text.split("\n")[0], "body": text} for doc_id, text in texts.items()]
