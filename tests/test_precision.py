"""--dtype bfloat16 computes in bf16 and keeps float32 master weights: one AdamW step at the presets' learning rate
moves the weights as the float32 step does, norm weights included.

The reference is the same step with --dtype float32 on the same fixed rollout batch (train.update_step, the loop's
own update). AdamW's first step moves every weight by lr * g / (|g| + eps), about lr with the sign of the gradient,
so where the bf16-computed gradient has the float32 one's sign the two steps agree to float32 rounding. The same
step taken on bf16 weights (what --dtype bfloat16 loaded before) moves no norm weight: 1e-6 is below bf16's
resolution at 1.0, which shows the comparison can fail.
"""
import dataclasses

import pytest
import torch
from accelerate import Accelerator

import train
from config import Config
from helpers.update_step_worker import make_fixed_batch
from model import load_model

LR = 1e-6  # ViGaL's learning rate


def step_config(dtype):
    return Config(dtype=dtype, learning_rate=LR, answer_words="", max_completion_length=8, micro_batch_size=4,
                  entropy_coef=0.0, beta=0.0, loss_type="dapo", epsilon=0.2, epsilon_high=0.2)


def one_step(model, cfg, batch):
    """One AdamW step of train.update_step; returns the trainable parameters after it, and the dtypes the
    decoder's MLP output had in the forward passes."""
    accelerator = Accelerator(cpu=True)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=cfg.learning_rate,
                                  weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    seen = set()
    mlp = accelerator.unwrap_model(model).model.language_model.layers[0].mlp.down_proj
    handle = mlp.register_forward_hook(lambda module, args, out: seen.add(out.dtype))
    train.update_step(accelerator, model, optimizer, scheduler, batch, cfg)
    handle.remove()
    return {k: p.detach().clone() for k, p in accelerator.unwrap_model(model).named_parameters() if p.requires_grad}, seen


