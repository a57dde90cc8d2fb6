"""Central services on the cluster: demand, trends and design generation as Ray work."""
