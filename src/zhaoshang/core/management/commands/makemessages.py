"""Django's ``makemessages``, except that a catalogue whose messages did not change is left alone.

xgettext stamps every extraction with the current time and msgmerge copies that
``POT-Creation-Date`` into the ``.po``. Without this, each ``make messages`` on
an unchanged tree would rewrite the header (and so the compiled ``.mo``), and
two branches would conflict on a date. Any other change is written as usual.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management.commands import makemessages

POT_DATE = re.compile(rb'^"POT-Creation-Date: [^"\n]*"$', re.MULTILINE)


def undated(catalogue: bytes) -> bytes:
    return POT_DATE.sub(b"", catalogue, count=1)


class Command(makemessages.Command):
    def write_po_file(self, potfile: str, locale: str) -> None:
        po = Path(potfile).parent / locale / "LC_MESSAGES" / f"{self.domain}.po"
        before = po.read_bytes() if po.exists() else None
        super().write_po_file(potfile, locale)
        if before is not None and undated(po.read_bytes()) == undated(before):
            po.write_bytes(before)
