"""Ingest: landing files checked against the input contract into the raw zone.

``contract`` (the input contract as data), ``read`` (parsing a file), ``checks`` and
``duplicates`` (the contract's rules as SQL), ``extract`` (one file into raw and quarantine),
``pseudonymize`` (keyed hashes), ``rawzone`` (the zone's files, names and columns),
``tracker_db`` (the tracker database pull) and ``run`` (every file of a source, once).
"""
