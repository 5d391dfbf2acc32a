"""Atomic warehouse builds: dbt never writes the warehouse that readers open.

A build (``plcqi transform``, ``plcqi run``, the Airflow transform DAG) has three steps:

1. **Inputs.** A snapshot of the raw zone's committed, current files
   (``Zone.raw_files(dataset, schema_file=True)`` of every dataset) and of the published
   history, taken when the build starts: hard links (copies where the file system refuses
   links) under ``warehouse/building/<id>/inputs/``, laid out as the data folder
   (``raw/<dataset>/<file>``, ``history/<as_of>/<file>``). dbt's sources read that folder
   (``PLCQI_DBT_INPUT_DIR``), so what is ingested during a build goes into the next build,
   never half into this one.
2. **Build.** On DuckDB dbt writes a new file, ``warehouse/building/<id>/plcqi.duckdb``
   (``PLCQI_DBT_WAREHOUSE``); on Postgres it writes schemas with the suffix ``__build_<id>``
   (``PLCQI_DBT_SCHEMA_SUFFIX``, see ``macros/generate_schema_name.sql``), the raw copy
   included (``raw__build_<id>``).
3. **Promotion**, only of a build whose models and error-severity tests all passed (and,
   when the caller asks, the marts quality gate on the new build): on DuckDB one
   ``os.replace`` of the new file onto ``warehouse/plcqi.duckdb``; on Postgres the schemas
   renamed in one transaction. A reader sees the previous build up to that instant and the
   new one after it, never a mix.

A build that fails is kept aside for inspection (``warehouse/failed.duckdb``, schemas
``<name>__failed`` on Postgres) and the warehouse keeps the previous build. A killed build
leaves its folder (or its schemas) behind; the next build removes them.

Builds of a data folder take turns. ``plcqi transform`` holds the lock ``transform``
(:func:`plcqi.locks.exclusive`) from start to promotion and builds as id ``cli`` (a fixed
path keeps dbt's partial parsing valid from one build to the next). An Airflow run builds
as ``airflow-<run>`` across its tasks (``plcqi.orchestration.tasks``); the transform DAG runs
one at a time, and its first task removes what earlier runs left.

A build whose inputs are those of the current warehouse's build changes nothing: beside the
warehouse, ``warehouse/inputs.sha256`` holds the fingerprint of what its build was made of
(:func:`fingerprint`: the snapshot's files, the dbt project, the target, the dbt vars and
flags, dbt's and DuckDB's versions) and the file's size and time. ``plcqi transform`` compares
a new snapshot's fingerprint with it and, when they match, keeps the warehouse as it is
(``TransformResult.up_to_date``). Every promotion removes the file before its rename, and
only ``plcqi transform`` writes it again after: a build promoted any other way, or a
warehouse changed since, is never taken as up to date.

Readers open the current warehouse read-only through :func:`open_read_only`: the last
complete build, whatever is being built. While a new build is validated before its promotion
(:func:`reading`), the readers of that data folder in this process read the new build.

The environment variables above are plcqi's own instructions to dbt, not settings: their
defaults (``dbt_project/profiles.yml``, the sources) make a plain ``dbt build`` read the raw
zone and write ``warehouse/plcqi.duckdb`` directly, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from plcqi import history, paths

# What plcqi tells dbt through the environment (read by profiles.yml, the generated sources
# and macros/generate_schema_name.sql).
ENV_WAREHOUSE = "PLCQI_DBT_WAREHOUSE"
ENV_INPUTS = "PLCQI_DBT_INPUT_DIR"
ENV_SCHEMA_SUFFIX = "PLCQI_DBT_SCHEMA_SUFFIX"

BUILDING = "building"
INPUTS = "inputs"
FAILED_FILE = "failed.duckdb"
CLI_BUILD = "cli"
AIRFLOW_PREFIX = "airflow-"
SUFFIX_PREFIX = "__build_"
FAILED_SUFFIX = "__failed"
LOCK_NAME = "transform"
LOCK_WHAT = "the warehouse build"


class WarehouseUnavailable(RuntimeError):
    """No warehouse to read, or it cannot be opened; the message says which, plainly."""


FINGERPRINT_FILE = "inputs.sha256"


def warehouse_dir(data_dir: Path | str) -> Path:
    """``DATA_DIR/warehouse``: the current build, the builds under way and the failed one."""
    return paths.warehouse(data_dir).parent


def building_dir(data_dir: Path | str) -> Path:
    """``DATA_DIR/warehouse/building``: one folder per build under way (or killed).

    >>> building_dir("/srv/plcqi").as_posix()
    '/srv/plcqi/warehouse/building'
    """
    return warehouse_dir(data_dir) / BUILDING


def failed_path(data_dir: Path | str) -> Path:
    """Where the last build that failed is kept for inspection.

    >>> failed_path("/srv/plcqi").as_posix()
    '/srv/plcqi/warehouse/failed.duckdb'
    """
    return warehouse_dir(data_dir) / FAILED_FILE


def airflow_build_id(run_id: str) -> str:
    """The build id of an Airflow DAG run: readable, a safe file name, one per run id.

    >>> airflow_build_id("scheduled__2026-07-01T00:00:00+00:00")[:-10]
    'airflow-scheduled__2026-07-01T00_00_00_00_00-'
    """
    readable = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)[:48]
    digest = hashlib.sha1(run_id.encode()).hexdigest()[:10]
    return f"{AIRFLOW_PREFIX}{readable}-{digest}"


@dataclass(frozen=True)
class Build:
    """One build of the warehouse of ``data_dir`` on ``target``."""

    data_dir: Path
    target: str
    id: str = CLI_BUILD

    @property
    def folder(self) -> Path:
        return building_dir(self.data_dir) / self.id

    @property
    def path(self) -> Path:
        """The new DuckDB file (the same name as the warehouse's, in the build's folder)."""
        return self.folder / paths.WAREHOUSE_FILE

    @property
    def inputs(self) -> Path:
        return self.folder / INPUTS

    @property
    def schema_suffix(self) -> str:
        """The suffix of the build's Postgres schemas (short: identifiers end at 63 bytes).

        >>> Build(Path("/d"), "postgres").schema_suffix
        '__build_cli'
        >>> len(Build(Path("/d"), "postgres", airflow_build_id("manual__x")).schema_suffix)
        19
        """
        if self.id == CLI_BUILD:
            return SUFFIX_PREFIX + CLI_BUILD
        return SUFFIX_PREFIX + "a" + hashlib.sha1(self.id.encode()).hexdigest()[:10]

    def dbt_env(self) -> dict[str, str]:
        """The environment dbt builds this build with."""
        env = {ENV_INPUTS: str(self.inputs)}
        if self.target == "duckdb":
            env[ENV_WAREHOUSE] = str(self.path)
        else:
            env[ENV_SCHEMA_SUFFIX] = self.schema_suffix
        return env

    def describe(self) -> dict[str, object]:
        """What an Airflow task passes on to the next ones (JSON)."""
        return {
            "id": self.id,
            "target": self.target,
            "data_dir": str(self.data_dir),
            "dbt_env": self.dbt_env(),
        }

    @classmethod
    def from_description(cls, value: dict) -> Build:
        return cls(Path(value["data_dir"]), value["target"], value["id"])


# -- starting a build ---------------------------------------------------------------------


def is_airflow(build_id: str) -> bool:
    return build_id.startswith(AIRFLOW_PREFIX)


def remove_leftovers(data_dir: Path | str, keep: str) -> list[Path]:
    """Remove the folders that killed builds left under ``warehouse/building/``: every other
    build of the same kind as ``keep`` (``plcqi transform`` builds, which take turns under the
    transform lock, or Airflow runs, one at a time), and ``keep``'s own from an earlier try.
    Returns the folders removed."""
    root = building_dir(data_dir)
    if not root.is_dir():
        return []
    removed = []
    for folder in sorted(root.iterdir()):
        if is_airflow(folder.name) == is_airflow(keep):
            _remove(folder)
            removed.append(folder)
    return removed


def start(
    data_dir: Path | str, target: str, build_id: str = CLI_BUILD, *, seed: Path | None = None
) -> Build:
    """A new build: leftovers removed, its folder made, the inputs snapshot taken; on DuckDB,
    ``seed`` (a warehouse file) copied in as its starting point when given (a partial build,
    ``--select``, updates a copy of the current warehouse)."""
    build = Build(paths.data_dir(data_dir), target, build_id)
    remove_leftovers(build.data_dir, keep=build_id)
    for attempt in range(3):  # another build's discard() may remove the empty parent meanwhile
        try:
            build.folder.mkdir(parents=True)
            break
        except FileNotFoundError:
            if attempt == 2:
                raise
    snapshot_inputs(build.data_dir, build.inputs)
    if target == "duckdb" and seed is not None and seed.is_file():
        shutil.copyfile(seed, build.path)
    return build


def snapshot_inputs(data_dir: Path, inputs: Path) -> dict[str, int]:
    """Link the committed raw files of every dataset and the published history files into
    ``inputs`` (see the module docstring); returns the files per dataset."""
    from plcqi.ingest import contract
    from plcqi.ingest.rawzone import Zone

    zone = Zone(data_dir)
    counts: dict[str, int] = {}
    for ds in contract.DATASETS:
        counts[ds.name] = _link_all(
            lambda ds=ds: zone.raw_files(ds.name, schema_file=True),
            lambda f, ds=ds: inputs / "raw" / ds.name / f.name,
        )
    counts["history"] = _link_all(
        # not a folder being written or replaced (history.write's hidden temporary names)
        lambda: [f for f in history.headline_files(data_dir) if not f.parent.name.startswith(".")],
        lambda f: inputs / "history" / f.parent.name / f.name,
    )
    return counts


def raw_files(inputs: Path, dataset: str) -> list[Path]:
    """A dataset's files in a build's inputs snapshot, in the raw zone's order (schema file
    first)."""
    return sorted((inputs / "raw" / dataset).glob("*.parquet"))


def history_files(inputs: Path) -> list[Path]:
    """The published headline files in a build's inputs snapshot."""
    return sorted((inputs / "history").glob(f"*/{history.HEADLINES}.parquet"))


