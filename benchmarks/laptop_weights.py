"""Hash the weights the laptop recipes of chapters 04 and 09 train, to show a change left them bit-identical.

Trains, with fixed seeds and one thread, notebook 04's models (Autoencoder(2), the denoising
Autoencoder(8), VAE(2), VAE(16, hidden=64); 300 steps each), a short compression curve, and notebook
09's feed-forward style net (20 steps), then prints one JSON object of weight hashes and losses. Run it
before and after a change and compare:

    .venv/bin/python benchmarks/laptop_weights.py > before.json   # on the old code
    .venv/bin/python benchmarks/laptop_weights.py > after.json    # on the new code
    diff before.json after.json
"""
import hashlib
import json

import torch

from genimg_edu.autoencoders import VAE, Autoencoder, compression_curve, reconstruct, train_autoencoder
from genimg_edu.data import load_dataset
from genimg_edu.style.features import RandomFeatures
from genimg_edu.style.feedforward import FeedForwardConfig, train_feedforward
from genimg_edu.style.images import style_image


def digest(model) -> str:
    h = hashlib.sha256()
    for key, value in sorted(model.state_dict().items()):
        h.update(key.encode())
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:12]


def main():
    torch.set_num_threads(1)
    train = load_dataset("digits", split="train", size=8).images
    test = load_dataset("digits", split="test", size=8).images
    out = {}
    runs = (("ae2", lambda: Autoencoder(2), {}), ("dae8", lambda: Autoencoder(8), {"noise_std": 0.3}),
            ("vae2", lambda: VAE(2), {"beta": 1.0}), ("vae16_h64", lambda: VAE(16, hidden=64), {"beta": 0.5}))
    for name, make, kwargs in runs:
        torch.manual_seed(0)
        model = make()
        init = digest(model)
        history = train_autoencoder(model, train, steps=300, seed=0, **kwargs)
        out[name] = {"init": init, "trained": digest(model), "final_loss": round(history[-1]["loss"], 6),
                     "test_recon_sum": round(float(reconstruct(model, test).sum()), 4)}
    out["compression_curve"] = compression_curve(train, test, ks=(1, 4), steps=100)
    model, history = train_feedforward(style_image("swirl", size=64, seed=1), net=RandomFeatures(),
                                       config=FeedForwardConfig(steps=20, batch_size=2, crop=32, style_weight=1.0))
    out["stylenet_20_steps"] = {"trained": digest(model),
                                "last": {k: round(float(v), 6) for k, v in history[-1].items()}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
