"""Airflow-facing helpers: what the thin DAG files in ``dags/`` call.

Nothing here imports Airflow, dbt or Cosmos at module level except where the name says so
(``cosmos_group``): DAG files import these modules while the DAG processor parses them.

- ``config``: the environment the DAGs read (paths, warehouse target, pool, queue, retries).
- ``assets``: the Assets the DAGs produce and consume.
- ``dates``: the as-of date of a run, from its conf, triggering asset events or data interval.
- ``tasks``: the task callables; each calls a ``plcqi`` function and returns a small summary.
- ``callbacks``: the failure callback (one clear log line, e-mail when configured).
- ``cosmos_group``: the dbt project as Airflow tasks (Cosmos), one ``dbt build`` per layer.
- ``setup``: what runs before the DAG processor: the dbt manifest, the pool.
"""
