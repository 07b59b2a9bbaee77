"""A safe subset of Markdown for campaign texts.

Everything is HTML-escaped first; then blank lines make paragraphs, lines
starting with "- " make a list, "## " a heading, **bold**, *italic* and
[text](https://…) links. Nothing else can produce markup.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LINK = re.compile(r"\[([^\[\]]+)\]\(((?:https?://|mailto:)[^\s()<>\"]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def inline(text: str) -> str:
    html = escape(text)
    html = LINK.sub(r'<a href="\2" rel="noopener nofollow">\1</a>', html)
    html = BOLD.sub(r"<strong>\1</strong>", html)
    return ITALIC.sub(r"<em>\1</em>", html)


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
