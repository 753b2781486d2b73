"""The training passes compute each prompt once for its completions (grpo.prompt_pass, then
grpo.completion_pass against the prompt's stored keys and values) and the output layer in chunks
(grpo.token_logps). Against an independent reference, the model's own forward over every (prompt + completion)
row with full logits: the same log-probs, the same entropies and the same gradients, for one- and four-image
prompts, with the vision tower frozen (stored features) and trained (pixels), for a prompt whose completions
are split across micro-batches, and for a block of micro-batches that shares one prompt pass (grpo.SharedPrompt),
with and without gradient checkpointing."""
import pytest
import torch
import torch.nn.functional as F

import grpo
import rotation
from config import Config
from data import make_sampler
from model import load_model, load_processor


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    cfg = Config()
    processor = load_processor(tiny_model_dir, cfg.min_pixels, cfg.max_pixels)
    model = load_model(tiny_model_dir)
    sample_at = make_sampler(cfg)
    # two Snake boards (one image each) and a Rotation question (four images, a much longer prompt): ragged padding
    samples = [sample_at(0), sample_at(1), rotation.sample_at(0, 0, "train", rotation.RotationConfig(image_size=56))]
    return model, processor, samples


def rollout(model, processor, samples, counts, keep_image_features, length=7):
    torch.manual_seed(0)
    return grpo.rollout(model.eval(), processor, samples, counts, length, keep_image_features=keep_image_features)


def reference_logps(model, batch):
    """Every row its own copy of its prompt, full logits from the model's forward: the plain computation."""
    C = batch["completion_ids"].size(1)
    positions = batch["prompt_positions"].transpose(0, 1)
    after = positions.amax(dim=(0, 2))[:, None] + 1 + torch.arange(C)
    images = {"pixel_values": batch["pixel_values"], "image_grid_thw": batch["image_grid_thw"]} \
        if "pixel_values" in batch else \
        {"mm_encoder_outputs": {"image": grpo.BaseModelOutputWithPooling(pooler_output=(batch["image_embeds"],))}}
    logits = model(input_ids=torch.cat([batch["prompt_ids"], batch["completion_ids"]], dim=1),
                   attention_mask=torch.cat([batch["prompt_mask"], batch["completion_mask"]], dim=1),
                   position_ids=torch.cat([positions, after.unsqueeze(0).expand(3, -1, -1)], dim=2),
                   **images).logits[:, -C - 1:-1].float()
    all_logps = F.log_softmax(logits, dim=-1)
    logps = all_logps.gather(2, batch["completion_ids"].unsqueeze(-1)).squeeze(-1)
    return logps, -(all_logps.exp() * all_logps).sum(-1)


