package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/report"
)

// benchOptim times Step of one optimiser on --count parameters of --size elements with fixed
// gradients, as bench/torch_optstep.py times torch's optimizer.step().
func benchOptim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench optim", "--optimizer NAME [flags]",
		"Times optimizer.Step on --count parameters of --size elements with fixed random gradients\n"+
			"and prints the median ms per step and the bytes of parameter, gradient and state memory\n"+
			"moved per second, also as a fraction of STREAM's triad bandwidth on as many threads\n"+
			"(descent bench machine). The reference is bench/torch_optstep.py (torch's optimizer.step()\n"+
			"on the same layouts); bench/reference.py optim runs both alternately and prints the ratios:\n"+
			"  /usr/bin/python3 bench/torch_optstep.py --threads T --layouts COUNTxSIZE\n"+
			"With --against NAME, the steps of NAME on a copy of the parameters alternate with those of\n"+
			"--optimizer, and the ratio of their bytes per second is printed, the median of the steps'\n"+
			"ratios: on a shared machine, a figure that the load changes less than either speed.",
		stderr)
	name := fs.String("optimizer", "adam", "registry name of the optimizer (sgd, adam, momentum, ...)")
	against := fs.String("against", "", "registry name of an optimizer to alternate with, step by step, as the reference of a ratio")
	momentum := fs.Float64("momentum", -1, "momentum option, for optimizers that have one (-1: the optimizer's default)")
	size := fs.Int("size", 10_000_000, "elements of each parameter")
	count := fs.Int("count", 1, "number of parameters")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "goroutines (GOMAXPROCS)")
	steps := fs.Int("steps", 20, "timed steps")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *size < 1 || *count < 1 || *threads < 1 || *steps < 1 {
		fmt.Fprintln(stderr, "descent bench optim: --size, --count, --threads and --steps must be positive")
		return errUsage
	}
	copies := 1
	if *against != "" {
		copies = 2
	}
	// the values, gradients and up to three slots of state of every parameter
	if err := checkMemory(fmt.Sprintf("bench optim: %d parameters of %d elements", copies**count, *size),
		5*bytesPerFloat32*float64(copies**count)*float64(*size), nil); err != nil {
		return err
	}
	o, moved, bufs, err := benchOptimizer(*name, *momentum, *size, *count)
	if err != nil {
		return err
	}
	var ref optim.Optimizer
	var refMoved float64
	if *against != "" {
		if ref, refMoved, _, err = benchOptimizer(*against, *momentum, *size, *count); err != nil {
			return err
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
	for range 3 {
		if err := o.Step(); err != nil {
			return err
		}
		if ref != nil {
			if err := ref.Step(); err != nil {
				return err
			}
		}
	}
	ms := make([]float64, *steps)
	var refMS, ratios []float64
	timed := func(o optim.Optimizer) (float64, error) {
		t := time.Now()
		err := o.Step()
		return float64(time.Since(t).Nanoseconds()) / 1e6, err
	}
	for i := range ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		if ms[i], err = timed(o); err != nil {
			return err
		}
		if ref != nil {
			r, err := timed(ref)
			if err != nil {
				return err
			}
			refMS = append(refMS, r)
			ratios = append(ratios, (moved/ms[i])/(refMoved/r))
		}
	}
	slices.Sort(ms)
	med := ms[len(ms)/2]
	elems := int64(*count) * int64(*size)
	layout := fmt.Sprintf("%dx%d", *count, *size)
	res := map[string]any{
		"impl": "descent-" + runtime.Version(), "optimizer": *name, "layout": layout,
		"threads": *threads, "ms_per_step": med, "ms_min": ms[0], "params_per_second": float64(elems) / (med / 1e3),
		"bytes_per_second": moved / (med / 1e3), "state_buffers": bufs,
		"cpu": report.ThisMachine().CPU, "load": loadAverage(),
	}
	var ratioLine string
	if ref != nil {
		slices.Sort(refMS)
		slices.Sort(ratios)
		rmed, rat := refMS[len(refMS)/2], ratios[len(ratios)/2]
		res["against"], res["against_ms_per_step"], res["against_bytes_per_second"] = *against, rmed, refMoved/(rmed/1e3)
		res["ratio"], res["ratio_min"], res["ratio_max"] = rat, ratios[0], ratios[len(ratios)-1]
		ratioLine = fmt.Sprintf("%s alternating: %.3f ms/step, %.1f GB/s; %s/%s bytes per second %.3f (median of %d steps' ratios, %.3f to %.3f)\n",
			*against, rmed, refMoved/(rmed/1e3)/1e9, *name, *against, rat, len(ratios), ratios[0], ratios[len(ratios)-1])
	}
	triad := triadBandwidth(*threads)
	res["triad_bytes_per_second"], res["bandwidth_fraction"] = triad*1e9, moved/(med/1e3)/(triad*1e9)
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "%s on %s, %d threads: %.3f ms/step (median of %d), %.1f GB/s, %s of the triad's %.1f GB/s (descent bench machine)\n%sCPU: %s\n",
		*name, layout, *threads, med, *steps, moved/(med/1e3)/1e9, fraction(moved/(med/1e3)/1e9, triad), triad, ratioLine, machineNote())
	return nil
}

// benchOptimizer returns optimiser name over count parameters of size elements with
// fixed random gradients, the bytes one of its steps moves, and its state buffers per
// parameter.
func benchOptimizer(name string, momentum float64, size, count int) (optim.Optimizer, float64, int, error) {
	opts := optim.Options{}
	if momentum >= 0 {
		opts["momentum"] = strconv.FormatFloat(momentum, 'g', -1, 64)
	}
	if name == "sgd" || name == "momentum" || name == "nesterov" {
		opts["lr"] = "0.1" // torch_optstep.py's SGD
	}
	params := make([]*optim.Param, count)
	r := rand.New(rand.NewPCG(1, 2))
	for k := range params {
		p := &optim.Param{Name: fmt.Sprintf("x%d", k), Shape: []int{size}, Value: make([]float32, size), Grad: make([]float32, size)}
		for i := range p.Grad {
			p.Grad[i] = float32(r.NormFloat64())
		}
		params[k] = p
	}
	o, err := optim.New(name, opts, optim.Group{Params: params})
	if err != nil {
		return nil, 0, 0, err
	}
	if _, ok := o.(*optim.LBFGS); ok {
		return nil, 0, 0, fmt.Errorf("bench optim: lbfgs needs a closure; choose a first-order optimizer")
	}
	// Bytes moved: the gradient read, the value read and written, each state buffer read
	// and written. The state is saved after a step, when every buffer exists.
	if err := o.Step(); err != nil {
		return nil, 0, 0, err
	}
	var state bytesCounter
	if s, ok := o.(optim.Stateful); ok {
		s.Save(&state)
	}
	elems := int64(count) * int64(size)
	bufs := state.n / (4 * elems) // state buffers: the state file holds 4 bytes per element of each
	moved := float64(elems) * 4 * float64(1+2+2*bufs)
	if tr, ok := o.(optim.Traffic); ok { // optimisers with more than one pass count them
		moved = float64(elems) * float64(tr.BytesPerParam())
	}
	return o, moved, int(bufs), nil
}

type bytesCounter struct{ n int64 }

func (c *bytesCounter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }
