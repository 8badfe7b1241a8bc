"""Outbox -> UpKeep: the replayer, its parallel rounds, matching a lost answer, one handler per operation kind."""
