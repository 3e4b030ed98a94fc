# motifnet workflow: simulate or prepare data -> train (dataset x architecture x seed) ->
# evaluate, motifs, equivariance check -> one HTML report comparing the architectures.
# Settings: workflows/config.yaml (the embedded demo), or your own with --configfile.
from snakemake.utils import min_version, validate

min_version("8.0")


configfile: "workflows/config.yaml"


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
