"""Fill given msgids in the zh_Hans catalogue (a maintainer's helper; see `make messages`).

Usage: python scripts/po_fill.py '{"English msgid": "中文", ...}'
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/zhaoshang/locale/zh_Hans/LC_MESSAGES/django.po"

po = polib.pofile(str(PO))
wanted = json.loads(sys.argv[1])
for entry in po:
    if entry.msgid in wanted:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: wanted[entry.msgid]}
        else:
            entry.msgstr = wanted[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
po.save()
left = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
print("untranslated or fuzzy:", left or "none")
