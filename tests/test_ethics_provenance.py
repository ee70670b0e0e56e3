"""Chapter 10, section 5: C2PA content credentials (optional extra) and PNG text metadata."""
import numpy as np
import pytest

from genimg_edu.ethics.metadata import forge_text, png_with_text, read_text


@pytest.fixture(scope="module")
def image():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)


def test_metadata_round_trip_and_fragility(image):
    from genimg_edu.ethics.credentials import reencode
    data = png_with_text(image, {"prompt": "a large red circle", "generator": "genimg-edu"})
    assert read_text(data) == {"prompt": "a large red circle", "generator": "genimg-edu"}
    assert read_text(reencode(data, format="PNG")) == {}
    forged = forge_text(data, {"generator": "a camera"})
    assert read_text(forged) == {"generator": "a camera"}
    from PIL import Image
    import io
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(forged))), image)  # pixels untouched
    with pytest.raises(TypeError, match="dict of str"):
        png_with_text(image, {"seed": 3})


def test_c2pa_sign_read_tamper_strip(image, no_network):
    pytest.importorskip("c2pa", reason="pip install 'genimg-edu[ethics]'")
    from genimg_edu.ethics import credentials as cr
    chain = cr.make_test_chain()
    assert chain.chain_pem.count(b"BEGIN CERTIFICATE") == 2
    png = cr.png_bytes(image)
    assert cr.read_credentials(png) is None
    signed = cr.sign_image(png, chain=chain, generator="genimg-edu diffusion")
    report = cr.read_credentials(signed)
    assert report["state"] == "Valid" and report["errors"] == []
    assert report["generator"] == "genimg-edu diffusion"
    assert report["source_type"].endswith("trainedAlgorithmicMedia")
    tampered = cr.read_credentials(cr.change_one_pixel(signed))
    assert tampered["state"] == "Invalid"
    assert any("dataHash.mismatch" in code for code in tampered["errors"])
    assert cr.read_credentials(cr.reencode(signed)) is None
    with pytest.raises(ValueError, match="PNG or a JPEG"):
        cr.sign_image(b"GIF89a....", chain=chain, generator="x")


def test_change_one_pixel_changes_exactly_one_value(image):
    from PIL import Image
    import io
    from genimg_edu.ethics.credentials import change_one_pixel, png_bytes
    before = np.asarray(Image.open(io.BytesIO(png_bytes(image)))).astype(int)
    after = np.asarray(Image.open(io.BytesIO(change_one_pixel(png_bytes(image))))).astype(int)
    diff = np.argwhere(before != after)
    assert len(diff) == 1 and abs(before[tuple(diff[0])] - after[tuple(diff[0])]) == 1
