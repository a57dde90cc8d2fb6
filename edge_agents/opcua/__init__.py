"""OPC-UA: machine links (client), certificates and security, node ids from machine profiles."""
