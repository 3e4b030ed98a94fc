# motifnet workflow: simulate or prepare data -> train (dataset x architecture x seed) ->
# evaluate, motifs, equivariance check -> one HTML report comparing the architectures; then,
# optionally, scan a genome (sharded cluster jobs, merged), predict FASTA files and run the
# motif experiments per model.
# Settings: workflows/config.yaml (the embedded demo), or your own with --configfile.
from pathlib import Path

import yaml
from snakemake.utils import min_version, validate

min_version("8.0")


configfile: "workflows/config.yaml"


# Your --configfile's datasets replace the demo's, rather than being run beside them, and the
# demo's scan, predict and experiment sections (which apply the demo's models) go with them.
USER = {"datasets": {}}
for path in workflow.overwrite_configfiles or []:
    for key, value in (yaml.safe_load(Path(path).read_text()) or {}).items():
        if key in ("datasets", "scan", "predict", "experiment"):
            USER.setdefault(key, {}).update(value or {})
if USER["datasets"]:
    for key in ("datasets", "scan", "predict", "experiment"):
        config.pop(key, None)
        if key in USER:
            config[key] = USER[key]


validate(config, "workflows/config.schema.yaml")


include: "workflows/rules/common.smk"
include: "workflows/rules/data.smk"
include: "workflows/rules/train.smk"
include: "workflows/rules/motifs.smk"
include: "workflows/rules/report.smk"
include: "workflows/rules/apply.smk"


rule all:
    input:
        REPORT,
        APPLIED,
    default_target: True
