"""Split invariance of one optimizer step: 2 gloo processes with B/2 rows each = 1 process with all B rows.

Both runs call train.update_step on the same fixed rollout batch (tests/helpers/update_step_worker.py), with plain
SGD so that the parameter change is exactly -lr * gradient; the metrics (loss, grad norm, kl, clip ratio) must
agree too. Covered: every loss_type, with one micro-batch per process and with micro-batches of 3 (ragged:
3 + 1 rows on each of 2 processes, 3 + 3 + 2 on one; groups of 8 make each process's micro-batches one block
that runs its prompts once), with the clip, the ratio cap and the k3 KL all active, and once with gradient
checkpointing.

bnpo is the exception by definition (TRL's, grpo.loss_denominator): its denominator is the LOCAL batch's token
count, so W processes optimise the mean over processes of per-process token means. What holds, and is checked:
  (a) with the same token count on every process, it equals the full batch's bnpo;
  (b) in general, it equals the full batch's dapo (one global token denominator) with each process's
      advantages scaled by total_tokens / (W * its_tokens) (exact, since the clipped surrogate is positively
      homogeneous in the advantage; beta = 0 so the KL term, which is not, is absent);
  (c) on the ragged split it differs from the full batch's bnpo: the definition is not split-invariant.

The same runs repeated with the model sharded by torch's FSDP2 (fully_shard, as train.py's --fsdp plugin
sets it up; Accelerate itself never selects FSDP on CPU) must take the same step, and greedy decoding
inside grpo.full_params_for_generation must give the unsharded model's tokens.
"""
import json
import os
import socket
import subprocess
import sys

import pytest
import torch

