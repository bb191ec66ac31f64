"""The README's examples, run as a reader would paste them: every command of a ```sh or ```text block that can
run offline, in a folder holding the seeds and their index, with a live `search serve` for curl.

The README is read when the tests are collected, so these tests follow it as it is rewritten. What they take
from it:
- a ```text block holds commands after `$ `; the lines after a command, up to the next `$ `, are its output;
- a ```sh block holds commands (continued by a trailing `\\`); `# ` lines right after a command are its
  output (a `#` later on a command's own line is a comment);
- only `search …` (not `search serve`, which the tests start themselves) and `curl` to 127.0.0.1:5000 or
  localhost:5000 run; a command naming a file that is not there (an archive of one's own) is left out;
- a command exits 0, or (`search`) 1 or 2 when its output is an error (`Error: …` on stderr, or
  `{"error": …}` on stdout);
- output is compared without whitespace (JSON may be laid out either way), `…` stands for any text, and a
  duration (`12 ms`, `0.9 s`) for any duration.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from fixtures import REPO, SEEDS, serve

README = REPO / "README.md"
SERVER = re.compile(r"http://(?:127\.0\.0\.1|localhost):5000")
DURATION = re.compile(r"\b\d+(?:\.\d+)? ?m?s\b")
_BLOCK = re.compile(r"^```(sh|text)[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.slow


@dataclasses.dataclass
class Example:
    line: int  # in README.md
    command: str
    output: str | None  # None: the README shows none

    def __str__(self) -> str:
        return f"README.md:{self.line}"


def examples(text: str) -> list[Example]:
    """Every command of the README's ```sh and ```text blocks, with the output it shows."""
    found: list[Example] = []
    for block in _BLOCK.finditer(text):
        first = text.count("\n", 0, block.start(2)) + 1
        lines = block.group(2).splitlines()
        found += _text_examples(lines, first) if block.group(1) == "text" else _sh_examples(lines, first)
    return found


def _text_examples(lines: list[str], first: int) -> list[Example]:
    found: list[Example] = []
    for n, line in enumerate(lines):
        if line.startswith("$ "):
            found.append(Example(first + n, line[2:], None))
        elif found:
            found[-1].output = (found[-1].output or "") + line + "\n"
    return found


def _sh_examples(lines: list[str], first: int) -> list[Example]:
    found: list[Example] = []
    command, start, after_command = "", 0, False
    for n, line in enumerate(lines):
        if command:  # a continued command
            command += "\n" + line
        elif line.startswith("#"):
            if after_command:
                found[-1].output = (found[-1].output or "") + line[1:].removeprefix(" ") + "\n"
            continue
        elif not line.strip():
            after_command = False
            continue
        else:
            command, start = line, first + n
        if not line.endswith("\\"):
            found.append(Example(start, command, None))
            command, after_command = "", True
    return found


def runnable(example: Example) -> str | None:
    """Why an example cannot run here, or None."""
    try:
        words = shlex.split(example.command.replace("\\\n", " "), comments=True)
    except ValueError as exc:
        return f"not one shell command ({exc})"
    if not words:
        return "no command"
    if words[0] == "curl":
        return None if SERVER.search(example.command) else "curl to another server"
    if words[0] != "search" or any(op in words for op in ("&&", "||", ";", "|")):
        return "not a search or curl command"
    if "serve" in words:
        return "search serve: the tests start the server themselves"
    for word in words[1:]:
        if (
            re.search(r"\.(jsonl(\.gz|\.xz)?|txt|md|html?)$|/", word)
            and not (REPO / word).exists()
            and not word.startswith("http")
        ):
            return f"{word} is not part of the repository"
    return None


EXAMPLES = examples(README.read_text(encoding="utf-8"))
RUNNABLE = [e for e in EXAMPLES if runnable(e) is None]


def test_the_readme_has_runnable_examples_of_both_kinds():
    assert any(e.command.startswith("search") and e.output for e in RUNNABLE)
    assert any(e.command.startswith("curl") and e.output for e in RUNNABLE)


