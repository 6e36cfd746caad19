"""Shared pieces of the PyTorch reference tools: IDX and safetensors I/O, the MLP, the loss.

Definitions follow docs/method.md: nn.Linear layers named fc1, fc2, ... with ReLU between
them, softmax cross-entropy averaged over examples, float32 throughout.
"""

import gzip
import json
import struct

import numpy as np
import torch
from torch import nn

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049


def read_idx(path):
    """Read an IDX file of unsigned bytes (gzipped or not) into a numpy array."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic = struct.unpack(">i", raw[:4])[0]
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC):
        raise ValueError(f"{path}: invalid IDX magic {magic}, expected {IMAGES_MAGIC} or {LABELS_MAGIC}")
    dims = raw[3]
    shape = struct.unpack(">" + "i" * dims, raw[4:4 + 4 * dims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header declares {shape} but {data.size} bytes follow")
    return data.reshape(shape)


def load_dataset(images_path, labels_path):
    """Return features in [0, 1] as float32 [n, rows*cols] and labels as int64 [n]."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    features = images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255.0)
    return torch.from_numpy(features), torch.from_numpy(labels.astype(np.int64))


def select_examples(features, labels, indices_path):
    """Return the inputs and targets that a JSON file selects.

    The file contains a list of dataset indices, the trainingData object of Flatness Lab's results
    (its "randomLabels", when present, replace the dataset's labels), or the whole results.
    """
    with open(indices_path) as handle:
        selection = json.load(handle)
    if isinstance(selection, dict) and "trainingData" in selection:
        selection = selection["trainingData"]
    if isinstance(selection, dict):
        indices = torch.tensor(selection["indices"])
        random_labels = selection.get("randomLabels")
        targets = torch.tensor(random_labels) if random_labels else labels[indices]
    else:
        indices = torch.tensor(selection)
        targets = labels[indices]
    return features[indices], targets


class Mlp(nn.Module):
    """Linear layers fc1..fcL with ReLU between them; PyTorch's default nn.Linear init."""

    def __init__(self, input_size, hidden_layers, classes):
        super().__init__()
        widths = [input_size] + list(hidden_layers) + [classes]
        for index in range(len(widths) - 1):
            setattr(self, f"fc{index + 1}", nn.Linear(widths[index], widths[index + 1]))
        self.depth = len(widths) - 1

    def forward(self, x):
        for index in range(1, self.depth + 1):
            x = getattr(self, f"fc{index}")(x)
            if index < self.depth:
                x = torch.relu(x)
        return x


def mean_loss(model, features, labels):
    """Mean cross-entropy over all examples, inference mode, float32."""
    model.eval()
    with torch.no_grad():
        return nn.functional.cross_entropy(model(features), labels).item()


def flat_parameters(model):
    """Return all parameters flattened in nn.Module order (fc1.weight row-major, fc1.bias, ...)."""
    return torch.cat([parameter.detach().reshape(-1) for parameter in model.parameters()])


def set_flat_parameters(model, flat):
    offset = 0
    with torch.no_grad():
        for parameter in model.parameters():
            count = parameter.numel()
            parameter.copy_(flat[offset:offset + count].view_as(parameter))
            offset += count


_DTYPES = {"F32": (np.float32, 4), "F16": (np.float16, 2), "F64": (np.float64, 8)}


def save_safetensors(path, tensors, metadata=None):
    """Write float32 tensors in the safetensors format: u64 header length, JSON header, data."""
    header = {}
    if metadata:
        header["__metadata__"] = {key: str(value) for key, value in metadata.items()}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        array = np.ascontiguousarray(tensor.detach().cpu().numpy().astype("<f4"))
        blob = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)))
        handle.write(encoded)
        for blob in blobs:
            handle.write(blob)


def load_safetensors(path):
    """Read a safetensors file into a dict of float32 torch tensors (F32, F16 or F64 input)."""
    with open(path, "rb") as handle:
        raw = handle.read()
    length = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + length])
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype, size = _DTYPES[entry["dtype"]]
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(dtype).newbyteorder("<"))
        tensors[name] = torch.from_numpy(array.astype(np.float32).reshape(entry["shape"]).copy())
    return tensors


def model_from_state(state):
    """Build an Mlp from fc1.weight, fc1.bias, ... tensors."""
    depth = len([name for name in state if name.endswith(".weight")])
    widths = [state["fc1.weight"].shape[1]] + [state[f"fc{i}.weight"].shape[0] for i in range(1, depth + 1)]
    model = Mlp(widths[0], widths[1:-1], widths[-1])
    model.load_state_dict(state)
    return model
