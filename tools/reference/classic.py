"""Run the classic flatness experiment in PyTorch and write its results as JSON.

    /usr/bin/python3 tools/reference/classic.py --seed 0 --output pytorch-classic.json \
        [--same-data flatness-lab-results.json] [--runs 3] [--threads 2]

Same definitions as Flatness Lab (docs/method.md): 1000 examples of mnist-10k, groups
over-natural 784-5000-5000-10, under-natural 784-50-50-10 and over-random
784-5000-5000-10 on random labels; plain SGD with learning rate 0.1, batch 64, reshuffled
every epoch, at most 30 epochs, stopping after the first epoch whose on-the-fly training
accuracy is 100 %; baseline loss in eval mode; per direction d = g/||g||, g ~ N(0, I) over
all parameters; ΔL = L(θ + ε·d) − L(θ) for ε in 0.001, 0.005, 0.01, 0.05, 0.1 with 5
directions; population std (ddof 0) over directions and over runs.

With --two-sided, each direction is also evaluated at θ − ε·d and the results add the
curvature part ½[L(θ+εd) + L(θ−εd)] − L(θ) and the first-order part ½[L(θ+εd) − L(θ−εd)].

With --same-data, the training subset and the random labels are taken from the results JSON
of a Flatness Lab experiment (GET /api/experiments/{id}/results), so only initialization,
shuffling and directions differ between the frameworks. Without it, they are drawn with
numpy from --seed.
"""

import argparse
import json
import os
import time

import numpy as np
import torch

import common

DATASET = os.path.join(os.path.dirname(__file__), "..", "..", "src", "main", "resources", "datasets", "mnist-10k")
GROUPS = [("over-natural", [5000, 5000], "NATURAL"), ("under-natural", [50, 50], "NATURAL"),
          ("over-random", [5000, 5000], "RANDOM")]
EPSILONS = [0.001, 0.005, 0.01, 0.05, 0.1]


def train(model, inputs, targets, generator, max_epochs=30, batch_size=64, learning_rate=0.1):
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    epochs, accuracy = 0, 0.0
    for epoch in range(1, max_epochs + 1):
        model.train()
        correct = 0
        for batch in torch.randperm(len(targets), generator=generator).split(batch_size):
            optimizer.zero_grad()
            output = model(inputs[batch])
            loss = torch.nn.functional.cross_entropy(output, targets[batch])
            correct += (output.argmax(1) == targets[batch]).sum().item()
            loss.backward()
            optimizer.step()
        epochs, accuracy = epoch, correct / len(targets)
        if correct == len(targets):
            break
    return epochs, accuracy


def measure(model, inputs, targets, generator, two_sided, directions=5):
    theta = common.flat_parameters(model).clone()
    baseline = common.mean_loss(model, inputs, targets)
    increases = [[0.0] * directions for _ in EPSILONS]
    minus = [[0.0] * directions for _ in EPSILONS] if two_sided else None
    for k in range(directions):
        direction = torch.randn(theta.numel(), generator=generator)
        direction /= torch.linalg.vector_norm(direction)
        for e, epsilon in enumerate(EPSILONS):
            common.set_flat_parameters(model, theta + epsilon * direction)
            increases[e][k] = common.mean_loss(model, inputs, targets) - baseline
            if two_sided:
                common.set_flat_parameters(model, theta - epsilon * direction)
                minus[e][k] = common.mean_loss(model, inputs, targets) - baseline
    common.set_flat_parameters(model, theta)
    return baseline, increases, minus


def summary(values):
    return {"mean": float(np.mean(values)), "std": float(np.std(values))}


def per_epsilon(epsilon, plus, minus):
    entry = {"epsilon": epsilon, "directions": plus, **summary(plus)}
    if minus is not None:
        curvature = [0.5 * (p + m) for p, m in zip(plus, minus)]
        first_order = [0.5 * (p - m) for p, m in zip(plus, minus)]
        entry["twoSided"] = {"minusDirections": minus, "curvature": {"values": curvature, **summary(curvature)},
                             "firstOrder": {"values": first_order, **summary(first_order)}}
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--same-data", help="results JSON of a Flatness Lab experiment")
    parser.add_argument("--output", default="pytorch-classic.json")
    parser.add_argument("--max-epochs", type=int, default=30, help="epochs at most per run (default 30)")
    parser.add_argument("--directions", type=int, default=5, help="random directions per run (default 5)")
    parser.add_argument("--two-sided", action="store_true",
                        help="also evaluate θ − ε·d and report the curvature and first-order parts")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    features, labels = common.load_dataset(os.path.join(DATASET, "images-idx3-ubyte.gz"),
                                           os.path.join(DATASET, "labels-idx1-ubyte.gz"))
    if args.same_data:
        with open(args.same_data) as handle:
            data = json.load(handle)["trainingData"]
        indices, random_labels = data["indices"], data["randomLabels"]
    else:
        rng = np.random.default_rng(args.seed)
        indices = sorted(rng.choice(features.shape[0], 1000, replace=False).tolist())
        random_labels = rng.integers(0, 10, 1000).tolist()
    inputs = features[indices]
    targets = {"NATURAL": labels[indices], "RANDOM": torch.tensor(random_labels)}

    results = {"framework": f"torch {torch.__version__}", "seed": args.seed, "threads": args.threads,
               "epsilons": EPSILONS, "trainingData": {"indices": indices, "randomLabels": random_labels},
               "groups": []}
    for key, hidden, mode in GROUPS:
        runs = []
        for run in range(args.runs):
            torch.manual_seed(args.seed * 1000 + len(results["groups"]) * 100 + run)
            generator = torch.Generator().manual_seed(args.seed * 1000 + len(results["groups"]) * 100 + run + 50)
            model = common.Mlp(784, hidden, 10)
            started = time.time()
            epochs, accuracy = train(model, inputs, targets[mode], generator, max_epochs=args.max_epochs)
            trained = time.time()
            baseline, increases, minus = measure(model, inputs, targets[mode], generator, args.two_sided,
                                                 directions=args.directions)
            measured = time.time()
            runs.append({"runIndex": run, "epochsTrained": epochs, "finalTrainAccuracy": accuracy,
                         "reachedFullTrainAccuracy": accuracy == 1.0, "baselineLoss": baseline,
                         "trainingSeconds": round(trained - started, 3), "measuringSeconds": round(measured - trained, 3),
                         "lossIncrease": [per_epsilon(EPSILONS[e], increases[e], minus[e] if minus else None)
                                          for e in range(len(EPSILONS))]})
            print(f"{key}#{run}: {epochs} epochs, accuracy {accuracy:.3f}, baseline {baseline:.6f}, "
                  f"train {trained - started:.1f} s, measure {measured - trained:.1f} s", flush=True)
        means = np.array([[entry["mean"] for entry in run["lossIncrease"]] for run in runs])
        over_runs = [{"epsilon": eps, "mean": float(means[:, e].mean()), "std": float(means[:, e].std()),
                      "runs": len(runs)} for e, eps in enumerate(EPSILONS)]
        if args.two_sided:
            for part in ("curvature", "firstOrder"):
                part_means = np.array([[entry["twoSided"][part]["mean"] for entry in run["lossIncrease"]] for run in runs])
                for e, entry in enumerate(over_runs):
                    entry[part] = summary(part_means[:, e])
        results["groups"].append({"key": key, "hiddenLayers": hidden, "labels": mode, "runs": runs,
                                  "lossIncrease": over_runs})
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=1)
    print(f"results written to {args.output}")


if __name__ == "__main__":
    main()
