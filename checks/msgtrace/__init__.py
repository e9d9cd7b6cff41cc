"""Microsoft 365 message trace exports: reading, columns, statuses and matching to samples."""
