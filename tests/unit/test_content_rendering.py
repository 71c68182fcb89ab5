"""Rendering Markdown: extensions, link and image rewriting, sanitisation, toc and cache."""

from __future__ import annotations

import pytest

from lms.content.rendering import Rendered, TocEntry, render_markdown


def module_url(slug: str, anchor: str | None) -> str:
    return f"/learn/modules/{slug}" + (f"#{anchor}" if anchor else "")


def media_url(name: str) -> str:
    return f"/media/{name}"


def render(text: str) -> Rendered:
    return render_markdown(text, module_url=module_url, media_url=media_url)


def test_module_links_are_rewritten() -> None:
    html = render("[pricing](pricing-and-packages.md) and [lease](./pricing.md#lease)").html
    assert '<a href="/learn/modules/pricing-and-packages">pricing</a>' in html
    assert '<a href="/learn/modules/pricing#lease">lease</a>' in html


def test_media_images_are_rewritten() -> None:
    html = render("![A machine](media/bean-to-cup.svg)").html
    assert '<img alt="A machine" src="/media/bean-to-cup.svg">' in html


def test_other_links_are_kept_and_external_ones_get_rel() -> None:
    html = render("[a](https://example.com/x) [b](#top) [c](mailto:sales@example.com)").html
    assert '<a href="https://example.com/x" rel="noopener noreferrer">a</a>' in html
    assert '<a href="#top">b</a>' in html
    assert '<a href="mailto:sales@example.com">c</a>' in html


def test_toc_lists_levels_two_and_three() -> None:
    rendered = render("# Title\n\n## Families & models\n\n### Compact\n\n#### Deep\n\n## Prices\n")
    assert rendered.toc == (
        TocEntry(2, "families-models", "Families & models"),
        TocEntry(3, "compact", "Compact"),
        TocEntry(2, "prices", "Prices"),
    )
    assert '<h2 id="families-models">Families &amp; models</h2>' in rendered.html


def test_extensions_tables_fenced_code_admonitions() -> None:
    html = render(
        "| a | b |\n| :-- | --: |\n| 1 | 2 |\n\n"
        "```python\nprint('<b>')\n```\n\n"
        '!!! warning "Careful"\n    Hot water.\n'
    ).html
    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert '<pre><code class="language-python">print(\'&lt;b&gt;\')' in html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Careful</p>' in html
    assert "style" not in html


@pytest.mark.parametrize("source, forbidden", [
    ("<script>alert(1)</script>", "alert"),
    ("<SCRIPT src=//evil.example/x.js></SCRIPT>", "evil"),
    ('<p onclick="alert(1)">x</p>', "onclick"),
    ('<img src="media/a.png" alt="a" onerror="alert(1)">', "onerror"),
    ('<a href="#" onmouseover="alert(1)">x</a>', "onmouseover"),
    ("[x](javascript:alert(1))", "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<a href="  javascript:alert(1)">x</a>', "alert"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
    ('<img src="data:image/png;base64,AAAA" alt="x">', "data:"),
    ('<a href="vbscript:msgbox(1)">x</a>', "vbscript"),
    ("<style>body { display: none }</style>", "display"),
    ('<p style="position:fixed">x</p>', "style"),
    ("<iframe src=https://evil.example></iframe>", "iframe"),
    ('<div class="admonition evil">x</div>', "evil"),
    ('<code class="hljs">x</code>', "hljs"),
    ('<form action="/logout"><button>x</button></form>', "form"),
    ("<!-- a comment -->", "comment"),
])
def test_sanitiser_removes_dangerous_html(source: str, forbidden: str) -> None:
    assert forbidden.lower() not in render(source).html.lower()


@pytest.mark.parametrize("source", [
    "![Logo](https://evil.example/logo.png)",
    "![Logo](//evil.example/logo.png)",
    '<img src="https://evil.example/logo.png" alt="Logo">',
    "![Logo](images/logo.png)",
    '<img src="/media/../admin" alt="Logo">',
    '<img alt="no source">',
])
def test_images_from_elsewhere_are_dropped(source: str) -> None:
    assert "<img" not in render(source).html


def test_raw_html_media_images_are_kept() -> None:
    html = render('<img src="media/a.png" alt="A"> <img src="/media/b.png" alt="B">').html
    assert '<img src="/media/a.png" alt="A">' in html
    assert '<img src="/media/b.png" alt="B">' in html


def test_resolver_failures_are_raised_not_hidden() -> None:
    def broken(slug: str, anchor: str | None) -> str:
        raise LookupError(slug)

    with pytest.raises(LookupError):
        render_markdown("[x](other.md)", module_url=broken, media_url=media_url)


def test_cache_hit_returns_the_same_object() -> None:
    first = render("## Cached\n\ntext")
    assert render("## Cached\n\ntext") is first
    assert render("## Cached\r\n\r\ntext") is first


def test_cache_is_keyed_by_resolvers_too() -> None:
    def other_media(name: str) -> str:
        return f"/static/{name}"

    first = render("![A](media/a.png)")
    second = render_markdown("![A](media/a.png)", module_url=module_url, media_url=other_media)
    assert second is not first
    assert 'src="/static/a.png"' in second.html