def test_bf16_compute_with_float32_master_weights_steps_as_float32(tiny_model_dir, tmp_path):
    path = str(tmp_path / "batch.pt")
    make_fixed_batch(tiny_model_dir, path)
    saved = torch.load(path, weights_only=True)
    batch = {**saved["batch"], "mask": saved["masks"]["ragged"]}
    start = {k: p.detach().clone() for k, p in load_model(tiny_model_dir).named_parameters()}

    steps = {}
    for dtype in ("float32", "bfloat16"):
        cfg = step_config(dtype)
        _, model, _ = train.load_policy(cfg, Accelerator(cpu=True), tiny_model_dir)
        trainable = {k: p for k, p in model.named_parameters() if p.requires_grad}
        assert all(p.dtype == torch.float32 for p in trainable.values()), "master weights must be float32"
        if dtype == "bfloat16":  # frozen, never updated: no master copy needed
            assert all(p.dtype == torch.bfloat16 for p in model.model.visual.parameters())
        steps[dtype] = one_step(model, cfg, batch)
    (fp32, fp32_dtypes), (bf16, bf16_dtypes) = steps["float32"], steps["bfloat16"]
    assert fp32_dtypes == {torch.float32} and bf16_dtypes == {torch.bfloat16}, "the bf16 run computed in bf16"

    norms = [k for k in fp32 if "norm" in k]
    assert norms, "the tiny model has RMSNorm weights"
    agree, total = 0, 0
    for k in fp32:
        d32, d16 = fp32[k] - start[k], bf16[k] - start[k]
        moved32 = d32 != 0
        # every tensor moves, and in each at least 90% of the values the float32 step moves also move in bf16
        assert moved32.any(), k
        assert (d16[moved32] != 0).float().mean() >= 0.9, (k, (d16[moved32] != 0).float().mean())
        # where the two gradients share a sign, the steps agree: within 5% of lr plus the float32 rounding of
        # w + lr, on at least 99% of those values (the rest: gradients near AdamW's eps, where the step is < lr)
        same = (torch.sign(d32) == torch.sign(d16)) & moved32
        tolerance = 0.05 * LR + 2 * torch.finfo(torch.float32).eps * start[k].abs()
        assert ((d32 - d16).abs()[same] <= tolerance[same]).float().mean() >= 0.99, k
        agree, total = agree + int(same.sum()), total + int(moved32.sum())
    assert agree / total >= 0.9, f"bf16 gradients have the float32 ones' sign on only {agree / total:.1%} of values"
    for k in norms:  # the symptom: no norm weight moved in bf16 weights
        assert ((bf16[k] - start[k]) != 0).float().mean() >= 0.9, k

    # the same step on bf16 weights (what --dtype bfloat16 used to load) loses the update: the test can fail
    cfg = step_config("float32")
    pure = load_model(tiny_model_dir, torch.bfloat16)
    pure.model.visual.requires_grad_(False)
    lost, _ = one_step(pure, cfg, {k: v.to(torch.bfloat16) if torch.is_floating_point(v) and k == "image_embeds" else v
                                   for k, v in batch.items()})
    for k in norms:
        assert torch.equal(lost[k].float(), start[k].to(torch.bfloat16).float()), k


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_the_reference_model_computes_exactly_as_the_policy(tiny_model_dir, tmp_path, dtype):
    """Before any update the KL to the reference must be exactly 0: the reference is built and run as the policy
    is (train.load_policy, train.compute_precision), not merely from the same weights. A bf16 reference beside a
    float32-weight policy under autocast differs by bf16 rounding (1e-4 a token of k3 KL on the 3B shape)."""
    import grpo
    path = str(tmp_path / "batch.pt")
    make_fixed_batch(tiny_model_dir, path)
    batch = torch.load(path, weights_only=True)["batch"]
    cfg = dataclasses.replace(step_config(dtype), beta=0.04, model=tiny_model_dir)
    accelerator = Accelerator(cpu=True)
    _, policy, ref = train.load_policy(cfg, accelerator, tiny_model_dir)
    policy.train()
    with train.compute_precision(cfg, accelerator.device):   # one micro-batch of all 8 rows in both passes
        logps = grpo.completion_logps(policy, batch, cfg.temperature)   # as update_step computes it, with grad
        ref_logps = grpo.batch_logps(ref, batch, 8, cfg.temperature)    # as train.py's phase 4 computes it
    assert torch.equal(logps.detach(), ref_logps)
    assert torch.equal(grpo.kl_penalty(logps, ref_logps).detach(), torch.zeros_like(logps))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_gradient_checkpointing_takes_the_same_step(tiny_model_dir, tmp_path, dtype):
    """The presets train with gradient checkpointing (train.load_policy turns it on), which reruns every decoder
    layer in backward, the prompt pass's among them, whose keys and values the block's micro-batches read
    (grpo.SharedPrompt). Micro-batches of 2 over groups of 4: a prompt pass shared by two micro-batches, its
    gradient carried. With plain SGD at lr 1 the step is the gradient itself: it must be the same as without
    checkpointing, and the gradient norm too."""
    path = str(tmp_path / "batch.pt")
    make_fixed_batch(tiny_model_dir, path)
    saved = torch.load(path, weights_only=True)
    batch = {**saved["batch"], "mask": saved["masks"]["ragged"]}
    steps = {}
    for checkpointing in (False, True):
        cfg = dataclasses.replace(step_config(dtype), micro_batch_size=2, num_generations=4, max_grad_norm=1e9,
                                  gradient_checkpointing=checkpointing)
        accelerator = Accelerator(cpu=True)
        _, model, _ = train.load_policy(cfg, accelerator, tiny_model_dir)
        assert model.model.language_model.layers[0].gradient_checkpointing == checkpointing
        optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1.0)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
        model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
        before = {k: p.detach().clone() for k, p in model.named_parameters() if p.requires_grad}
        stats = train.update_step(accelerator, model, optimizer, scheduler, batch, cfg)
        steps[checkpointing] = stats, {k: before[k] - p.detach() for k, p in model.named_parameters() if k in before}
    (plain, plain_step), (ckpt, ckpt_step) = steps[False], steps[True]
    assert ckpt["grad_norm"] == pytest.approx(plain["grad_norm"], rel=1e-5) and plain["grad_norm"] > 0
    for k, g in plain_step.items():
        assert (ckpt_step[k] - g).abs().max() <= 1e-5 * g.abs().max() + 1e-9, k
