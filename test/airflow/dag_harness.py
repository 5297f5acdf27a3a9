"""Loads the platform's DAG with small stand-ins for Airflow and the Kubernetes client, and
prints, as JSON, what it declares: its params and each task's pod. The tests read it to
check the DAG as a program (test/airflow.test.ts), without an Airflow installation.

usage: python3 dag_harness.py <dag file>   (llm_platform_settings.json beside it)
"""
import json
import runpy
import sys
import types


class Obj:
    """A stand-in for a Kubernetes client model: keeps its keyword arguments."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


def plain(value):
    if isinstance(value, Obj):
        return {k: plain(v) for k, v in value.__dict__.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


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


class KubernetesPodOperator:
    def __init__(self, **kwargs):
        self.kwargs = kwargs
        TASKS.append(self)

    def __rshift__(self, other):
        return other


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


k8s_models = types.SimpleNamespace(**{n: Obj for n in [
    "V1ResourceRequirements", "V1Toleration", "V1PodSecurityContext", "V1SeccompProfile", "V1SecurityContext",
    "V1Capabilities", "V1Volume", "V1PersistentVolumeClaimVolumeSource", "V1ConfigMapVolumeSource",
    "V1EmptyDirVolumeSource", "V1VolumeMount",
]})
module("airflow", DAG=DAG)
module("airflow.models")
module("airflow.models.param", Param=Param)
module("airflow.providers")
module("airflow.providers.cncf")
module("airflow.providers.cncf.kubernetes")
module("airflow.providers.cncf.kubernetes.operators")
module("airflow.providers.cncf.kubernetes.operators.pod", KubernetesPodOperator=KubernetesPodOperator)
module("kubernetes")
module("kubernetes.client", models=k8s_models)

runpy.run_path(sys.argv[1], run_name="dag")
print(json.dumps({
    "dags": [{"id": d.dag_id, "pausedUponCreation": d.paused_upon_creation, "params": {k: {"default": p.default, **p.schema} for k, p in d.params.items()}} for d in DAGS],
    "tasks": [plain(t.kwargs) for t in TASKS],
}, default=str))
