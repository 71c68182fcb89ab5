"""The quiz engine's pure logic: grading responses, drawing questions, and attempt rules.

Nothing here touches the database: plain values in, plain values out, so the rules that decide a
learner's score can be tested exhaustively. The words a learner reads (grading details, why an
attempt cannot start) go through Flask-Babel's gettext: the language of the request, English
outside one.

- ``grading``: score one response to one question (and reveal the correct answer).
- ``drawing``: which questions an attempt gets, in which order, and the order of their options.
- ``rules``: percentages, grading methods, attempt limits, cooldowns, time limits, revealing.
"""
