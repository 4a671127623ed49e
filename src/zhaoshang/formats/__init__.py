"""Number and date formats every page shows, whatever the language (``FORMAT_MODULE_PATH``).

Django's own zh_Hans formats print 2026年11月29日 and group digits by four without a
separator; a ledger reader compares columns, so every page shows 2026-11-29 and
1,234,567.89, as the bureau's Excel ledgers do.
"""
