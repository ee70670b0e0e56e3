"""Rendered shapes: captions say what is drawn, and the drawing shows what is said."""
import pytest
import torch

from genimg_edu.data import load_dataset
from genimg_edu.data.shapes import ATTRIBUTES, BACKGROUND, RGB, load_shapes

PHRASES = {"left": "on the left", "right": "on the right", "top": "at the top",
           "bottom": "at the bottom", "center": "in the center"}


LOOKS_LIKE = {  # what each colour word means in (r, g, b), independent of the renderer's table
    "red": lambda r, g, b: r > 0.7 and g < 0.35 and b < 0.35,
    "green": lambda r, g, b: g > 0.6 and r < 0.35 and b < 0.35,
    "blue": lambda r, g, b: b > 0.7 and r < 0.35 and g < 0.45,
    "yellow": lambda r, g, b: r > 0.7 and g > 0.7 and b < 0.3,
    "purple": lambda r, g, b: r > 0.4 and b > 0.6 and g < 0.35,
}


def _values(ds, i):
    return {name: ATTRIBUTES[name][int(codes[i])] for name, codes in ds.attributes.items()}


def _ink(ds):
    """(N, H, W) bool: pixels that differ clearly from the image's own background (a corner)."""
    corner = ds.images[:, :, :1, :1]
    return (ds.images - corner).abs().amax(dim=1) > 0.2


def test_layout_and_caption_of_every_row():
    ds = load_shapes(n=300, seed=3)
    assert ds.images.shape == (300, 3, 32, 32) and ds.images.dtype == torch.float32
    assert 0 <= ds.images.min() and ds.images.max() <= 1
    assert ds.classes == ATTRIBUTES["shape"] and torch.equal(ds.labels, ds.attributes["shape"])
    assert set(ds.attributes) == {"shape", "colour", "size", "position", "background"}
    for i, caption in enumerate(ds.captions):
        v = _values(ds, i)
        assert caption == f"a {v['size']} {v['colour']} {v['shape']} {PHRASES[v['position']]}"
    for name, values in ATTRIBUTES.items():  # every value shows up in 300 draws
        assert set(ds.attributes[name].tolist()) == set(range(len(values)))


def test_deterministic_by_seed_and_split():
    a, b = load_shapes(n=50, seed=1), load_shapes(n=50, seed=1)
    assert torch.equal(a.images, b.images) and a.captions == b.captions
    assert load_shapes(n=50, seed=2).captions != a.captions
    assert load_shapes(split="test", n=50, seed=1).captions != a.captions
    assert len(load_dataset("shapes", split="test", size=16)) == 1000


def test_weights_skew_frequencies():
    n = 2000
    ds = load_shapes(n=n, size=16, weights={"colour": {"red": 5.0}, "size": {"large": 0.0}})
    red = (ds.attributes["colour"] == ATTRIBUTES["colour"].index("red")).float().mean().item()
    assert abs(red - 5 / 9) < 0.04, red  # weight 5 against four colours of weight 1
    assert (ds.attributes["size"] == ATTRIBUTES["size"].index("small")).all()
    plain = load_shapes(n=n, size=16)
    plain_red = (plain.attributes["colour"] == ATTRIBUTES["colour"].index("red")).float().mean().item()
    assert abs(plain_red - 0.2) < 0.04


def test_exclude_removes_a_combination_entirely():
    ds = load_shapes(n=2000, size=16, exclude=[{"colour": "blue", "shape": "triangle"}])
    blue = ds.attributes["colour"] == ATTRIBUTES["colour"].index("blue")
    triangle = ds.attributes["shape"] == ATTRIBUTES["shape"].index("triangle")
    assert not (blue & triangle).any()
    assert blue.sum() > 250 and triangle.sum() > 250  # the parts are still there
    assert not any("blue triangle" in caption for caption in ds.captions)


def test_only_keeps_only_the_combination():
    ds = load_shapes(n=200, size=16, only=[{"shape": "circle", "colour": "red"}, {"shape": "cross"}])
    for caption in ds.captions:
        assert "red circle" in caption or "cross" in caption
    assert any("cross" in c for c in ds.captions) and any("red circle" in c for c in ds.captions)


