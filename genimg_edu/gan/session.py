"""A GAN you can watch train, step by step, in the spirit of GAN Lab (Kahng et al. 2018).

`ToyGANSession` is the whole experiment as a plain object: `.step()` does gan_steps (one D update,
then one G update each), `.state()` reports numbers, `.render()` draws a matplotlib figure with

* D's decision surface as a heatmap (sigmoid(D(x)): 1 = "looks real", 0 = "looks fake"),
* the real points (black) and the generated points (orange),
* the generator's mapping: a grid of latent points z pushed through G (the bent grey mesh),
* arrows on the fakes: the direction D's gradient pushes them (where G's next update moves them).

The session knows nothing of ipywidgets: `genimg_edu.gan.widgets.ToyGANWidget` wraps it. Notebook 05.
"""
from __future__ import annotations

import io

import numpy as np
import torch

from ..device import seed_everything
from .toy2d import TOY_DATASETS, ToyDiscriminator, ToyGenerator, mode_radius, modes_covered, sample_toy, toy_centres
from .training import LOSSES, gan_step

VIEW = {"gaussian": 3.0, "ring": 3.0, "grid": 3.0}  # half-width of the plotted square


class ToyGANSession:
    """A live 2-D GAN. dataset: one of TOY_DATASETS; lr_g / lr_d: Adam learning rates (change them
    any time: they are applied before every step); minibatch_std: the mode-collapse fix."""

    def __init__(self, dataset: str = "ring", *, lr_g: float = 1e-3, lr_d: float = 1e-3, batch_size: int = 256,
                 loss: str = "nonsaturating", hidden: int = 64, minibatch_std: bool = False, seed: int = 0):
        if dataset not in TOY_DATASETS:
            raise ValueError(f"dataset must be one of {TOY_DATASETS}, got {dataset!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 2:
            raise ValueError(f"batch_size must be an int >= 2, got {batch_size!r}")
        self.dataset, self.loss, self.batch_size = dataset, loss, batch_size
        self.lr_g, self.lr_d = lr_g, lr_d  # validated by the property setters
        seed_everything(seed)
        self.generator = ToyGenerator(hidden=hidden)
        self.discriminator = ToyDiscriminator(hidden=hidden, minibatch_std=minibatch_std)
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=lr_g, betas=(0.5, 0.999))
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=lr_d, betas=(0.5, 0.999))
        self.rng = torch.Generator().manual_seed(seed)
        self.centres = toy_centres(dataset)
        self.fixed_z = torch.randn(512, 2, generator=torch.Generator().manual_seed(seed + 1))
        self.fixed_real = sample_toy(dataset, 512, generator=torch.Generator().manual_seed(seed + 2))
        self.steps_done, self.history = 0, []

    # learning rates: checked when set, pushed into the optimizers before every step
    @property
    def lr_g(self) -> float:
        return self._lr_g

    @lr_g.setter
    def lr_g(self, value: float) -> None:
        self._lr_g = _check_lr(value, "lr_g")

    @property
    def lr_d(self) -> float:
        return self._lr_d

    @lr_d.setter
    def lr_d(self, value: float) -> None:
        self._lr_d = _check_lr(value, "lr_d")

    def step(self, n: int = 1) -> dict[str, float]:
        """Do n gan_steps (each: one D update, then one G update). Returns the last losses."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        for _ in range(n):
            for group in self.g_optimizer.param_groups:
                group["lr"] = self.lr_g
            for group in self.d_optimizer.param_groups:
                group["lr"] = self.lr_d
            real = sample_toy(self.dataset, self.batch_size, generator=self.rng)
            losses = gan_step(self.generator, self.discriminator, self.g_optimizer, self.d_optimizer,
                              real, loss=self.loss, rng=self.rng)
            self.steps_done += 1
            self.history.append({"step": self.steps_done, **losses})
        return losses

    @torch.no_grad()
    def fake_points(self) -> torch.Tensor:
        """G applied to a fixed set of 512 latents: (512, 2). Fixed z, so frames are comparable."""
        return self.generator(self.fixed_z)

    def state(self) -> dict:
        """Numbers for the current moment: step, learning rates, last losses, modes covered."""
        fakes = self.fake_points()
        last = self.history[-1] if self.history else {"d_loss": float("nan"), "g_loss": float("nan")}
        return {"step": self.steps_done, "lr_g": self.lr_g, "lr_d": self.lr_d,
                "d_loss": last["d_loss"], "g_loss": last["g_loss"],
                "modes_covered": modes_covered(fakes, self.centres, radius=mode_radius(self.dataset), min_count=5),
                "modes": len(self.centres), "fake_mean": fakes.mean(0).tolist()}

    def decision_surface(self, resolution: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(xs, ys, p): sigmoid(D) on a resolution x resolution grid over the plotted square."""
        half = VIEW[self.dataset]
        ticks = torch.linspace(-half, half, resolution)
        gx, gy = torch.meshgrid(ticks, ticks, indexing="xy")
        with torch.no_grad():
            logits = self.discriminator(torch.stack([gx.flatten(), gy.flatten()], dim=1))
        return gx.numpy(), gy.numpy(), torch.sigmoid(logits).reshape(resolution, resolution).numpy()

    def render(self, *, ax=None, arrows: bool = True, mapping: bool = True):
        """Draw the current state (heatmap, points, mapping mesh, gradient arrows). Returns the Figure."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(5, 5))
        else:
            fig = ax.figure
        half = VIEW[self.dataset]
        xs, ys, p = self.decision_surface()
        ax.contourf(xs, ys, p, levels=np.linspace(0, 1, 11), cmap="PiYG", alpha=0.6)
        if mapping:  # a 9x9 grid of latents in [-2, 2]^2 pushed through G: G bends the plane
            ticks = torch.linspace(-2, 2, 9)
            gz = torch.stack(torch.meshgrid(ticks, ticks, indexing="xy"), dim=-1)  # (9, 9, 2)
            with torch.no_grad():
                mesh = self.generator(gz.reshape(-1, 2)).reshape(9, 9, 2).numpy()
            for line in list(mesh) + list(mesh.transpose(1, 0, 2)):
                ax.plot(line[:, 0], line[:, 1], color="grey", lw=0.6, alpha=0.7)
        real, fake = self.fixed_real.numpy(), self.fake_points()
        ax.scatter(real[:, 0], real[:, 1], s=4, c="black", label="real")
        ax.scatter(fake[:, 0], fake[:, 1], s=4, c="tab:orange", label="generated")
        if arrows:
            shown = fake[:64].clone().requires_grad_(True)
            self.discriminator(shown).sum().backward()
            direction = shown.grad / (shown.grad.norm(dim=1, keepdim=True) + 1e-8)
            ax.quiver(shown[:, 0].detach(), shown[:, 1].detach(), direction[:, 0], direction[:, 1],
                      color="tab:red", width=0.004, scale=25, alpha=0.8)
            self.discriminator.zero_grad(set_to_none=True)
        s = self.state()
        ax.set(xlim=(-half, half), ylim=(-half, half), aspect="equal",
               title=f"step {s['step']}  D loss {s['d_loss']:.2f}  G loss {s['g_loss']:.2f}  "
                     f"modes {s['modes_covered']}/{s['modes']}")
        ax.title.set_fontsize(9)
        ax.legend(loc="upper right", fontsize=7)
        return fig

    def render_png(self) -> bytes:
        """The rendered figure as PNG bytes (what the widget shows)."""
        import matplotlib.pyplot as plt

        fig = self.render()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        plt.close(fig)
        return buffer.getvalue()


def _check_lr(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return float(value)
