"""Today's boosters on the learner's dashboard: answering one, pausing them for a holiday, and
getting them by mail each day (the last two from the account page too).

A booster is answered one at a time: the form posts here, the answer is graded and recorded,
and the dashboard shows the feedback with the next question (``?answered=<review id>``)."""

from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boosters.cards import answer, pause, todays_boosters
from lms.boosters.mail import choose_mail
from lms.clock import local_today
from lms.extensions import db
from lms.forms import ActionForm
from lms.i18n import format_date
from lms.learn.answers import response_from_form
from lms.learn.booster_forms import BoosterMailForm, PauseForm
from lms.models import BoosterCard, utcnow

bp = Blueprint("boosters", __name__)


def _back():  # noqa: ANN202
    target = request.form.get("next")
    return redirect(url_for("auth.account") if target == "account"
                    else url_for("learn.dashboard") + "#boosters")


def _seconds() -> float | None:
    """How long the question was on screen (the page says when it was shown)."""
    try:
        return max(time.time() - float(request.form.get("shown_at", "")), 0)
    except ValueError:
        return None


@bp.route("/<int:card_id>", methods=["POST"])
@login_required
def answer_booster(card_id: int):  # noqa: ANN201
    card = db.session.get(BoosterCard, card_id)
    if card is None or card.user_id != current_user.id:
        abort(404)  # another person's card does not exist for you
    if not ActionForm().validate_on_submit():
        abort(400)
    now = utcnow()
    today = todays_boosters(current_user, local_today(), now=now)
    booster = next((b for b in today.due if b.card.id == card.id), None)
    done = booster and answer(booster, response_from_form(booster.question, request.form),
                              now=now, seconds=_seconds())
    if not done:
        db.session.commit()  # cards whose question left the quiz stay retired
        flash(_("That booster is not due now: it was answered already, or today's boosters "
                "are done."), "info")
        return redirect(url_for("learn.dashboard") + "#boosters")
    db.session.commit()
    return redirect(url_for("learn.dashboard", answered=done.review.id) + "#boosters")


@bp.route("/pause", methods=["POST"])
@login_required
def pause_boosters():  # noqa: ANN201
    form = PauseForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back()
    pause(current_user, form.until.data)
    db.session.commit()
    flash(_("Boosters are paused until %(day)s.",
            day=format_date(form.until.data, long=True)), "success")
    return _back()


@bp.route("/resume", methods=["POST"])
@login_required
def resume_boosters():  # noqa: ANN201
    if not ActionForm().validate_on_submit():
        abort(400)
    pause(current_user, None)
    db.session.commit()
    flash(_("Boosters are back on."), "success")
    return _back()


@bp.route("/mail", methods=["POST"])
@login_required
def booster_mail():  # noqa: ANN201
    form = BoosterMailForm()
    if not form.validate_on_submit():
        abort(400)
    choose_mail(current_user, bool(form.mail.data))
    db.session.commit()
    flash(_("You will get your boosters by mail on the days they wait for you.")
          if form.mail.data else _("You will no longer get your boosters by mail."), "success")
    return redirect(url_for("auth.account"))
