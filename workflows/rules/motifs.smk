# What each model learned: distinct motifs from filters and TF-MoDISco attributions,
# matched to JASPAR, with logos and an HTML report, explained on the held-out positives.


rule motifs:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        test=f"{DATA}/test.tsv",
    output:
        f"{RUN}/motifs/index.html",
        f"{RUN}/motifs/clusters.tsv",
        f"{RUN}/motifs/matches.tsv",
        f"{RUN}/motifs/motifs.meme",
    params:
        folder=folder_of,
        settings=flags(config.get("motifs", {})),
    log:
        f"{LOGS}/motifs/{{dataset}}_{{arch}}_seed{{seed}}.log",
    conda:
        ENV
    threads: resources("motifs", "threads", 2)
    resources:
        mem_mb=resources("motifs", "mem_mb", 4000),
        runtime=resources("motifs", "runtime", 60),
    shell:
        "motifnet motifs {input.checkpoint:q} {input.test:q} {params.settings:q} "
        "-o {params.folder:q} > {log:q} 2>&1"
