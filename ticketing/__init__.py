"""Everything that is not channel-specific: storage, ingest, workflow, SLA, recaps."""
