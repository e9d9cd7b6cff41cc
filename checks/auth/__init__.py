"""Authentication protocols evaluated now: SPF, DKIM and its keys, ARC, DMARC."""
