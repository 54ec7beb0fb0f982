package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/model"
	"github.com/descent-ml/descent/problem"
	"github.com/descent-ml/descent/train"
)

// This file holds the check that a run fits in memory, made before anything large is
// allocated: the bytes a model, its optimiser, its batches or a problem need are estimated
// from the sizes the flags give and compared with what the machine has available, so that
// a size flag gives a clear error instead of the runtime's out-of-memory crash.

// byteSize is a flag of a number of bytes: 500MB, 7.5GiB, 2G, or plain bytes. 0 means
// "the machine's available memory".
type byteSize float64

func (b *byteSize) String() string {
	if *b == 0 {
		return ""
	}
	return formatBytes(float64(*b))
}

func (b *byteSize) Set(s string) error {
	t := strings.TrimSpace(s)
	mult := 1.0
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
		{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1},
	}
	lower := strings.ToLower(t)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || math.IsInf(v*mult, 0) {
		return fmt.Errorf("%q is not a positive finite size such as 500MB or 7.5GiB", s)
	}
	*b = byteSize(v * mult)
	return nil
}

// formatBytes writes n bytes in binary units with two or three significant digits:
// "7.5 GiB", "512 MiB", "3.6 EiB".
func formatBytes(n float64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	i := 0
	for n >= 1024 && i < len(units)-1 {
		n /= 1024
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f bytes", n)
	case n < 10:
		return fmt.Sprintf("%.1f %s", n, units[i])
	}
	return fmt.Sprintf("%.0f %s", n, units[i])
}

// memInfoPath is the file of the kernel's memory statistics.
const memInfoPath = "/proc/meminfo"

// availableMemory returns the bytes the kernel says can be allocated without swapping
// (MemAvailable of /proc/meminfo), or ok false where that is not known.
func availableMemory() (bytes float64, ok bool) {
	b, err := os.ReadFile(memInfoPath)
	if err != nil {
		return 0, false
	}
	return parseMemAvailable(b)
}

// parseMemAvailable reads the MemAvailable line of the contents of /proc/meminfo.
func parseMemAvailable(b []byte) (float64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemAvailable:" {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || v < 0 {
				return 0, false
			}
			if len(f) >= 3 && f[2] == "kB" {
				v *= 1024
			}
			return v, true
		}
	}
	return 0, false
}

// checkMemory returns an error if what needs more than the memory limit: --max-memory
// (max) if the command has the flag (max not nil) and it is given, else the machine's
// available memory. Where neither is known, it returns nil.
func checkMemory(what string, need float64, max *byteSize) error {
	var limit float64
	source := "--max-memory"
	if max != nil {
		limit = float64(*max)
	}
	if limit == 0 {
		var ok bool
		if limit, ok = availableMemory(); !ok {
			return nil
		}
		source = "available (MemAvailable in " + memInfoPath + ")"
		if max != nil {
			source = "available (MemAvailable in " + memInfoPath + "; --max-memory sets another limit)"
		}
	}
	if need <= limit {
		return nil
	}
	return fmt.Errorf("%s needs %s, more than the %s %s", what, formatBytes(need), formatBytes(limit), source)
}

// bytesPerFloat32 is the size of a weight, a gradient or an activation.
const bytesPerFloat32 = 4

// trainMemory estimates the bytes that parallel runs of cfg need on examples of features
// inputs for task, of examples training examples, beyond the data already loaded: per run,
// the weights, their gradients and the optimiser's state (parameters × slots), the two
// batch buffers of the training and evaluation loaders, and the activations (with their
// gradients) of a training batch and of an evaluation batch.
// It returns a description of the model for the error message.
func trainMemory(cfg train.Config, spec model.Spec, features int, task data.Task, examples, parallel int) (need float64, what string) {
	outputs := task.Outputs()
	params, acts := modelSize(spec, cfg.ModelConfig, features, outputs)
	slots := 5.0 // weights, gradients, and up to three slots of state (AMSGrad's)
	if cfg.Optimizer == "lbfgs" {
		hist := 100.0 // torch's history_size
		if v, ok := cfg.Options["history_size"]; ok {
			if h, err := strconv.ParseFloat(v, 64); err == nil && h > 0 {
				hist = h
			}
		}
		slots = 2 + 2*hist + 4
	}
	// The loaders hold two buffers of a whole batch each, whatever the data; the
	// activations are those of a batch no larger than the data.
	batch, evalBatch := float64(cfg.BatchSize), float64(cfg.EvalBatch)
	if evalBatch == 0 {
		evalBatch = 1000
	}
	n := float64(examples)
	perRun := params*slots + 2*(batch+evalBatch)*float64(features) + 2*math.Min(batch, n)*acts + math.Min(evalBatch, n)*acts
	return bytesPerFloat32 * perRun * float64(max(parallel, 1)), "the model " + model.Describe(spec, cfg.ModelConfig, features, outputs, task.Kind)
}

