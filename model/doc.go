// Package model builds the networks descent trains on MNIST, by name for the command line:
//
//	logreg  logistic regression, 784→10 and log-softmax
//	mlp     multilayer perceptron, 784-1000-1000-10 with ReLU (as in the Adam paper)
//	cnn     the pytorch/examples MNIST network: conv 32 3×3, conv 64 3×3, max-pool 2,
//	        dropout 0.25, fc 9216→128, dropout 0.5, fc 10, log-softmax
//
// Every model takes a batch of flattened 28×28 images (batch×784) and returns
// log-probabilities (batch×10), to be trained with [nn.NLLLoss]. Parameter names are those
// of the same networks in PyTorch (see bench/torch_train.py and
// pytorch/examples mnist/main.py), so weights move between the two with nn.Save/nn.Load.
package model
