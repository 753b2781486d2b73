"""grpo.rollout's sampler (each prompt encoded and prefilled once, its cache copied to its completions) against
the straightforward path it replaces: Hugging Face's generate on the prompt repeated once per completion, and
the model's own full forward pass over prompt + completion. Samples, logits and log-probs must agree.
"""
import math

import pytest
import torch
from transformers import (LogitsProcessorList, SuppressTokensLogitsProcessor, TemperatureLogitsWarper,
                          TopKLogitsWarper, TopPLogitsWarper)

import grpo
import rotation
from config import Config
from data import make_sampler
from model import load_model, load_processor


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    cfg = Config()
    processor = load_processor(tiny_model_dir, cfg.min_pixels, cfg.max_pixels)
    model = load_model(tiny_model_dir).eval()
    sample_at = make_sampler(cfg)
    # two Snake boards (one image each) and a Rotation question (four images, a much longer prompt): ragged padding
    samples = [sample_at(0), sample_at(1), rotation.sample_at(0, 0, "train", rotation.RotationConfig(image_size=56))]
    return model, processor, samples


def straightforward(model, processor, samples, counts, max_new_tokens, temperature, top_k=0, top_p=1.0, eos=None):
    """What grpo.rollout did before, and what TRL does: every completion its own copy of the prompt, generate."""
    rows = [s for s, n in zip(samples, counts) for _ in range(n)]
    batch = grpo.encode_prompts(processor, rows)
    sampling = dict(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p) if temperature > 0 else \
        dict(do_sample=False, temperature=None, top_k=None, top_p=None)
    out = model.generate(**batch, max_new_tokens=max_new_tokens, eos_token_id=eos or grpo._eos_ids(model, processor.tokenizer),
                         pad_token_id=processor.tokenizer.pad_token_id, suppress_tokens=grpo.vision_token_ids(processor),
                         **sampling)
    return out[:, batch["input_ids"].size(1):], batch


@torch.no_grad()
def full_forward_logits(model, processor, samples, counts, completion_ids):
    """The model's own forward over prompt + completion, its positions computed by the model (mm_token_type_ids
    given, so image tokens get M-RoPE's 3-D positions). Returns the logits that predict each completion token."""
    rows = [s for s, n in zip(samples, counts) for _ in range(n)]
    batch = grpo.encode_prompts(processor, rows)
    C = completion_ids.size(1)
    model.model.rope_deltas = None                                               # the module caches it between calls
    logits = model(input_ids=torch.cat([batch["input_ids"], completion_ids], dim=1),
                   attention_mask=torch.cat([batch["attention_mask"], torch.ones_like(completion_ids)], dim=1),
                   mm_token_type_ids=torch.cat([batch["mm_token_type_ids"], torch.zeros_like(completion_ids)], dim=1),
                   pixel_values=batch["pixel_values"], image_grid_thw=batch["image_grid_thw"]).logits
    return logits[:, -C - 1:-1], batch


# ---- the sampling step against Hugging Face's logits processors, on fixed logits

@pytest.mark.parametrize("temperature,top_k,top_p", [(1.0, 0, 1.0), (0.7, 5, 1.0), (1.3, 0, 0.85), (0.6, 10, 0.5),
                                                     (1.0, 50, 0.85), (2.0, 3, 0.99)])
def test_next_token_probs_equal_generates_processors(temperature, top_k, top_p):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 40, generator=g) * 3
    logits[0, :4] = 2.5                                                           # ties at the top-k boundary
    suppress = [2, 7, 39]
    processors = LogitsProcessorList([SuppressTokensLogitsProcessor(suppress)] +
                                     ([TemperatureLogitsWarper(temperature)] if temperature != 1.0 else []) +
                                     ([TopKLogitsWarper(top_k)] if top_k else []) + ([TopPLogitsWarper(top_p)] if top_p < 1 else []))
    expected = processors(None, logits.clone()).softmax(dim=-1)
    probs = grpo.next_token_probs(logits, temperature, top_k, top_p, suppress)
    assert torch.allclose(probs, expected, atol=1e-7, rtol=0)
    assert torch.equal(probs == 0, expected == 0)                                 # the same support, exactly
    assert (probs[:, suppress] == 0).all()
    torch.manual_seed(1)
    ours = grpo.sample_next_token(logits, temperature, top_k, top_p, suppress)
    torch.manual_seed(1)
    assert torch.equal(ours, torch.multinomial(expected, 1).squeeze(1))           # generate's draw
    greedy = grpo.sample_next_token(logits, 0, suppress_ids=suppress)
    assert torch.equal(greedy, processors[0](None, logits.clone()).argmax(dim=-1))


# ---- the sampler against generate on the repeated prompts

