"""Chapter 07 — NLP conditioning, from words to pictures: a tokenizer, a tiny transformer text
encoder, a mini-CLIP, cross-attention and FiLM, a text-conditioned diffusion model on the shapes
captions, and a prompt widget. Notebook 07 (Stable Diffusion itself lives in `genimg_edu.stable_diffusion`).

    tokenizer, encoder, clip, conditioning, text_unet     words -> tokens -> vectors; mini-CLIP; cross-attention, FiLM
    text_to_image   the TextToImage model (v-prediction); config, loss, training, cache, sampling, prompts,
                    evaluation: one idea each, beside it
    widgets         generate_from_prompt, prompt_widget
"""
from .cache import load_or_train
from .clip import MiniCLIP, clip_score, info_nce_loss, retrieval_accuracy, retrieve_captions, retrieve_images, train_clip
from .conditioning import CrossAttention, FiLM
from .config import HELD_OUT, TextToImageConfig
from .encoder import MultiHeadAttention, TextEncoder, TextEncoderConfig, TextEncoding, cosine_similarity_matrix
from .evaluation import CAPTION_ATTRIBUTES, evaluate_prompts
from .loss import diffusion_loss, v_target
from .prompts import is_held_out, split_prompts
from .sampling import generate, guided_eps
from .text_to_image import TextToImage
from .tokenizer import SPECIAL_TOKENS, Tokenizer, UnknownWordError, shapes_tokenizer, split_words
from .training import train_text_to_image, training_data

__all__ = ["CAPTION_ATTRIBUTES", "HELD_OUT", "SPECIAL_TOKENS", "CrossAttention", "FiLM", "MiniCLIP",
           "MultiHeadAttention", "TextEncoder", "TextEncoderConfig", "TextEncoding", "TextToImage",
           "TextToImageConfig", "Tokenizer", "UnknownWordError", "clip_score", "cosine_similarity_matrix",
           "diffusion_loss", "evaluate_prompts", "generate", "guided_eps", "info_nce_loss", "is_held_out",
           "load_or_train", "retrieval_accuracy", "retrieve_captions", "retrieve_images", "shapes_tokenizer",
           "split_prompts", "split_words", "train_clip", "train_text_to_image", "training_data", "v_target"]
