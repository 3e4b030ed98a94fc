# motifnet workflow: simulate or prepare data -> train (dataset x architecture x seed) ->
# evaluate, motifs, equivariance check -> one HTML report comparing the architectures.
# Settings: workflows/config.yaml (the embedded demo), or your own with --configfile.
from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

min_version("8.0")


configfile: "workflows/config.yaml"


# Your --configfile's datasets replace the demo's, rather than being run beside them.
USER_DATASETS = {}
for path in workflow.overwrite_configfiles or []:
    USER_DATASETS.update((yaml.safe_load(Path(path).read_text()) or {}).get("datasets") or {})
if USER_DATASETS:
    config["datasets"] = USER_DATASETS


validate(config, "workflows/config.schema.yaml")


include: "workflows/rules/common.smk"
include: "workflows/rules/data.smk"
include: "workflows/rules/train.smk"
include: "workflows/rules/motifs.smk"
include: "workflows/rules/report.smk"


rule all:
    input:
        REPORT,
    default_target: True
