"""tally: count things over HTTP (plain WSGI)."""
