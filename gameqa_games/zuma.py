"""Zuma, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `zuma`, pattern recognition and matching, in-domain.

The game. Coloured marbles (red, yellow, blue, green) of radius r = 0.3 lie in a chain on a grey spiral track
whose inner end is a black hole. Their order is the order along the track: index 0 is the outer end, the last
index is the marble nearest the hole. A frog (a white triangle) sits inside the spiral; the disk at its centre
is the marble it shoots next, along the direction its tip points. The shot is a marble of the same size moving
in a straight line from the frog's centre: it touches a track marble when their centres are 2r apart, stops
at the FIRST marble it touches, and is inserted into the chain next to that marble, on the side where it
struck it. If it then sits in an unbroken run with at least 2 marbles of its colour, that run is removed;
the count X of removed marbles counts marbles that were on the track only (the shot marble is not counted),
and nothing happens after that (no chain reactions). A shot that touches nothing leaves the field.

Coordinates. There is no grid: positions are points in a plane with y pointing up. Angles are measured at the
frog's centre in degrees, 0 pointing right, counter-clockwise positive, from -180 to 180. Eight dashed rays from
the frog at ±22.5°, ±67.5°, ±112.5° and ±157.5° cut the plane into eight 45° sectors: right [-22.5, 22.5),
up-right [22.5, 67.5), up [67.5, 112.5), up-left [112.5, 157.5), left [157.5, 180] and [-180, -157.5), down-left
[-157.5, -112.5), down [-112.5, -67.5), down-right [-67.5, -22.5); each sector's name is written at the edge of
the image where its middle direction leaves the picture. Every angle a question uses is given in its text.

The tasks are Game-RL's six (its question ids, 1-6, levels and types):
  1 colour the frog shoots (TP, Easy; fixed list red, yellow, blue, green)
  2 number of marbles of one colour (TP, Easy; fill-in)
  3 groups of 2+ same-colour marbles in one sector (TP, Medium; fill-in)
  4 colour of the marble hit at the frog's angle (TP, Medium; fixed list red, yellow, blue, green, none)
  5 what a shot at the frog's angle does (SP, Hard; fill-in, one of three sentences)
  6 groups of the frog's colour one aimed shot removes (SO, Hard; fill-in "Yes, <max>, <count>" or "No, 0, 0")

Deviations from Game-RL:
  1. Tasks 4 and 5 hit the marble the shot touches first: the one with the smallest travel
     proj - sqrt(4r² - d²) (proj: distance along the ray to the marble's centre, d: its distance from the ray).
     Game-RL takes the marble in the 2r corridor whose centre is nearest the frog, which is not the first
     contact: on re-simulated boards it named another marble in about a third of the hits and another colour
     in about a quarter.
  2. Tasks 4 and 5 are asked only when the picture decides the answer: the colour hit (task 4) or the outcome
     (task 5) must stay the same if the angle were 1 degree off either way or the marbles' contact distance 20 %
     smaller or larger. That rules out grazing hits, near misses and two marbles touched at nearly the same
     point, unless they would not change the answer. Task 5 also needs the side of insertion to be clear when
     it matters: a shot that strikes the chain nearly head-on (within about 15° of perpendicular to it) must
     give the same outcome on either side. Otherwise the board is redrawn (about 1 board in 5 for task 4, 1 in
     10 for task 5).
  3. Task 6's groups are decided by the same first contact. A group of 2+ marbles of the frog's colour counts if
     a shot aimed straight at the centre of one of its marbles touches a marble of the group first (such a shot
     always removes the whole group, whichever side it goes in). Game-RL calls a marble hittable when no nearer
     marble's centre is within sqrt(1.1)·r of the segment to it, a corridor about half as wide as the 2r one a
     shot sweeps, so some of its groups are blocked. The question states this rule, and its Yes / No is about
     such groups (a shot at another marble can also remove a group). A board where a group that could change
     the answer is not clearly hittable or blocked (the wobble test of 2 on the aimed shots) is redrawn.
  4. Task 3 counts a group when ANY of its marbles' centres is in the sector, as Game-RL's question says; its
     code checks only the group's first and last marble. The sector is drawn among those whose count does not
     depend on a marble that one of the sector's two dashed borders cuts through (its centre within r of the
     line); a board with no such sector is redrawn.
  5. The rules are stated as the questions use them: X counts existing marbles only, a run of 2 existing
     marbles plus the shot one is enough, and there are no chain reactions. Game-RL's intro speaks of rolling
     marbles and groups of three or more.
  6. question_description is one fixed string per task. Game-RL writes the colour, sector or angle into
     tasks 2-5's descriptions; here they are in the record's `state` (`colour`, `direction`; the angle is
     `frog.angle`).
  7. The image is drawn with Pillow: the same elements as Game-RL's matplotlib figure (track, hole, marbles,
     frog, dashed sector borders), with the eight sector names written at the image's edge (ours). Marbles are
     drawn over the frog's triangle, so none is hidden.
  8. The state stores what the questions use: the marbles, the frog (position, angle, colour), the hole and the
     track's turns, the requested marble count that sets the plot level, and the task's own parameter. Game-RL's
     unused "after next" colour is not kept.
No search is needed: every answer is at most O(n²) over the marbles, so no task uses a step budget.
"""
import math

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

