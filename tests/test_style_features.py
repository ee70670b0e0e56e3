"""Chapter 09 feature networks: one interface, a fixed random net, VGG19 from a local file, pixels."""
import pytest
import torch
import torchvision

from genimg_edu.style import (IMAGENET_MEAN, IMAGENET_STD, VGG19_CONVS, PixelPatches, RandomFeatures, VGG19Features,
                              feature_net)


@pytest.fixture(scope="module")
def vgg_file(tmp_path_factory):
    """A torchvision-format VGG19 state dict with random weights, saved like a downloaded file."""
    torch.manual_seed(0)
    features = torchvision.models.vgg.make_layers(torchvision.models.vgg.cfgs["E"])
    path = tmp_path_factory.mktemp("vgg") / "vgg19.pth"
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    return path, features.eval()


def test_random_net_is_fixed_by_its_seed_and_multi_scale():
    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    a, b, c = RandomFeatures(seed=3), RandomFeatures(seed=3), RandomFeatures(seed=4)
    fa, fb, fc = a(x), b(x), c(x)
    assert list(fa) == ["scale1", "scale2", "scale3", "scale4", "scale5"]
    assert [f.shape[-1] for f in fa.values()] == [64, 32, 16, 8, 4]
    assert all(torch.equal(fa[k], fb[k]) for k in fa)
    assert not torch.allclose(fa["scale1"], fc["scale1"])
    assert not any(p.requires_grad for p in a.parameters())


def test_vgg19_from_a_local_file_takes_gatys_layers_and_normalises_exactly_once(vgg_file, no_network):
    path, reference = vgg_file
    net = VGG19Features(weights=path)
    assert net.content_layers == ("conv4_2",)
    assert net.style_layers == ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
    x = torch.rand(1, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    out = net(x)
    mean, std = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    with torch.no_grad():
        once = reference[: VGG19_CONVS["conv4_2"] + 2]((x - mean) / std)       # conv4_2 -> its ReLU
        twice = reference[: VGG19_CONVS["conv4_2"] + 2](((x - mean) / std - mean) / std)
        conv1_1 = reference[:2]((x - mean) / std)
    torch.testing.assert_close(out["conv4_2"], once)
    torch.testing.assert_close(out["conv1_1"], conv1_1)
    assert not torch.allclose(out["conv4_2"], twice, rtol=1e-3, atol=1e-5)  # the classic double normalisation
    assert (out["conv1_1"] >= 0).all()  # ReLU outputs
    assert out["conv5_1"].shape == (1, 512, 2, 2)
    assert isinstance(reference[VGG19_CONVS["conv5_1"]], torch.nn.Conv2d)
    assert all(isinstance(reference[i], torch.nn.Conv2d) for i in VGG19_CONVS.values())


def test_vgg19_offline_without_weights_says_how_to_get_them(no_network):
    with pytest.raises(FileNotFoundError, match="download=True"):
        VGG19Features()


def test_vgg19_rejects_a_file_that_is_not_vgg19(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"features.0.weight": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="not a torchvision vgg19"):
        VGG19Features(weights=path)


def test_pixel_baseline_and_registry():
    x = torch.rand(1, 3, 16, 16)
    out = PixelPatches()(x)
    assert out["pixels"] is x
    assert out["patch5"].shape == (1, 75, 16, 16) and out["patch5_half"].shape == (1, 75, 8, 8)
    torch.testing.assert_close(out["patch5"][0, 12::25].reshape(3, 16, 16), x[0])  # the centre of each patch
    assert isinstance(feature_net("pixels"), PixelPatches)
    with pytest.raises(ValueError, match="one of"):
        feature_net("resnet")


@pytest.mark.parametrize("x, error", [
    (torch.rand(1, 1, 32, 32), ValueError), (torch.rand(1, 3, 8, 8), ValueError),
    (torch.rand(1, 3, 32, 32) * 2, ValueError), (torch.zeros(1, 3, 32, 32, dtype=torch.uint8), TypeError),
    ([[0.0]], TypeError)])
def test_features_refuse_bad_images(x, error):
    with pytest.raises(error, match="x"):
        RandomFeatures(width=4)(x)