def matches(expected: str, actual: str) -> bool:
    """Whether `actual` is what `expected` shows: whitespace aside, `…` any text, a duration any duration."""
    pattern = []
    for part in re.split(r"(…|" + DURATION.pattern + ")", expected.strip()):
        if part == "…":
            pattern.append(".*?")
        elif DURATION.fullmatch(part):
            pattern.append(r"\d+(?:\.\d+)?m?s")
        else:
            pattern.append(re.escape("".join(part.split())))
    return re.fullmatch("".join(pattern), "".join(actual.split()), re.DOTALL) is not None


@pytest.fixture(scope="module")
def place(seed_index_dir, tmp_path_factory):
    """A folder as after `pip install .` in a clone: the seeds and their index (a copy the examples may
    rebuild), and a `search serve` over it; the README's server address is this server's."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(SEEDS, folder / "seeds")
    shutil.copytree(seed_index_dir, folder / "index")
    with serve(folder / "index", folder) as server:
        yield folder, server.url


@pytest.mark.parametrize("example", RUNNABLE, ids=str)
def test_readme_example(example, place):
    folder, url = place
    env = {k: v for k, v in os.environ.items() if k != "SEARCH_INDEX_DIR"}
    env["PATH"] = f"{os.path.dirname(sys.executable)}{os.pathsep}{env.get('PATH', '')}"
    command = SERVER.sub(url, example.command)
    result = subprocess.run(
        ["bash", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    expected = example.output or ""
    # curl exits 0 whatever the status (`-w` shows it); `search` exits 1 or 2 for an error
    error = example.command.startswith("search") and expected.lstrip().startswith(("Error:", '{"error"'))
    assert (result.returncode in (1, 2)) if error else (result.returncode == 0), (
        f"{example}: {example.command}\nexit {result.returncode}\n{result.stdout}{result.stderr}"
    )
    if example.output is not None:
        shown = result.stderr if expected.lstrip().startswith("Error:") else result.stdout
        assert matches(expected, shown), f"{example}: {example.command}\nREADME shows:\n{expected}\ngot:\n{shown}"


@pytest.mark.parametrize(
    "expected, actual, same",
    [
        ("1–1 of 1 results in 10 ms", "1–1 of 1 results in 7 ms", True),
        ("Indexed: 5 added in 0.9 s.", "Indexed: 5 added in 12.5 s.", True),
        ('{"total": 2, "hits": […]}', '{\n  "total": 2,\n  "hits": [\n    {"id": "a"}\n  ]\n}', True),
        ('{"total": 2, "hits": […]}', '{"total": 3, "hits": []}', False),
        ("近日,…", "近日,2024年辽宁省…", True),
        ("Zones: 凌源经济开发区 (3)", "Zones: 凌源经济开发区 (2)", False),
        ("a\nb", "a b", True),
    ],
)
def test_how_outputs_are_compared(expected, actual, same):
    assert matches(expected, actual) is same


def test_how_examples_are_read():
    text = (
        "```text\n$ search 凌钢     # a comment\n1. A\n   b\n$ search -n 1\n```\n\n"
        "```sh\npip install .\ncurl -s -G http://127.0.0.1:5000/api/search \\\n  --data-urlencode q=凌钢\n"
        '# {"total": 1}\n\ncurl -s http://127.0.0.1:5000/api/doc/a   # 404\n```\n'
        "```\nsearch 凌钢\n```\n"
    )
    found = examples(text)
    assert [(e.line, e.command, e.output) for e in found] == [
        (2, "search 凌钢     # a comment", "1. A\n   b\n"),
        (5, "search -n 1", None),
        (9, "pip install .", None),
        (10, "curl -s -G http://127.0.0.1:5000/api/search \\\n  --data-urlencode q=凌钢", '{"total": 1}\n'),
        (14, "curl -s http://127.0.0.1:5000/api/doc/a   # 404", None),
    ]
    assert [runnable(e) for e in found] == [None, None, "not a search or curl command", None, None]
    assert (
        runnable(Example(1, "search index ../archive.jsonl.xz", None))
        == "../archive.jsonl.xz is not part of the repository"
    )
    assert (
        runnable(Example(1, "search serve --workers 2", None)) == "search serve: the tests start the server themselves"
    )
