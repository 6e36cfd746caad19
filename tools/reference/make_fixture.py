"""Generate the PyTorch agreement fixture that Flatness Lab's tests compare against.

    /usr/bin/python3 tools/reference/make_fixture.py src/test/resources/fixtures/pytorch-mlp

Trains a 784-64-64-10 MLP for 30 epochs of plain SGD on a fixed subset of the embedded mnist-10k
(every 20th digit, 500 examples), then writes:
  model.safetensors       the trained parameters, fc1.weight [64, 784], fc1.bias [64], ...
  directions.safetensors  raw Gaussian vectors g_k over all parameters, in parameter order
  losses.json             subset indices, epsilons, L(θ) and L(θ + ε·g_k/||g_k||) per k and ε
"""

import json
import os
import sys

import torch

import common

DATASET = os.path.join(os.path.dirname(__file__), "..", "..", "src", "main", "resources", "datasets", "mnist-10k")
EPSILONS = [0.001, 0.01, 0.1, 1.0]
DIRECTIONS = 3
EPOCHS = 30


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/fixtures/pytorch-mlp"
    os.makedirs(output, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(1)

    features, labels = common.load_dataset(os.path.join(DATASET, "images-idx3-ubyte.gz"),
                                           os.path.join(DATASET, "labels-idx1-ubyte.gz"))
    indices = list(range(0, features.shape[0], 20))
    inputs, targets = features[indices], labels[indices]

    model = common.Mlp(784, [64, 64], 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(EPOCHS):
        model.train()
        for batch in torch.randperm(len(indices)).split(64):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(inputs[batch]), targets[batch]).backward()
            optimizer.step()

    theta = common.flat_parameters(model).clone()
    baseline = common.mean_loss(model, inputs, targets)
    generator = torch.Generator().manual_seed(1)
    raw = {f"direction{k}": torch.randn(theta.numel(), generator=generator) for k in range(DIRECTIONS)}

    losses = []
    for name in sorted(raw):
        direction = raw[name] / torch.linalg.vector_norm(raw[name])
        row = []
        for epsilon in EPSILONS:
            common.set_flat_parameters(model, theta + epsilon * direction)
            row.append(common.mean_loss(model, inputs, targets))
        losses.append(row)
    common.set_flat_parameters(model, theta)

    common.save_safetensors(os.path.join(output, "model.safetensors"), model.state_dict(),
                            {"format": "pt", "producer": "tools/reference/make_fixture.py"})
    common.save_safetensors(os.path.join(output, "directions.safetensors"), raw)
    with open(os.path.join(output, "losses.json"), "w") as handle:
        json.dump({"torch": torch.__version__, "dataset": "mnist-10k", "indices": indices, "epsilons": EPSILONS,
                   "directions": sorted(raw), "baselineLoss": baseline, "perturbedLosses": losses}, handle, indent=1)
    print(f"baseline {baseline:.8f}; fixture written to {output}")


if __name__ == "__main__":
    main()
