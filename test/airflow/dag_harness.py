"""Loads the platform's DAG with small stand-ins for Airflow and the Kubernetes client, and
prints, as JSON, what it declares (its params and tasks), and what its task does against a
fake Kubernetes API. The tests read it to check the DAG as a program
(test/airflow.test.ts), without an Airflow installation.

usage: python3 dag_harness.py <dag file> [<request.json>]
  (llm_platform_settings.json and llm_platform_runs.py beside the DAG file)
  request: {"template": <Job>, "params": {...}, "run_id": "...", "exists": bool, "outcome": "Complete" | "Failed"}
"""
import contextlib
import io
import json
import os
import runpy
import sys
import types

TASKS = []
DAGS = []


class Param:
    def __init__(self, default=None, **schema):
        self.default = default
        self.schema = schema


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.params = kwargs.get("params", {})
        self.paused_upon_creation = kwargs.get("is_paused_upon_creation", True)
        DAGS.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class PythonOperator:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        TASKS.append(self)


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__path__ = []
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


class ApiException(Exception):
    def __init__(self, status):
        super().__init__(status)
        self.status = status


CALLS = []
REQUEST = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else {}


class Obj:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class CoreV1Api:
    def read_namespaced_config_map(self, name, namespace):
        CALLS.append({"call": "read_config_map", "name": name, "namespace": namespace})
        return Obj(data={"job.json": json.dumps(REQUEST["template"])})


class BatchV1Api:
    def create_namespaced_job(self, namespace, body):
        CALLS.append({"call": "create_job", "namespace": namespace, "body": body})
        if REQUEST.get("exists"):
            raise ApiException(409)

    def read_namespaced_job_status(self, name, namespace):
        CALLS.append({"call": "read_job_status", "name": name, "namespace": namespace})
        polls = sum(1 for c in CALLS if c["call"] == "read_job_status")
        if polls <= REQUEST.get("flaky", 0):
            raise ApiException(REQUEST.get("flakyStatus", 503))
        conditions = [Obj(type=REQUEST["outcome"], status="True", reason="BackoffLimitExceeded")] if polls > 1 else None
        return Obj(status=Obj(conditions=conditions))


module("airflow", DAG=DAG)
module("airflow.models")
module("airflow.models.param", Param=Param)
module("airflow.operators")
module("airflow.operators.python", PythonOperator=PythonOperator)
module("kubernetes")
module("kubernetes.config", load_incluster_config=lambda: CALLS.append({"call": "load_incluster_config"}))
module("kubernetes.client", CoreV1Api=CoreV1Api, BatchV1Api=BatchV1Api)
module("kubernetes.client.rest", ApiException=ApiException)
sys.modules["kubernetes"].client = sys.modules["kubernetes.client"]
sys.modules["kubernetes"].config = sys.modules["kubernetes.config"]

# Airflow puts the DAG folder on the path: the DAG imports its module from there.
sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[1])))
dag = runpy.run_path(sys.argv[1], run_name="dag")
out = {
    "dags": [{"id": d.dag_id, "pausedUponCreation": d.paused_upon_creation, "params": {k: {"default": p.default, **p.schema} for k, p in d.params.items()}} for d in DAGS],
    "tasks": [{"task_id": t.kwargs["task_id"], "callable": t.kwargs["python_callable"].__name__, "timeoutHours": t.kwargs["execution_timeout"].total_seconds() / 3600} for t in TASKS],
}
if REQUEST:
    dag["time"].sleep = lambda seconds: CALLS.append({"call": "sleep", "seconds": seconds})
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            out["returned"] = TASKS[0].kwargs["python_callable"](params=REQUEST["params"], run_id=REQUEST["run_id"])
    except Exception as e:  # noqa: BLE001 - the test reads what the task raised
        out["raised"] = "%s: %s" % (type(e).__name__, e)
    out["printed"] = printed.getvalue().splitlines()
    out["calls"] = CALLS
print(json.dumps(out, default=str))
