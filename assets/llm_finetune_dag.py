# The guide's fine-tuning DAG (section 5.3), `llm_finetune_workflow`, as the platform runs
# it. Shipped as it is in ConfigMap airflow-dags, beside llm_platform_runs.py and the
# settings synth writes (llm_platform_settings.json).
#
# Triggered with {"workspace", "config_path", "base_model", "base_model_version",
# "registered_model"}, it starts a training run in the workspace exactly as a declared run
# is started: a Job made from the workspace's ConfigMap training-run-template (rendered by
# the construct that renders the declared runs), created suspended in the team's Kueue
# queue; its pod downloads the base model from mlflow-common (read only), trains, merges a
# LoRA adapter into its base model and registers the result in the workspace's MLflow
# under `registered_model`. The task waits for the Job and fails with it.
#
# Nothing a caller sends reaches a shell or a path unchecked: Airflow validates every
# param against its schema when the run is triggered (the workspace must be one that
# exists, the config a file name), and the Job gets them as environment variables that
# its script quotes. What Airflow may create in a workspace is a Job like the template,
# enforced by an admission policy (llm-platform-airflow-jobs).
import json
import os
import time
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.operators.python import PythonOperator

import llm_platform_runs

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "llm_platform_settings.json")) as f:
    SETTINGS = json.load(f)

NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"

default_args = {
    "owner": "mlops",
    # A retry finds the Job of its DAG run (the same name) and waits for it again.
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


# Consecutive transient API errors the wait for a Job tolerates.
TRANSIENT_FAILURES = 10


def run_fine_tuning(params, run_id, **_):
    """Creates the run's Job from the workspace's template (or finds it, on a retry) and waits until it ends."""
    from kubernetes import client, config
    from kubernetes.client.rest import ApiException

    config.load_incluster_config()
    namespace = SETTINGS["namespacePrefix"] + params["workspace"]
    template = client.CoreV1Api().read_namespaced_config_map(SETTINGS["runTemplate"]["configMap"], namespace)
    job = llm_platform_runs.training_job(
        json.loads(template.data[SETTINGS["runTemplate"]["key"]]), params, run_id, SETTINGS["trustedBaseModels"],
        SETTINGS["timeoutHours"] * 3600,
    )
    name = job["metadata"]["name"]
    batch = client.BatchV1Api()
    try:
        batch.create_namespaced_job(namespace, job)
        print(f"Created Job {name} in {namespace}; Kueue starts it when the team's queue admits it")
    except ApiException as e:
        if e.status != 409:
            raise
        print(f"Job {name} exists (a retry): waiting for it")
    failures = 0
    while True:
        try:
            status = batch.read_namespaced_job_status(name, namespace).status
            failures = 0
        except ApiException as e:
            # A hiccup of the API server is waited out; a refusal is not.
            failures += 1
            if e.status not in (429, 500, 502, 503, 504) or failures > TRANSIENT_FAILURES:
                raise
            time.sleep(SETTINGS["pollSeconds"])
            continue
        for condition in status.conditions or []:
            if condition.status == "True" and condition.type == "Complete":
                print(f"Job {name} finished: its model is registered as {params['registered_model']}")
                return name
            if condition.status == "True" and condition.type == "Failed":
                raise RuntimeError(f"Job {name} failed ({condition.reason}): kubectl -n {namespace} logs job/{name}")
        time.sleep(SETTINGS["pollSeconds"])


with DAG(
    "llm_finetune_workflow",
    default_args=default_args,
    description="LLM Fine-tuning workflow",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    # New DAGs are paused by default: a CI trigger would queue runs that never start.
    is_paused_upon_creation=False,
    tags=["llm", "training"],
    params={
        "workspace": Param(type="string", enum=SETTINGS["workspaces"], description="Workspace to train in."),
        "config_path": Param(
            type="string", pattern=SETTINGS["configPathPattern"],
            description="Training config: <file> or the guide's <workspace>/configs/<file>, a file of training-configs.",
        ),
        "base_model": Param(type="string", pattern=NAME_PATTERN, maxLength=256, description="Base model in mlflow-common."),
        "base_model_version": Param(type="integer", minimum=1, description="Its registered version (pinned)."),
        "registered_model": Param(
            type="string", pattern=NAME_PATTERN, maxLength=256,
            description="Name to register the merged model under: the name a served model of the workspace loads.",
        ),
    },
) as dag:

    PythonOperator(
        task_id="run_fine_tuning",
        python_callable=run_fine_tuning,
        execution_timeout=timedelta(hours=SETTINGS["timeoutHours"]),
    )
