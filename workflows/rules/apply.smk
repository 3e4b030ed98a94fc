# Apply trained models (optional config sections `scan` and `predict`):
#   scan:    a genome-wide track and called sites per model, as `shards` cluster jobs that each
#            scan whole passes of the genome, merged into one bigWig and one narrowPeak file
#            (equal to a single-process `motifnet scan`);
#   predict: `motifnet predict` over FASTA files, one table per (model, file);
#   experiment: `motifnet experiment` per model: its two top learned motifs (or the motifs
#            the section names) implanted alone and in pairs at every spacing and orientation
#            into dinucleotide shuffles of the dataset's test sequences.


if SCAN:

    localrules:
        index_genome,

    rule index_genome:
        # Built once, before the shard jobs, which would otherwise race to write it.
        input:
            SCAN["genome"],
        output:
            f"{SCAN['genome']}.fai",
        log:
            f"{LOGS}/scan/index_genome.log",
        conda:
            ENV
        shell:
            "python -c 'import sys, pyfaidx; pyfaidx.Faidx(sys.argv[1]).close()' {input:q} "
            "> {log:q} 2>&1"


rule scan_shard:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        genome=SCAN.get("genome", []),
        index=f"{SCAN['genome']}.fai" if SCAN else [],
        regions=SCAN.get("regions", []),
    output:
        temp(f"{RUN}/scan/parts/{{shard}}.bw"),
    params:
        shard=lambda w: f"{w.shard}/{SCAN_SHARDS}",
        where=scan_where(),
        settings=flags(SCAN.get("flags", {})),
    log:
        f"{LOGS}/scan/{{dataset}}_{{arch}}_seed{{seed}}_{{shard}}.log",
    conda:
        ENV
    threads: resources("scan", "threads", 2)
    resources:
        mem_mb=resources("scan", "mem_mb", 4000),
        runtime=resources("scan", "runtime", 120),
        gpu=resources("scan", "gpu", 0),
    shell:
        "motifnet scan {input.checkpoint:q} {input.genome:q} {params.where:q} "
        "--shard {params.shard:q} --threads {threads} {params.settings:q} -o {output:q} "
        "--quiet > {log:q} 2>&1"


rule scan_merge:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        genome=SCAN.get("genome", []),
        index=f"{SCAN['genome']}.fai" if SCAN else [],
        regions=SCAN.get("regions", []),
        parts=expand(
            f"{RUN}/scan/parts/{{shard}}.bw",
            shard=range(1, SCAN_SHARDS + 1),
            allow_missing=True,
        ),
    output:
        track=f"{RUN}/scan/track.bw",
        sites=f"{RUN}/scan/sites.bed",
    params:
        where=scan_where(),
        settings=flags(SCAN.get("flags", {})),
    log:
        f"{LOGS}/scan/{{dataset}}_{{arch}}_seed{{seed}}_merge.log",
    conda:
        ENV
    threads: resources("default", "threads", 1)
    resources:
        mem_mb=resources("default", "mem_mb", 2000),
        runtime=resources("default", "runtime", 30),
    shell:
        "motifnet scan {input.checkpoint:q} {input.genome:q} {params.where:q} "
        "--merge {input.parts:q} {params.settings:q} -o {output.track:q} "
        "--sites {output.sites:q} --quiet > {log:q} 2>&1"


rule predict:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        fasta=lambda w: PREDICT_FILES[w.name],
    output:
        f"{RUN}/predict/{{name}}.tsv",
    params:
        settings=flags(PREDICT.get("flags", {})),
    log:
        f"{LOGS}/predict/{{dataset}}_{{arch}}_seed{{seed}}_{{name}}.log",
    conda:
        ENV
    threads: resources("predict", "threads", 2)
    resources:
        mem_mb=resources("predict", "mem_mb", 4000),
        runtime=resources("predict", "runtime", 60),
        gpu=resources("predict", "gpu", 0),
    shell:
        "motifnet predict {input.checkpoint:q} {input.fasta:q} --threads {threads} "
        "{params.settings:q} -o {output:q} --quiet > {log:q} 2>&1"


rule experiment:
    input:
        checkpoint=f"{RUN}/model.ckpt",
        motifs=f"{RUN}/motifs/motifs.meme",
        background=f"{DATA}/test.tsv",
    output:
        f"{RUN}/experiment/summary.json",
        f"{RUN}/experiment/singles.tsv",
    params:
        folder=lambda w, output: str(Path(output[0]).parent),
        names=EXPERIMENT.get("motifs", []),
        settings=flags(EXPERIMENT.get("flags", {})),
    log:
        f"{LOGS}/experiment/{{dataset}}_{{arch}}_seed{{seed}}.log",
    conda:
        ENV
    threads: resources("experiment", "threads", 2)
    resources:
        mem_mb=resources("experiment", "mem_mb", 4000),
        runtime=resources("experiment", "runtime", 60),
        gpu=resources("experiment", "gpu", 0),
    shell:
        "motifnet experiment {input.checkpoint:q} {params.names:q} --motifs {input.motifs:q} "
        "--background {input.background:q} --threads {threads} {params.settings:q} "
        "-o {params.folder:q} --quiet > {log:q} 2>&1"
