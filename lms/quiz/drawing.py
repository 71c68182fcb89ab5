"""Which questions an attempt gets, in which order, and in which order their options show.

The attempt stores what these functions return (question ids, option orders), so a later edit of
the quiz file or of this code never changes an attempt already started. ``attempt_seed`` makes the
draw reproducible: the same learner, quiz and attempt number always get the same questions.

Use one ``random.Random(attempt_seed(...))`` per attempt: draw the questions first, then call
``option_order`` for each drawn question in the drawn order.
"""

from __future__ import annotations

import hashlib
import random

from lms.content.documents import Matching, MultipleResponse, Question, SingleChoice


def attempt_seed(user_id: int, quiz_slug: str, attempt_number: int) -> int:
    """A seed fixed by (user, quiz, attempt number); hashlib, because ``hash()`` of a str
    changes with every Python process."""
    key = f"{user_id}\x1f{quiz_slug}\x1f{attempt_number}".encode()
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big")


def draw_questions(question_ids: list[str], draw: int | None, shuffle: bool,
                   rng: random.Random) -> list[str]:
    """``draw`` ids at random without replacement (all when None or at least as many as there
    are); in file order unless ``shuffle``."""
    if draw is not None and draw < 1:
        raise ValueError(f"draw must be at least 1, not {draw}")
    count = len(question_ids) if draw is None else min(draw, len(question_ids))
    if shuffle:
        # A sample comes out in random order, so it is the draw and the shuffle at once.
        return rng.sample(question_ids, count)
    if count == len(question_ids):
        return list(question_ids)
    picked = sorted(rng.sample(range(len(question_ids)), count))
    return [question_ids[index] for index in picked]


def option_order(question: Question, shuffle: bool,
                 rng: random.Random) -> list[int] | list[str] | None:
    """The display order of a question's options.

    - single_choice / multiple_response: a permutation of the option indexes (identity unless
      ``shuffle``); responses still use the original indexes.
    - matching: the right-hand items to choose from (each pair's right text and the distractors,
      each text once). Unshuffled they are sorted alphabetically: the file lists them in pair
      order, so showing that order would line every answer up with its left item.
    - any other type: None.
    """
    if isinstance(question, SingleChoice | MultipleResponse):
        order = list(range(len(question.options)))
        if shuffle:
            rng.shuffle(order)
        return order
    if isinstance(question, Matching):
        items = list(dict.fromkeys([pair.right for pair in question.pairs]
                                   + list(question.distractors)))
        if shuffle:
            rng.shuffle(items)
        else:
            items.sort(key=lambda text: (text.casefold(), text))
        return items
    return None