from helpers.update_step_worker import MASK_LENGTHS, make_fixed_batch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER = os.path.join(ROOT, "tests", "helpers", "update_step_worker.py")
LR = 0.5
FSDP_RUNS = ["dapo/micro3", "grpo/micro8", "dr_grpo/micro3", "bnpo/micro3", "dapo/micro3-checkpointed"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configs():
    runs = []
    for loss_type in ("grpo", "bnpo", "dr_grpo", "dapo"):
        for micro in (8, 3):
            mask = "equal" if loss_type == "bnpo" else "ragged"
            runs.append(dict(name=f"{loss_type}/micro{micro}", loss_type=loss_type, micro_batch_size=micro, mask=mask,
                             beta=0.04, lr=LR))
    # gradient checkpointing (the presets'): layers rerun in backward, the prompt's keys and values among them
    runs.append(dict(name="dapo/micro3-checkpointed", loss_type="dapo", micro_batch_size=3, mask="ragged", beta=0.04,
                     lr=LR, gradient_checkpointing=True))
    a, b = sum(MASK_LENGTHS["ragged"][:4]), sum(MASK_LENGTHS["ragged"][4:])
    runs.append(dict(name="bnpo/ragged", loss_type="bnpo", micro_batch_size=3, mask="ragged", beta=0.0, lr=LR))
    runs.append(dict(name="dapo/ragged-as-bnpo", loss_type="dapo", micro_batch_size=3, mask="ragged", beta=0.0, lr=LR,
                     advantage_scale=[(a + b) / (2 * a), (a + b) / (2 * b)]))
    return runs


@pytest.fixture(scope="module")
def runs(tiny_model_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("split")
    batch, cfgs, two_cfgs = str(tmp / "batch.pt"), tmp / "configs.json", tmp / "two_configs.json"
    make_fixed_batch(tiny_model_dir, batch)
    cfgs.write_text(json.dumps(configs()))
    two_cfgs.write_text(json.dumps(configs() + [{**c, "name": "fsdp:" + c["name"], "mode": "fsdp"}
                                                for c in configs() if c["name"] in FSDP_RUNS]))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    one, two = str(tmp / "one.pt"), str(tmp / "two.pt")
    p = subprocess.run([sys.executable, WORKER, batch, tiny_model_dir, str(cfgs), one], capture_output=True,
                       text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    # ACCELERATE_USE_CPU + --multi_gpu: two real gloo ranks on CPU (README: --cpu alone starts one process)
    p = subprocess.run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                        "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                        "--main_process_port", str(free_port()), WORKER, batch, tiny_model_dir, str(two_cfgs), two],
                       capture_output=True, text=True, env={**env, "ACCELERATE_USE_CPU": "1"}, timeout=300)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-3000:]
    one, two = torch.load(one, weights_only=True), torch.load(two, weights_only=True)
    assert (one["num_processes"], two["num_processes"]) == (1, 2)
    return one["results"], two["results"]


def initial_params(tiny_model_dir, names):
    from model import load_model
    model = load_model(tiny_model_dir)
    return {k: p.detach() for k, p in model.named_parameters() if k in names}


def assert_same_step(a, b, start):
    assert a.keys() == b.keys()
    moved = 0.0
    for k in a:
        delta_a, delta_b = a[k] - start[k], b[k] - start[k]
        # 1e-7 for summation order across processes, plus two ulps of the parameter itself: a float32 value
        # near 1.0 (a norm weight) moves in steps of 1.2e-7, plus 1e-5 of the tensor's largest move: a prompt runs
        # once for the completions of its block of micro-batches (grpo.SharedPrompt), and the split across
        # processes changes which those are, so an element's sum of float32 terms is ordered differently
        # (measured: 1e-6 of the largest gradient). A wrong scale or denominator is an O(1) relative error.
        ulps = 2 * torch.finfo(torch.float32).eps * start[k].abs()
        noise = 1e-5 * delta_b.abs().max()
        assert ((delta_a - delta_b).abs() <= 1e-7 + 1e-4 * delta_b.abs() + ulps + noise).all(), \
            (k, (delta_a - delta_b).abs().max())
        moved += delta_a.abs().sum().item()
    assert moved > 0, "the step moved nothing: the comparison would be vacuous"


@pytest.mark.parametrize("name", [c["name"] for c in configs() if c["name"] != "dapo/ragged-as-bnpo"
                                  and c["name"] != "bnpo/ragged"])
def test_two_processes_take_the_same_step_as_one(runs, tiny_model_dir, name):
    one, two = runs
    start = initial_params(tiny_model_dir, one[name]["params"].keys())
    assert_same_step(one[name]["params"], two[name]["params"], start)
    m1, m2 = one[name]["metrics"], two[name]["metrics"]
    for key in ("loss", "grad_norm", "kl", "clip_ratio", "ratio"):
        assert m1[key] == pytest.approx(m2[key], rel=1e-4, abs=1e-7), key
    assert m1["clip_ratio"] > 0 and m1["kl"] > 0  # the clip and the KL were really part of the step


@pytest.mark.parametrize("name", FSDP_RUNS)
def test_fsdp2_sharded_step_equals_the_one_process_step(runs, tiny_model_dir, name):
    """The same split with the model sharded by FSDP2 (reduce-scatter instead of DDP's all-reduce)."""
    one, two = runs
    start = initial_params(tiny_model_dir, one[name]["params"].keys())
    assert_same_step(one[name]["params"], two["fsdp:" + name]["params"], start)
    for key in ("loss", "grad_norm", "kl", "clip_ratio"):
        assert one[name]["metrics"][key] == pytest.approx(two["fsdp:" + name]["metrics"][key], rel=1e-4, abs=1e-7), key


def test_fsdp2_generation_with_gathered_weights_equals_unsharded(runs):
    one, two = runs
    assert two["sharded"] and not one["sharded"]               # the 2-process model really held DTensor shards
    reference = one["greedy"]                                  # (2, C): two prompts, one process
    assert torch.equal(two["greedy"], torch.cat([reference, reference]))   # each of the 2 ranks decoded both


def test_bnpo_on_unequal_splits_is_a_reweighted_token_mean(runs, tiny_model_dir):
    one, two = runs
    start = initial_params(tiny_model_dir, one["bnpo/ragged"]["params"].keys())
    # (b): 2-process bnpo == 1-process dapo with per-process advantage weights
    assert_same_step(two["bnpo/ragged"]["params"], one["dapo/ragged-as-bnpo"]["params"], start)
    # (c): and not the 1-process bnpo step
    diff = max((two["bnpo/ragged"]["params"][k] - one["bnpo/ragged"]["params"][k]).abs().max().item() for k in start)
    assert diff > 1e-4


@pytest.mark.parametrize("name", [n for n in FSDP_RUNS if n.endswith("micro3")])
def test_fsdp2_reduce_scatters_every_micro_batch(runs, name):
    """No no_sync under FSDP2: after each micro-batch's backward every process already holds only its gradient
    shard, never the whole unsharded gradient until the last micro-batch (3 + 1 rows: two micro-batches)."""
    _, two = runs
    assert two["fsdp:" + name]["grads_sharded_after_each_micro_batch"] == [True, True]


def test_fsdp2_sharded_reference_gives_the_unsharded_log_probs(runs):
    """gamerl's reference model sharded like the policy (train.shard_reference): the same log-probs, the root
    gathered only until release_reference, and then half the weights on each of the 2 processes."""
    one, two = runs
    torch.testing.assert_close(two["ref_logps"], one["ref_logps"], rtol=0, atol=1e-5)
    assert one["ref_local_fraction"] == 1.0
    assert two["ref_gathered_after_pass"]                 # the root stayed gathered for the output layer ...
    assert 0.45 < two["ref_local_fraction"] < 0.55        # ... until release_reference freed it: 1/W held
