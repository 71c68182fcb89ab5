"""Trainers' content files: parsing, validating and rendering modules, quizzes and learning paths.

The file formats are specified in ``docs/authoring.md``. Nothing in this package needs Flask except
the ``lms content`` command in ``checkcmd.py``.
"""