@pytest.mark.parametrize("temperature,top_k,top_p", [(1.0, 0, 1.0), (0.7, 50, 0.85), (0, 0, 1.0)])
def test_same_seed_same_tokens_as_generate_on_repeated_prompts(tiny, temperature, top_k, top_p):
    """A group split over processes gives a process uneven counts (3, 1, 4). A token the model samples often is
    made an EOS too, so rows stop at different steps and finished rows must be padded as generate pads them."""
    model, processor, samples = tiny
    counts = [3, 1, 4]
    torch.manual_seed(0)
    first = grpo.rollout(model, processor, samples, counts, 12, temperature, top_p, top_k)
    eos = grpo._eos_ids(model, processor.tokenizer) + [int(first["completion_ids"][:, :3].flatten().mode().values)]
    torch.manual_seed(0)
    ours = grpo.rollout(model, processor, samples, counts, 12, temperature, top_p, top_k, eos_token_ids=eos)
    torch.manual_seed(0)
    theirs, _ = straightforward(model, processor, samples, counts, 12, temperature, top_k, top_p, eos)
    assert torch.equal(ours["completion_ids"], theirs)
    assert 0 < ours["completion_mask"].sum() < ours["completion_mask"].numel()   # some rows stopped early
    assert ours["prompt_ids"].size(0) == sum(counts)
    assert ours["num_images"].tolist() == [1, 1, 1, 1, 4, 4, 4, 4]


def test_logits_at_every_step_equal_a_full_forward_of_the_prefix(tiny, monkeypatch):
    """The cached, expanded, one-token-a-step decoding sees exactly what a full forward over prompt + the
    completion so far sees: the same logits at every step (positions, padding and copied cache all right)."""
    model, processor, samples = tiny
    seen = []
    sample = grpo.sample_next_token
    monkeypatch.setattr(grpo, "sample_next_token", lambda logits, *a: seen.append(logits.clone()) or sample(logits, *a))
    counts = [2, 3, 2]
    torch.manual_seed(0)
    out = grpo.rollout(model, processor, samples, counts, 10)
    expected, _ = full_forward_logits(model, processor, samples, counts, out["completion_ids"])
    got = torch.stack(seen, dim=1)                                                # (N, C, V)
    mask = out["completion_mask"].bool()
    assert got.shape == expected.shape
    assert (got - expected)[mask].abs().max() < 1e-4


def chi_square(counts, probs):
    """Pearson's statistic over bins, the bins with an expected count under 5 pooled into one."""
    n = counts.sum()
    expected = probs * n
    small = expected < 5
    obs = torch.cat([counts[~small], counts[small].sum().view(1)])
    exp = torch.cat([expected[~small], expected[small].sum().view(1)])
    keep = exp > 0
    return float(((obs[keep] - exp[keep]) ** 2 / exp[keep]).sum()), int(keep.sum()) - 1


def test_two_token_frequencies_match_the_exact_distribution(tiny):
    """Thousands of rows from two prompts (a 2000 + 1000 split), two tokens each, top_k 4 so that the 16 pairs
    can be counted: each prompt's pair frequencies fit p(a) p(b | a) from full forward passes (chi-square). Rows
    that shared one sample, or drew from the wrong prompt's cache, would fail it. Fixed seed: not flaky."""
    model, processor, samples = tiny
    snake_samples, counts, temperature, top_k = samples[:2], [2000, 1000], 1.5, 4
    torch.manual_seed(0)
    out = grpo.rollout(model, processor, snake_samples, counts, 2, temperature, 1.0, top_k, eos_token_ids=[10 ** 6])
    suppress = grpo.vision_token_ids(processor)
    start = 0
    for sample, n in zip(snake_samples, counts):
        pairs = out["completion_ids"][start:start + n]
        start += n
        first, _ = full_forward_logits(model, processor, [sample], [1], pairs[:1, :1])
        p_first = grpo.next_token_probs(first[:, 0], temperature, top_k, 1.0, suppress)[0]       # (V,)
        firsts = p_first.nonzero().squeeze(1)                                                   # the top 4
        second, _ = full_forward_logits(model, processor, [sample], [len(firsts)], firsts.unsqueeze(1).repeat(1, 2))
        p_second = grpo.next_token_probs(second[:, 1], temperature, top_k, 1.0, suppress)       # (4, V) given each a
        seconds = [row.nonzero().squeeze(1) for row in p_second]
        probs = torch.stack([p_first[a] * p_second[i, b] for i, a in enumerate(firsts) for b in seconds[i]])
        observed = torch.tensor([float(((pairs[:, 0] == a) & (pairs[:, 1] == b)).sum())
                                 for i, a in enumerate(firsts) for b in seconds[i]])
        assert observed.sum() == n                                                              # nothing outside
        stat, dof = chi_square(observed, probs)
        assert stat < dof + 6 * math.sqrt(2 * dof), (stat, dof)                                 # ~ mean + 6 sd
        first_stat, first_dof = chi_square(torch.stack([(pairs[:, 0] == a).sum() for a in firsts]).float(), p_first[firsts])
        assert first_stat < first_dof + 6 * math.sqrt(2 * first_dof), (first_stat, first_dof)


