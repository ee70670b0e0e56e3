"""Chapter 07 prompt box: the pure function and the widget, driven headlessly."""
import torch

from genimg_edu.text.widgets import generate_from_prompt, prompt_widget
from genimg_edu.text import TextToImage, TextToImageConfig
from genimg_edu.text.tokenizer import shapes_tokenizer


def tiny_model():
    torch.manual_seed(0)
    return TextToImage(shapes_tokenizer(), TextToImageConfig(base_channels=8, text_dim=16, text_depth=1, T=50))


def test_generate_from_prompt_returns_images_or_a_clear_message():
    model = tiny_model()
    ok = generate_from_prompt("a small red circle on the left", model=model, steps=2, n_images=3)
    assert ok.ok and ok.images.shape == (3, 3, 16, 16) and "guidance 3" in ok.message
    bad = generate_from_prompt("a lush, moonlit forest", model=model, steps=2)
    assert not bad.ok and bad.images is None
    assert "'lush'" in bad.message and "'moonlit'" in bad.message and "only knows these words" in bad.message
    typo = generate_from_prompt("a small red circel", model=model, steps=2)
    assert "did you mean 'circle'" in typo.message
    empty = generate_from_prompt("", model=model, steps=2, n_images=1)
    assert empty.ok and "unconditional" in empty.message
    long = generate_from_prompt("a small red circle on the left " * 2, model=model, steps=2)
    assert not long.ok and "at most" in long.message
    assert not generate_from_prompt("a red circle", model=model, guidance=-2, steps=2).ok
    assert not generate_from_prompt(42, model=model).ok


def test_widget_generates_and_explains_unknown_words():
    w = prompt_widget(tiny_model(), steps=2, n_images=2)
    assert w.result is None  # nothing runs before the button is pressed
    w.controls["prompt"].value = "a large blue square at the top"
    assert w.result is None  # typing does not generate; Generate does
    w.controls["guidance"].value = 5.0  # moving the slider re-renders at once, no button needed
    assert w.result.ok and "guidance 5" in w.result.message and w.result.prompt == "a large blue square at the top"
    first = w.result.images
    w.controls["steps"].value = 3
    assert "3 steps" in w.result.message and not torch.equal(w.result.images, first)
    assert w.controls["guidance"].continuous_update is False  # debounced: one generation per release
    result = w.click()
    assert result.ok and result.images.shape == (2, 3, 16, 16) and w.error is None
    w.controls["prompt"].value = "a lush moonlit forest"
    result = w.click()
    assert not result.ok and "lush" in result.message and w.error is None
    w.controls["prompt"].value = "a small green cross on the right"
    assert w.click().ok  # and it recovers for the next prompt
