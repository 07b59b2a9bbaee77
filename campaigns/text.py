"""A safe subset of Markdown for campaign texts.

Everything is HTML-escaped first; then blank lines make paragraphs, lines
starting with "- " make a list, "## " a heading, **bold**, *italic* and
[text](https://…) links. Nothing else can produce markup.

Bold and italic apply to text only: a line is cut into links and the text
between them, and each piece of text (a link's label included) is formatted
on its own, so stars in an address never become tags inside the link's
markup, and emphasis never spans a link.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LINK = re.compile(r"\[([^\[\]]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def emphasis(html: str) -> str:
    """Bold and italic in a piece of escaped text with no markup in it."""
    html = BOLD.sub(r"<strong>\1</strong>", html)
    return ITALIC.sub(r"<em>\1</em>", html)


def inline(text: str) -> str:
    html = escape(text)
    pieces = []
    position = 0
    for link in LINK.finditer(html):
        pieces.append(emphasis(html[position : link.start()]))
        label, href = link.group(1), link.group(2)
        pieces.append(f'<a href="{href}" rel="noopener nofollow">{emphasis(label)}</a>')
        position = link.end()
    pieces.append(emphasis(html[position:]))
    return "".join(pieces)


def render_body(text: str) -> SafeString:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{inline(line[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            parts.append(f"<h2>{inline(lines[0][3:])}</h2>")
        else:
            parts.append("<p>" + "<br>".join(inline(line) for line in lines) + "</p>")
    return mark_safe("\n".join(parts))