R = 0.3                # marble radius; the track is 2r wide
SPIRAL_B = 0.2         # the track's radius grows by 0.2 per radian
SAMPLES = 2000         # points along the track
COLOURS = ("red", "yellow", "blue", "green")  # Game-RL's order, the fixed option list of tasks 1 and 4
NONE = "none"
# Requested marble counts per plot level (Game-RL draws 10..134 and reads the level off the count), and the
# track's length in turns for each band of counts.
COUNTS = {"Easy": (10, 30), "Medium": (31, 75), "Hard": (76, 134)}
TURN_BANDS = [(15, 0.5, 1.0), (30, 1.0, 1.5), (55, 1.5, 2.0), (75, 2.0, 2.5), (100, 2.5, 3.0), (134, 3.0, 3.0)]
SECTORS = [("right", -22.5), ("up-right", 22.5), ("up", 67.5), ("up-left", 112.5), ("left", 157.5),
           ("down-left", -157.5), ("down", -112.5), ("down-right", -67.5)]  # (name, first angle); 45° each
# A shot's answer must not change if the marbles' contact distance 2r were 20 % smaller or larger, or the
# angle 1 degree off: the picture has to decide it (deviation 2).
SLACKS = (1.0, 0.8, 1.2)
WOBBLE = (0, -1, 1)    # degrees
BORDER_MARGIN = R      # a marble whose centre is this close to a dashed border is cut by it: on neither side
HEAD_ON = 0.25         # |cos| between the strike and the chain below which the side is not clear (~15°)


# ---------------------------------------------------------------------------------------------------------
# The game: the track, the marbles, the frog and one shot