# ---- log-prob passes that reuse the image features

def test_completion_logps_with_stored_image_features_equal_pixels_and_the_models_forward(tiny):
    model, processor, samples = tiny
    counts = [2, 1, 3]
    torch.manual_seed(0)
    with_features = grpo.rollout(model, processor, samples, counts, 6, keep_image_features=True)
    torch.manual_seed(0)
    with_pixels = grpo.rollout(model, processor, samples, counts, 6)
    assert "pixel_values" not in with_features and "image_embeds" not in with_pixels
    assert torch.equal(with_features["completion_ids"], with_pixels["completion_ids"])
    with torch.no_grad():
        from_features = grpo.completion_logps(model, with_features)
        from_pixels = grpo.completion_logps(model, with_pixels)
        logits, _ = full_forward_logits(model, processor, samples, counts, with_features["completion_ids"])
        reference = torch.log_softmax(logits.float(), -1).gather(2, with_features["completion_ids"].unsqueeze(-1)).squeeze(-1)
        mask = with_features["completion_mask"].bool()
        assert (from_features - from_pixels)[mask].abs().max() < 1e-5
        assert (from_features - reference)[mask].abs().max() < 1e-5
        # micro-batches cut through a prompt's rows and between a 1-image and a 4-image row
        for i in range(0, 6, 4):
            assert torch.allclose(grpo.completion_logps(model, grpo.select_rows(with_features, i, i + 4)),
                                  from_features[i:i + 4], atol=1e-5)


def test_vision_tower_runs_once_per_prompt_image(tiny):
    """Counted in image patches through the tower: the sampler encodes each prompt's image once for its G
    completions, the log-prob pass reuses the features; generate on repeated prompts encodes it G times."""
    model, processor, samples = tiny
    patches = []
    hook = model.model.visual.register_forward_hook(lambda module, args, out: patches.append(args[0].size(0)))
    once = int(grpo.encode_prompts(processor, samples[:2])["image_grid_thw"].prod(dim=1).sum())   # both images
    try:
        batch = grpo.rollout(model, processor, samples[:2], 4, 3, keep_image_features=True)
        assert patches == [once] and batch["image_grid_thw"].size(0) == 8        # 8 rows, each with its image
        with torch.no_grad():
            grpo.completion_logps(model, batch)
        assert patches == [once]                                                  # log-probs reuse the features
        patches.clear()
        straightforward(model, processor, samples[:2], [4, 4], 3, 1.0)
        assert patches == [4 * once]
    finally:
        hook.remove()


def test_text_only_prompts_decode_as_generate_does(tiny):
    """Some benchmark questions have no image: no vision tower, plain text positions."""
    model, processor, samples = tiny
    text_only = [{"images": [], "prompt": samples[0]["prompt"]}, {"images": [], "prompt": "UP or DOWN?"}]
    torch.manual_seed(0)
    ours = grpo.rollout(model, processor, text_only, 2, 8, temperature=0)
    rows = [s for s in text_only for _ in range(2)]
    batch = grpo.encode_prompts(processor, rows)
    out = model.generate(**batch, max_new_tokens=8, do_sample=False, temperature=None, top_p=None, top_k=None,
                         eos_token_id=grpo._eos_ids(model, processor.tokenizer), suppress_tokens=grpo.vision_token_ids(processor),
                         pad_token_id=processor.tokenizer.pad_token_id)
    assert torch.equal(ours["completion_ids"], out[:, batch["input_ids"].size(1):])
    assert "image_grid_thw" not in ours
    with torch.no_grad():
        assert torch.isfinite(grpo.completion_logps(model, ours)).all()


# ---- constrained decoding (--answer-words, the tiny demo) and the entropy the update logs and can reward

MOVES = ["UP", "DOWN", "LEFT", "RIGHT"]


def test_answer_words_are_one_token_each_and_a_longer_word_is_refused(tiny):
    _, processor, _ = tiny
    ids = grpo.answer_token_ids(processor.tokenizer, " UP, DOWN,LEFT , RIGHT")
    assert len(ids) == 4 and sorted(processor.tokenizer.decode([i]) for i in ids) == sorted(MOVES)
    with pytest.raises(ValueError, match="'UPDOWNLEFTRIGHTRIGHT' is [0-9]+ tokens"):
        grpo.answer_token_ids(processor.tokenizer, "UP,UPDOWNLEFTRIGHTRIGHT")
    with pytest.raises(ValueError, match="no answer words in ' , '"):
        grpo.answer_token_ids(processor.tokenizer, " , ")


