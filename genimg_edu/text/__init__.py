"""Chapter 07 — NLP conditioning, from words to pictures: a tokenizer, a tiny transformer text
encoder, a mini-CLIP, cross-attention and FiLM, a text-conditioned diffusion model on the shapes
captions, and a prompt widget. Notebook 07 (Stable Diffusion itself lives in `genimg_edu.stable_diffusion`)."""
from .clip import MiniCLIP, clip_score, info_nce_loss, retrieval_accuracy, retrieve_captions, retrieve_images, train_clip
from .conditioning import CrossAttention, FiLM
from .encoder import MultiHeadAttention, TextEncoder, TextEncoderConfig, TextEncoding, cosine_similarity_matrix
from .tokenizer import SPECIAL_TOKENS, Tokenizer, UnknownWordError, shapes_tokenizer, split_words

__all__ = ["SPECIAL_TOKENS", "CrossAttention", "FiLM", "MiniCLIP", "MultiHeadAttention", "TextEncoder",
           "TextEncoderConfig", "TextEncoding", "Tokenizer", "UnknownWordError", "clip_score",
           "cosine_similarity_matrix", "info_nce_loss", "retrieval_accuracy", "retrieve_captions",
           "retrieve_images", "shapes_tokenizer", "split_words", "train_clip"]
