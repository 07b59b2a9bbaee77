"""The safe Markdown subset of campaign texts: only the markup it names, everything else escaped."""

import pytest

from campaigns.text import render_body

pytestmark = pytest.mark.unit


def test_blank_lines_make_paragraphs_and_single_newlines_make_line_breaks():
    assert render_body("One\ntwo\n\nThree") == "<p>One<br>two</p>\n<p>Three</p>"


def test_lines_starting_with_a_dash_make_a_list_and_hashes_a_heading():
    assert render_body("## Why\n\n- no face recognition\n- no emotion recognition") == (
        "<h2>Why</h2>\n<ul><li>no face recognition</li><li>no emotion recognition</li></ul>"
    )


def test_bold_italic_and_links():
    html = render_body("**Ban** it *now*: [sign](https://example.org/a?b=1&c=2)")
    assert html == (
        '<p><strong>Ban</strong> it <em>now</em>: '
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener nofollow">sign</a></p>'
    )


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '[x](https://a.example/" onmouseover="alert(1))',
    ],
)
def test_nothing_else_becomes_markup(text):
    html = render_body(text)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.split("href=")[-1][:20]
    assert "onmouseover=\"" not in html and "onerror=\"" not in html


def test_stars_inside_a_word_stay_stars():
    assert render_body("2*3*4 and snake_case") == "<p>2*3*4 and snake_case</p>"


@pytest.mark.parametrize(
    "text, html",
    [
        # Stars in the address once became <strong> tags inside the link's own markup.
        ("[**x](https://a.example/**)", '<p><a href="https://a.example/**" rel="noopener nofollow">**x</a></p>'),
        ("[*x](https://a.example/*y*)", '<p><a href="https://a.example/*y*" rel="noopener nofollow">*x</a></p>'),
        ("[**Sign**](https://a.example/)", '<p><a href="https://a.example/" rel="noopener nofollow"><strong>Sign</strong></a></p>'),
        (
            "*a* [b](https://a.example/x*y*z) **c**",
            '<p><em>a</em> <a href="https://a.example/x*y*z" rel="noopener nofollow">b</a> <strong>c</strong></p>',
        ),
        # Emphasis never spans a link: the stars stay stars.
        ("**a [b](https://a.example/) c**", '<p>**a <a href="https://a.example/" rel="noopener nofollow">b</a> c**</p>'),
    ],
)
def test_bold_and_italic_format_text_never_the_markup_of_links(text, html):
    assert render_body(text) == html