class Zuma:
    def __init__(self, hole, turns, frog, balls, requested):
        self.hole, self.turns, self.requested = tuple(hole), turns, requested
        self.frog = dict(frog)      # x, y, angle (integer degrees), colour
        self.balls = list(balls)    # (x, y, colour), index 0 at the outer end of the track

    def colours(self):
        return [c for _, _, c in self.balls]

    def first_hit(self, angle, reach=2 * R):
        """(index, travel) of the marble a shot at `angle` degrees touches first, or (None, None) for a miss.
        The shot's centre touches marble i after travelling proj - sqrt(reach² - d²), where proj is the
        distance along the ray to i's centre and d its distance from the ray (reach = 2r, two radii)."""
        ux, uy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        fx, fy = self.frog["x"], self.frog["y"]
        best = (None, None)
        for i, (x, y, _) in enumerate(self.balls):
            dx, dy = x - fx, y - fy
            along, off = dx * ux + dy * uy, abs(dy * ux - dx * uy)
            if along > 0 and off < reach:
                travel = along - math.sqrt(reach * reach - off * off)
                if best[1] is None or travel < best[1]:
                    best = (i, travel)
        return best

    def strike(self, angle, hit, travel):
        """The gap the shot goes into when it touches marble `hit` after `travel`, as the index the shot marble
        takes, and |cos| of the angle between the strike and the chain there. The shot's centre A lies 2r from
        the hit marble's centre O; it goes on the side of O's neighbour toward which A - O points (Game-RL's
        rule: the sign of (A - O)·(O_next - O), with the chain's direction at O when O is the last marble)."""
        ux, uy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        ax, ay = self.frog["x"] + travel * ux, self.frog["y"] + travel * uy
        ox, oy, _ = self.balls[hit]
        if len(self.balls) == 1:  # a lone marble has no sides
            return hit + 1, 1.0
        if hit + 1 < len(self.balls):
            nx, ny = self.balls[hit + 1][0] - ox, self.balls[hit + 1][1] - oy
        else:
            nx, ny = ox - self.balls[hit - 1][0], oy - self.balls[hit - 1][1]
        vx, vy = ax - ox, ay - oy
        dot = vx * nx + vy * ny
        return (hit + 1 if dot > 0 else hit), abs(dot) / (math.hypot(vx, vy) * math.hypot(nx, ny))

    def removed_at(self, gap, colour):
        """How many track marbles a marble of `colour` inserted at index `gap` removes: the run of its colour
        around the gap, if it holds 2 or more."""
        run = sum(run_around(self.colours(), gap, colour))
        return run if run >= 2 else 0

    def shoot(self, angle, reach=2 * R):
        """A shot of the frog's marble at `angle`: (hit index or None, gap, removed count, |cos| of the strike
        against the chain)."""
        hit, travel = self.first_hit(angle, reach)
        if hit is None:
            return None, None, 0, None
        gap, head_on = self.strike(angle, hit, travel)
        return hit, gap, self.removed_at(gap, self.frog["colour"]), head_on

    def move(self, angle):
        """The state after one shot at `angle`: the shot marble inserted where it struck (at its point of
        contact), and its run removed if the shot removes one. A miss leaves the track as it was."""
        hit, gap, removed, _ = self.shoot(angle)
        balls = list(self.balls)
        if hit is not None:
            _, travel = self.first_hit(angle)
            a = math.radians(angle)
            shot = (round(self.frog["x"] + travel * math.cos(a), 4), round(self.frog["y"] + travel * math.sin(a), 4),
                    self.frog["colour"])
            balls.insert(gap, shot)
            if removed:
                start = gap
                while start > 0 and balls[start - 1][2] == shot[2]:
                    start -= 1
                del balls[start:start + removed + 1]
        return Zuma(self.hole, self.turns, {**self.frog, "angle": angle}, balls, self.requested)

    def to_json(self):
        return {"r": R, "spiral_b": SPIRAL_B, "hole": list(self.hole), "turns": self.turns,
                "requested_balls": self.requested, "frog": dict(self.frog),
                "balls": [{"x": x, "y": y, "colour": c} for x, y, c in self.balls]}


def track(hole, turns):
    """SAMPLES points of the spiral from the hole outward: angle θ0 + 2πt, radius |hole| + b·2πt, t in [0, turns]."""
    theta0, radius0 = math.atan2(hole[1], hole[0]), math.hypot(*hole)
    points = []
    for k in range(SAMPLES):
        t = 2 * math.pi * turns * k / (SAMPLES - 1)
        points.append(((radius0 + SPIRAL_B * t) * math.cos(theta0 + t), (radius0 + SPIRAL_B * t) * math.sin(theta0 + t)))
    return points


