"""Snake play with scripted policies: snake.play_matches against outcomes computed by hand from the start
positions, the invalid-answer fallback and determinism. Pure Python, no model. (The move a completion
commits to is rewards.snake_move, tested in test_answer_forms.py.)"""
import evaluate
import snake

CFG = snake.SnakeConfig(width=10, height=10, num_apples=5)


def constant(move):
    return lambda requests: [move] * len(requests)


def steps_to_wall(cell, move, cfg=CFG):
    """Turns a snake going straight in `move` survives: it dies on the turn its head leaves the board."""
    x, y = cell
    return {"UP": cfg.height - y, "DOWN": y + 1, "LEFT": x + 1, "RIGHT": cfg.width - x}[move]


def test_straight_runners_die_at_the_wall_when_arithmetic_says():
    """Policy 0 always goes UP, policy 1 always DOWN: on different columns they never meet, so each dies at its
    wall; whoever reaches it first loses, and the game lasts exactly that many turns."""
    results = snake.play_matches([constant("UP"), constant("DOWN")], 30, seed=1, cfg=CFG, max_turns=50)
    checked = 0
    for r in results:
        start = r["frames"][0]["snakes"]
        head_up, head_down = start[r["seats"][0]][0], start[r["seats"][1]][0]
        if head_up[0] == head_down[0]:
            continue  # same column: they may collide head-on, not what this test is about
        up, down = steps_to_wall(head_up, "UP"), steps_to_wall(head_down, "DOWN")
        assert r["turns"] == min(up, down)
        assert r["invalid"] == [0, 0]
        if up != down:
            assert r["winner"] == (1 if up < down else 0)
            assert r["deaths"][0 if up < down else 1] == "wall"
            assert r["deaths"][1 if up < down else 0] is None
        else:  # both die on the same turn: the apples eaten on the way decide
            assert r["deaths"] == ["wall", "wall"]
            a = r["apples"]
            assert r["winner"] == (None if a[0] == a[1] else (0 if a[0] > a[1] else 1))
        checked += 1
    assert checked >= 20
    assert [r["seats"] for r in results[:2]] == [[0, 1], [1, 0]]  # seats alternate


def test_unreadable_answers_are_counted_and_the_snake_keeps_going_straight():
    results = snake.play_matches([constant(None), constant("not a move")], 12, seed=2, cfg=CFG, max_turns=50)
    for r in results:
        assert r["invalid"] == [r["turns"], r["turns"]]  # every answer of both was invalid
        first = r["frames"][0]
        for p in range(2):
            s = r["seats"][p]
            heading = first["last_moves"][s]
            assert all(f["last_moves"][s] == heading for f in r["frames"][1:])  # the fallback: the last move again
            if r["deaths"][p] == "wall":
                assert r["turns"] == steps_to_wall(first["snakes"][s][0], heading)


def test_outcomes_are_deterministic_and_greedy_beats_random():
    def play(seed):
        return snake.play_matches([snake.scripted_policy(CFG, 1, 0.0), snake.scripted_policy(CFG, 2, 1.0)], 20, seed, CFG, 100)
    a = play(0)
    assert a == play(0)
    assert a != play(1)
    s = evaluate.play_summary(a, ["greedy", "random"])
    assert s["wins"] + s["losses"] + s["draws"] == s["games"] == 20
    assert s["model"]["apples"] > 2 * s["opponent"]["apples"]  # greedy-safe heads for apples, random does not
    assert s["wins"] > s["losses"]
    assert s["model"]["moves"] == sum(r["turns"] for r in a) and s["model"]["invalid"] == 0
    assert all(len(r["frames"]) == r["turns"] + 1 for r in a)
    assert all(r["turns"] <= 100 for r in a)
