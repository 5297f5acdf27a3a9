# The guide's fine-tuning DAG (section 5.3), `llm_finetune_workflow`, as the platform runs
# it. Shipped as it is in ConfigMap airflow-dags; what differs per platform (image,
# workspaces, addresses) comes from llm_platform_settings.json beside it, which synth writes.
#
# Triggered with {"workspace", "config_path", "base_model", "base_model_version"} (and
# optionally "registered_model"), it downloads the base model from mlflow-common (read only)
# onto the workspace's model-storage-pvc, trains with the config from training-configs on
# a GPU, merges a LoRA adapter into its base model and registers the result in the
# workspace's MLflow, as a declared run does (the same step, from the settings).
#
# Nothing a caller sends reaches a shell or a path unchecked: Airflow validates every
# param against its schema when the run is triggered (the workspace must be one that
# exists, the config a file name), and the tasks get them as environment variables that
# the scripts quote; no template is expanded inside a script.
import json
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models.param import Param
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "llm_platform_settings.json")) as f:
    SETTINGS = json.load(f)

NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
NAMESPACE = SETTINGS["namespacePrefix"] + "{{ params.workspace }}"

default_args = {
    "owner": "mlops",
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}

gpu_resources = k8s.V1ResourceRequirements(**SETTINGS["resources"]["gpu"])
small_resources = k8s.V1ResourceRequirements(**SETTINGS["resources"]["small"])
gpu_tolerations = [k8s.V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")]

# The workspace namespaces enforce the Pod Security "restricted" profile.
run_as = SETTINGS["runAs"]
pod_security = k8s.V1PodSecurityContext(
    run_as_non_root=True, run_as_user=run_as, run_as_group=run_as, fs_group=run_as,
    seccomp_profile=k8s.V1SeccompProfile(type="RuntimeDefault"),
)
container_security = k8s.V1SecurityContext(
    allow_privilege_escalation=False, read_only_root_filesystem=True, run_as_non_root=True,
    capabilities=k8s.V1Capabilities(drop=["ALL"]),
)
# The workspace NetworkPolicies let MLflow clients reach MLflow.
labels = SETTINGS["podLabels"]

models = k8s.V1Volume(
    name="models",
    persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name=SETTINGS["modelStorageClaim"]),
)
configs = k8s.V1Volume(name="configs", config_map=k8s.V1ConfigMapVolumeSource(name=SETTINGS["trainingConfigs"]))
# Bounded like every scratch volume of the platform: by the pod's local-disk limit.
tmp = k8s.V1Volume(name="tmp", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit=SETTINGS["tmpSizeLimit"]))

# What both tasks read from the run's params, always as environment variables.
base_env = {
    "HOME": "/tmp",
    "BASE_MODEL": "{{ params.base_model }}",
    "BASE_MODEL_PATH": "/models/base-models/{{ params.base_model }}/{{ params.base_model_version }}",
}

DOWNLOAD = """
import os, mlflow
mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
mlflow.artifacts.download_artifacts(os.environ["MODEL_URI"], dst_path=os.environ["BASE_MODEL_PATH"])
print("Base model downloaded")
"""

# trust_remote_code runs Python that comes with the model: only for the base models the
# platform trusts, whatever the config says.
TRAIN = """
set -euo pipefail
remote_code=(trust_remote_code=false)
for trusted in $TRUSTED_BASE_MODELS; do
  if [ "$trusted" = "$BASE_MODEL" ]; then remote_code=(); fi
done
mkdir -p "$OUTPUT_DIR"
llamafactory-cli train "$CONFIG_FILE" output_dir="$OUTPUT_DIR" model_name_or_path="$BASE_MODEL_PATH" "${remote_code[@]}"
python -c "$REGISTER"
"""

# The declared runs' own last step (from the settings): a LoRA adapter is merged into its
# base model, then logged and registered, so the result can be served.
REGISTER = SETTINGS["registerScript"]

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
        "registered_model": Param("ft-model", type="string", pattern=NAME_PATTERN, maxLength=256, description="Name to register the result under."),
    },
) as dag:

    # What both tasks' pods share: the workspace, its identity, the platform's image and
    # the restricted security context.
    pod = dict(
        namespace=NAMESPACE,
        image=SETTINGS["image"],
        service_account_name=SETTINGS["serviceAccount"],
        labels=labels,
        security_context=pod_security,
        container_security_context=container_security,
        on_finish_action="delete_pod",
        get_logs=True,
    )

    download_model = KubernetesPodOperator(
        task_id="download_base_model",
        name="download-base-model",
        cmds=["python", "-c", DOWNLOAD],
        env_vars={
            **base_env,
            "MLFLOW_TRACKING_URI": SETTINGS["mlflowCommonRead"],
            "MODEL_URI": "models:/{{ params.base_model }}/{{ params.base_model_version }}",
        },
        container_resources=small_resources,
        volumes=[models, tmp],
        volume_mounts=[
            k8s.V1VolumeMount(name="models", mount_path="/models"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        **pod,
    )

    run_training = KubernetesPodOperator(
        task_id="run_fine_tuning",
        name="llama-fine-tune",
        # Queued with the workspace's declared runs: Kueue admits the pod through the
        # team's LocalQueue, and it preempts nothing.
        priority_class_name=SETTINGS["training"]["priorityClassName"],
        cmds=["/bin/bash", "-c", TRAIN],
        env_vars={
            **base_env,
            "MLFLOW_TRACKING_URI": SETTINGS["workspaceMlflowPrefix"] + "{{ params.workspace }}" + SETTINGS["workspaceMlflowSuffix"],
            "CONFIG_FILE": "/configs/{{ params.config_path.split('/') | last }}",
            "OUTPUT_DIR": "/output/dag-{{ ts_nodash }}",
            "RUN_ID": "dag-{{ ts_nodash }}",
            "MLFLOW_EXPERIMENT_NAME": "{{ params.workspace }}",
            "REGISTERED_MODEL": "{{ params.registered_model }}",
            "TRUSTED_BASE_MODELS": " ".join(SETTINGS["trustedBaseModels"]),
            "REGISTER": REGISTER,
        },
        container_resources=gpu_resources,
        tolerations=gpu_tolerations,
        volumes=[models, configs, tmp],
        volume_mounts=[
            k8s.V1VolumeMount(name="models", mount_path="/models"),
            k8s.V1VolumeMount(name="models", mount_path="/output", sub_path="output"),
            k8s.V1VolumeMount(name="configs", mount_path="/configs"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        **{**pod, "labels": {**labels, **SETTINGS["training"]["queueLabels"]}},
    )

    download_model >> run_training
