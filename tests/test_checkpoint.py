"""The checkpoint format: earlier checkpoints keep loading, foreign alphabets are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import motifnet
from motifnet.checkpoint import load_model, load_trained, save_model
from motifnet.errors import InputError
from motifnet.nn.registry import build

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("architecture", ["rc_cnn", "rc_hybrid"])
def test_checkpoints_of_earlier_versions_load_and_predict_as_then(architecture):
    expected = json.loads((DATA / "v0.1-logits.json").read_text())[architecture]
    model = load_trained(DATA / f"v0.1-{architecture}.ckpt")
    assert (model.architecture, model.length, model.task_names) == (
        architecture,
        60,
        ("positive",),
    )
    logits = motifnet.predict(model, ["ACGT" * 15, "GATTACA" * 8 + "AAAA"], logits=True)
    assert logits[:, 0].tolist() == pytest.approx([row[0] for row in expected], abs=1e-5)


def test_a_model_trained_on_another_alphabet_is_refused(tmp_path):
    model = build("cnn", filters=2, channels=2)
    save_model(model, tmp_path / "m.pt")
    payload = torch.load(tmp_path / "m.pt", weights_only=True)
    payload["alphabet"] = {"letters": "TGCA", "ambiguous": "fraction"}
    torch.save(payload, tmp_path / "m.pt")
    with pytest.raises(InputError, match="trained on one-hot input in the alphabet"):
        load_model(tmp_path / "m.pt")


def test_a_model_file_without_length_cannot_predict_but_loads(tmp_path):
    model = build("rc_cnn", filters=2, channels=2)
    save_model(model, tmp_path / "m.pt")
    assert load_model(tmp_path / "m.pt").architecture == "rc_cnn"
    with pytest.raises(InputError, match="does not say its input length"):
        load_trained(tmp_path / "m.pt")
    save_model(model, tmp_path / "t.pt", length=80, task_names=["x"], task_type="binary")
    assert load_trained(tmp_path / "t.pt").length == 80
