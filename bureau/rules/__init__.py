"""
The core's rules, written once and used by every area: sign-in and the second factor, the audit
trail, who may see a whole value (`revealing`), the ledger's one-payment rule, the writes that
span records (`services`), transfers, the review inbox, the person file, the data check and the
background jobs. Rules import the records (`bureau.models`) and the base, never the kit
(admin, API, import/export, station, demo) that builds pages on them.
"""