@pytest.mark.parametrize("position", ATTRIBUTES["position"])
def test_ink_sits_at_the_stated_position(position):
    ds = load_shapes(n=40, size=32, only=[{"position": position}], seed=5)
    ink = _ink(ds).float()
    axis = (torch.arange(32) + 0.5) / 32
    mass = ink.sum(dim=(1, 2))
    x = (ink.sum(dim=1) * axis).sum(dim=1) / mass  # (N,) centre of mass, 0 = left edge
    y = (ink.sum(dim=2) * axis).sum(dim=1) / mass  # 0 = top edge
    expected = {"left": (x < 0.4) & (y - 0.5).abs().lt(0.1), "right": (x > 0.6) & (y - 0.5).abs().lt(0.1),
                "top": (y < 0.4) & (x - 0.5).abs().lt(0.1), "bottom": (y > 0.6) & (x - 0.5).abs().lt(0.1),
                "center": (x - 0.5).abs().lt(0.1) & (y - 0.5).abs().lt(0.1)}[position]
    assert expected.all(), list(zip(x.tolist(), y.tolist()))


@pytest.mark.parametrize("colour", ATTRIBUTES["colour"])
def test_ink_has_the_stated_colour_and_background(colour):
    ds = load_shapes(n=20, size=32, only=[{"colour": colour, "size": "large"}], seed=7)
    for i in range(len(ds)):
        core = _ink(ds)[i]
        # deep-inside pixels: the shape at full coverage (erode the ink mask once)
        inner = core & core.roll(1, 0) & core.roll(-1, 0) & core.roll(1, 1) & core.roll(-1, 1)
        mean = ds.images[i][:, inner].mean(dim=1)
        assert (mean - torch.tensor(RGB[colour])).abs().max() < 0.06, (colour, mean)
        assert LOOKS_LIKE[colour](*mean.tolist()), (colour, mean)  # and the table means the word
        background = BACKGROUND[_values(ds, i)["background"]]
        assert abs(ds.images[i, :, 0, 0].mean().item() - background) < 0.05


def test_large_shapes_cover_more_than_small():
    for shape in ATTRIBUTES["shape"]:
        small = _ink(load_shapes(n=30, only=[{"shape": shape, "size": "small"}])).float().mean()
        large = _ink(load_shapes(n=30, only=[{"shape": shape, "size": "large"}])).float().mean()
        assert large > 2 * small, (shape, small, large)


def test_shapes_are_told_apart_by_their_outline():
    """Fill of the bounding box: square ~1, circle ~pi/4, triangle and cross ~1/2."""
    fills, tops = {}, {}
    for shape in ATTRIBUTES["shape"]:
        ink = _ink(load_shapes(n=10, size=64, only=[{"shape": shape, "size": "large"}]))
        fill, top = [], []
        for mask in ink:
            rows, cols = mask.any(1).nonzero().flatten(), mask.any(0).nonzero().flatten()
            box = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1].float()
            fill.append(box.mean().item())
            top.append(box[: len(box) // 2].sum().item() / box.sum().item())
        fills[shape], tops[shape] = sum(fill) / len(fill), sum(top) / len(top)
    assert fills["square"] > 0.9 and 0.7 < fills["circle"] < 0.85
    assert fills["triangle"] < 0.6 and fills["cross"] < 0.65
    assert tops["triangle"] < 0.35 and 0.45 < tops["cross"] < 0.55  # the triangle points up


def test_signed_range():
    unit, signed = load_shapes(n=20, seed=4), load_shapes(n=20, seed=4, value_range=(-1, 1))
    torch.testing.assert_close(signed.images, unit.images * 2 - 1)
    assert signed.value_range == (-1.0, 1.0)


@pytest.mark.parametrize("kwargs, word", [
    ({"split": "all"}, "train"), ({"n": 0}, "positive int"), ({"n": True}, "positive int"), ({"size": 8}, "16"),
    ({"weights": {"texture": {"rough": 1}}}, "colour"), ({"weights": {"colour": {"pink": 1}}}, "red"),
    ({"weights": {"colour": {"red": -1}}}, ">= 0"), ({"exclude": [{"colour": "pink"}]}, "pink"),
    ({"only": [{"shape": "star"}]}, "star"),
    ({"weights": {"shape": {s: 0 for s in ATTRIBUTES["shape"]}}}, "weight 0"),
])
def test_bad_arguments_name_what_is_expected(kwargs, word):
    with pytest.raises(ValueError, match=word):
        load_shapes(**{"n": 10, **kwargs})


def test_impossible_constraints_are_an_error():
    with pytest.raises(ValueError, match="no attribute combination"):
        load_shapes(n=10, exclude=[{"shape": s} for s in ATTRIBUTES["shape"]])
