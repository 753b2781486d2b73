"""The algorithm's variants (SPEC §5): hand-computed numbers, loop references, and train.update_step on the
tiny model for the behaviours that need a real policy (second pass off ratio 1, masked batches)."""
import math
import random

import pytest
import torch

import grpo
import train


def close(a, b, tol=1e-6):
    return torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64), atol=tol)


# ---- accuracy filter, whitening, the whole advantage pipeline against a loop version

def test_accuracy_filter_hand_computed():
    acc = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    # group means 1.0, 0.25, 0.0, 0.75 -> MM-EUREKA's [0.1, 0.9] keeps groups 2 and 4
    keep = grpo.accuracy_filter(acc, 4, 0.1, 0.9)
    assert keep.tolist() == [False] * 4 + [True] * 4 + [False] * 4 + [True] * 4
    assert grpo.accuracy_filter(acc, 4).all()                             # 0 and 1: keep everything
    assert grpo.accuracy_filter(acc, 4, 0.25, 0.75).tolist() == keep.tolist()   # the range is inclusive


def loop_advantages(rewards, accuracy, lengths, G, estimator, scale, whiten, low, high):
    """Plain-Python reference for train.py's step 3: filter -> group advantages -> token whitening."""
    n = len(rewards)
    keep = []
    for p in range(0, n, G):
        mean_acc = sum(accuracy[p:p + G]) / G
        keep += [low <= mean_acc <= high] * G
    adv = []
    for p in range(0, n, G):
        g = rewards[p:p + G]
        mean = sum(g) / G
        if all(x == g[0] for x in g):
            adv += [0.0] * G
        elif estimator == "rloo":
            adv += [x - (sum(g) - x) / (G - 1) for x in g]
        else:
            std = {"group": math.sqrt(sum((x - mean) ** 2 for x in g) / (G - 1)),
                   "batch": math.sqrt(sum((x - sum(rewards) / n) ** 2 for x in rewards) / (n - 1)), "none": None}[scale]
            adv += [(x - mean) / (std + 1e-4) if std is not None else x - mean for x in g]
    if whiten:
        tokens = [a for a, l, k in zip(adv, lengths, keep) for _ in range(l if k else 0)]
        mu = sum(tokens) / len(tokens)
        sd = math.sqrt(sum((t - mu) ** 2 for t in tokens) / len(tokens))
        adv = [(a - mu) / (sd + 1e-8) for a in adv]
    return adv, keep


def test_advantage_pipeline_matches_a_loop_version_on_random_rollouts():
    rng = random.Random(1)
    for trial in range(60):
        G, P = rng.randint(2, 6), rng.randint(2, 5)
        acc = [float(rng.random() < 0.5) for _ in range(G * P)]
        rewards = [a + rng.choice([0.0, 0.1]) for a in acc]
        lengths = [rng.randint(1, 9) for _ in range(G * P)]
        estimator, scale = rng.choice(["grpo", "rloo"]), rng.choice(["group", "batch", "none"])
        whiten, (low, high) = rng.random() < 0.5, rng.choice([(0.0, 1.0), (0.1, 0.9)])
        expected, expected_keep = loop_advantages(rewards, acc, lengths, G, estimator, scale, whiten, low, high)
        if whiten and not any(expected_keep):
            continue
        r = torch.tensor(rewards, dtype=torch.float64)
        keep = grpo.accuracy_filter(torch.tensor(acc), G, low, high)
        adv = grpo.rloo_advantages(r, G) if estimator == "rloo" else grpo.group_advantages(r, G, scale)
        if whiten:
            adv = grpo.whiten_over_tokens(adv, torch.tensor(lengths, dtype=torch.float64) * keep)
        assert keep.tolist() == expected_keep
        assert close(adv, expected, 1e-6), (trial, estimator, scale, whiten)


