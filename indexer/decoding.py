"""Decoding archived files: UTF-8 (with or without a byte-order mark), else GB18030 or Big5 — chosen by what
the bytes decode to — else what charset-normalizer detects; binary data is refused.

charset-normalizer alone guesses Japanese or Korean codecs for short Chinese lines, and GB and Big5 bytes
often decode under each other's codec, so the Chinese candidates are compared on the text they give.
"""

from __future__ import annotations

import functools
import unicodedata

# Codecs of Chinese archives, in the order that wins a tie (mainland archives are the more common).
# Both are supersets: gb18030 of GB2312/GBK, big5hkscs of Big5 (with the ETEN and Hong Kong additions).
_CHINESE_CODECS = ("gb18030", "big5hkscs")
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
_BIG5_FAMILY = {"big5", "big5hkscs", "cp950"}
_SCORED_CHARS = 4000


@functools.lru_cache(maxsize=65536)
def _plausible(char: str) -> bool:
    """Whether a non-ASCII character is what Chinese text is made of: a frequent ideograph or punctuation.

    Bytes decoded with the wrong Chinese codec still give ideographs, but rare ones, kana, box drawing and
    private-use characters; "frequent" is the first level of GB2312 or of Big5 (about 3,800 and 5,400).
    """
    if unicodedata.category(char)[0] in "PZ" or "\uff01" <= char <= "\uff5e":
        return True
    try:
        if 0xB0 <= char.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return b"\xa4\x40" <= char.encode("big5") <= b"\xc6\x7e"
    except UnicodeEncodeError:
        return False


def _chinese_score(text: str) -> float:
    """Share of the non-ASCII characters (of the first few thousand) that are plausible Chinese text."""
    chars = [c for c in text[:_SCORED_CHARS] if not c.isascii()]
    return sum(map(_plausible, chars)) / len(chars) if chars else 0.0


def _decode_chinese(data: bytes) -> str | None:
    """The text under whichever Chinese codec decodes `data` strictly into the most plausible text, if any.

    Detectors guess Japanese or Korean for a short Chinese line, and GB and Big5 bytes often decode under
    each other's codec, so the candidates are compared on what they decode to.
    """
    best: tuple[float, str] | None = None
    for codec in _CHINESE_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _chinese_score(text)
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best and best[0] >= 0.5 else None


def _decode_damaged_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few bad bytes (a file cut mid-character, a stray byte), the bad bytes replaced.

    Text in another encoding decodes as UTF-8 with errors everywhere, so one error in a thousand characters
    is the limit.
    """
    text = data.decode("utf-8-sig", errors="replace")
    return text if text.count("\ufffd") <= len(text) // 1000 else None


def _decode_detected(data: bytes) -> str | None:
    """The text under the codec charset-normalizer detects, widened to the superset of its family."""
    import charset_normalizer

    match = charset_normalizer.from_bytes(data).best()
    if match is None:
        return None
    codec = match.encoding.lower()
    codec = "gb18030" if codec in _GB_FAMILY else "big5hkscs" if codec in _BIG5_FAMILY else codec
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return str(match)


def _looks_binary(text: str) -> bool:
    """Whether decoded text is mostly control characters, i.e. the bytes were not text at all."""
    sample = text[:_SCORED_CHARS]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return controls > len(sample) * 0.05


def decode(data: bytes) -> str | None:
    """Text of an archived file: UTF-8 (with or without BOM), else GB18030/Big5, else detected; None if binary.

    Newlines are normalised to "\\n", as reading in text mode would.
    """
    if b"\0" in data:
        return None
    try:
        text: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_damaged_utf8(data) or _decode_chinese(data) or _decode_detected(data)
    if text is None or _looks_binary(text):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")
