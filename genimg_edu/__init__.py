"""genimg_edu: the helper library of the genimg-edu course on how AI image generation works.

One module (or small folder) per chapter, plus plumbing:

    device      pick_device, seed_everything, fast mode          (notebook 00)
    data        load_dataset: digits, shapes, photos, textures, faces, mnist...
    train       a small generic training loop with safe checkpoints
    viz         image grids, comparisons, animations, loss plots
    widgets     ipywidgets that wrap pure functions
    exercises   q1.check() / q1.hint() / q1.solution() for every chapter
"""
__version__ = "0.1.0"
