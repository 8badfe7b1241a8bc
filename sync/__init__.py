"""Everything that speaks to UpKeep: client, mapping, pull, outbox replay, scheduler, emulator, CLI."""
