"""Reading served HTML as a person does: the visible text, and the raw timestamps people must not see."""

from __future__ import annotations

import re

#: An ISO-8601 timestamp as stored (what people must not have to read).
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def visible_text(page: str) -> str:
    """The page's text as a person reads it: no tags, attributes, scripts, or JSON behind a toggle."""
    page = re.sub(r"<details class=\"json\">.*?</details>", " ", page, flags=re.S)
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())
