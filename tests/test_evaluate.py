"""evaluate.py end to end on a tiny random Qwen2.5-VL (built here, as train.py builds it): every mode runs,
writes reports of the documented shape, and the old `--model X` form still means the games mode."""
import dataclasses
import json
import os

import pytest
from PIL import Image

import evaluate
from config import Config, validate
from data import make_sampler
from model import build_tiny_model

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "benchmarks")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny-preset 'checkpoint': random weights, a tokenizer trained on the games' prompts, train_config.json."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    path = str(tmp_path_factory.mktemp("tiny") / "model")
    cfg = validate(Config())
    sample_at = make_sampler(cfg)
    corpus = [sample_at(i)["prompt"] for i in range(16)] + ["<answer> \\boxed{B} </answer>", "UP", "DOWN", "LEFT", "RIGHT"] * 16
    build_tiny_model(path, corpus)
    json.dump(dataclasses.asdict(cfg), open(os.path.join(path, "train_config.json"), "w"))
    return path


def test_help_names_every_mode_with_an_example(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["--help"])
    text = capsys.readouterr().out
    for mode in ("games", "play", "bench", "compare"):
        assert f"python evaluate.py {mode} --" in text, mode
    assert "python evaluate.py --model" in text


def test_games_mode_reports_gameqa_tasks_and_splits(tiny, tmp_path):
    summary = evaluate.main(["--model", tiny, "--games", "gameqa", "--n", "6", "--max-new-tokens", "4",
                             "--out", str(tmp_path)])
    report = json.load(open(tmp_path / "eval.json"))
    assert report["summary"]["all"]["n"] == 6 and len(report["samples"]) == 6
    assert report["temperature"] == 0.0  # the tiny preset decodes greedily, as ViGaL evaluates
    tasks = [k for k in summary if " task=" in k]
    assert tasks and sum(summary[k]["n"] for k in tasks) == 6  # every sample in exactly one GameQA task row
    assert all(s["question_id"] is not None for s in report["samples"])
    assert any(k.startswith("gameqa ") for k in summary)  # in-domain / out-of-domain
    assert "| all | 6 |" in open(tmp_path / "eval.md").read()


def test_play_mode_plays_full_games_and_saves_gifs(tiny, tmp_path):
    summary = evaluate.main(["play", "--model", tiny, "--opponent", "greedy", "--games", "2", "--max-turns", "6",
                             "--gifs", "1", "--out", str(tmp_path)])
    report = json.load(open(tmp_path / "play.json"))
    assert summary["games"] == 2 and summary["wins"] + summary["losses"] + summary["draws"] == 2
    turns = sum(g["turns"] for g in report["games"])
    assert summary["model"]["moves"] == turns and 0 <= summary["model"]["invalid"] <= turns
    assert len(report["transcripts"]["model"]) == turns  # one model answer per turn it played
    assert {"winner", "apples", "invalid", "turns", "deaths", "seats"} <= set(report["games"][0])
    gif = Image.open(tmp_path / "game-000.gif")
    assert gif.n_frames == report["games"][0]["turns"] + 1
    assert "| wins |" in open(tmp_path / "play.md").read()


def test_bench_mode_on_every_local_benchmark(tiny, tmp_path):
    sources = [f"{n}={os.path.join(FIXTURES, n)}" for n in evaluate.BENCHMARKS]
    args = ["bench", "--model", tiny, "--benchmarks", ",".join(evaluate.BENCHMARKS), "--max-new-tokens", "4",
            "--batch-size", "8", "--out", str(tmp_path), "--cache-dir", str(tmp_path / "cache")]
    for s in sources:
        args += ["--source", s]
    summary = evaluate.main(args)
    report = json.load(open(tmp_path / "bench.json"))
    assert [k for k in summary if "/" not in k] == ["average"] + sorted(evaluate.BENCHMARKS)
    names = list(summary)
    assert names[names.index("mathvista") + 1].startswith("mathvista / ")  # each benchmark's categories follow it
    means = [summary[n]["accuracy"] for n in evaluate.BENCHMARKS]
    assert summary["average"]["accuracy"] == pytest.approx(sum(means) / len(means))
    assert summary["mathvista"]["n"] == 5 and summary["mmmu"]["n"] == 4
    assert all({"id", "game", "completion", "accuracy", "answer"} <= set(r) for r in report["samples"])
    assert report["system_prompt"] == evaluate.BENCH_SYSTEM_PROMPT
    assert "| mathvista | 5 |" in open(tmp_path / "bench.md").read()