def fingerprint(inputs: Path, target: str, run_vars: dict, flags: tuple[str, ...]) -> str:
    """What a build is made of, as a sha256: the files of its inputs snapshot (path and size:
    raw files are immutable, a new version is a new file), every file of the dbt project,
    the target, the dbt vars (the as-of date, the settings), the build's flags, and the
    versions of dbt and DuckDB.

    Published history of the as-of date or later is left out: no mart reads it (the
    headline changes compare with the publication before the as-of date), and publishing
    the reports writes the as-of date's own, which must not make the next run rebuild."""
    digest = hashlib.sha256()
    as_of = str(run_vars.get("as_of_date", ""))

    def add(*parts: object) -> None:
        digest.update(("\x1f".join(str(p) for p in parts) + "\n").encode())

    add("target", target, *flags)
    add("vars", json.dumps(run_vars, sort_keys=True, default=str))
    add("versions", *(version(p) for p in ("dbt-core", "dbt-duckdb", "duckdb")))
    for f in sorted(p for p in inputs.rglob("*") if p.is_file()):
        rel = f.relative_to(inputs)
        if rel.parts[0] == "history" and len(rel.parts) > 2 and rel.parts[1] >= as_of and \
                rel.parts[1][:1].isdigit():
            continue
        add("input", rel.as_posix(), f.stat().st_size)
    project = paths.dbt_project_dir()
    for f in sorted(project.rglob("*")):
        rel = f.relative_to(project)
        if f.is_file() and not any(part.startswith(".") or part in ("target", "logs",
                                   "dbt_packages") for part in rel.parts):
            add("project", rel.as_posix(), hashlib.sha256(f.read_bytes()).hexdigest())
    return digest.hexdigest()


