"""SPF (RFC 7208): record, macros, addresses, prefetch, evaluation and the tree view."""
