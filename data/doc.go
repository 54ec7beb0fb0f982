// Package data holds what a training loop reads: the [Dataset] interface, in-memory
// datasets and subsets, a validation split, and the [Loader] that cuts a dataset into
// mini-batches of float32, as PyTorch's DataLoader does.
//
// # Datasets
//
// A [Dataset] is a finite list of examples of one shape with integer labels. Its Example
// method writes one example, as float32, into a slice the caller owns; MNIST
// (package data/mnist) stores bytes and converts them there. [Dense] holds float32 examples
// in memory, [Subset] views some examples of another dataset, and [Split] holds out a
// validation set, the same for the same seed. Package data/tabular reads a user's CSV,
// .npy or .npz file into a Dense.
//
// # Classification and regression
//
// A dataset for regression has a float32 vector target for each example: it is a
// [Targeted] dataset whose TargetShape is not nil ([NewRegression] makes a Dense one;
// Subset, Split and [Materialize] keep the targets). [TaskOf] tells a training loop which
// task a dataset is: classification with Task.Classes classes, or regression with
// Task.Outputs() outputs. The number of classes comes from a [ClassCounter] (Dense, MNIST's
// sets) when it can, and is that of the whole dataset a Subset views.
//
// [FitStandardization] computes the mean and standard deviation of every feature of a
// training set (and of its targets, if asked); [Standardization.Apply] standardises a Dense
// with them. Fit on the training part only, apply to every part.
//
// # Loader
//
// A [Loader] returns the batches of one epoch after another:
//
//	l := data.NewLoader(train, data.Config{BatchSize: 128, Sampling: data.Shuffle}, rand.New(rand.NewPCG(1, 2)))
//	defer l.Close()
//	for epoch := 0; epoch < 10; epoch++ {
//		for l.Next() {
//			b := l.Batch() // b.X is [b.Size(), 784] row-major, b.Y the labels (b.T the float targets of a regression set)
//		}
//	}
//
// Next returns false once at the end of each epoch; the call after it starts the next
// epoch. Config.Sampling gives the order of the examples:
//
//   - [Sequential]: dataset order, every epoch the same;
//   - [Shuffle]: a fresh uniform random permutation every epoch (sampling without
//     replacement: each example exactly once per epoch);
//   - [Replacement]: Config.Samples indices drawn independently and uniformly from
//     [0, Len) — the i.i.d. indices I_n of the lecture's analysis of SGD.
//
// DropLast drops the last batch of an epoch when it is smaller than BatchSize.
//
// # Determinism and checkpoints
//
// The loader draws one 64-bit seed from the *rand.Rand given to [NewLoader]; the order of
// epoch e is then a function of that seed and e alone (a ChaCha8 stream keyed by both).
// So the same seed gives the same batches, and [Loader.State] — the seed, the epoch and the
// number of batches already returned — is all a checkpoint needs: [Loader.Restore] on a
// new loader over the same dataset continues with bit-identical batches.
//
// # Speed and aliasing
//
// A loader over a [Gatherer] (MNIST's sets are), or over a [Subset] of one, builds each
// batch when Next is called, with Gather split over the cores (the worker pool the tensor
// kernels share, awake from the last step): for MNIST that takes less time than waking a
// background goroutine would. Over other datasets the next batch is built on a background
// goroutine while the caller trains on the current one, unless Config.NoPrefetch;
// [Loader.Close] stops it. A loader owns two batch buffers and reuses them: the [Batch]
// returned by [Loader.Batch] is valid until the next call to Next, and steady-state
// iteration allocates nothing. A Loader is not safe for concurrent use. A Dataset must
// allow Example to be called from the loader's goroutine while no other goroutine changes
// it.
package data
