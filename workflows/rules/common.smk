# Helpers shared by the rules: paths, wildcards, the command-line flags a config gives, and
# the check that every file the config names exists (before any job starts).
from pathlib import Path

from motifnet.nn.registry import available, base_name

OUT = config.get("outdir", "results")
DATASETS = list(config["datasets"])
ARCHS = config["architectures"]
SEEDS = config.get("seeds", [0])
RUN = f"{OUT}/{{dataset}}/{{arch}}/seed{{seed}}"
DATA = f"{OUT}/{{dataset}}/data"
LOGS = f"{OUT}/logs"
REPORT = f"{OUT}/report/index.html"
RUNS = expand(RUN, dataset=DATASETS, arch=ARCHS, seed=SEEDS)
ENV = "../envs/motifnet.yaml"


wildcard_constraints:
    dataset="[^/]+",
    arch="[^/]+",
    seed=r"\d+",
    shard=r"\d+",
    name="[^/]+",


def data_files(dataset):
    """Every file a dataset entry of the config names."""
    named = [dataset.get("table"), dataset.get("genome")]
    for spec in (dataset, dataset.get("valid", {}), dataset.get("test", {})):
        named += spec.get("pos", []) + spec.get("neg", []) + [spec.get("table")]
        named += [f for files in spec.get("classes", {}).values() for f in files]
    return sorted({f for f in named if f})


# Architectures are checked against motifnet's registry, the one list of them.
UNKNOWN = [arch for arch in ARCHS if base_name(arch) not in available()]
if UNKNOWN:
    raise ValueError(
        f"architectures: unknown {', '.join(UNKNOWN)}; available: {', '.join(available())} "
        "(or conjoined(NAME))"
    )


SCAN = config.get("scan", {})
SCAN_SHARDS = SCAN.get("shards", 1)
PREDICT = config.get("predict", {})
EXPERIMENT = config.get("experiment", {})


def fasta_stem(path):
    """A FASTA file's name without .gz and its FASTA extension: its predictions' name."""
    name = Path(path).name.removesuffix(".gz")
    for extension in (".fasta", ".fa", ".fna"):
        name = name.removesuffix(extension)
    return name


PREDICT_FILES = {fasta_stem(f): f for f in PREDICT.get("fasta", [])}
if len(PREDICT_FILES) < len(PREDICT.get("fasta", [])):
    raise ValueError("predict.fasta: two files share a name; their tables would collide")


def applied_runs(section, key):
    """The run folders (dataset/architecture/seedN) a scan, predict or experiment section
    applies."""
    trained = [run.removeprefix(f"{OUT}/") for run in RUNS]
    names = section.get("runs") or trained
    unknown = [name for name in names if name not in trained]
    if unknown:
        raise ValueError(
            f"{key}.runs: {', '.join(unknown)} is not trained by this config "
            f"(it trains {', '.join(trained)})"
        )
    return [f"{OUT}/{name}" for name in names]


APPLIED = []  # what the scan, predict and experiment sections make: rule all asks for it
if SCAN:
    for run in applied_runs(SCAN, "scan"):
        APPLIED += [f"{run}/scan/track.bw", f"{run}/scan/sites.bed"]
if PREDICT:
    for run in applied_runs(PREDICT, "predict"):
        APPLIED += [f"{run}/predict/{name}.tsv" for name in PREDICT_FILES]
if EXPERIMENT:
    for run in applied_runs(EXPERIMENT, "experiment"):
        APPLIED += [f"{run}/experiment/summary.json"]


def scan_where():
    """--regions or --sequences of the scan section (the whole genome otherwise)."""
    if "regions" in SCAN:
        return ["--regions", SCAN["regions"]]
    return ["--sequences", *SCAN["sequences"]] if "sequences" in SCAN else []


MISSING = [
    f"datasets.{name}: {f}"
    for name, dataset in config["datasets"].items()
    for f in data_files(dataset)
    if not Path(f).exists()
]
MISSING += [
    f"scan.{key}: {SCAN[key]}"
    for key in ("genome", "regions")
    if key in SCAN and not Path(SCAN[key]).exists()
]
MISSING += [f"predict.fasta: {f}" for f in PREDICT.get("fasta", []) if not Path(f).exists()]
if MISSING:
    raise ValueError("config names files that do not exist: " + "; ".join(MISSING))


