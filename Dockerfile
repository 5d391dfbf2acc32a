# The shared deployment's image: the official Airflow image plus plcqi and its locked
# dependencies (uv.lock). The checkout lives in /opt/plcqi, installed editable: dbt_project/,
# expectations/ and reports/ are found next to the package, as in a checkout.
FROM apache/airflow:3.3.2-python3.11

COPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /usr/local/bin/uv

USER root
RUN mkdir -p /opt/plcqi/data && chown -R airflow:0 /opt/plcqi
USER airflow
WORKDIR /opt/plcqi

# Dependencies first (cached while only the code changes): exactly the versions of uv.lock,
# Airflow 3.3.2 included, installed into the image's Python next to Airflow.
COPY --chown=airflow:0 pyproject.toml uv.lock README.md ./
RUN uv export --frozen --no-dev --no-emit-project --no-hashes -o "$HOME/requirements.txt" \
 && pip install --no-cache-dir -r "$HOME/requirements.txt" \
 && rm "$HOME/requirements.txt"

COPY --chown=airflow:0 src ./src
COPY --chown=airflow:0 dags ./dags
COPY --chown=airflow:0 dbt_project ./dbt_project
COPY --chown=airflow:0 expectations ./expectations
COPY --chown=airflow:0 reports ./reports
COPY --chown=airflow:0 scripts ./scripts
RUN pip install --no-cache-dir --no-deps -e .

ENV PLCQI_DATA_DIR=/opt/plcqi/data \
    PLCQI_DBT_PROJECT_DIR=/opt/plcqi/dbt_project \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/plcqi/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DO_NOT_TRACK=1
