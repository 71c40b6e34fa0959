"""The ``quorum`` command: subcommands, spec files, terminal report, artefacts, protocol discovery, the gallery."""
