# Data: simulate the demo set, or read the user's files; add shuffled negatives; split once.


rule simulate:
    output:
        f"{OUT}/{{dataset}}/input/positive.fa",
        f"{OUT}/{{dataset}}/input/negative.fa",
        f"{OUT}/{{dataset}}/input/truth.json",
    params:
        settings=lambda w: flags(config["datasets"][w.dataset]["simulate"]),
        folder=folder_of,
    log:
        f"{LOGS}/simulate/{{dataset}}.log",
    conda:
        ENV
    threads: resources("default", "threads", 1)
    resources:
        mem_mb=resources("default", "mem_mb", 2000),
        runtime=resources("default", "runtime", 30),
    shell:
        "motifnet simulate -o {params.folder:q} {params.settings:q} > {log:q} 2>&1"


rule prepare:
    input:
        dataset_files,
    output:
        f"{DATA}/train.tsv",
        f"{DATA}/valid.tsv",
        f"{DATA}/test.tsv",
        f"{DATA}/summary.json",
    params:
        data=prepare_flags,
        folder=folder_of,
    log:
        f"{LOGS}/prepare/{{dataset}}.log",
    conda:
        ENV
    threads: resources("default", "threads", 1)
    resources:
        mem_mb=resources("default", "mem_mb", 2000),
        runtime=resources("default", "runtime", 30),
    shell:
        "motifnet prepare {params.data:q} -o {params.folder:q} > {log:q} 2>&1"