def new_state(rng, plot_level):
    requested = rng.randint(*COUNTS[plot_level])
    low, high = next((low, high) for top, low, high in TURN_BANDS if requested <= top)
    turns = round(rng.uniform(low, high), 4)
    hole = (round(rng.choice((-1, 1)) * rng.uniform(1.5, 3), 4), round(rng.choice((-1, 1)) * rng.uniform(1.5, 3), 4))
    frog = {"x": round(rng.uniform(-1, 1), 4), "y": round(rng.uniform(-1, 1), 4), "angle": rng.randint(-179, 179),
            "colour": rng.choice(COLOURS)}
    # The first marble sits at the outer end; walking back toward the hole, each next one is at the first
    # track point at least 2r (one diameter) from the previous marble. The walk may run out of track first.
    points = track(hole, turns)
    placed = [points[-1]]
    for x, y in reversed(points[:-1]):
        if len(placed) == requested:
            break
        if math.hypot(x - placed[-1][0], y - placed[-1][1]) >= 2 * R:
            placed.append((x, y))
    balls = [(round(x, 4), round(y, 4), rng.choice(COLOURS)) for x, y in placed]
    return Zuma(hole, turns, frog, balls, requested)


def direction_of(state, x, y):
    """The sector name of the point (x, y) seen from the frog."""
    angle = math.degrees(math.atan2(y - state.frog["y"], x - state.frog["x"]))
    return next(name for name, first in SECTORS if (angle - first) % 360 < 45)


def runs(colours):
    """Maximal runs of one colour along the chain, as (first index, last index, colour)."""
    found, start = [], 0
    for i in range(1, len(colours) + 1):
        if i == len(colours) or colours[i] != colours[start]:
            found.append((start, i - 1, colours[start]))
            start = i
    return found


# ---------------------------------------------------------------------------------------------------------
# The image: the track, the hole, the dashed sector borders, the frog and the marbles, to one uniform scale
# with y up, and the eight sector names at the edge.

FILL = {"red": (220, 30, 30), "yellow": (245, 205, 0), "blue": (30, 90, 230), "green": (20, 160, 60)}
TRACK_GREY, BORDER_GREY = (211, 211, 211), (120, 120, 120)
FIELD_PX, SIDE_PAD, TOP_PAD = 620, 86, 30  # the field's longer side; label bands left/right and top/bottom


def render(state):
    points = track(state.hole, state.turns)
    fx, fy = state.frog["x"], state.frog["y"]
    xs = [x for x, _ in points] + [state.hole[0] - 2 * R, state.hole[0] + 2 * R, fx - 4 * R, fx + 4 * R]
    ys = [y for _, y in points] + [state.hole[1] - 2 * R, state.hole[1] + 2 * R, fy - 4 * R, fy + 4 * R]
    x0, x1, y0, y1 = min(xs) - 1.5 * R, max(xs) + 1.5 * R, min(ys) - 1.5 * R, max(ys) + 1.5 * R
    scale = min(64.0, FIELD_PX / max(x1 - x0, y1 - y0))
    width, height = round((x1 - x0) * scale) + 2 * SIDE_PAD, round((y1 - y0) * scale) + 2 * TOP_PAD
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def px(x, y):
        return (SIDE_PAD + (x - x0) * scale, TOP_PAD + (y1 - y) * scale)

    def disk(x, y, radius, fill, outline="black"):
        cx, cy = px(x, y)
        draw.ellipse((cx - radius * scale, cy - radius * scale, cx + radius * scale, cy + radius * scale),
                     fill=fill, outline=outline, width=1)

    # The track as one polygon: its two edges, r to either side of the centre line, with a thin outline.
    sides = ([], [])
    for k, (x, y) in enumerate(points):
        (ax, ay), (bx, by) = points[max(k - 1, 0)], points[min(k + 1, len(points) - 1)]
        length = math.hypot(bx - ax, by - ay)
        nx, ny = -(by - ay) / length, (bx - ax) / length
        sides[0].append(px(x + R * nx, y + R * ny))
        sides[1].append(px(x - R * nx, y - R * ny))
    draw.polygon(sides[0] + sides[1][::-1], fill=TRACK_GREY, outline="black")
    disk(*state.hole, 2 * R, "black")

    frog_px = px(fx, fy)
    field = (SIDE_PAD, TOP_PAD, width - SIDE_PAD, height - TOP_PAD)
    for _, first in SECTORS:  # the dashed borders
        end = edge_point(frog_px, first, field)
        length = math.hypot(end[0] - frog_px[0], end[1] - frog_px[1])
        for start in range(0, int(length), 12):
            a, b = start / length, min(start + 7, length) / length
            draw.line((frog_px[0] + a * (end[0] - frog_px[0]), frog_px[1] + a * (end[1] - frog_px[1]),
                       frog_px[0] + b * (end[0] - frog_px[0]), frog_px[1] + b * (end[1] - frog_px[1])),
                      fill=BORDER_GREY, width=1)
    labels = font(15)
    outer = (SIDE_PAD / 2, TOP_PAD / 2, width - SIDE_PAD / 2, height - TOP_PAD / 2)
    for name, first in SECTORS:  # each name where the sector's middle direction leaves the picture
        x, y = edge_point(frog_px, first + 22.5, outer)
        half = draw.textlength(name, font=labels) / 2
        draw.text((min(max(x, half + 2), width - half - 2), y), name, fill="black", font=labels, anchor="mm")

    a = math.radians(state.frog["angle"])
    ux, uy, nx, ny = math.cos(a), math.sin(a), -math.sin(a), math.cos(a)
    triangle = [(fx + 4 * R * ux, fy + 4 * R * uy), (fx - 2 * R * ux + 2 * R * nx, fy - 2 * R * uy + 2 * R * ny),
                (fx - 2 * R * ux - 2 * R * nx, fy - 2 * R * uy - 2 * R * ny)]  # base 4r, height 6r, centred
    draw.polygon([px(x, y) for x, y in triangle], fill="white", outline="black")
    for x, y, colour in state.balls:
        disk(x, y, R, FILL[colour])
    disk(fx, fy, R, FILL[state.frog["colour"]])
    return image


