"""Real systems under test: start them on 127.0.0.1, drive clients against them, inject faults on a
schedule, record what was observed, and check the history against Quorum's models (Jepsen's way)."""
