"""The CNN-LSTM-attention action model."""
from vision.model.encoder import available_backbones
from vision.model.network import ActionNet, ActionOutput, FrameEncoding, build_model

__all__ = ["ActionNet", "ActionOutput", "FrameEncoding", "available_backbones", "build_model"]
