"""Helpers the tests and benchmarks share; none of them is a test.

``recorded`` (the recorded UpKeep payloads), ``retries`` (fast retry policies), ``upkeep`` (an UpKeep
client on an emulator), ``emulator`` (raw HTTP on the emulator), ``pull`` (mirror equals UpKeep),
``outbox`` (a write workload, exactly-once checks, a replayer in a child process), ``machina_plant`` and
``queries_plant`` (the plants the Machina and read-side tests build), ``serving`` (a real
``upkeep-mirror serve``), ``browser`` (headless Chromium), ``pages`` (reading served HTML),
``cli_files`` (files a command must refuse), ``waiting`` and ``measure_sync`` (a sync's time and memory).
"""
