"""A question's content, without where it sits in the file: two versions of a question are the
same for boosters when this fingerprint is the same."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from lms.content.documents import Question

#: Bookkeeping fields: moving a question in the file does not change it.
_IGNORED = {"path", "line", "lines"}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"_type": type(value).__name__,
                **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                   if f.name not in _IGNORED}}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def fingerprint(question: Question) -> str:
    text = json.dumps(_plain(question), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
