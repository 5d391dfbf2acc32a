"""What runs before the DAG processor parses the DAGs (``python -m plcqi.orchestration.setup``).

Builds dbt's manifest (``dbt parse``, no warehouse access; the transform DAG's promote task
checks builds against it) at ``config.manifest_path()``, and writes the zero-row schema files
of the raw zone so dbt's sources resolve before a first delivery. The one-slot DuckDB pool is
created with the Airflow CLI by the scripts (``airflow pools set plcqi_duckdb 1 ...``).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from plcqi.orchestration import config

POOL_DESCRIPTION = "The DuckDB warehouse: one writer at a time"


def build_manifest(target: str | None = None) -> Path:
    """``dbt parse`` of the project for ``target``; the manifest ends at
    ``config.manifest_path()`` (copied there when PLCQI_DBT_MANIFEST points elsewhere)."""
    from plcqi.transform import build as transform

    target = target or config.warehouse_target()
    data_dir = config.data_dir()
    transform.ensure_source_files(data_dir)
    built = transform.parse(data_dir, target=target)
    wanted = config.manifest_path()
    if built.resolve() != wanted.resolve():
        wanted.parent.mkdir(parents=True, exist_ok=True)
        tmp = wanted.with_suffix(".json.tmp")
        shutil.copyfile(built, tmp)
        tmp.replace(wanted)
    return wanted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=config.TARGETS, default=None)
    args = parser.parse_args(argv)
    print(f"plcqi: dbt manifest: {build_manifest(args.target)}")


if __name__ == "__main__":
    main()
