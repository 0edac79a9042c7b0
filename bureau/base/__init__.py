"""
What the records are built on: township scoping as a QuerySet, the version check, the masks,
bulk inserts, the query-string allow-list, the log filters. These modules import nothing of
the project (import-linter's layers contract in `.importlinter` holds them to it), so the
models, the rules and the kit can all use them without an import loop.
"""
