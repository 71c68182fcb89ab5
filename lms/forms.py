"""Forms shared by every audience."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes something (withdraw, undo, deactivate): the CSRF token only."""
