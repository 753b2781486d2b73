"""The default demo (`accelerate launch train.py`, the tiny preset): its report artefacts, its chance baselines,
that the image reaches the answer, and that a seed reproduces a run. Cheap: two 3-step runs in subprocesses."""
import json
import os
import subprocess
import sys

import pytest
import torch
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import grpo  # noqa: E402
import train  # noqa: E402

SHORT = ["--max-steps", "3", "--save-every", "3", "--eval-samples", "4"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two identical short runs of the default preset, started together (one core each on a 2-core machine)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
    outs = [str(tmp_path_factory.mktemp("demo")) for _ in range(2)]
    procs = [subprocess.Popen([sys.executable, os.path.join(ROOT, "train.py"), "--out-dir", out, *SHORT], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for out in outs]
    logs = [p.communicate(timeout=300)[0] for p in procs]
    for p, log in zip(procs, logs):
        assert p.returncode == 0, f"train.py exited {p.returncode}:\n{log[-3000:]}"
    return outs, logs


@pytest.fixture(scope="module")
def short_run(two_runs):
    return two_runs[0][0], two_runs[1][0]


def test_report_curve_and_rollouts_are_written(short_run):
    out, log = short_run
    report = open(os.path.join(out, "report.md")).read()
    for row in ("| model at step 0 |", "| model at step 3 |", "| best constant move (", "| uniform random legal move |"):
        assert row in report, row
    assert "report.md" in log
    curve = Image.open(os.path.join(out, "curve.png")).convert("RGB")
    colours = {colour for _, colour in curve.getcolors(maxcolors=1 << 20)}
    assert (30, 80, 220) in colours and (220, 30, 30) in colours, "reward (blue) and accuracy (red) lines are drawn"
    index = open(os.path.join(out, "rollouts", "index.md")).read()
    pngs = [f for f in os.listdir(os.path.join(out, "rollouts")) if f.endswith(".png")]
    assert len(pngs) == 4
    for f in pngs:
        assert f"]({f})" in index
        assert Image.open(os.path.join(out, "rollouts", f)).size == (112, 112)


def test_same_seed_gives_the_same_metrics(two_runs):
    (out, again), _ = two_runs
    strip = lambda path: [{k: v for k, v in json.loads(line).items() if not k.startswith("seconds/")}
                          for line in open(path)]
    first, second = strip(os.path.join(out, "metrics.jsonl")), strip(os.path.join(again, "metrics.jsonl"))
    assert len(first) == 3 and first == second
    assert json.load(open(os.path.join(out, "held_out.json"))) == json.load(open(os.path.join(again, "held_out.json")))


def test_chance_baselines_by_hand():
    def s(best, worst):
        return {"reward": "snake_move", "answer": {"best": best, "worst": worst}}
    samples = [s(["UP"], []), s(["UP", "LEFT"], ["DOWN"]), s(["RIGHT"], ["UP", "DOWN", "LEFT"])]
    base = train.chance_baselines(samples)
    assert base["best constant move"] == (2 / 3, "UP")
    assert base["uniform random legal move"][0] == pytest.approx((1 / 4 + 2 / 3 + 1 / 1) / 3)
    assert train.chance_baselines([{"reward": "snake", "answer": {"best": ["UP"], "worst": []}}]) == {}


def test_image_reaches_the_answer_in_the_tiny_model(short_run):
    """At initialisation, the answer logits depend on the board (not only on the prompt), and the policy
    gradient reaches the vision tower when the preset trains it: without both, RL cannot learn to read."""
    out, _ = short_run
    cfg = train.parse_config(["--out-dir", out])
    processor = train.load_processor(os.path.join(out, "tiny-model"), cfg.min_pixels, cfg.max_pixels)
    model = train.load_model(os.path.join(out, "tiny-model"))
    samples = [train.make_sampler(cfg)(i) for i in range(4)]
    seen = grpo.encode_prompts(processor, samples)
    blank = grpo.encode_prompts(processor, samples, blind=True)
    with torch.no_grad():
        logits_seen = model(**seen, logits_to_keep=1).logits[:, -1]
        logits_blank = model(**blank, logits_to_keep=1).logits[:, -1]
    assert (logits_seen - logits_blank).abs().max() > 0.1 * logits_seen.std()
    model.model.visual.requires_grad_(not cfg.freeze_vision)
    model(**seen, logits_to_keep=1).logits[:, -1].logsumexp(-1).sum().backward()
    grads = [p.grad for p in model.model.visual.parameters()]
    if cfg.freeze_vision:
        assert all(g is None for g in grads)
    else:
        assert sum(float(g.abs().sum()) for g in grads if g is not None) > 0
