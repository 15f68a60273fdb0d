"""A served HTML page as the tests read it: its text, links, table rows and elements, via the stdlib parser.

Parsing (rather than searching the markup) is what makes the escaping tests mean something: a label
holding `<script>` must come out of the parser as text, never as an element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Row:
    text: str = ""
    hrefs: list[str] = field(default_factory=list)


class Page(HTMLParser):
    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.rows: list[Row] = []
        self.nav: list[tuple[str, str, str | None]] = []  # the <nav>'s links: (href, text, aria-current)
        self.lang: str | None = None  # the <html> element's
        self._texts: list[str] = []
        self._open_link: list[str] | None = None
        self._href = ""
        self._row_depth = 0
        self._nav_depth = 0
        self._current: str | None = None
        self.feed(markup)
        self.close()

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._texts).split())

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attributes for tag, attributes in self.elements if tag == name]

    def rows_with(self, text: str) -> list[Row]:
        return [row for row in self.rows if text in row.text]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "nav":
            self._nav_depth += 1
        if tag == "a":
            self._open_link, self._href = [], attributes.get("href") or ""
            self._current = attributes.get("aria-current")
            if self._row_depth:
                self.rows[-1].hrefs.append(self._href)
        elif tag == "tr":
            self.rows.append(Row())
            self._row_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link is not None:
            text = " ".join(" ".join(self._open_link).split())
            self.links.append((self._href, text))
            if self._nav_depth:
                self.nav.append((self._href, text, self._current))
            self._open_link = None
        elif tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
        elif tag == "tr" and self._row_depth:
            self._row_depth -= 1
            self.rows[-1].text = " ".join(self.rows[-1].text.split())

    def handle_data(self, data: str) -> None:
        self._texts.append(data)
        if self._open_link is not None:
            self._open_link.append(data)
        if self._row_depth:
            self.rows[-1].text += " " + data

    def hrefs_to(self, href: str) -> list[str]:
        """The texts of the links to `href`."""
        return [text for target, text in self.links if target == href]
