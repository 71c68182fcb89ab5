"""Fill the English catalogue: English is the language the strings are written in, so every
entry translates to itself (``make translations`` runs this after ``pybabel update``)."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def complete(path: str) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id  # a (singular, plural) tuple for plural entries
        message.flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, sort_by_file=True, include_previous=False)


if __name__ == "__main__":
    complete(sys.argv[1])