// modelSize returns the parameters of the model of spec and the activations it keeps per
// example in a forward pass (each layer's output, after linear map, normalisation,
// activation and dropout), as floats.
func modelSize(spec model.Spec, mc model.Config, features, outputs int) (params, acts float64) {
	in := float64(features)
	switch spec.Name {
	case "cnn":
		// conv 1→32 3×3, conv 32→64 3×3, fc 9216→128, fc 128→outputs; per example the
		// two convolutions' outputs (26²·32, 24²·64) with their ReLUs, the im2col of the
		// second (24²·32·9), the pooled 9216 with dropout, and the small layers.
		o := float64(outputs)
		params = 32*9 + 32 + 64*32*9 + 64 + 9216*128 + 128 + 128*o + o
		acts = 2*26*26*32 + 2*24*24*64 + 24*24*32*9 + 2*9216 + 3*128 + 3*o
		return params, acts
	case "linear", "logreg":
		o := float64(outputs)
		return in*o + o, in + 2*o
	}
	widths := spec.Widths
	perLayer := 4.0 // linear, normalisation, activation, dropout
	if widths == nil {
		widths = mc.Hidden
		if widths == nil {
			widths = []int{1000, 1000}
		}
		perLayer = 2
	}
	prev := in
	acts = in
	for _, w := range widths {
		fw := float64(w)
		params += prev*fw + fw
		if spec.Norm != "" {
			params += 2 * fw
		}
		acts += perLayer * fw
		prev = fw
	}
	o := float64(outputs)
	params += prev*o + o
	acts += 2 * o
	return params, acts
}

// maxJobs bounds the runs of a compare or a sweep: each is a configuration held in
// memory, and a run of more would not end in a lifetime.
const maxJobs = 100000

// bytesPerFloat64 is the size of a coordinate of a minimize problem.
const bytesPerFloat64 = 8

// recordBytes bounds the size of one iteration of a minimize trace (minimize.Record),
// doubled for the growth of the slice that holds them.
const recordBytes = 2 * 96

// minimizeMemory estimates the bytes the problem and method of f need: the problem's
// matrices (a dense d×d Hessian and the rotation it is made from, an n×d design and its
// SVD), the method's (a dense Hessian and its factors for Newton, the curvature pairs of
// L-BFGS) and the trace of --maxiter iterations. It returns what needs it, for the error.
func minimizeMemory(f *minimizeFlags) (need float64, what string) {
	d, n := float64(f.dim), float64(f.samples)
	what = fmt.Sprintf("--problem %s of --dim %d", f.problem, f.dim)
	switch f.problem {
	case "quadratic":
		// the Gaussian matrix, its QR, Q, R, the rotation and H
		need = 6 * d * d
	case "leastsquares":
		k := math.Min(n, d)
		// X, the factors of a low rank, the SVD's copy of X, U and V
		need = 2*n*d + (n+d)*k + n*d + (n+d)*k
		what = fmt.Sprintf("--problem leastsquares of --samples %d and --dim %d", f.samples, f.dim)
	case "logistic", "multinomial":
		d = problem.MNISTPixels + 1
		if f.problem == "multinomial" {
			d *= 10
		}
		what = "--problem " + f.problem
	case "lecture":
		d = 1
		what = "--problem lecture"
	}
	need += 16 * d // the iterates, gradients and directions of any method
	switch {
	case strings.HasPrefix(f.method, "newton") && !strings.HasPrefix(f.method, "newton-cg"):
		need += 3 * d * d // the Hessian, its factorisation and a copy
		what += " with --method " + f.method
	case f.method == "lbfgs":
		need += 2 * float64(f.memory) * d
		what += fmt.Sprintf(" with --method lbfgs and --memory %d", f.memory)
	}
	need *= bytesPerFloat64
	trace := float64(max(f.maxIter, 0)) * recordBytes
	if trace > need {
		what += fmt.Sprintf(" for --maxiter %d", f.maxIter)
	}
	need += trace
	return need, what
}
