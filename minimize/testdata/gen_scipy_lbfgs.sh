#!/bin/sh
# Regenerates scipy_lbfgs_mnist.json, SciPy's L-BFGS-B on L2 logistic regression, MNIST even
# vs odd (λ = 1e-3, gtol 1e-8, 10 pairs): the optimum that TestLBFGSMNISTMatchesSciPy checks.
# It runs the repository's reference program bench/scipy_lbfgs.py (needs python3-scipy), which
# reads MNIST from $MNIST_DIR, else from descent's cache ("go run ./cmd/descent data fetch").
# Run it from anywhere in the repository.
set -eu
cd "$(dirname "$0")/../.."
/usr/bin/python3 bench/scipy_lbfgs.py --lam 1e-3 --gtol 1e-8 --memory 10 --threads 1 >minimize/testdata/scipy_lbfgs_mnist.json
