"""`ToyGANWidget(session)`: a ToyGANSession in ipywidgets. Play/Pause (an `ipywidgets.Play` whose ticks
step the session, so it runs in Jupyter and Colab), a Step button, a slow-motion speed slider and
learning-rate sliders that are read before every step. Notebook 05.
"""
from __future__ import annotations

import time

from ..widgets import show_png
from .session import ToyGANSession


class ToyGANWidget:
    """Play/Pause, Step, slow motion and live learning rates for a ToyGANSession.

    Headless use (tests): `w.step_button.click()` does exactly one gan_step;
    `w.play.value += 1` is one Play tick (steps_per_tick gan_steps); `w.lr_g.value = 1e-4` takes effect
    at the next step. `display(w)` (or `w.box`) shows it.

    Play ticks that pile up while a slow frame is drawn arrive in a burst right after it; with
    skip_backlog=True those are dropped (a tick sooner than a quarter of the frame interval after the
    last frame finished), so Pause takes effect at once instead of after the backlog.
    """

    def __init__(self, session: ToyGANSession, *, skip_backlog: bool = True):
        import ipywidgets as widgets

        self.session, self.skip_backlog, self._last_frame = session, skip_backlog, float("-inf")
        wide = {"style": {"description_width": "8em"}}  # labels such as "steps / frame" are never cut off
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=200, description="Play")
        self.step_button = widgets.Button(description="Step (D then G)", icon="step-forward")
        self.speed = widgets.IntSlider(value=200, min=20, max=1500, step=20, description="ms / frame",
                                       tooltip="larger = slower motion", **wide)
        self.steps_per_tick = widgets.IntSlider(value=5, min=1, max=50, description="steps / frame", **wide)
        self.lr_g = widgets.FloatLogSlider(value=session.lr_g, base=10, min=-5, max=-1, description="G lr", **wide)
        self.lr_d = widgets.FloatLogSlider(value=session.lr_d, base=10, min=-5, max=-1, description="D lr", **wide)
        self.image = widgets.Image(format="png")
        show_png(self.image, session.render_png())  # at its natural size: never stretched, never blurred
        self.status = widgets.HTML()
        self.play.observe(self._on_tick, names="value")
        self.step_button.on_click(lambda _: self.advance(1))
        widgets.link((self.speed, "value"), (self.play, "interval"))  # slow motion: longer frames
        # controls beside the picture, so Play/Pause stay in view while it animates (fits 1280 x 800)
        controls = widgets.VBox([widgets.HBox([self.play, self.step_button]), self.speed, self.steps_per_tick,
                                 self.lr_g, self.lr_d, self.status])
        self.box = widgets.HBox([controls, self.image], layout=widgets.Layout(align_items="flex-start"))
        self._show_status()

    def advance(self, n: int) -> None:
        """Read the sliders, do n gan_steps, redraw."""
        self.session.lr_g, self.session.lr_d = self.lr_g.value, self.lr_d.value
        self.session.step(n)
        show_png(self.image, self.session.render_png())
        self._show_status()

    def _on_tick(self, change) -> None:
        if change["new"] <= change["old"]:  # rewinding the Play counter does not train
            return
        if self.skip_backlog and time.monotonic() - self._last_frame < self.play.interval / 4000:
            return
        self.advance(self.steps_per_tick.value)
        self._last_frame = time.monotonic()

    def _show_status(self) -> None:
        s = self.session.state()
        self.status.value = (f"step <b>{s['step']}</b> · D loss {s['d_loss']:.3f} · G loss {s['g_loss']:.3f}"
                             f" · modes covered {s['modes_covered']}/{s['modes']}")

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
