"""What a preview shows for each kind of content, from its text (saved or not)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from lms.content.parsing import parse_module, parse_path, parse_quiz
from lms.content.rendering import render_markdown, without_title_heading
from lms.extensions import db
from lms.models import ContentItem, ContentKind


def author_module_url(slug: str, anchor: str | None) -> str:
    return url_for("author.view", kind="modules", slug=slug) + (f"#{anchor}" if anchor else "")


def media_url(name: str) -> str:
    return url_for("learn.media", name=name)


def markdown_html(text: str | None) -> str:
    """Rendered, sanitised HTML of a Markdown snippet (prompts, explanations, descriptions)."""
    if not text:
        return ""
    return render_markdown(text, module_url=author_module_url, media_url=media_url).html


def preview_context(kind: ContentKind, slug: str, text: str) -> dict[str, Any]:
    """Template variables for the preview of ``text``; ``doc`` is None when it does not parse."""
    if kind is ContentKind.MODULE:
        doc = parse_module(text, slug).doc
        rendered = (render_markdown(without_title_heading(doc.body, doc.title),
                                    module_url=author_module_url, media_url=media_url)
                    if doc else None)
        return {"doc": doc, "rendered": rendered}
    if kind is ContentKind.QUIZ:
        return {"doc": parse_quiz(text, slug).doc, "markdown_html": markdown_html}
    doc = parse_path(text, slug).doc
    titles = {}
    if doc is not None:
        slugs = [entry.module for entry in doc.modules]
        titles = {item.slug: item.current_version.title for item in db.session.scalars(
            select(ContentItem).where(ContentItem.kind == ContentKind.MODULE.value,
                                      ContentItem.slug.in_(slugs)))
            if item.current_version is not None}
    return {"doc": doc, "module_titles": titles, "markdown_html": markdown_html}
