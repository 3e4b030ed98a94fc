# One model per (dataset x architecture x seed), trained on the prepared split; then its test
# metrics (plain and RC-conjoined) and its measured RC / shift equivariance.


rule train:
    input:
        train=f"{DATA}/train.tsv",
        valid=f"{DATA}/valid.tsv",
        test=f"{DATA}/test.tsv",
    output:
        f"{RUN}/model.ckpt",
        f"{RUN}/metrics.json",
    params:
        folder=folder_of,
        settings=flags(config.get("train", {})),
        model=model_flags,
        distributed=distributed_flags(),
        launch=TRAIN_LAUNCH,
    log:
        f"{LOGS}/train/{{dataset}}_{{arch}}_seed{{seed}}.log",
    conda:
        ENV
    threads: resources("train", "threads", 2)
    resources:
        mem_mb=resources("train", "mem_mb", 4000),
        runtime=resources("train", "runtime", 120),
        gpu=TRAIN_GPUS * TRAIN_NODES,
        **train_resources(),
    shell:
        "{params.launch} motifnet train --table {input.train:q} --valid-table {input.valid:q} "
        "--test-table {input.test:q} --architecture {wildcards.arch:q} "
        "--seed {wildcards.seed:q} {params.settings:q} {params.model:q} "
        "{params.distributed:q} -o {params.folder:q} --quiet > {log:q} 2>&1"


rule evaluate:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        test=f"{DATA}/test.tsv",
    output:
        f"{RUN}/evaluation.json",
    log:
        f"{LOGS}/evaluate/{{dataset}}_{{arch}}_seed{{seed}}.log",
    conda:
        ENV
    threads: resources("default", "threads", 1)
    resources:
        mem_mb=resources("default", "mem_mb", 2000),
        runtime=resources("default", "runtime", 30),
    shell:
        "motifnet evaluate {input.checkpoint:q} --table {input.test:q} --json "
        "> {output:q} 2> {log:q}"


rule check:
    input:
        f"{RUN}/model.ckpt",
    output:
        f"{RUN}/equivariance.json",
    log:
        f"{LOGS}/check/{{dataset}}_{{arch}}_seed{{seed}}.log",
    conda:
        ENV
    threads: resources("default", "threads", 1)
    resources:
        mem_mb=resources("default", "mem_mb", 2000),
        runtime=resources("default", "runtime", 30),
    shell:
        "motifnet check {input:q} --json > {output:q} 2> {log:q}"
