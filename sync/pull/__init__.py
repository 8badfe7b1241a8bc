"""UpKeep -> mirror: the run, fetching pages, mapping them (in a worker process for big listings), saving, field work, file content."""
