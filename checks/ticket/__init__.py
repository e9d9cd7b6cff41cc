"""A ticket: the technician's workspace for one case, kept as TOML between sessions.

:mod:`.model` holds the frozen dataclasses; :mod:`.store` reads and writes them.
"""
