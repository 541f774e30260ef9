"""Export to ONNX / TorchScript (two graphs) and run export directories."""
