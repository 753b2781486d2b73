"""One protocol for base and trained: a model with no train_config.json (a base model) is asked exactly as the
trained model beside it (compare, play --opponent): the same max new tokens, system prompt, answer words,
decoding and image bounds; alone it gets the vigal preset's protocol, said out loud, or --protocol's.

Every model call goes through grpo.rollout; a recorder around it notes, per model folder, how it was asked.
"""
import argparse
import dataclasses
import json
import os
import shutil

import pytest

import evaluate
import grpo
from config import Config
from data import make_sampler
from model import build_tiny_model

# a trained run whose settings all differ from the vigal preset's
TRAINED = dict(system_prompt="Read the board.", min_pixels=4 * 28 * 28, max_pixels=96 * 96, eval_temperature=0.0)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """(trained, base): the same tiny weights, with and without a train_config.json."""
    root = tmp_path_factory.mktemp("protocol")
    trained, base = str(root / "trained"), str(root / "base")
    sample_at = make_sampler(Config())
    build_tiny_model(trained, [sample_at(i)["prompt"] for i in range(16)] + ["UP", "DOWN", "LEFT", "RIGHT"] * 16)
    shutil.copytree(trained, base)
    json.dump(dataclasses.asdict(Config(**TRAINED)), open(os.path.join(trained, "train_config.json"), "w"))
    return trained, base


@pytest.fixture
def asked(monkeypatch):
    """{model folder: set of (max new tokens, temperature, system prompt, image bounds, restricted vocabulary)}."""
    calls, rollout = {}, grpo.rollout

    def recording_rollout(model, processor, samples, num_generations, max_completion_length, temperature=1.0, top_p=1.0,
                          top_k=0, system_prompt=None, *args, **kwargs):
        size = processor.image_processor.size
        restricted = bool(model.get_output_embeddings()._forward_hooks)
        calls.setdefault(model.name_or_path, set()).add(
            (max_completion_length, temperature, system_prompt, size["shortest_edge"], size["longest_edge"], restricted))
        return rollout(model, processor, samples, num_generations, max_completion_length, temperature, top_p, top_k,
                       system_prompt, *args, **kwargs)
    monkeypatch.setattr(grpo, "rollout", recording_rollout)
    return calls


def trained_protocol():
    cfg = Config(**TRAINED)
    return {(cfg.max_completion_length, cfg.eval_temperature, cfg.system_prompt, cfg.min_pixels, cfg.max_pixels, True)}


def test_compare_asks_the_base_model_as_the_trained_one(models, asked, tmp_path):
    trained, base = models
    evaluate.main(["compare", "--base", base, "--trained", trained, "--n", "2", "--play-games", "1",
                   "--max-turns", "2", "--gifs", "0", "--out", str(tmp_path)])
    assert asked[base] == asked[trained] == trained_protocol()
    report = json.load(open(tmp_path / "compare.json"))
    assert report["protocol"]["source"] == f"{trained}'s train_config.json"
    assert report["protocol"]["system_prompt"] == "Read the board."


def test_play_asks_a_base_opponent_as_the_model(models, asked, tmp_path, capsys):
    trained, base = models
    evaluate.main(["play", "--model", trained, "--opponent", base, "--games", "1", "--max-turns", "2", "--gifs", "0",
                   "--out", str(tmp_path)])
    assert asked[base] == asked[trained] == trained_protocol()
    assert f"protocol for {base}: {trained}'s train_config.json" in capsys.readouterr().out


def test_a_base_model_alone_gets_the_vigal_protocol_out_loud_or_the_one_named(models, asked, tmp_path, capsys):
    trained, base = models
    evaluate.main(["--model", base, "--games", "snake", "--n", "1", "--max-new-tokens", "2", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"protocol for {base}: the vigal preset's (no train_config.json" in out
    vigal = Config(**evaluate.PRESETS["vigal"])
    assert asked[base] == {(2, vigal.eval_temperature, None, vigal.min_pixels, vigal.max_pixels, False)}
    assert json.load(open(tmp_path / "eval.json"))["protocol"]["max_pixels"] == vigal.max_pixels
    cfg, _ = evaluate.protocol_for(base)
    assert evaluate.bench_max_new_tokens(cfg, argparse.Namespace(max_new_tokens=None)) == 4096  # ViGaL's, as trained

    asked.clear()
    evaluate.main(["--model", base, "--protocol", trained, "--n", "2", "--out", str(tmp_path)])
    assert asked[base] == trained_protocol()
    assert json.load(open(tmp_path / "eval.json"))["protocol"]["source"] == f"{trained}'s"


def test_an_unknown_protocol_is_one_clear_message(models, tmp_path):
    _, base = models
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(["--model", base, "--protocol", str(tmp_path), "--out", str(tmp_path)])
    assert str(exit_info.value.code) == (f"evaluate.py games: error: --protocol {str(tmp_path)!r} is neither a preset "
                                         f"(vigal, gamerl) nor a checkpoint folder with a train_config.json")
