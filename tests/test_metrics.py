import pytest
import torch
from sklearn.metrics import average_precision_score, matthews_corrcoef, roc_auc_score

from motifnet.equivariance import random_one_hot
from motifnet.metrics import compute_metrics, evaluate
from motifnet.nn.registry import build


def test_binary_metrics_agree_with_scikit_learn():
    torch.manual_seed(0)
    labels = torch.randint(0, 2, (300, 1)).float()
    logits = labels * 1.5 + torch.randn(300, 1)
    ours = compute_metrics(logits, labels, "binary")
    y, p = labels.ravel().numpy(), logits.sigmoid().ravel().numpy()
    assert ours["auroc"] == pytest.approx(roc_auc_score(y, p), abs=1e-6)
    assert ours["auprc"] == pytest.approx(average_precision_score(y, p), abs=1e-6)
    assert ours["mcc"] == pytest.approx(matthews_corrcoef(y, p > 0.5), abs=1e-6)
    assert ours["accuracy"] == pytest.approx(((p > 0.5) == y).mean(), abs=1e-6)


@pytest.mark.parametrize("task_type, shape", [("multilabel", (60, 3)), ("multiclass", (60,))])
def test_perfect_scores_give_ones(task_type, shape):
    labels = (
        torch.arange(60) % 3 if task_type == "multiclass" else (torch.rand(shape) > 0.5).float()
    )
    if task_type == "multiclass":
        logits = torch.nn.functional.one_hot(labels, 3).float() * 10
    else:
        logits = (labels * 2 - 1) * 10
    assert compute_metrics(logits, labels, task_type) == pytest.approx(
        {"auroc": 1.0, "auprc": 1.0, "accuracy": 1.0, "mcc": 1.0}
    )


def test_evaluate_reports_plain_conjoined_and_the_rc_gap():
    torch.manual_seed(0)
    x, y = random_one_hot(64, 100), (torch.rand(64, 1) > 0.5).float()
    invariant = evaluate(build("rc_cnn", filters=4, channels=4), x, y, "binary")
    assert invariant["rc_error"]["max_abs"] < 1e-5
    assert invariant["plain"] == pytest.approx(invariant["conjoined"], abs=1e-6)
    assert (
        evaluate(build("cnn", filters=4, channels=4), x, y, "binary")["rc_error"]["max_abs"] > 1e-4
    )


def test_metrics_of_many_tasks_under_deterministic_training_count_by_bincount(monkeypatch):
    """Training runs with deterministic algorithms on (warn only), under which torchmetrics
    counts by comparing every value with every bin: 14 GB for 20,000 x 100 tasks. Metrics turn
    that off while they count (on the CPU, deterministic anyway) and restore it."""
    import importlib

    confusion_matrix = importlib.import_module(
        "torchmetrics.functional.classification.confusion_matrix"
    )
    deterministic = []
    original = confusion_matrix._bincount

    def watched(x, minlength=None):
        deterministic.append(torch.are_deterministic_algorithms_enabled())
        return original(x, minlength)

    monkeypatch.setattr(confusion_matrix, "_bincount", watched)
    torch.manual_seed(0)
    labels = (torch.rand(500, 40) < 0.1).float()
    logits = labels * 2 + torch.randn(500, 40)
    expected = compute_metrics(logits, labels, "multilabel")
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert compute_metrics(logits, labels, "multilabel") == expected
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        torch.use_deterministic_algorithms(False)
    assert deterministic and not any(deterministic)  # no count built the comparison matrix
