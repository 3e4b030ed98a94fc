# One page comparing the architectures per dataset: metrics, ROC/PR curves, equivariance,
# the motifs each model learned (linked to its motif report) and, for simulated data, which
# planted motifs were found.


rule report:
    input:
        expand(
            f"{RUN}/{{file}}",
            dataset=DATASETS,
            arch=ARCHS,
            seed=SEEDS,
            file=["metrics.json", "evaluation.json", "equivariance.json", "motifs/clusters.tsv"],
        ),
        list(truths().values()),
    output:
        REPORT,
        f"{OUT}/report/summary.json",
    params:
        runs=RUNS,
        truth=[word for name, path in truths().items() for word in ("--truth", f"{name}={path}")],
        folder=folder_of,
    log:
        f"{LOGS}/report.log",
    conda:
        ENV
    threads: 1
    shell:
        "motifnet summarize {params.runs:q} {params.truth:q} -o {params.folder:q} > {log:q} 2>&1"