@pytest.mark.parametrize("W,S,P,G", [(1, 1, 2, 4), (2, 1, 1, 4), (4, 1, 2, 12), (2, 3, 2, 3), (3, 2, 1, 6)])
def test_rollout_rows_cover_the_rollout_and_gather_restores_its_order(W, S, P, G):
    step_rows = P * G
    mine = [train.rollout_rows(r, W, S, step_rows) for r in range(W)]
    assert sorted(torch.cat(mine).tolist()) == list(range(S * step_rows))          # every row exactly once
    for r in range(W):                                                               # each step split evenly
        assert [int(g) // step_rows for g in mine[r]] == [k for k in range(S) for _ in range(step_rows // W)]
    gathered = torch.cat(mine).float().unsqueeze(1).repeat(1, 5)                     # what gather returns
    assert train.in_rollout_order(gathered, W, S)[:, 3].tolist() == list(range(S * step_rows))


def test_dapo_and_dr_grpo_hand_computed_on_two_processes():
    """Process 1 holds rows with 2 and 1 tokens, process 2 one row with 3; the full batch has 3 rows, 6 tokens."""
    loss = torch.tensor([[1.0, 2.0, 0.0], [4.0, 0.0, 0.0]]), torch.tensor([[1.0, 1.0, 1.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]]), torch.tensor([[1, 1, 1]])
    per_process = {}
    for lt in ("grpo", "dr_grpo", "dapo"):
        per_process[lt] = [grpo.aggregate_loss(l, m, lt, grpo.loss_denominator(lt, m, 3, 6, 2, 3)).item()
                           for l, m in zip(loss, mask)]
    # DDP averages the two processes; the averages are the full-batch definitions:
    assert sum(per_process["dapo"]) / 2 == pytest.approx((1 + 2 + 4 + 3) / 6)         # token mean
    assert sum(per_process["grpo"]) / 2 == pytest.approx((1.5 + 4 + 1) / 3)           # mean of sequence means
    assert sum(per_process["dr_grpo"]) / 2 == pytest.approx((1 + 2 + 4 + 3) / (3 * 3))  # / (B * max length)


def test_lr_schedules_hand_computed():
    cosine = train.lr_lambda(train.Config(max_steps=100, warmup_ratio=0.03, lr_scheduler="cosine", min_lr_ratio=0.1))
    assert [cosine(s) for s in (0, 1, 2)] == pytest.approx([1 / 3, 2 / 3, 1.0])          # 3 warm-up steps
    assert cosine(3 + 97 // 2) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 48 / 97)))
    assert cosine(100) == pytest.approx(0.1) and cosine(99) > 0.1                        # the floor, 0.1 x peak
    constant = train.lr_lambda(train.Config(max_steps=100, warmup_ratio=0.05, lr_scheduler="constant"))
    assert [constant(s) for s in (0, 4, 5, 99)] == pytest.approx([0.2, 1.0, 1.0, 1.0])


# ---- the papers' presets, field by field against SPEC §6

def test_presets_match_spec_table():
    vigal, gamerl = train.PRESETS["vigal"], train.PRESETS["gamerl"]
    assert {k: vigal[k] for k in ("model", "advantage_estimator", "whiten_advantages", "beta", "epsilon", "epsilon_high",
                                  "delta", "num_generations", "prompts_per_step", "steps_per_rollout", "temperature",
                                  "learning_rate", "lr_scheduler", "min_lr_ratio", "warmup_ratio",
                                  "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", advantage_estimator="rloo", whiten_advantages=True, beta=0.0, epsilon=0.2,
        epsilon_high=0.2, delta=3.0, num_generations=6, prompts_per_step=120, steps_per_rollout=1, temperature=1.0,
        learning_rate=1e-6, lr_scheduler="cosine", min_lr_ratio=0.1, warmup_ratio=0.03, max_completion_length=3000,
        freeze_vision=True, max_pixels=640 * 28 * 28, fsdp=True)
    assert {k: gamerl[k] for k in ("model", "games", "gameqa_games", "advantage_estimator", "scale_rewards", "beta",
                                   "kl_estimator", "epsilon", "epsilon_high", "num_generations", "prompts_per_step",
                                   "temperature", "top_p", "top_k", "learning_rate", "lr_scheduler", "warmup_ratio",
                                   "max_completion_length", "freeze_vision", "max_pixels", "fsdp")} == dict(
        model="Qwen/Qwen2.5-VL-7B-Instruct", games="gameqa", gameqa_games="in-domain", advantage_estimator="grpo",
        scale_rewards="group", beta=0.04, kl_estimator="k3", epsilon=0.2, epsilon_high=0.2, num_generations=12,
        prompts_per_step=2, temperature=1.0, top_p=0.85, top_k=50, learning_rate=5e-7, lr_scheduler="constant",
        warmup_ratio=0.05, max_completion_length=2048, freeze_vision=True, max_pixels=1280 * 28 * 28, fsdp=True)
    for preset in (vigal, gamerl):  # every preset field is a real Config field and passes validation's choices
        assert set(preset) <= {f for f in train.Config.__dataclass_fields__}


# ---- update_step on the tiny model, one process

@pytest.fixture(scope="module")
def policy(tiny_model_dir, tmp_path_factory):
    """(accelerator, fixed batch, a function returning a fresh prepared model + AdamW + scheduler)."""
    from accelerate import Accelerator

    from update_step_worker import make_fixed_batch
    path = str(tmp_path_factory.mktemp("batch") / "batch.pt")
    make_fixed_batch(tiny_model_dir, path)
    saved = torch.load(path, weights_only=True)
    accelerator = Accelerator(cpu=True)

    def fresh(lr):
        model = train.load_model(tiny_model_dir)
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
    cfg = train.Config(micro_batch_size=4, loss_type="dapo", max_completion_length=8, epsilon=0.2, epsilon_high=0.2)
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
                                  train.Config(beta=0.04, kl_estimator=estimator, max_completion_length=8))
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
                              train.Config(loss_type=loss_type, beta=0.04, micro_batch_size=3, max_completion_length=8))
    assert stats["grad_norm"] == 0 and stats["loss"] == 0
    for k, p in model.named_parameters():
        assert torch.equal(p, before[k]), k


def test_select_rows_with_rows_of_different_image_counts():
    """Snake rows carry 1 image, Rotation rows 4: a micro-batch must take exactly its rows' patches."""
    grid = torch.tensor([[1, 2, 2]] * 6)                                    # 6 images of 4 patches each
    pixels = torch.arange(24).unsqueeze(1).float()
    batch = {"prompt_ids": torch.arange(3).unsqueeze(1), "num_images": torch.tensor([1, 4, 1]),
             "pixel_values": pixels, "image_grid_thw": grid}
    middle = grpo.select_rows(batch, 1, 2)
    assert torch.equal(middle["pixel_values"], pixels[4:20]) and middle["image_grid_thw"].size(0) == 4
    last = grpo.select_rows(grpo.select_rows(batch, 1, 3), 1, 2)               # a selection of a selection
    assert torch.equal(last["pixel_values"], pixels[20:24]) and last["num_images"].tolist() == [1]