def edge_point(origin, angle, box):
    """Where the ray from `origin` (pixels) at `angle` degrees (y up) leaves the rectangle `box`."""
    dx, dy = math.cos(math.radians(angle)), -math.sin(math.radians(angle))
    left, top, right, bottom = box
    steps = [(bound - origin[0]) / dx for bound in (left, right) if dx and (bound - origin[0]) / dx > 0]
    steps += [(bound - origin[1]) / dy for bound in (top, bottom) if dy and (bound - origin[1]) / dy > 0]
    t = min(steps)
    return origin[0] + t * dx, origin[1] + t * dy


# ---------------------------------------------------------------------------------------------------------
# The tasks

SECTOR_TEXT = ", ".join(f"{name} from {first:g} to {first + 45:g} degrees" for name, first in SECTORS[:4]) + (
    ", left from 157.5 to 180 degrees and from -180 to -157.5 degrees, "
    + ", ".join(f"{name} from {first:g} to {first + 45:g} degrees" for name, first in SECTORS[5:]))


def intro():
    return ("**Rules:**\n"
            "1. This is a Zuma game. Coloured marbles (red, yellow, blue or green) lie in a chain on a grey spiral "
            "track that ends in a black hole. The frog is the white triangle inside the spiral; the disk at its "
            "centre is the marble it will shoot next, in the direction its tip points.\n"
            "2. The order of the marbles is their order along the track, from the outer end of the track to the "
            "end at the hole. Two marbles are next to each other when they are neighbours along the track (they "
            "touch), not when they lie on neighbouring turns of the spiral.\n"
            "3. A shot marble, as big as the others, flies in a straight line from the frog's centre. It stops at "
            "the first marble on the track that it touches and is inserted into the chain next to that marble, on "
            "the side where it struck it. If it misses every marble, it leaves the field.\n"
            "4. If the inserted marble is then in an unbroken run with at least 2 marbles of its own colour that "
            "were already on the track, that run is removed. Only the marbles that were on the track are counted "
            "as removed (not the shot marble), and nothing else happens afterwards: no chain reactions.\n"
            "5. Angles are measured at the frog's centre: 0 degrees points right, and angles grow "
            "counter-clockwise (90 points up, -90 down), from -180 to 180. The dashed lines from the frog divide "
            f"the picture into eight sectors, named at the picture's edge: {SECTOR_TEXT}.\n\n**Question:** ")


