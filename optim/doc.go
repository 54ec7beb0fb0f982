// Package optim holds the stochastic optimisers of machine learning over named float32
// parameters organised in groups, with PyTorch's update rules and defaults.
package optim