def test_restricted_model_samples_only_the_words_and_its_logps_are_the_renormalised_softmax(tiny_model_dir, tiny):
    """The hook masks every forward: samples are moves only, and completion_logps (the log-probs the update
    differentiates) is exactly log softmax over the 4 allowed logits of the unrestricted model, so the policy
    that is trained is the one that sampled. The entropy is that 4-way softmax's, hand-computed."""
    _, processor, samples = tiny
    free, restricted = load_model(tiny_model_dir).eval(), load_model(tiny_model_dir).eval()
    ids = grpo.answer_token_ids(processor.tokenizer, ",".join(MOVES))
    grpo.restrict_vocabulary(restricted, ids)
    torch.manual_seed(0)
    out = grpo.rollout(restricted, processor, samples[:2], 32, 1)
    assert set(out["texts"]) <= set(MOVES) and len(set(out["texts"])) > 1

    batch = {k: v for k, v in out.items() if k != "texts"}
    ref, _ = full_forward_logits(free, processor, samples[:2], [32, 32], out["completion_ids"])   # (64, 1, V)
    expected = torch.log_softmax(ref[:, 0, ids], dim=-1)                                          # (64, 4)
    logps, entropy = grpo.completion_logps(restricted, batch, with_entropy=True)
    chosen = torch.tensor([ids.index(int(t)) for t in out["completion_ids"][:, 0]])
    assert torch.allclose(logps[:, 0], expected[torch.arange(64), chosen], atol=1e-5)
    assert torch.allclose(entropy[:, 0], -(expected.exp() * expected).sum(-1), atol=1e-5)


def test_entropy_bonus_gradient_is_finite_with_masked_tokens(tiny_model_dir, tiny):
    """0 log 0 at the masked tokens must count as 0 in the value AND in the backward pass (a plain
    p * log p gives 0 * -inf = nan there, and one nan gradient ruins every weight)."""
    _, processor, samples = tiny
    model = load_model(tiny_model_dir)
    grpo.restrict_vocabulary(model, grpo.answer_token_ids(processor.tokenizer, ",".join(MOVES)))
    torch.manual_seed(0)
    batch = {k: v for k, v in grpo.rollout(model, processor, samples[:1], 4, 1).items() if k != "texts"}
    logps, entropy = grpo.completion_logps(model, batch, with_entropy=True)
    assert 0 < float(entropy.detach().min()) and float(entropy.detach().max()) <= math.log(4) + 1e-6
    (logps.sum() - entropy.sum()).backward()
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)


# ---- the decode loop's own costs: no cache copy per token, finished rows leave the batch

def test_cache_is_written_in_place_and_finished_rows_leave_the_batch(tiny):
    """A preallocated layer keeps one buffer while tokens are added (the concatenating cache reallocates every
    token); and once a quarter of the rows have ended, the model runs only the rest. The samples stay
    generate's (the tests above), because every row still draws its token each step."""
    model, processor, samples = tiny
    layer = grpo.PreallocatedLayer(capacity=8)
    keys = torch.randn(2, 1, 3, 4)
    layer.update(keys, keys)
    buffer = layer.key_buffer.data_ptr()
    for _ in range(5):
        step = torch.randn(2, 1, 1, 4)
        out_keys, _ = layer.update(step, step)
    assert layer.key_buffer.data_ptr() == buffer and out_keys.shape == (2, 1, 8, 4)
    assert torch.equal(out_keys[..., :3, :], keys) and torch.equal(out_keys[..., -1:, :], step)
    layer.update(torch.randn(2, 1, 3, 4), torch.randn(2, 1, 3, 4))      # past the reserve: grows, keeps the rest
    assert layer.keys.shape == (2, 1, 11, 4) and torch.equal(layer.keys[..., :3, :], keys)

    batch_sizes = []
    hook = model.model.language_model.register_forward_pre_hook(
        lambda m, args, kwargs: batch_sizes.append(kwargs["inputs_embeds"].size(0)), with_kwargs=True)
    try:
        torch.manual_seed(0)
        eos = list(range(0, len(processor.tokenizer), 4))            # a quarter of the vocabulary ends a completion
        out = grpo.rollout(model, processor, samples[:2], 4, 12, eos_token_ids=eos)
    finally:
        hook.remove()
    lengths = out["completion_mask"].sum(dim=1)
    running = [int((lengths > t).sum()) for t in range(1, int(lengths.max()))]     # rows not yet ended at step t
    assert batch_sizes[0] == 2 and len(batch_sizes) == 1 + len(running)            # one prefill of the 2 prompts
    assert all(r <= b <= max(r, 1) * 4 / 3 + 1 for r, b in zip(running, batch_sizes[1:])), (running, batch_sizes)
    assert min(batch_sizes[1:]) < 8                                                # some rows did leave