def flags(settings):
    """The words `--key value` per setting (underscores become dashes, one letter gives `-k`;
    True gives a bare flag). Rules pass them with `:q`, so every word is shell-quoted."""
    words = []
    for key, value in settings.items():
        flag = f"-{key}" if len(key) == 1 else f"--{key.replace('_', '-')}"
        if value is True:
            words.append(flag)
        elif value is not False and value is not None:
            values = value if isinstance(value, list) else [value]
            words += [flag] + [str(v) for v in values]
    return words


def data_flags(spec, prefix=""):
    """The data flags of `motifnet prepare` for one set (pos/neg, classes or table)."""
    words = []
    for key in ("pos", "neg"):
        if key in spec:
            words += [f"--{prefix}{key}", *spec[key]]
    for name, files in spec.get("classes", {}).items():
        words += [word for f in files for word in (f"--{prefix}class", f"{name}={f}")]
    if "table" in spec:
        words += [f"--{prefix}table", spec["table"]]
    return words


def simulated(name):
    return "simulate" in config["datasets"][name]


def dataset_files(wildcards):
    """The files a dataset reads: the simulated FASTA files, or the user's."""
    if simulated(wildcards.dataset):
        folder = f"{OUT}/{wildcards.dataset}/input"
        return [f"{folder}/positive.fa", f"{folder}/negative.fa"]
    return data_files(config["datasets"][wildcards.dataset])


def prepare_flags(wildcards, input):
    """Data, split and genome flags of `motifnet prepare` for a dataset (a list of words)."""
    dataset = config["datasets"][wildcards.dataset]
    if simulated(wildcards.dataset):
        words = ["--pos", input[0], "--neg", input[1]]
    else:
        words = data_flags(dataset)
        for key in ("valid", "test"):
            if key in dataset:
                words += data_flags(dataset[key], f"{key}-")
        if "label_columns" in dataset:
            words += ["--label-columns", *dataset["label_columns"]]
        if "genome" in dataset:
            words += ["--genome", dataset["genome"]]
    split = dict(dataset.get("split", {}))
    if "method" in split:
        split["split"] = split.pop("method")
    return words + flags(split)


def model_flags(wildcards):
    """`--set KEY=VALUE` words for the architecture's model settings."""
    settings = config.get("model", {}).get(wildcards.arch, {})
    return [word for key, value in settings.items() for word in ("--set", f"{key}={value}")]


def truths():
    """Dataset -> truth.json of every simulated dataset."""
    return {name: f"{OUT}/{name}/input/truth.json" for name in DATASETS if simulated(name)}


def folder_of(wildcards, output):
    return str(Path(output[0]).parent)


def resources(rule_name, key, fallback):
    table = config.get("resources", {})
    return table.get(rule_name, {}).get(key, table.get("default", {}).get(key, fallback))


# One model on several GPUs or nodes (DDP): resources.train.gpu GPUs on each of
# resources.train.nodes nodes. In a SLURM job (the SLURM profile) the job gets one task per GPU
# and srun starts one `motifnet train` per task, Lightning reading the allocation from SLURM;
# elsewhere Lightning starts its processes itself.
TRAIN_NODES = resources("train", "nodes", 1)
TRAIN_GPUS = resources("train", "gpu", 0)
DISTRIBUTED = TRAIN_GPUS * TRAIN_NODES > 1
if TRAIN_NODES > 1 and not TRAIN_GPUS:
    raise ValueError("resources.train.nodes > 1 trains on GPUs: give resources.train.gpu too")
# `srun` only inside a SLURM job (SLURM_JOB_ID set): the shell decides when the job runs.
# A fixed string, not a config value, so the rule inserts it unquoted.
TRAIN_LAUNCH = "${SLURM_JOB_ID:+srun}" if DISTRIBUTED else ""


def train_resources():
    """The SLURM geometry of a distributed training job (nothing for one process): the nodes,
    one task per GPU, and `mpi` so the job step runs the command (our srun) unwrapped."""
    extra = {"nodes": TRAIN_NODES} if TRAIN_NODES > 1 else {}
    if DISTRIBUTED:
        extra |= {"tasks": TRAIN_GPUS * TRAIN_NODES, "tasks_per_gpu": 1, "mpi": "srun"}
    return extra


def distributed_flags():
    """The flags of `motifnet train` for the devices and nodes the config asks for."""
    if not DISTRIBUTED:
        return []
    return ["--accelerator", "gpu", "--devices", str(TRAIN_GPUS), "--num-nodes", str(TRAIN_NODES)]
