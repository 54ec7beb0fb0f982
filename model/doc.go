// Package model builds the networks descent trains, by name for the command line.
//
// # Models by name
//
// A [Spec], parsed by [ParseSpec] from what --model says, names a model; [Build] makes it
// for a dataset, its inputs the features of an example and its outputs the classes of a
// classification or the values of a regression target:
//
//	linear                   one nn.Linear: logistic or softmax regression (with
//	                         cross-entropy), or linear regression (with the squared error)
//	mlp:W1,W2,...[:relu|gelu|tanh][:layernorm|batchnorm][:dropout=P]
//	                         a multilayer perceptron of hidden widths W1, W2, ...
//
// and the MNIST presets, which end in log-softmax (classification only, trained with
// [nn.NLLLoss]):
//
//	logreg  logistic regression, 784→10 and log-softmax
//	mlp     multilayer perceptron, 784-1000-1000-10 with ReLU (as in the Adam paper)
//	cnn     the pytorch/examples MNIST network: conv 32 3×3, conv 64 3×3, max-pool 2,
//	        dropout 0.25, fc 9216→128, dropout 0.5, fc 10, log-softmax
//
// On other data logreg and mlp take the data's features and classes; cnn takes 28×28
// images. [New] builds a preset for MNIST alone, as before Build.
//
// # PyTorch names
//
// Parameter and buffer names are those of the same networks in PyTorch: an nn.Sequential
// numbers its layers ("0.weight", "1.running_mean", ...), the CNN names them as
// pytorch/examples mnist/main.py does ("conv1.weight", "fc2.bias"). So a state_dict moves
// between the two (nn.StateDict lists it; bench/torch_train.py builds the presets in PyTorch); testdata/gen_specs.py writes the names and
// shapes of the PyTorch twins of the models by name, which the tests compare.
package model
