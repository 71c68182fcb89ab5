"""What the content folders hold, checked: every problem, the files found and each file's
content hash, worked out again only when a file changed.

The trainer's content list shows this on every view; checking the tree parses every module and
quiz (a quarter of a second for the sample content), while files change only when someone
edits them. A change shows in the key, which is every entry's name, size and modification
time under the three folders: one ``stat`` each.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import get_locale

from lms.content.files import ContentFiles, find_content_files
from lms.content.parsing import content_hash
from lms.content.validation import Problem, check_tree


@dataclass(frozen=True)
class TreeStatus:
    problems: list[Problem]
    found: ContentFiles
    #: file path -> content hash of its text (files that could not be read are left out)
    hashes: dict[str, str]


_lock = threading.Lock()
#: language -> (key, status): the last status worked out in each language
_last: dict[str, tuple[tuple, TreeStatus]] = {}


def _signature(folders: Iterable[Path]) -> tuple:
    entries = []
    for folder in folders:
        try:
            for dirpath, _, names in os.walk(folder):
                for name in names:
                    stat = os.stat(os.path.join(dirpath, name))
                    entries.append((dirpath, name, stat.st_size, stat.st_mtime_ns,
                                    stat.st_ctime_ns, stat.st_ino))
        except OSError:
            entries.append((str(folder), None, None, None, None, None))
    return tuple(sorted(entries, key=repr))


def tree_status(modules_dir: Path, quiz_dir: Path, paths_dir: Path,
                categories: tuple[str, ...]) -> TreeStatus:
    # The problems' messages are in the language spoken when they were found: one per language.
    language = str(get_locale())
    key = (str(modules_dir), str(quiz_dir), str(paths_dir), categories,
           _signature((modules_dir, quiz_dir, paths_dir)))
    with _lock:
        last = _last.get(language)
        if last is not None and last[0] == key:
            return last[1]
    problems = check_tree(modules_dir, quiz_dir, paths_dir, categories)
    found = find_content_files(modules_dir, quiz_dir, paths_dir)
    hashes = {}
    for path in (*found.modules, *found.quizzes, *found.paths):
        try:
            hashes[str(path)] = content_hash(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # check_tree reported it
    status = TreeStatus(problems, found, hashes)
    with _lock:
        _last[language] = (key, status)
    return status
