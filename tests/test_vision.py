"""Chapter 03: the small CNN learns, saliency looks at the shape, noise hurts, sizes add up."""
import pytest
import torch
import torch.nn.functional as F

from genimg_edu.data import load_dataset
from genimg_edu.vision import (SmallCNN, accuracy, conv_output_size, feature_maps, first_layer_filters,
                               noise_robustness, saliency, train_classifier)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", split="train", size=8), load_dataset("digits", split="test", size=8)


@pytest.fixture(scope="module")
def digits_cnn(digits):
    train, _ = digits
    torch.manual_seed(0)
    model = SmallCNN(1, 10, size=8)
    history = train_classifier(model, train.images, train.labels, steps=300)
    return model, history


@pytest.fixture(scope="module")
def shapes_cnn():
    train = load_dataset("shapes", split="train", size=16, n=1500)
    torch.manual_seed(0)
    heads = {name: len(values) for name, values in train.attribute_values.items()}
    model = SmallCNN(3, heads, size=16)
    train_classifier(model, train.images, train.attributes, steps=300)
    return model


def test_small_cnn_learns_digits(digits, digits_cnn):
    _, test = digits
    model, history = digits_cnn
    assert sum(history[-20:]) / 20 < 0.5 * sum(history[:20]) / 20  # the loss fell
    assert accuracy(model, test.images, test.labels) >= 0.93  # held out, after 300 steps


def test_multi_head_cnn_learns_shape_attributes(shapes_cnn):
    test = load_dataset("shapes", split="test", size=16, n=300)
    for name in ("colour", "size", "position", "background"):
        assert accuracy(shapes_cnn, test.images, test.attributes[name], head=name) >= 0.9, name
    assert accuracy(shapes_cnn, test.images, test.attributes["shape"], head="shape") > 0.4  # chance: 0.25
    with pytest.raises(ValueError, match="heads"):
        accuracy(shapes_cnn, test.images, test.labels)


def test_feature_maps_and_filters_have_the_documented_shapes(digits_cnn):
    model, _ = digits_cnn
    x = torch.rand(5, 1, 8, 8)
    maps = feature_maps(model, x)
    assert [tuple(m.shape) for m in maps] == [(5, 16, 8, 8), (5, 32, 4, 4)]
    assert all((m >= 0).all() for m in maps)  # after ReLU
    torch.testing.assert_close(maps[0], F.relu(F.conv2d(x, model.conv1.weight, model.conv1.bias, padding=1)))
    filters = first_layer_filters(model)
    assert filters.shape == (16, 1, 3, 3) and filters.min() >= 0 and filters.max() <= 1


def test_saliency_concentrates_on_the_shape(shapes_cnn):
    test = load_dataset("shapes", split="test", size=16, n=64, seed=5)
    sal = saliency(shapes_cnn, test.images, test.attributes["shape"], head="shape")
    assert sal.shape == (64, 16, 16) and (sal >= 0).all()
    background = test.images[:, :, :1, :1]  # a corner pixel is always background
    on_shape = (test.images - background).abs().amax(1) > 0.1
    assert sal[on_shape].mean() > 1.5 * sal[~on_shape].mean()


def test_saliency_is_the_input_gradient():
    torch.manual_seed(0)
    model = SmallCNN(1, 3, size=8).eval()
    x = torch.rand(2, 1, 8, 8)
    target = torch.tensor([2, 0])
    xg = x.clone().requires_grad_(True)
    model(xg)[0, 2].backward()
    torch.testing.assert_close(saliency(model, x, target)[0], xg.grad[0, 0].abs())


def test_noise_robustness_falls_with_sigma(digits, digits_cnn):
    _, test = digits
    model, _ = digits_cnn
    sigmas = [0.0, 0.2, 0.4, 0.8]
    curve = noise_robustness(model, test.images, test.labels, sigmas)
    assert curve[0] == pytest.approx(accuracy(model, test.images, test.labels))
    assert all(a >= b - 0.02 for a, b in zip(curve, curve[1:])), curve
    assert curve[-1] < curve[0] - 0.3
    with pytest.raises(ValueError, match="sigmas"):
        noise_robustness(model, test.images, test.labels, [-0.1])


def test_conv_output_size():
    assert conv_output_size(8, kernel=3, padding=1) == 8
    assert conv_output_size(32, kernel=5) == 28
    assert conv_output_size(32, kernel=3, stride=2, padding=1) == 16
    out = torch.nn.Conv2d(1, 1, 4, stride=3, padding=2)(torch.rand(1, 1, 17, 17))
    assert out.shape[-1] == conv_output_size(17, kernel=4, stride=3, padding=2)
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(2, kernel=5)


def test_bad_input_is_a_clear_error(digits_cnn):
    model, _ = digits_cnn
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        accuracy(model, torch.rand(3, 1, 16, 16), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        saliency(model, torch.rand(3, 1, 8, 8) * 2 - 1, torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="target"):
        saliency(model, torch.rand(3, 1, 8, 8), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible"):
        SmallCNN(1, 10, size=10)
    with pytest.raises(ValueError, match="steps"):
        train_classifier(model, torch.rand(3, 1, 8, 8), torch.zeros(3, dtype=torch.long), steps=0)


def test_train_classifier_is_the_generic_loop_with_a_cross_entropy_loss():
    from genimg_edu.train import TrainConfig, train
    from genimg_edu.vision import classifier_loss

    images, labels = torch.rand(40, 1, 8, 8), torch.randint(0, 3, (40,))
    torch.manual_seed(1)
    a, b = SmallCNN(1, 3, size=8), SmallCNN(1, 3, size=8)
    b.load_state_dict(a.state_dict())
    losses = train_classifier(a, images, labels, steps=6, batch_size=8, lr=1e-2, seed=3)
    config = TrainConfig(steps=6, batch_size=8, lr=1e-2, seed=3, grad_clip=None, log_every=1, device="cpu",
                         progress=False)
    result = train(b, classifier_loss, (images, labels), config=config)
    assert losses == [record["loss"] for record in result.history] and len(losses) == 6
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q)
    assert not a.training  # left ready for accuracy / saliency
    # same start, another seed: another batch order, so another run
    c, d = SmallCNN(1, 3, size=8), SmallCNN(1, 3, size=8)
    d.load_state_dict(c.state_dict())
    assert train_classifier(c, images, labels, steps=2, batch_size=8, seed=4) != \
        train_classifier(d, images, labels, steps=2, batch_size=8, seed=5)