def test_compare_puts_base_and_trained_side_by_side(tiny, tmp_path):
    results = evaluate.main(["compare", "--base", tiny, "--trained", tiny, "--n", "4", "--max-new-tokens", "4",
                             "--benchmarks", "mathvista", "--source", f"mathvista={FIXTURES}/mathvista",
                             "--cache-dir", str(tmp_path / "cache"), "--out", str(tmp_path),
                             "--play-games", "2", "--max-turns", "3", "--gifs", "0"])
    play_row = results["trained"].pop("snake play: wins of trained vs base")
    assert play_row["n"] == 2 and 0 <= play_row["value"] <= 100
    assert results["base"] == results["trained"]  # the same model, the same samples, greedy: identical
    table = open(tmp_path / "compare.md").read()
    assert "| metric | n | base | trained | delta | paper base | paper trained |" in table
    assert "| mathvista | 5 |" in table and "| 68.0 | 70.7 |" in table  # ViGaL Snake's row (a snake checkpoint)
    assert "+0.0" in table and "| snake play: wins of trained vs base | 2 |" in table
    assert os.path.isfile(tmp_path / "play" / "play.json")
    assert set(json.load(open(tmp_path / "compare.json"))["summary"]) == {"base", "trained"}


def test_a_checkpoint_answers_with_the_words_it_was_trained_on_and_compare_holds_both_to_them(tiny):
    """The tiny preset trains with --answer-words: loading its checkpoint restricts decoding the same way, and
    compare passes the trained model's words to the base model too (one protocol). "" lifts the restriction."""
    import grpo
    cfg = evaluate.checkpoint_config(tiny)
    samples = [make_sampler(cfg, "test")(i) for i in range(4)]
    moves = {"UP", "DOWN", "LEFT", "RIGHT"}
    for answer_words, restricted in ((None, True), ("UP,DOWN,LEFT,RIGHT", True), ("", False)):
        words = cfg.answer_words if answer_words is None else answer_words
        processor, model = evaluate.load(tiny, dataclasses.replace(cfg, answer_words=words))
        texts = grpo.rollout(model, processor, samples, 1, 1, temperature=0)["texts"]
        logits = model(**grpo.encode_prompts(processor, samples[:1]), logits_to_keep=1).logits[0, -1]
        assert set(texts) <= moves or not restricted
        assert int(logits.isfinite().sum()) == (4 if restricted else logits.numel()), answer_words


def test_bad_model_ends_with_one_message(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(["play", "--model", "./no/such/model", "--out", str(tmp_path)])
    assert str(exit_info.value.code) == ("evaluate.py play: error: model not found: './no/such/model' is neither a "
                                         "folder nor a hub name like 'Qwen/Qwen2.5-VL-7B-Instruct'")


def test_wrong_schema_folder_prints_no_traceback(tmp_path):
    import subprocess
    import sys
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(FIXTURES), "..", "..", "evaluate.py"), "bench",
                        "--model", "/no/model", "--benchmarks", "mathvision", "--source", f"mathvision={FIXTURES}/mmmu",
                        "--cache-dir", str(tmp_path)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().splitlines() == [
        f"evaluate.py bench: error: {FIXTURES}/mmmu is not in the MathVision schema: missing column(s) subject, level "
        f"(found: id, question, options, explanation, image_1, image_2, image_3, image_4, image_5, image_6, image_7, "
        f"img_type, answer, topic_difficulty, question_type, subfield)"]


def test_games_seed_picks_the_test_stream(tmp_path):
    import argparse
    cfg = Config()
    args = lambda seed: argparse.Namespace(data=None, games=None, gameqa_games="all", n=3, seed=seed)
    same, other = evaluate.game_samples(cfg, args(None)), evaluate.game_samples(cfg, args(1))
    assert [s["prompt"] for s in same] == [s["prompt"] for s in evaluate.game_samples(cfg, args(cfg.seed))]
    assert [s["state"] for s in same] != [s["state"] for s in other]
    assert all(s["id"].startswith("snake-test-") for s in same + other)
