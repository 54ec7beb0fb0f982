#!/bin/sh
# Regenerates scipy_lbfgs_mnist.json, SciPy's L-BFGS-B on L2 logistic regression, MNIST even
# vs odd (λ = 1e-3, gtol 1e-8, 10 pairs): the optimum that TestLBFGSMNISTMatchesSciPy checks.
# Run from the repository root; ANCHORS is the folder of the reference scripts.
set -eu
ANCHORS=${ANCHORS:-/work/shared/anchors}
MNIST_DIR=${MNIST_DIR:-$(bash "$ANCHORS/mnist_dir.sh")} OPENBLAS_CORETYPE=SkylakeX \
	/usr/bin/python3 "$ANCHORS/scipy_lbfgs.py" --lam 1e-3 --gtol 1e-8 --memory 10 >minimize/testdata/scipy_lbfgs_mnist.json
