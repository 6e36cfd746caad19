"""Print the largest Hessian eigenvalues and the Hessian trace of a safetensors MLP, as JSON.

    python3 hessian.py --model model.safetensors --images images-idx3-ubyte.gz \
        --labels labels-idx1-ubyte.gz --indices results.json [--top 3] [--samples 200]

The loss is the mean cross-entropy over the examples that --indices selects: a JSON list of
dataset indices, the trainingData object of Flatness Lab's results, or the whole results. Hessian-vector products
come from PyTorch's double backward pass in float64, the reference for Flatness Lab's EXACT
products. The top eigenvalues come from Lanczos with full reorthogonalization (--steps steps,
eigenvalues of the tridiagonal matrix), the trace from Hutchinson's estimator with --samples
Rademacher vectors, reported with its standard error.
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
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    features, labels = common.load_dataset(args.images, args.labels)
    inputs, targets = common.select_examples(features, labels, args.indices)
    inputs = inputs.double()

    model = common.model_from_state(common.load_safetensors(args.model)).double()
    parameters = list(model.parameters())
    loss = torch.nn.functional.cross_entropy(model(inputs), targets)
    gradients = torch.autograd.grad(loss, parameters, create_graph=True)
    flat_gradient = torch.cat([g.reshape(-1) for g in gradients])
    count = flat_gradient.numel()

    def product(vector):
        dot = torch.dot(flat_gradient, vector)
        return torch.cat([g.reshape(-1) for g in torch.autograd.grad(dot, parameters, retain_graph=True)])

    generator = torch.Generator().manual_seed(args.seed)
    steps = min(args.steps, count)
    basis = []
    alphas = []
    betas = []
    q = torch.randn(count, generator=generator, dtype=torch.float64)
    q /= torch.linalg.vector_norm(q)
    for step in range(steps):
        basis.append(q)
        w = product(q)
        alpha = torch.dot(w, q)
        alphas.append(alpha.item())
        for _ in range(2):
            for previous in basis:
                w -= torch.dot(w, previous) * previous
        beta = torch.linalg.vector_norm(w)
        if step == steps - 1 or beta.item() < 1e-12:
            break
        betas.append(beta.item())
        q = w / beta
    size = len(alphas)
    tridiagonal = torch.diag(torch.tensor(alphas, dtype=torch.float64))
    for i, beta in enumerate(betas[:size - 1]):
        tridiagonal[i, i + 1] = beta
        tridiagonal[i + 1, i] = beta
    ritz = torch.linalg.eigvalsh(tridiagonal).flip(0)

    samples = []
    for _ in range(args.samples):
        z = torch.randint(0, 2, (count,), generator=generator, dtype=torch.int64).double() * 2 - 1
        samples.append(torch.dot(z, product(z)).item())
    values = torch.tensor(samples, dtype=torch.float64)

    print(json.dumps({
        "parameters": count,
        "loss": loss.item(),
        "lanczosSteps": size,
        "topEigenvalues": ritz[:args.top].tolist(),
        "trace": values.mean().item(),
        "traceStandardError": (values.std(unbiased=True) / len(samples) ** 0.5).item() if len(samples) > 1 else None,
    }, indent=2))


if __name__ == "__main__":
    main()
