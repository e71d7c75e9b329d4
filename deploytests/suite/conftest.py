"""Suite-local fixtures: none; the suite uses the plugin's public fixtures (see test_promises.py for the gate's
own: the servers' facts, gathered once per server, and what the servers should look like)."""