def _warehouse_stamp(data_dir: Path) -> str | None:
    target = paths.warehouse(data_dir)
    with suppress(FileNotFoundError):
        st = target.stat()
        return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"
    return None


def is_up_to_date(data_dir: Path | str, made_of: str) -> bool:
    """Whether the current DuckDB warehouse was built by ``plcqi transform`` from inputs
    whose fingerprint is ``made_of``, and is unchanged since."""
    data_dir = paths.data_dir(data_dir)
    stamp = _warehouse_stamp(data_dir)
    try:
        recorded = (warehouse_dir(data_dir) / FINGERPRINT_FILE).read_text().split("\n")
    except (FileNotFoundError, UnicodeDecodeError):
        return False
    return stamp is not None and recorded[:2] == [made_of, stamp]


def record_fingerprint(data_dir: Path | str, made_of: str) -> None:
    """After a promotion: the current warehouse is the build of ``made_of``."""
    from plcqi.files import write_atomic

    data_dir = paths.data_dir(data_dir)
    stamp = _warehouse_stamp(data_dir)
    if stamp is not None:
        write_atomic(warehouse_dir(data_dir) / FINGERPRINT_FILE, f"{made_of}\n{stamp}\n")


def _link_all(listing, destination, attempts: int = 3) -> int:
    """Link every file ``listing()`` names to ``destination(file)``. A file that disappears
    between the listing and the link (a history folder being replaced) restarts the
    listing."""
    for attempt in range(attempts):
        files = listing()
        made: list[Path] = []
        try:
            for f in files:
                target = destination(f)
                if target.exists():
                    raise ValueError(f"two input files are both named {target.name}: {f}")
                target.parent.mkdir(parents=True, exist_ok=True)
                _link(f, target)
                made.append(target)
            return len(made)
        except FileNotFoundError:
            for target in made:
                target.unlink(missing_ok=True)
            if attempt == attempts - 1:
                raise
    return 0


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:  # another file system, or links not allowed: a copy
        shutil.copyfile(source, target)


# -- finishing a build --------------------------------------------------------------------


def finalize(path: Path) -> None:
    """Make a built DuckDB file whole on disk before it is renamed: everything in the file
    (a checkpoint, so no write-ahead log is left beside it) and flushed."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    wal = _wal(path)
    if wal.exists():
        raise RuntimeError(f"{path}: its write-ahead log {wal.name} remains after a checkpoint")
    _fsync(path)


def manifest_relations(manifest: Path) -> list[tuple[str, str]]:
    """(schema, name) of every model dbt's ``manifest.json`` says a build creates."""
    import json

    nodes = json.loads(Path(manifest).read_text()).get("nodes", {})
    return sorted(
        (node["schema"], node.get("alias") or node["name"])
        for node in nodes.values()
        if node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") != "ephemeral"
    )