def shot_colour(rng, state):
    colour = state.frog["colour"]
    question = intro() + "What colour is the marble that the frog is going to shoot?"
    analysis = f"The disk on the frog (the white triangle) is {colour}, so the frog will shoot a {colour} marble."
    return QA(question, analysis, colour, options=list(COLOURS))


def colour_count(rng, state):
    colour = rng.choice(COLOURS)
    count = state.colours().count(colour)
    question = intro() + f"How many {colour} marbles are there on the track? Answer with one number."
    analysis = (f"Going along the track from its outer end to the hole, there are {len(state.balls)} marbles. "
                f"Counting the {colour} ones among them gives {count}.")
    return QA(question, analysis, str(count), given={"colour": colour})


def ordinal(i):
    return f"marble {i + 1} from the outer end"


def group_text(first, last, colour):
    return f"{last - first + 1} {colour} marbles (marbles {first + 1}-{last + 1} from the outer end)"


def near_border(state, x, y, name):
    """Is the marble centre (x, y) within BORDER_MARGIN of one of the two dashed rays bounding sector `name`?"""
    first = dict(SECTORS)[name]
    fx, fy = state.frog["x"], state.frog["y"]
    for border in (first, first + 45):
        ux, uy = math.cos(math.radians(border)), math.sin(math.radians(border))
        along = (x - fx) * ux + (y - fy) * uy
        off = abs((y - fy) * ux - (x - fx) * uy) if along > 0 else math.hypot(x - fx, y - fy)
        if off < BORDER_MARGIN:
            return True
    return False


def sector_groups(state, name, unsure_inside):
    """Runs of 2+ same-colour marbles with a centre in sector `name`; marbles near a border count as inside
    or outside as `unsure_inside` says."""
    inside = [(direction_of(state, x, y) == name if not near_border(state, x, y, name) else unsure_inside)
              for x, y, _ in state.balls]
    return [(a, b, c) for a, b, c in runs(state.colours()) if b > a and any(inside[a:b + 1])]


def groups_in_sector(rng, state):
    names = [name for name, _ in SECTORS]
    rng.shuffle(names)
    # A sector whose count changes when the marbles on its borders are read as inside is not readable (deviation 4).
    name = next((n for n in names if sector_groups(state, n, False) == sector_groups(state, n, True)), None)
    if name is None:
        raise GiveUp("every sector has a group that hangs on a marble on its border")
    groups = sector_groups(state, name, False)
    first = dict(SECTORS)[name]
    span = ("from 157.5 to 180 degrees and from -180 to -157.5 degrees" if name == "left"
            else f"from {first:g} to {first + 45:g} degrees")
    question = (intro() + f"How many groups of two or more same-coloured marbles are there in the {name} sector of "
                "the frog? A group is an unbroken run of marbles of one colour, next to each other along the track, "
                f"that cannot be made longer. It counts if at least one of its marbles has its centre in the {name} "
                "sector. Answer with one number.")
    lines = [f"The {name} sector runs {span}, between two dashed lines from the frog."]
    for colour in COLOURS:
        mine = [g for g in groups if g[2] == colour]
        if mine:
            lines.append(f"{colour}: {len(mine)} group{'s' if len(mine) > 1 else ''}: "
                         + "; ".join(group_text(*g) for g in mine) + ".")
    lines.append(f"In total {len(groups)} group{'' if len(groups) == 1 else 's'} of two or more marbles "
                 f"{'has' if len(groups) == 1 else 'have'} a marble in the {name} sector.")
    return QA(question, "\n".join(lines), str(len(groups)), given={"direction": name})


def decided(angle, answer_of):
    """answer_of(angle, reach) if it is the same under every wobble of the angle and of the contact distance,
    else None: a grazing hit, a near miss, two marbles touched at nearly the same point (deviation 2)."""
    answers = {answer_of(angle + da, 2 * R * k) for da in WOBBLE for k in SLACKS}
    return answers.pop() if len(answers) == 1 else None


