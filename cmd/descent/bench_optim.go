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
)

// benchOptim times Step of one optimiser on one parameter of --size elements with fixed
// gradients, as ../shared/anchors/torch_optstep.py times torch's optimizer.step().
func benchOptim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench optim", "--optimizer NAME [flags]",
		"Times optimizer.Step on one parameter with fixed random gradients and prints the median\n"+
			"ms per step and the bytes of parameter, gradient and state memory moved per second, also\n"+
			"as a fraction of STREAM's triad bandwidth on as many threads (descent bench machine).\n"+
			"Compare with: OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 ../shared/anchors/torch_optstep.py --threads T",
		stderr)
	name := fs.String("optimizer", "adam", "registry name of the optimizer (sgd, adam, momentum, ...)")
	momentum := fs.Float64("momentum", -1, "momentum option, for optimizers that have one (-1: the optimizer's default)")
	size := fs.Int("size", 10_000_000, "number of parameter elements")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "goroutines (GOMAXPROCS)")
	steps := fs.Int("steps", 20, "timed steps")
	asJSON := fs.Bool("json", false, "print one JSON line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *size < 1 || *threads < 1 || *steps < 1 {
		fmt.Fprintln(stderr, "descent bench optim: --size, --threads and --steps must be positive")
		return errUsage
	}
	opts := optim.Options{}
	if *momentum >= 0 {
		opts["momentum"] = strconv.FormatFloat(*momentum, 'g', -1, 64)
	}
	if *name == "sgd" || *name == "momentum" || *name == "nesterov" {
		opts["lr"] = "0.1" // torch_optstep.py's SGD
	}
	p := &optim.Param{Name: "x", Shape: []int{*size}, Value: make([]float32, *size), Grad: make([]float32, *size)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range p.Grad {
		p.Grad[i] = float32(r.NormFloat64())
	}
	o, err := optim.New(*name, opts, optim.Group{Params: []*optim.Param{p}})
	if err != nil {
		return err
	}
	if _, ok := o.(*optim.LBFGS); ok {
		return fmt.Errorf("bench optim: lbfgs needs a closure; choose a first-order optimizer")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*threads))
	for range 3 {
		if err := o.Step(); err != nil {
			return err
		}
	}
	ms := make([]float64, *steps)
	for i := range ms {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := time.Now()
		if err := o.Step(); err != nil {
			return err
		}
		ms[i] = float64(time.Since(t).Nanoseconds()) / 1e6
	}
	slices.Sort(ms)
	med := ms[len(ms)/2]
	// Bytes moved: the gradient read, the value read and written, each state buffer read and written.
	var state bytesCounter
	if s, ok := o.(optim.Stateful); ok {
		s.Save(&state)
	}
	bufs := float64(state.n / (4 * int64(*size))) // state buffers: the state file holds 4 bytes per element of each
	moved := float64(*size) * 4 * (1 + 2 + 2*float64(int(bufs)))
	res := map[string]any{
		"impl": "descent-" + runtime.Version(), "optimizer": *name, "layout": fmt.Sprintf("1x%d", *size),
		"threads": *threads, "ms_per_step": med, "ms_min": ms[0], "params_per_second": float64(*size) / (med / 1e3),
		"bytes_per_second": moved / (med / 1e3), "state_buffers": int(bufs),
	}
	triad := triadBandwidth(*threads)
	res["triad_bytes_per_second"], res["bandwidth_fraction"] = triad*1e9, moved/(med/1e3)/(triad*1e9)
	if *asJSON {
		b, _ := json.Marshal(res)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "%s on 1x%d, %d threads: %.3f ms/step (median of %d), %.1f GB/s, %s of the triad's %.1f GB/s (descent bench machine)\n",
		*name, *size, *threads, med, *steps, moved/(med/1e3)/1e9, fraction(moved/(med/1e3)/1e9, triad), triad)
	return nil
}

type bytesCounter struct{ n int64 }

func (c *bytesCounter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }
