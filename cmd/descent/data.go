package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/descent-ml/descent/data/mnist"
)

// dataCommands is the table of "descent data" subcommands.
func dataCommands() []command {
	return []command{
		{"fetch", "get and verify a dataset's files, and print where they are", runDataFetch},
		{"info", "counts, shapes, label histograms and pixel statistics of a dataset", runDataInfo},
	}
}

func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	desc := fmt.Sprintf("Gets and describes the datasets (%s).", strings.Join(mnist.Names(), ", "))
	return dispatch(ctx, "data", desc, dataCommands(), args, stdout, stderr)
}

// dataFlags are the flags that say which dataset and where its files are, shared by the
// data subcommands (and meant for every command that reads a dataset).
type dataFlags struct {
	dataset, dir, cache string
	offline             bool
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dataset, "dataset", "mnist", "dataset: "+strings.Join(mnist.Names(), " or "))
	fs.StringVar(&f.dir, "dir", "", "folder holding the dataset's four .gz files, used alone (default $MNIST_DIR or $FASHION_MNIST_DIR, else the cache)")
	fs.StringVar(&f.cache, "cache", "", "cache folder (default $DESCENT_DATA, else the user cache folder/descent)")
	fs.BoolVar(&f.offline, "offline", false, "never fetch: use only the folder or the cache")
}

// resolve returns the dataset and the options the flags describe; progress goes to log.
func (f *dataFlags) resolve(log io.Writer) (mnist.Spec, mnist.Options, error) {
	spec, err := mnist.Lookup(f.dataset)
	return spec, mnist.Options{Dir: f.dir, CacheDir: f.cache, Offline: f.offline, Log: log}, err
}

const dataSources = `The files are looked for in --dir (or $MNIST_DIR / $FASHION_MNIST_DIR), used alone if
given; else in the cache; else fetched into the cache: MNIST through the Go module proxy
(with the go command), then from the datasets' HTTP mirrors. Every file's size and SHA-256
are checked against the published ones before use; in the cache, a file already checked is
trusted while its size, mtime, ctime, device and inode are unchanged (the cache's
.verified.json records them), and hashed again otherwise.`

func runDataFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var df dataFlags
	fs := newFlagSet("data fetch", "[flags]", "Gets the four files of a dataset, verifies them and prints where they are.\n\n"+dataSources, stderr)
	df.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec, opts, err := df.resolve(stderr)
	if err != nil {
		return err
	}
	dir, err := mnist.Fetch(ctx, spec, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s\n", spec.Name, dir)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, f := range spec.Files() {
		fmt.Fprintf(tw, "\t%s\t%d bytes\t sha256 %s ok\t\n", f.Name, f.Size, f.SHA256)
	}
	return tw.Flush()
}

// splitInfo is the description of one split in "descent data info".
type splitInfo struct {
	mnist.Stats
	FirstLabel int `json:"first_label"`
}

// dataInfo is the JSON object of "descent data info --json".
type dataInfo struct {
	Dataset       string               `json:"dataset"`
	Dir           string               `json:"dir"`
	Train         int                  `json:"train"`
	Test          int                  `json:"test"`
	Shape         []int                `json:"shape"`
	Classes       []string             `json:"classes"`
	Normalization map[string]float32   `json:"normalization"`
	Splits        map[string]splitInfo `json:"splits"`
}

func runDataInfo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var df dataFlags
	fs := newFlagSet("data info", "[flags]", "Loads a dataset (fetching it if needed) and prints its counts, image shape, label\nhistograms and pixel statistics (pixels scaled to [0, 1]).\n\n"+dataSources, stderr)
	df.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec, opts, err := df.resolve(stderr)
	if err != nil {
		return err
	}
	d, err := mnist.Load(ctx, spec, opts)
	if err != nil {
		return err
	}
	info := dataInfo{
		Dataset: spec.Name, Dir: d.Dir, Train: d.Train.Len(), Test: d.Test.Len(),
		Shape: d.Train.Shape(), Classes: spec.Classes,
		Normalization: map[string]float32{"mean": d.Train.Mean, "std": d.Train.Std},
		Splits:        map[string]splitInfo{},
	}
	for name, s := range map[string]*mnist.Set{"train": d.Train, "test": d.Test} {
		si := splitInfo{Stats: s.Stats(), FirstLabel: -1}
		if s.Len() > 0 {
			si.FirstLabel = int(s.Labels[0])
		}
		info.Splits[name] = si
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(info)
	}
	fmt.Fprintf(stdout, "dataset        %s\nfolder         %s\nimage shape    %v\nnormalisation  mean %g, std %g\n\n",
		info.Dataset, filepath.Clean(info.Dir), info.Shape, info.Normalization["mean"], info.Normalization["std"])
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "split\timages\tfirst label\tpixel mean\tpixel std\timages per label\n")
	for _, name := range []string{"train", "test"} {
		si := info.Splits[name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.6f\t%.6f\t%s\n", name, si.Count, si.FirstLabel, si.PixelMean, si.PixelStd, strings.Trim(fmt.Sprint(si.Labels), "[]"))
	}
	return tw.Flush()
}