def gradients(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward()
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def weighted_loss(logps, entropy, mask, seed=1):
    """A loss that weighs every token differently, so a wrong token or row anywhere changes the gradient."""
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(logps.shape, generator=g)
    return ((logps * w + 0.1 * entropy) * mask).sum()


@pytest.mark.parametrize("frozen_tower", [True, False])
def test_shared_prompt_logps_entropy_and_gradients_equal_the_repeated_rows(tiny, frozen_tower):
    model, processor, samples = tiny
    batch = rollout(model, processor, samples, [3, 1, 4], keep_image_features=frozen_tower)
    mask = batch["completion_mask"].float()
    assert batch["prompt_index"].tolist() == [0, 0, 0, 1, 2, 2, 2, 2]
    model.train()
    model.model.visual.requires_grad_(not frozen_tower)
    try:
        want_logps, want_entropy = reference_logps(model, batch)
        want = gradients(model, weighted_loss(want_logps, want_entropy, mask))
        for share in (True, False):
            logps, entropy = grpo.completion_logps(model, batch, with_entropy=True, share_prompt=share)
            assert (logps - want_logps)[mask.bool()].abs().max() < 1e-5, share
            assert (entropy - want_entropy)[mask.bool()].abs().max() < 1e-4, share
            got = gradients(model, weighted_loss(logps, entropy, mask))
            assert got.keys() == want.keys() and any("visual" in n for n in got) == (not frozen_tower)
            for name in want:
                scale = want[name].abs().max().clamp(min=1e-6)
                assert ((got[name] - want[name]).abs().max() / scale) < 1e-4, (share, name)
    finally:
        model.model.visual.requires_grad_(True)


def test_a_prompt_split_across_micro_batches_gives_the_full_batch_gradient(tiny):
    """Micro-batches of 3 rows cut the first prompt's 4 completions 3 + 1 and the second's 4 into 2 + 2."""
    model, processor, samples = tiny
    batch = rollout(model, processor, samples[1:], [4, 4], keep_image_features=True)
    mask = batch["completion_mask"].float()
    model.train()
    want_logps, want_entropy = reference_logps(model, batch)
    want = gradients(model, weighted_loss(want_logps, want_entropy, mask))
    model.zero_grad(set_to_none=True)
    for start in range(0, 8, 3):
        micro = grpo.select_rows(batch, start, start + 3)
        logps, entropy = grpo.completion_logps(model, micro, with_entropy=True)
        assert torch.allclose(logps, want_logps[start:start + 3], atol=1e-5)
        g = torch.Generator().manual_seed(1)
        w = torch.randn(want_logps.shape, generator=g)[start:start + 3]
        ((logps * w + 0.1 * entropy) * micro["completion_mask"]).sum().backward()
    for name, grad in want.items():
        p = dict(model.named_parameters())[name]
        assert ((p.grad - grad).abs().max() / grad.abs().max().clamp(min=1e-6)) < 1e-4, name


def test_each_prompt_runs_once_and_the_output_layer_sees_at_most_a_chunk(tiny, monkeypatch):
    """Counted: the shared pass runs the 3 prompts once, then the 8 completions without them, where the repeated
    one runs 8 (prompt + completion) rows, and no call of the output layer gets more than LOGITS_CHUNK
    positions, so logits never span every completion token."""
    model, processor, samples = tiny
    batch = rollout(model, processor, samples, [3, 1, 4], keep_image_features=True)
    monkeypatch.setattr(grpo, "LOGITS_CHUNK", 5)
    rows_seen, head_calls = [], []
    h1 = model.model.language_model.register_forward_pre_hook(lambda m, args, kwargs: rows_seen.append(
        kwargs["inputs_embeds"].shape[:2]), with_kwargs=True)
    h2 = model.lm_head.register_forward_hook(lambda m, args, out: head_calls.append(args[0].shape[:-1].numel()))
    try:
        with torch.no_grad():
            shared = grpo.completion_logps(model, batch)
            P, C = batch["prompt_ids"].size(1), batch["completion_ids"].size(1)
            assert rows_seen == [(3, P), (8, C - 1)]     # 3 prompts, then 8 completions but their last token
            assert head_calls[:2] == [3, 8]                           # the model's own calls: one position a row
            assert max(head_calls[2:]) <= 5
            rows_seen.clear()
            repeated = grpo.completion_logps(model, batch, share_prompt=False)
            assert rows_seen == [(8, P + C)]
    finally:
        h1.remove()
        h2.remove()
    assert torch.allclose(shared, repeated, atol=1e-5)


def test_rows_that_claim_one_prompt_but_differ_are_refused(tiny):
    model, processor, samples = tiny
    batch = rollout(model, processor, [samples[0], samples[2]], [2, 2], keep_image_features=True)
    batch["prompt_index"] = torch.zeros_like(batch["prompt_index"])   # a Snake and a Rotation prompt claim one index
    with pytest.raises(ValueError, match="different prompts"):
        grpo.completion_logps(model, batch)


def test_eager_attention_takes_the_additive_mask_and_agrees(tiny_model_dir, tiny):
    _, processor, samples = tiny
    eager = load_model(tiny_model_dir, attn_implementation="eager").eval()
    batch = rollout(eager, processor, samples, [2, 1, 2], keep_image_features=True)
    with torch.no_grad():
        want, _ = reference_logps(eager, batch)
        got = grpo.completion_logps(eager, batch)
    mask = batch["completion_mask"].bool()
    assert (got - want)[mask].abs().max() < 1e-5


def test_columns_past_every_rows_end_are_not_computed(tiny):
    """Completions that all end by column 4 of 7: the completion pass runs 3 columns (the 4th predicts
    nothing), the log-probs up to each row's end are the reference's, and the cut columns come back as 0."""
    model, processor, samples = tiny
    batch = rollout(model, processor, samples[:2], [2, 2], keep_image_features=True)
    lengths = torch.tensor([4, 2, 3, 1])
    batch["completion_mask"] = (torch.arange(7)[None, :] < lengths[:, None]).long()
    widths = []
    hook = model.model.language_model.register_forward_pre_hook(
        lambda m, args, kwargs: widths.append(kwargs["inputs_embeds"].size(1)), with_kwargs=True)
    try:
        with torch.no_grad():
            got = grpo.completion_logps(model.eval(), batch)
            want, _ = reference_logps(model, batch)
    finally:
        hook.remove()
    assert widths[:2] == [batch["prompt_ids"].size(1), 3]         # the prompt pass, then 4 columns but the last
    mask = batch["completion_mask"].bool()
    assert (got - want)[mask].abs().max() < 1e-5 and (got[:, 4:] == 0).all()


def block_gradients(model, batch, micro_batch_size, group_size, seed=1):
    """update_step's loop (grpo.micro_batches): the micro-batches of a block read one SharedPrompt, each runs
    its own backward.
    Returns the log-probs and the summed gradients."""
    model.zero_grad(set_to_none=True)
    w = torch.randn(batch["completion_ids"].shape, generator=torch.Generator().manual_seed(seed))
    got = torch.zeros(batch["completion_ids"].shape)
    for rows, micro, prompt, _ in grpo.micro_batches(model, batch, micro_batch_size, group_size):
        logps, entropy = grpo.completion_logps(model, micro, with_entropy=True, prompt=prompt)
        ((logps * w[rows] + 0.1 * entropy) * micro["completion_mask"]).sum().backward()
        got[rows] = logps.detach()
    return got, {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("frozen_tower", [True, False])
@pytest.mark.parametrize("checkpointing", [False, True])
@pytest.mark.parametrize("micro_batch_size", [2, 3])
def test_a_block_of_micro_batches_runs_its_prompts_once_and_gives_the_full_batch_gradient(
        tiny, frozen_tower, checkpointing, micro_batch_size):
    """Two groups of 4, micro-batches of 2 (blocks of 2 micro-batches: each prompt runs once for its 4 rows) or
    of 3 (blocks of rows 0-5 and 6-7: the second prompt runs in both), rows longest first within a block. The gradient of the prompts' activations
    collected over the block's micro-batches reaches the weights (and the tower when it trains) once, through
    the last micro-batch's backward, as the one backward of the full batch's repeated rows would; also under
    gradient checkpointing (non-reentrant, as train.py sets it up), which reruns layers that hold the caches."""
    model, processor, samples = tiny
    batch = rollout(model, processor, samples[:2], [4, 4], keep_image_features=frozen_tower)
    lengths = torch.tensor([3, 7, 5, 2, 6, 1, 7, 4])                 # ragged: longest first reorders the rows
    batch["completion_mask"] = (torch.arange(7)[None, :] < lengths[:, None]).long()
    mask = batch["completion_mask"].float()
    model.train()
    model.model.visual.requires_grad_(not frozen_tower)
    prompt_passes = []
    hook = model.model.language_model.register_forward_pre_hook(lambda m, args, kwargs: prompt_passes.append(
        kwargs["inputs_embeds"].size(0)) if kwargs["inputs_embeds"].size(1) == batch["prompt_ids"].size(1) else None,
        with_kwargs=True)
    try:
        want_logps, want_entropy = reference_logps(model, batch)
        want = gradients(model, weighted_loss(want_logps, want_entropy, mask))
        prompt_passes.clear()
        if checkpointing:
            model.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
        logps, got = block_gradients(model, batch, micro_batch_size, group_size=4)
    finally:
        hook.remove()
        model.activation_checkpointing_disable()
        model.model.visual.requires_grad_(True)
    assert prompt_passes == ([1, 1] if micro_batch_size == 2 else [2, 1])    # prompts per prompt pass
    assert (logps - want_logps)[mask.bool()].abs().max() < 1e-5
    assert got.keys() == want.keys() and any("visual" in n for n in got) == (not frozen_tower)
    for name in want:
        scale = want[name].abs().max().clamp(min=1e-6)
        assert ((got[name] - want[name]).abs().max() / scale) < 1e-4, name


def test_batch_logps_runs_each_blocks_prompts_once_and_agrees(tiny):
    model, processor, samples = tiny
    batch = rollout(model, processor, samples, [4, 4, 4], keep_image_features=True)
    prompt_rows = []
    hook = model.model.language_model.register_forward_pre_hook(lambda m, args, kwargs: prompt_rows.append(
        kwargs["inputs_embeds"].size(0)) if kwargs["inputs_embeds"].size(1) == batch["prompt_ids"].size(1) else None,
        with_kwargs=True)
    try:
        got = grpo.batch_logps(model.eval(), batch, 2, group_size=4)
    finally:
        hook.remove()
    with torch.no_grad():
        want, _ = reference_logps(model, batch)
    assert prompt_rows == [1, 1, 1]                     # one prompt pass per group, for its two micro-batches
    mask = batch["completion_mask"].bool()
    assert (got - want)[mask].abs().max() < 1e-5


def test_micro_batch_blocks_take_a_blocks_rows_longest_first_and_cover_every_row_once():
    assert grpo.micro_batch_blocks([5, 1, 3, 2, 6, 4, 9, 9, 1, 2, 8, 3], 2, 6) == [
        [[4, 0], [5, 2], [3, 1]], [[6, 7], [10, 11], [9, 8]]]       # ties keep row order
    assert grpo.micro_batch_blocks([1] * 8, 3, 4) == [[[0, 1, 2], [3, 4, 5]], [[6, 7]]]
    assert grpo.micro_batch_blocks(list(range(16)), 256, 8) == [[list(range(15, -1, -1))]]
    assert grpo.micro_batch_blocks([1] * 5, 4, 2) == [[[0, 1, 2, 3]], [[4]]]
    for n, mb, g in [(7, 2, 3), (30, 4, 12), (1, 1, 1)]:
        blocks = grpo.micro_batch_blocks(torch.randint(1, 9, (n,)).tolist(), mb, g)
        assert sorted(r for block in blocks for rows in block for r in rows) == list(range(n))
        assert [len(rows) for block in blocks for rows in block] == [len(r) for r in
                                                                    [range(n)[i:i + mb] for i in range(0, n, mb)]]


def test_a_shared_prompt_refuses_more_rows_than_its_block(tiny):
    model, processor, samples = tiny
    batch = rollout(model, processor, samples[:1], [2], keep_image_features=True)
    prompt = grpo.SharedPrompt(model, grpo.select_rows(batch, 0, 1))
    with torch.no_grad(), pytest.raises(ValueError, match="rows left"):
        grpo.completion_logps(model, batch, prompt=prompt)


def test_one_token_completions_need_no_completion_pass(tiny):
    """The prompt's last token predicts a completion's first token, and a completion's last token predicts
    nothing: one-token completions (the default run's) are scored by the prompt pass alone."""
    model, processor, samples = tiny
    batch = rollout(model, processor, samples, [3, 1, 4], keep_image_features=True, length=1)
    calls = []
    hook = model.model.language_model.register_forward_pre_hook(lambda m, args, kwargs: calls.append(
        kwargs["inputs_embeds"].shape[:2]), with_kwargs=True)
    try:
        with torch.no_grad():
            got = grpo.completion_logps(model.eval(), batch)
    finally:
        hook.remove()
    assert calls == [(3, batch["prompt_ids"].size(1))]
    with torch.no_grad():
        want, _ = reference_logps(model, batch)
    assert (got - want).abs().max() < 1e-5
