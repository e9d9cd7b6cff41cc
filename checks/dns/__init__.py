"""DNS: the async resolver, the query log types, zone data and the in-process test server.

Importing this package does not import dnspython; only :mod:`.resolver` and the zone server do."""
