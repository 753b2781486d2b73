"""train.py's loop pieces on their own: which rows of a rollout each process holds, the learning-rate schedules
(hand-computed), and train.update_step on the tiny model for the behaviours that need a real policy (second pass
off ratio 1, KL against itself, masked batches). update_step split over processes: test_update_step_distributed.py."""
import math

import pytest
import torch

import grpo
import train
from config import Config
from model import load_model


# ---- the rows each process holds, and the learning rate

@pytest.mark.parametrize("W,S,P,G", [(1, 1, 2, 4), (2, 1, 1, 4), (4, 1, 2, 12), (2, 3, 2, 3), (3, 2, 1, 6)])
def test_rollout_rows_cover_the_rollout_and_gather_restores_its_order(W, S, P, G):
    step_rows = P * G
    mine = [train.rollout_rows(r, W, S, step_rows) for r in range(W)]
    assert sorted(torch.cat(mine).tolist()) == list(range(S * step_rows))          # every row exactly once
    for r in range(W):                                                               # each step split evenly
        assert [int(g) // step_rows for g in mine[r]] == [k for k in range(S) for _ in range(step_rows // W)]
    gathered = torch.cat(mine).float().unsqueeze(1).repeat(1, 5)                     # what gather returns
    assert train.in_rollout_order(gathered, W, S)[:, 3].tolist() == list(range(S * step_rows))


def test_lr_schedules_hand_computed():
    cosine = train.lr_lambda(Config(max_steps=100, warmup_ratio=0.03, lr_scheduler="cosine", min_lr_ratio=0.1))
    assert [cosine(s) for s in (0, 1, 2)] == pytest.approx([1 / 3, 2 / 3, 1.0])          # 3 warm-up steps
    assert cosine(3 + 97 // 2) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 48 / 97)))
    assert cosine(100) == pytest.approx(0.1) and cosine(99) > 0.1                        # the floor, 0.1 x peak
    constant = train.lr_lambda(Config(max_steps=100, warmup_ratio=0.05, lr_scheduler="constant"))
    assert [constant(s) for s in (0, 4, 5, 99)] == pytest.approx([0.2, 1.0, 1.0, 1.0])


# ---- update_step on the tiny model, one process

@pytest.fixture(scope="module")
def policy(tiny_model_dir, tmp_path_factory):
    """(accelerator, fixed batch, a function returning a fresh prepared model + AdamW + scheduler)."""
    from accelerate import Accelerator

    from helpers.update_step_worker import make_fixed_batch
    path = str(tmp_path_factory.mktemp("batch") / "batch.pt")
    make_fixed_batch(tiny_model_dir, path)
    saved = torch.load(path, weights_only=True)
    accelerator = Accelerator(cpu=True)

    def fresh(lr):
        model = load_model(tiny_model_dir)
        model.model.visual.requires_grad_(False)
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
        return accelerator.prepare(model, optimizer, scheduler)
    return accelerator, saved, fresh


def test_second_pass_moves_the_ratio_off_one_and_clips(policy):
    """num_iterations = 2: old log-probs are stored once; pass 1 has ratio exactly 1 (REINFORCE, nothing
    clipped), pass 2 sees the policy the first step made, so ratios move and the clip engages."""
    accelerator, saved, fresh = policy
    model, optimizer, scheduler = fresh(lr=0.02)
    batch = {k: v for k, v in saved["batch"].items() if k not in ("old_logps", "ref_logps")}
    batch["mask"] = batch["completion_mask"]
    batch["old_logps"] = grpo.batch_logps(model, batch, 8)          # stored before any update, as train.py does
    cfg = Config(micro_batch_size=4, loss_type="dapo", max_completion_length=8, epsilon=0.2, epsilon_high=0.2,
                 entropy_coef=0.0)
    first = train.update_step(accelerator, model, optimizer, scheduler, batch, cfg)
    second = train.update_step(accelerator, model, optimizer, scheduler, batch, cfg)
    assert first["ratio"] == pytest.approx(1.0, abs=1e-6) and first["clip_ratio"] == 0
    assert abs(second["ratio"] - 1) > 1e-3 and second["clip_ratio"] > 0
    # the detached-current-policy path (one update per rollout) is the same first pass
    fresh_model = fresh(lr=0.02)
    no_old = train.update_step(accelerator, *fresh_model, {k: v for k, v in batch.items() if k != "old_logps"}, cfg)
    assert no_old["loss"] == pytest.approx(first["loss"], abs=1e-6) and no_old["ratio"] == 1.0


def test_kl_is_zero_when_the_policy_is_the_reference(policy):
    accelerator, saved, fresh = policy
    model, optimizer, scheduler = fresh(lr=0.0)
    batch = {k: v for k, v in saved["batch"].items() if k not in ("old_logps", "ref_logps")}
    batch["mask"] = batch["completion_mask"]
    batch["ref_logps"] = grpo.batch_logps(model, batch, 8)
    for estimator in ("k1", "k3"):
        stats = train.update_step(accelerator, model, optimizer, scheduler, batch,
                                  Config(beta=0.04, kl_estimator=estimator, max_completion_length=8, micro_batch_size=8,
                                         entropy_coef=0.0))
        assert stats["kl"] == pytest.approx(0.0, abs=1e-6), estimator


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "dapo"])
def test_a_batch_of_masked_truncated_completions_changes_no_parameter(policy, loss_type):
    """mask_truncated_completions with every completion truncated: mask all 0, so no gradient and no change
    (AdamW with a zero gradient and no weight decay moves nothing), whatever the advantages and the KL."""
    accelerator, saved, fresh = policy
    model, optimizer, scheduler = fresh(lr=0.1)
    batch = dict(saved["batch"])
    truncated = torch.ones(8, dtype=torch.bool)
    batch["mask"] = batch["completion_mask"] * (~truncated).unsqueeze(1).long()      # as train.py masks them
    before = {k: p.detach().clone() for k, p in model.named_parameters()}
    stats = train.update_step(accelerator, model, optimizer, scheduler, batch,
                              Config(loss_type=loss_type, beta=0.04, micro_batch_size=3, max_completion_length=8,
                                     entropy_coef=0.0))
    assert stats["grad_norm"] == 0 and stats["loss"] == 0
    for k, p in model.named_parameters():
        assert torch.equal(p, before[k]), k
