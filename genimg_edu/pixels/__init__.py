"""Chapter 01, the Pixel Playground: an image is a grid of numbers. Notebook 01.

    images      check_image, from_uint8, to_uint8
    widgets     explore_pixels, plot_pixels, pixel_explorer (the zoom-into-the-numbers explorer)
"""
from .images import (KERNELS, LUMA_WEIGHTS, RANGE_ATOL, apply_kernel, check_image, convolve2d, downsample,
                     edge_magnitude, from_uint8, get_kernel, hsv_to_rgb, letter_a, merge_channels, quantisation_error,
                     quantise, rescale_for_display, rgb_to_hsv, rgb_to_ycbcr, split_channels, to_greyscale, to_uint8,
                     upsample, ycbcr_to_rgb)
from .widgets import CHANNELS, explore_pixels, pixel_explorer, plot_pixels

__all__ = ["CHANNELS", "KERNELS", "LUMA_WEIGHTS", "RANGE_ATOL", "apply_kernel", "check_image", "convolve2d",
           "downsample", "edge_magnitude", "explore_pixels", "from_uint8", "get_kernel", "hsv_to_rgb", "letter_a",
           "merge_channels", "pixel_explorer", "plot_pixels", "quantisation_error", "quantise", "rescale_for_display",
           "rgb_to_hsv", "rgb_to_ycbcr", "split_channels", "to_greyscale", "to_uint8", "upsample", "ycbcr_to_rgb"]
