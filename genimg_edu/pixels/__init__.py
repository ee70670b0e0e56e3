"""Chapter 01, the Pixel Playground: an image is a grid of numbers. Notebook 01.

    images        check_image, from_uint8, to_uint8 (every image is (C, H, W) or (N, C, H, W) in [0, 1])
    colour        split_channels, merge_channels, to_greyscale, rgb_to_hsv, hsv_to_rgb, rgb_to_ycbcr, ycbcr_to_rgb
    resolution    downsample, upsample, quantise, quantisation_error
    history       letter_a: a 176x176 binary 'A', the size of the first digitised picture (1957)
    filters       convolve2d written from scratch, KERNELS, apply_kernel, edge_magnitude, rescale_for_display
    widgets       explore_pixels, plot_pixels, pixel_explorer: zoom into a picture until you see the numbers
"""
from .colour import (LUMA_WEIGHTS, hsv_to_rgb, merge_channels, rgb_to_hsv, rgb_to_ycbcr, split_channels,
                     to_greyscale, ycbcr_to_rgb)
from .filters import KERNELS, apply_kernel, convolve2d, edge_magnitude, get_kernel, rescale_for_display
from .history import letter_a
from .images import RANGE_ATOL, check_image, from_uint8, to_uint8
from .resolution import downsample, quantisation_error, quantise, upsample
from .widgets import CHANNELS, explore_pixels, pixel_explorer, plot_pixels

__all__ = ["CHANNELS", "KERNELS", "LUMA_WEIGHTS", "RANGE_ATOL", "apply_kernel", "check_image", "convolve2d",
           "downsample", "edge_magnitude", "explore_pixels", "from_uint8", "get_kernel", "hsv_to_rgb", "letter_a",
           "merge_channels", "pixel_explorer", "plot_pixels", "quantisation_error", "quantise", "rescale_for_display",
           "rgb_to_hsv", "rgb_to_ycbcr", "split_channels", "to_greyscale", "to_uint8", "upsample", "ycbcr_to_rgb"]