def hit_sentence(state, angle, hit):
    if hit is None:
        return (f"Cast a ray from the frog's centre at {angle} degrees. No marble's centre comes within one marble "
                "diameter of it, so the shot touches nothing.")
    x, y, colour = state.balls[hit]
    return (f"Cast a ray from the frog's centre at {angle} degrees and keep the marbles whose centres lie within one "
            f"marble diameter of it, ahead of the frog. The first of them that the shot touches is the {colour} "
            f"marble in the {direction_of(state, x, y)} sector ({ordinal(hit)}).")


def hit_colour(rng, state):
    angle = state.frog["angle"]

    def colour_hit(a, reach):
        hit, _ = state.first_hit(a, reach)
        return NONE if hit is None else state.balls[hit][2]
    answer = decided(angle, colour_hit)
    if answer is None:
        raise GiveUp("the picture does not decide the colour hit")
    hit, _ = state.first_hit(angle)
    question = (intro() + f"If the frog shoots at {angle} degrees, as its tip shows, what colour is the marble it hits? "
                "If it hits no marble, the answer is 'none'.")
    analysis = hit_sentence(state, angle, hit) + f" So the answer is {answer}."
    return QA(question, analysis, answer, options=list(COLOURS) + [NONE])


def outcome_text(hit, removed):
    if hit is None:
        return "The marble left the field."
    return f"{removed} marbles on the track were removed." if removed else "The marble stayed on the track."


def run_around(colours, gap, colour):
    """(marbles of `colour` just before index `gap`, just from it on)."""
    left = right = 0
    while gap - left - 1 >= 0 and colours[gap - left - 1] == colour:
        left += 1
    while gap + right < len(colours) and colours[gap + right] == colour:
        right += 1
    return left, right


def shot_outcome(rng, state):
    angle, colour = state.frog["angle"], state.frog["colour"]

    def outcome(a, reach):
        hit, gap, removed, head_on = state.shoot(a, reach)
        if hit is not None and head_on < HEAD_ON:  # nearly head-on: the side must not matter
            if state.removed_at(hit if gap == hit + 1 else hit + 1, colour) != removed:
                return None
        return outcome_text(hit, removed)
    answer = decided(angle, outcome)
    if answer is None:
        raise GiveUp("the picture does not decide what the shot does")
    hit, gap, removed, _ = state.shoot(angle)
    lines = [f"The frog shoots a {colour} marble. " + hit_sentence(state, angle, hit)]
    if hit is not None:
        hit_c = state.balls[hit][2]
        lines.append(f"The hit marble is {hit_c}, " + ("the same colour as the shot." if hit_c == colour
                                                        else f"not {colour}."))
        side = "toward the hole" if gap == hit + 1 else "toward the outer end of the track"
        neighbour = gap if gap == hit + 1 else hit - 1
        where = (f"between it and its neighbour {side}, a {state.balls[neighbour][2]} marble"
                 if 0 <= neighbour < len(state.balls) else f"at the end of the chain {side}")
        lines.append(f"It strikes the hit marble on its side {side}, so it is inserted {where}.")
        run = sum(run_around(state.colours(), gap, colour))
        lines.append(f"The unbroken run of {colour} marbles already on the track that it joins there has {run} "
                     f"marble{'' if run == 1 else 's'}: " + ("at least 2, so they are removed." if removed
                                                            else "fewer than 2, so nothing is removed."))
    question = (intro() + f"If the frog shoots at {angle} degrees, as its tip shows, what will happen? Answer with one "
                "of: 'The marble left the field.', 'The marble stayed on the track.', or 'X marbles on the track "
                "were removed.', where X is the number of removed marbles that were already on the track.")
    return QA(question, "\n".join(lines) + f"\nSo: {answer}", answer)


