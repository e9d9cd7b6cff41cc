"""DMARC (RFC 7489): policy discovery, the record parser, alignment and evaluation."""
