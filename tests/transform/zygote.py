"""A process that starts ``plcqi`` commands as children of its own, already past their
imports: each child is a ``fork()`` of it running the command's code (``plcqi.cli.main``),
a real process that a test can SIGKILL at any moment, without paying Python's and dbt's
imports (several seconds of CPU each) per command.

Protocol: one JSON object per line on stdin, one answer per line on stdout.

- ``{"op": "run", "argv": [...], "env": {...}, "out": "<file>"}``: start ``plcqi <argv>``
  with ``env`` added to the environment and its stdout and stderr in ``out``; answers
  ``{"pid": <pid>}``.
- ``{"op": "python", "code": "...", "env": ..., "out": ...}``: the same for Python code.
- ``{"op": "wait", "pid": <pid>, "timeout": <s>}``: answers ``{"returncode": <n>, "cpu":
  <s>}`` (minus the signal number for a killed child; its CPU seconds), or
  ``{"returncode": null}`` after ``timeout``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback

# What `plcqi transform`, `plcqi ingest` and the reports import, imported once here.
import dbt.adapters.duckdb  # noqa: F401
import dbt.cli.main  # noqa: F401
import dbt.parser.manifest  # noqa: F401
import dbt.task.build  # noqa: F401

import plcqi.cli
import plcqi.ingest.run  # noqa: F401
import plcqi.publish  # noqa: F401
import plcqi.publish.api  # noqa: F401
import plcqi.transform.build  # noqa: F401


def _child(request: dict) -> None:
    fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ.update(request.get("env") or {})
    code = 0
    try:
        if request["op"] == "run":
            plcqi.cli.main(request["argv"], prog_name="plcqi", standalone_mode=True)
        else:
            exec(request["code"], {"__name__": "__zygote_child__"})
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:  # noqa: BLE001 - the child reports and ends
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _wait(pid: int, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return {
                "returncode": os.waitstatus_to_exitcode(status),
                "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            }
        if time.monotonic() >= deadline:
            return {"returncode": None}
        time.sleep(0.02)


def main() -> None:
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] in ("run", "python"):
            pid = os.fork()
            if pid == 0:
                _child(request)
            answer = {"pid": pid}
        elif request["op"] == "wait":
            answer = _wait(request["pid"], request.get("timeout", 600))
        else:
            answer = {"error": f"unknown op {request['op']!r}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
