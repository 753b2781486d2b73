"""grpo.py's RL math against hand-computed numbers, and its vectorised functions against loop versions: advantages,
the accuracy filter, whitening, KL, clipping, loss aggregation (on one process and split over two), completion
masks and row selection."""
import math
import random

import pytest
import torch

import grpo


def close(a, b, tol=1e-5):
    return torch.allclose(torch.as_tensor(a, dtype=torch.float32), torch.as_tensor(b, dtype=torch.float32), atol=tol)


def close64(a, b, tol=1e-6):
    return torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64), atol=tol)


# ---- advantages

def test_group_advantages_hand_computed():
    r = torch.tensor([1.0, 0.0, 0.0, 1.0, 0.1, 0.1, 1.1, 0.1])
    a = grpo.group_advantages(r, 4, "group")
    # group 1: mean 0.5, unbiased std sqrt(1/3) = 0.5773503 -> +-0.5 / 0.5774503
    assert close(a[:4], [0.8658756, -0.8658756, -0.8658756, 0.8658756])
    # group 2: mean 0.35, deviations -0.25 x3, +0.75; std = sqrt((3*0.0625 + 0.5625)/3) = 0.5
    assert close(a[4:], [-0.25 / 0.5001, -0.25 / 0.5001, 0.75 / 0.5001, -0.25 / 0.5001])


def test_group_advantages_scale_variants():
    r = torch.tensor([1.0, 0.0, 3.0, 1.0])
    assert close(grpo.group_advantages(r, 2, "none"), [0.5, -0.5, 1.0, -1.0])
    batch_std = float(torch.tensor([1.0, 0.0, 3.0, 1.0]).std())            # 1.2583057
    assert close(grpo.group_advantages(r, 2, "batch"), torch.tensor([0.5, -0.5, 1.0, -1.0]) / (batch_std + 1e-4))
    with pytest.raises(ValueError):
        grpo.group_advantages(r, 2, "groups")


def test_all_equal_rewards_give_zero_advantage():
    r = torch.tensor([0.1, 0.1, 0.1, 1.1, 1.1, 1.1])
    for scale in ("group", "batch", "none"):
        a = grpo.group_advantages(r, 3, scale)
        assert torch.equal(a, torch.zeros(6)), scale
    assert torch.equal(grpo.rloo_advantages(r, 3), torch.zeros(6))


def test_rloo_hand_computed():
    r = torch.tensor([1.0, 0.0, 0.0, 1.0])
    # A_0 = 1 - (0+0+1)/3 = 2/3; A_1 = 0 - (1+0+1)/3 = -2/3
    assert close(grpo.rloo_advantages(r, 4), [2 / 3, -2 / 3, -2 / 3, 2 / 3])


def test_advantages_match_loop_versions_on_random_groups():
    rng = random.Random(0)
    for _ in range(50):
        G, P = rng.randint(2, 8), rng.randint(1, 5)
        rewards = [rng.choice([0.0, 0.1, 1.0, 1.1]) + rng.random() * rng.choice([0, 1]) for _ in range(G * P)]
        expected_grpo, expected_rloo = [], []
        for p in range(P):
            g = rewards[p * G:(p + 1) * G]
            mean = sum(g) / G
            std = math.sqrt(sum((x - mean) ** 2 for x in g) / (G - 1))
            expected_grpo += [(x - mean) / (std + 1e-4) for x in g]
            expected_rloo += [x - (sum(g) - x) / (G - 1) for x in g]
        r = torch.tensor(rewards, dtype=torch.float64)
        assert close(grpo.group_advantages(r, G, "group"), expected_grpo, 1e-6)
        assert close(grpo.rloo_advantages(r, G), expected_rloo, 1e-6)


def test_whitening_over_tokens_hand_computed():
    # tokens: 3 carrying +1, 1 carrying -1 -> mean 0.5, var (3*0.25 + 2.25)/4 = 0.75
    out = grpo.whiten_over_tokens(torch.tensor([1.0, -1.0]), torch.tensor([3, 1]))
    assert close(out, [0.5 / math.sqrt(0.75), -1.5 / math.sqrt(0.75)])
    # equals whitening the explicit token list
    tokens = torch.tensor([1.0, 1.0, 1.0, -1.0])
    white = (tokens - tokens.mean()) / tokens.std(unbiased=False)
    assert close(out, [white[0], white[3]])


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
        assert close64(adv, expected, 1e-6), (trial, estimator, scale, whiten)


# ---- per-token losses

def test_kl_estimators_hand_computed():
    logp, ref = torch.log(torch.tensor([[0.5]])), torch.log(torch.tensor([[0.25]]))
    assert close(grpo.kl_penalty(logp, ref, "k3"), [[0.5 + math.log(2) - 1]])     # 0.1931472
    assert close(grpo.kl_penalty(logp, ref, "k1"), [[math.log(2)]])
    x = torch.randn(3, 5)
    assert torch.equal(grpo.kl_penalty(x, x, "k3"), torch.zeros(3, 5))
    assert torch.equal(grpo.kl_penalty(x, x, "k1"), torch.zeros(3, 5))
    assert (grpo.kl_penalty(x, torch.randn(3, 5), "k3") >= 0).all()


