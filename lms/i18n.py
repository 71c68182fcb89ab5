"""Languages: which one a person reads, and numbers, money and dates written the way it writes them.

The interface is in Dutch and English (``translations/<locale>/LC_MESSAGES/messages.po``,
compiled by the Makefile). A person's language is their own setting, else the browser's
``Accept-Language``, else the organisation default ``LMS_DEFAULT_LOCALE``. Work outside a request
(the command line, reminders) speaks the organisation default unless told otherwise
(``speaking``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale
from flask_babel import lazy_gettext as _l  # noqa: F401 - re-exported for module constants
from flask_login import current_user

babel = Babel()

#: The interface languages, in the order the account page offers them, with their own names.
LANGUAGES: dict[str, str] = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    """The person's setting, else the browser's best match, else the organisation default."""
    if not has_request_context():
        return _default()
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in LANGUAGES:
        return user_locale
    return browser_locale()


def browser_locale() -> str:
    """The browser's best match among ours (Accept-Language), else the organisation default."""
    return request.accept_languages.best_match(tuple(LANGUAGES)) or _default()


def _default() -> str:
    return current_app.config["DEFAULT_LOCALE"]


def locale_code() -> str:
    """The language being spoken now, as a code ("nl", "en"); English outside an application
    (pure functions in unit tests), as gettext is."""
    if not has_app_context():
        return "en"
    return str(get_locale() or _default())


@contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Speak ``locale`` (a person's own language for their mail) inside the block."""
    with force_locale(locale if locale in LANGUAGES else _default()):
        yield


def language_name(code: str) -> str:
    """A language's name in the language being spoken: "Engels" in Dutch, "English" in English."""
    try:
        return Locale.parse(code).get_display_name(locale_code()) or code
    except (ValueError, LookupError, UnknownLocaleError):
        # Content may name any two letters ("language: zz"): show them as they are.
        return code


# Formatting: filters in every template, functions for Python ---------------------------------


def _local(value: datetime) -> datetime:
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))


def format_date(value: date | datetime | None, *, long: bool = False) -> str:
    """"3 Dec 2026" / "3 dec 2026"; long: "3 December 2026" / "3 december 2026"."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = _local(value).date()
    return babel_dates.format_date(value, "d MMMM y" if long else "d MMM y",
                                   locale=locale_code())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = _local(value)
    return (babel_dates.format_date(local.date(), "d MMM y", locale=locale_code())
            + ", " + local.strftime("%H:%M"))


def format_time(value: datetime | None) -> str:
    return "—" if value is None else _local(value).strftime("%H:%M")


def format_number(value: float | int | Decimal | None, digits: int | None = None) -> str:
    """Grouped digits in the language's way ("1.234,5" / "1,234.5"); ``digits`` fixes the
    decimals, otherwise up to three are shown and trailing zeros dropped."""
    if value is None:
        return "—"
    if digits is None:
        return babel_numbers.format_decimal(value, locale=locale_code())
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=locale_code(),
                                        decimal_quantization=True)


def format_money(value: float | Decimal | None, currency: str = "EUR", digits: int = 2) -> str:
    """"€ 1.234,56" in Dutch, "€1,234.56" in English (``digits=0``: "€ 1.235")."""
    if value is None:
        return "—"
    if digits == 2:
        return babel_numbers.format_currency(value, currency, locale=locale_code())
    # Whole amounts (charts, summaries): the language's own pattern without its decimals.
    pattern = Locale.parse(locale_code()).currency_formats["standard"].pattern
    return babel_numbers.format_currency(value, currency, format=pattern.replace(".00", ""),
                                         locale=locale_code(), currency_digits=False)


def format_percent(value: float | None, digits: int = 0, *, fraction: bool = False) -> str:
    """A percentage: ``value`` is out of 100 unless ``fraction`` (then out of 1)."""
    if value is None:
        return "—"
    share = value if fraction else value / 100
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(share, format=pattern, locale=locale_code())


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        date=format_date,
        longdate=lambda value: format_date(value, long=True),
        datetime=format_datetime,
        time=format_time,
        number=format_number,
        money=format_money,
        percent=format_percent,
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, locale_code=locale_code,
                                 language_name=language_name)
