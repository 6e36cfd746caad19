"""Print the baseline and perturbed training losses of a safetensors MLP, as JSON.

    python3 perturbed_losses.py --model model.safetensors \
        --images images-idx3-ubyte.gz --labels labels-idx1-ubyte.gz \
        --indices indices.json --directions directions.safetensors --epsilons 0.01 0.1 1

indices.json is a JSON list of dataset indices, or the trainingData object of Flatness Lab's
results: "indices", and "randomLabels" to use random labels.

directions.safetensors contains one flat float32 vector per direction, in the order of
torch.cat([p.flatten() for p in model.parameters()]). The script normalizes each vector to
unit L2 norm before use. The output lists L(θ) and, per direction and ε, L(θ + ε·d).
"""

import argparse
import json

import torch

import common


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--indices", required=True)
    parser.add_argument("--directions", required=True)
    parser.add_argument("--epsilons", type=float, nargs="+", required=True)
    args = parser.parse_args()

    features, labels = common.load_dataset(args.images, args.labels)
    inputs, targets = common.select_examples(features, labels, args.indices)

    model = common.model_from_state(common.load_safetensors(args.model))
    theta = common.flat_parameters(model).clone()
    directions = common.load_safetensors(args.directions)

    output = {"baselineLoss": common.mean_loss(model, inputs, targets), "directions": []}
    for name in sorted(directions):
        direction = directions[name].reshape(-1)
        direction = direction / torch.linalg.vector_norm(direction)
        losses = []
        for epsilon in args.epsilons:
            common.set_flat_parameters(model, theta + epsilon * direction)
            losses.append(common.mean_loss(model, inputs, targets))
        common.set_flat_parameters(model, theta)
        output["directions"].append({"name": name, "epsilons": args.epsilons, "losses": losses})
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