def aimed_hit(state, target, group):
    """Does a shot aimed at marble `target`'s centre touch a marble of `group` (first, last index) first?
    True / False, or None when a wobble of the angle or of the contact distance changes it (deviation 3)."""
    x, y, _ = state.balls[target]
    angle = math.degrees(math.atan2(y - state.frog["y"], x - state.frog["x"]))
    def in_group(a, reach):
        hit, _ = state.first_hit(a, reach)
        return hit is not None and group[0] <= hit <= group[1]
    return decided(angle, in_group)


def best_shot(rng, state):
    colour = state.frog["colour"]
    groups = [(a, b) for a, b, c in runs(state.colours()) if c == colour and b > a]
    clear, unsure = [], []  # (group, the marble aimed at) that a shot removes; groups not clearly decided
    lines = [f"The frog shoots a {colour} marble. The groups of two or more {colour} marbles on the track are: "
             + ("; ".join(group_text(a, b, colour) for a, b in groups) if groups else "none") + "."]
    for group in groups:
        verdicts = [(aimed_hit(state, k, group), k) for k in range(group[0], group[1] + 1)]
        aim = next((k for v, k in verdicts if v is True), None)
        if aim is not None:
            clear.append((group, aim))
            x, y, _ = state.balls[aim]
            lines.append(f"Aimed at {ordinal(aim)}, in the {direction_of(state, x, y)} sector, the shot touches the "
                         f"group of {group_text(*group, colour)} first: it removes {group[1] - group[0] + 1}.")
        elif any(v is None for v, _ in verdicts):
            unsure.append(group)
        else:
            lines.append(f"A shot aimed at any marble of the group of {group_text(*group, colour)} touches a marble "
                         "outside the group first.")
    best = max((b - a + 1 for (a, b), _ in clear), default=0)
    if any(b - a + 1 >= best for a, b in unsure):
        raise GiveUp("a group that could change the answer is neither clearly hittable nor clearly blocked")
    for a, b in unsure:
        lines.append(f"The group of {group_text(a, b, colour)} is smaller than a group that can be removed, so it "
                     "does not change the answer.")
    winners = [(g, k) for g, k in clear if g[1] - g[0] + 1 == best]
    answer = f"Yes, {best}, {len(winners)}" if winners else "No, 0, 0"
    if winners:
        lines.append(f"The largest removable group has {best} marbles; {len(winners)} group"
                     f"{'s have' if len(winners) > 1 else ' has'} that size, in the "
                     + ", ".join(direction_of(state, *state.balls[k][:2]) for _, k in winners) + " sector"
                     + ("s." if len(winners) > 1 else "."))
    else:
        lines.append(f"No group of two or more {colour} marbles can be removed by a shot aimed at one of its marbles.")
    question = (intro() + f"The frog may turn to any angle before it shoots its {colour} marble. Consider the groups of "
                f"two or more {colour} marbles next to each other along the track. A group can be removed if a shot "
                "aimed straight at the centre of one of its marbles touches a marble of that group first (then the "
                "whole group is removed). Is there such a group? If so, what is the largest number of track "
                "marbles one such shot removes, and how many groups of that size can be removed? Answer as "
                "'Yes, <largest number>, <number of groups>', or 'No, 0, 0' if there is none.")
    return QA(question, "\n".join(lines) + f"\nSo the answer is: {answer}", answer)


TASKS = [
    Task(1, "The color of the marble that the frog is going to shoot.", "Target Perception", "Easy", shot_colour),
    Task(2, "Number of the marbles of one color on the track.", "Target Perception", "Easy", colour_count),
    Task(3, "Number of the groups of adjacent marbles with the same color at one side of the frog.",
         "Target Perception", "Medium", groups_in_sector),
    Task(4, "The color of the marble that the frog hits if it shoots at its angle.", "Target Perception", "Medium",
         hit_colour),
    Task(5, "The state of the plot if the frog shoots at its angle.", "State Prediction", "Hard", shot_outcome),
    Task(6, "The optimal strategy for eliminating marbles in one step.", "Strategy Optimization", "Hard", best_shot),
]