def missing_models(build: Build, expected: list[tuple[str, str]]) -> list[str]:
    """The (schema, table) relations of ``expected`` that the DuckDB build lacks."""
    import duckdb

    con = duckdb.connect(str(build.path), read_only=True)
    try:
        present = set(
            con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        )
    finally:
        con.close()
    return [f"{s}.{t}" for s, t in expected if (s, t) not in present]


def promote(build: Build) -> str:
    """Make ``build`` the warehouse and remove its folder; returns where the warehouse is.
    DuckDB: the finished file renamed onto ``warehouse/plcqi.duckdb`` (one ``os.replace``);
    Postgres: the build's schemas renamed onto the current ones in one transaction."""
    if build.target != "duckdb":
        from plcqi.transform.postgres import PgTarget, swap_schemas

        pg = PgTarget.from_env()
        swapped = swap_schemas(pg, build.schema_suffix)
        discard(build)
        return f"Postgres database {pg.dbname}, schemas {', '.join(swapped)}"
    if not build.path.is_file():
        raise RuntimeError(f"no build at {build.path}: nothing to promote")
    finalize(build.path)
    target = paths.warehouse(build.data_dir)
    # The fingerprint is of the build being replaced; plcqi transform records the new one.
    (warehouse_dir(build.data_dir) / FINGERPRINT_FILE).unlink(missing_ok=True)
    # A write-ahead log beside the current file (a plain `dbt build` killed) belongs to the
    # file being replaced: DuckDB would replay it into the new one.
    _wal(target).unlink(missing_ok=True)
    os.replace(build.path, target)
    _fsync(target.parent)
    discard(build)
    return str(target)


def set_aside(build: Build) -> str | None:
    """Keep a failed build for inspection (replacing the previous failed one) and remove its
    folder. Returns where it is, None when nothing was built."""
    if build.target != "duckdb":
        from plcqi.transform.postgres import PgTarget, set_aside_schemas

        kept = set_aside_schemas(PgTarget.from_env(), build.schema_suffix)
        discard(build)
        return ("schemas " + ", ".join(kept)) if kept else None
    kept = None
    if build.path.is_file():
        target = failed_path(build.data_dir)
        try:
            finalize(build.path)
        except Exception:  # noqa: BLE001 - a broken file is kept as it is, log and all
            wal = _wal(build.path)
            if wal.exists():
                os.replace(wal, _wal(target))
        else:
            _wal(target).unlink(missing_ok=True)
        os.replace(build.path, target)
        kept = str(target)
    discard(build)
    return kept


def discard(build: Build) -> None:
    """Remove the build's folder (its inputs snapshot, anything dbt left), and the folder of
    builds when no other build is under way."""
    _remove(build.folder)
    with suppress(OSError):  # another build's folder is there (or it is gone already)
        build.folder.parent.rmdir()


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if folder.exists():  # pragma: no cover - a file being written under it again
        shutil.rmtree(folder)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- reading ------------------------------------------------------------------------------

_candidates: dict[Path, Path] = {}


@contextmanager
def reading(data_dir: Path | str, build_file: Path) -> Iterator[Path]:
    """Within the block, readers of ``data_dir``'s warehouse in this process
    (:func:`open_read_only`) read ``build_file``: the marts gate validates a new build before
    its promotion."""
    key = paths.data_dir(data_dir)
    previous = _candidates.get(key)
    _candidates[key] = Path(build_file)
    try:
        yield Path(build_file)
    finally:
        if previous is None:
            _candidates.pop(key, None)
        else:
            _candidates[key] = previous


def current(data_dir: Path | str) -> Path:
    """The DuckDB file readers of ``data_dir`` open: the warehouse, or the build being
    validated (:func:`reading`)."""
    key = paths.data_dir(data_dir)
    return _candidates.get(key) or paths.warehouse(key)


def open_read_only(data_dir: Path | str):
    """A read-only DuckDB connection to the current warehouse (UTC), or
    :class:`WarehouseUnavailable` with one plain sentence."""
    import duckdb

    path = current(data_dir)
    if not path.is_file():
        raise WarehouseUnavailable(
            f"no warehouse at {path}: run `plcqi transform` (or `plcqi run`) first"
        )
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        raise WarehouseUnavailable(
            f"cannot open the warehouse {path} read-only: {_first_line(e)}"
        ) from None
    try:
        con.execute("set TimeZone = 'UTC'")
    except duckdb.Error:
        con.close()
        raise
    return con


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