def test_clipping_at_one_plus_minus_epsilon():
    old = torch.zeros(1, 4)
    logps = torch.log(torch.tensor([[1.5, 1.5, 0.5, 1.1]]))                     # ratios 1.5, 1.5, 0.5, 1.1
    loss, clipped = grpo.clipped_policy_loss(logps, old, torch.tensor([1.0]), epsilon=0.2)
    assert close(loss, [[-1.2, -1.2, -0.5, -1.1]])                               # A>0: ratio capped at 1.2
    assert clipped.tolist() == [[True, True, False, False]]
    loss, clipped = grpo.clipped_policy_loss(logps, old, torch.tensor([-1.0]), epsilon=0.2)
    assert close(loss, [[1.5, 1.5, 0.8, 1.1]])                                   # A<0: floor at 0.8
    assert clipped.tolist() == [[False, False, True, False]]
    # clip-higher: epsilon_high 0.28 lets the ratio rise to 1.28
    loss, _ = grpo.clipped_policy_loss(logps, old, torch.tensor([1.0]), epsilon=0.2, epsilon_high=0.28)
    assert close(loss, [[-1.28, -1.28, -0.5, -1.1]])
    # dual clip: a ratio of 4 with A<0 is capped at delta = 3
    loss, _ = grpo.clipped_policy_loss(torch.log(torch.tensor([[4.0]])), torch.zeros(1, 1), torch.tensor([-1.0]), delta=3.0)
    assert close(loss, [[3.0]])


def test_ratio_one_gives_reinforce_gradient():
    """With old = logp.detach() the loss is -A per token and its gradient is -A * d logp (REINFORCE)."""
    logps = torch.tensor([[-1.0, -2.0]], requires_grad=True)
    loss, _ = grpo.clipped_policy_loss(logps, logps.detach(), torch.tensor([0.5]))
    assert close(loss, [[-0.5, -0.5]])
    loss.sum().backward()
    assert close(logps.grad, [[-0.5, -0.5]])


def test_each_loss_type_on_a_ragged_mask():
    per_token = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    d = lambda lt: grpo.loss_denominator(lt, mask, global_num_seqs=2, global_num_tokens=3, num_processes=1,
                                         max_completion_length=3)
    assert close(grpo.aggregate_loss(per_token, mask, "grpo", d("grpo")), (1.5 + 4.0) / 2)
    assert close(grpo.aggregate_loss(per_token, mask, "bnpo", d("bnpo")), 7 / 3)
    assert close(grpo.aggregate_loss(per_token, mask, "dr_grpo", d("dr_grpo")), 7 / 6)
    assert close(grpo.aggregate_loss(per_token, mask, "dapo", d("dapo")), 7 / 3)
    # two processes: each divides by D / 2, so the DDP average of the two sums is the full-batch value
    assert grpo.loss_denominator("dapo", mask, 4, 10, 2, 3) == 5
    assert grpo.loss_denominator("grpo", mask, 4, 10, 2, 3) == 2
    assert grpo.loss_denominator("dr_grpo", mask, 4, 10, 2, 3) == 6
    with pytest.raises(ValueError):
        grpo.loss_denominator("token", mask, 2, 3, 1, 3)


def test_micro_batches_sum_to_the_full_batch_loss():
    torch.manual_seed(0)
    per_token, mask = torch.randn(6, 5), (torch.rand(6, 5) > 0.3).long()
    for lt in ("grpo", "bnpo", "dr_grpo", "dapo"):
        d = grpo.loss_denominator(lt, mask, 6, int(mask.sum()), 1, 5)
        full = grpo.aggregate_loss(per_token, mask, lt, d)
        parts = sum(grpo.aggregate_loss(per_token[i:i + 2], mask[i:i + 2], lt, d) for i in range(0, 6, 2))
        assert close(full, parts), lt


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


# ---- completion mask, row selection

def test_completion_mask_keeps_eos_and_flags_truncation():
    ids = torch.tensor([[5, 2, 0, 0], [5, 6, 7, 8], [0, 9, 9, 9]])
    mask, truncated = grpo.completion_mask_from_eos(ids, [2, 0])
    assert mask.tolist() == [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]]
    assert truncated.tolist() == [False, True, False]


def test_select_rows_takes_exactly_those_rows_images():
    grid = torch.tensor([[1, 2, 2], [1, 2, 4], [1, 4, 4], [1, 2, 2]])             # 4, 8, 16, 4 patches; 2 images a row
    pixels = torch.arange(32).unsqueeze(1).float()
    batch = {"prompt_ids": torch.arange(2).unsqueeze(1), "completion_mask": torch.ones(2, 3),
             "pixel_values": pixels, "image_grid_thw": grid, "texts": ["a", "b"]}
    second = grpo.select_rows(batch, 1, 2)
    assert second["prompt_ids"].tolist() == [[1]]
    assert torch.equal(second["image_grid_thw"], grid[2:])
    assert torch.equal(second["pixel_values"], pixels[12:32])
    first = grpo.select_rows(batch, 0, 1)
    assert torch.equal(first["pixel_values"], pixels[:12])
    everything = grpo.select_rows(batch, 0, 64)                                  # micro-batch larger than the batch
    assert torch.equal(everything["pixel_values"], pixels) and everything["prompt_ids"].size(0) == 2


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
