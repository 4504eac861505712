"""Text as the toolkit accepts and shows it, below everything else.

The characters refused in any user text and the spreadsheet-safe form of a cell
(:mod:`~toolkit.text.characters`), how dates, numbers and quarters are worded on a page
(:mod:`~toolkit.text.display`), and the Jinja2 environment every template renders in
(:mod:`~toolkit.text.templating`) with its allow-list sandbox (:mod:`~toolkit.text.sandbox`).
"""
