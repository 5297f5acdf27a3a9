# How the platform's DAG (llm_finetune_dag.py) makes a training run's Job: from the
# workspace's ConfigMap training-run-template, which synth renders with the very construct
# that makes the declared runs' Jobs, filled in with the DAG run's params. Plain Python
# (no Airflow), so the platform's tests run it on the rendered template.
import copy
import hashlib

RUN_NAME_LABEL = "llm-platform/run-name"
RUN_LABEL = "llm-platform/run"
PREFIX = "llama-fine-tune-dag-"

# A DAG run's Job is not declared in git, so nothing would ever remove it: it goes a
# week after it finished (a declared run's Job has no TTL, on purpose).
FINISHED_TTL_SECONDS = 7 * 24 * 3600


def run_name(dag_run_id):
    """The Job's name: the same for every try of one DAG run (a retry finds its Job), another for each DAG run."""
    return PREFIX + hashlib.sha256(dag_run_id.encode("utf-8")).hexdigest()[:10]


def training_job(template, params, dag_run_id, trusted_base_models, deadline_seconds):
    """The template with the run's params in place: its name, config, base model and the model it registers."""
    job = copy.deepcopy(template)
    name = run_name(dag_run_id)
    config = params["config_path"].split("/")[-1]
    base = "%s/%d" % (params["base_model"], int(params["base_model_version"]))
    values = {
        "RUN_ID": name,
        "CONFIG_FILE": "/configs/" + config,
        "OUTPUT_DIR": "/output/" + name,
        "REGISTERED_MODEL": params["registered_model"],
        "BASE_MODEL_PATH": "/models/base-models/" + base,
        "BASE_MODEL_TRUSTED": "true" if params["base_model"] in trusted_base_models else "false",
        # The step that downloads the base model.
        "MODEL_URI": "models:/" + base,
        "MODEL_PATH": "/models/base-models/" + base,
    }
    job["metadata"]["name"] = name
    pod = job["spec"]["template"]
    for labels in (job["metadata"]["labels"], pod["metadata"]["labels"]):
        labels[RUN_LABEL] = "dag"
        labels[RUN_NAME_LABEL] = name
    seen = set()
    for container in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
        for env in container.get("env", []):
            if env["name"] in values:
                env["value"] = values[env["name"]]
                seen.add(env["name"])
    missing = sorted(set(values) - seen)
    if missing:
        raise ValueError("the run template has no %s: synth and the DAG disagree" % ", ".join(missing))
    job["spec"]["ttlSecondsAfterFinished"] = FINISHED_TTL_SECONDS
    # The Job stops itself when the DAG stops waiting for it (its clock runs only while
    # Kueue has it started): nothing trains on that nobody follows.
    job["spec"]["activeDeadlineSeconds"] = deadline_seconds
    return job
