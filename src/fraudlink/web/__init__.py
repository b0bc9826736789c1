"""The node's HTTP face: the exchange inbox now, the web UI on top of it later."""
