// Package tabular reads a user's dataset from a file — CSV with a header, or NumPy's .npy
// and .npz — into the in-memory sets of package data, classification or regression, with
// a held-out test set and standardisation.
//
// # Files
//
// A CSV file (.csv, .csv.gz, or .tsv with tabs) starts with a header line naming its
// columns. [Options].Target names the target column (several for a multi-output
// regression); every other column is a feature. Every cell read must be a finite number
// that fits in a float32: a text cell, an empty cell, NaN or Inf, a row with another
// number of cells than the header, a missing target column, an empty file or a header
// without rows is refused with an [*Error] naming the file, the line and the column:
//
//	train.csv:3: column 2 "b": cell "abc" is not a number
//
// An .npz archive holds an array x of the features, one example per index of its first
// dimension, and an array y of the targets (Options.Target names another). An .npy file
// holds only x: Options.Target names the .npy file of y. Package data/npy decodes them;
// an array of another dtype than bool, integers, float32 or float64, x and y of different
// lengths, or a missing y is refused, naming the file.
//
// # Classes or regression
//
// With Options.Task left to [data.Infer], a target is a class label when it is one column
// of integers: CSV cells that are all integer literals ("3", not "3.0": the column pandas
// reads as int64), or a NumPy array of an integer or bool dtype. Anything else is a
// regression target. So a regression whose targets happen to be whole numbers is written
// 151.0, or read with Task [data.Regress]. The classes are the distinct labels, sorted:
// label Labels[k] is class k, so labels 0…K−1 keep their numbers, and labels −1 and 1
// become classes 0 and 1, reported back through Table.Labels. A test file is read with
// its training file's labels; a label the training file lacks is an error.
//
// # Held-out split and standardisation
//
// [Load] reads a [Spec]: a training file and a test file, or, without a test file, a
// held-out part of the training file — ⌈Spec.Holdout·n⌉ examples, [DefaultHoldout] (20%)
// unless set, chosen by [data.Split] with Spec.Seed: the same seed, the same split. With
// Spec.Standardize, every feature is standardised, (x − mean)/std, with the mean and the
// population standard deviation of the training part alone, in the training and the test
// set; the statistics are returned as a [data.Standardization] (JSON) for the run's
// record. Regression targets stay in their units unless Spec.StandardizeTargets, so that
// an RMSE is in the target's units.
package tabular
