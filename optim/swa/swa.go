// Package swa averages the weights of a model along its training, as
// torch.optim.swa_utils.AveragedModel does: stochastic weight averaging (SWA, Izmailov,
// Podoprikhin, Garipov, Vetrov and Wilson, "Averaging Weights Leads to Wider Optima and
// Better Generalization", UAI 2018), the equal average of the weights at the ends of the
// last epochs of a run, and the exponential moving average of the weights (EMA, the
// averaging of Polyak and Juditsky, "Acceleration of Stochastic Approximation by
// Averaging", 1992, with geometric weights), updated after every step.
//
// An [AveragedModel] holds the tensors of a copy of the model and averages the model's
// tensors into them. Which tensors is the caller's choice, as torch's use_buffers is: the
// parameters alone (torch's default; the buffers of the copy, BatchNorm's running
// statistics, are then recomputed from data once the average is taken, by
// nn.UpdateBN, torch's update_bn), or the parameters and the buffers. The learning-rate
// schedule of SWA is [github.com/descent-ml/descent/optim/lr.SWALR]; package train runs
// both (train.Config's SWA and EMA, descent train --swa-start and --ema).
//
// # Exactness
//
// Every update is computed in float32 in torch's order of operations, so that the average
// is torch's bit for bit (testdata/gen_swa.py records torch 1.13 averaging a BatchNorm
// model four ways: SWA and EMA, with and without buffers). An integer buffer
// (num_batches_tracked), which torch keeps as int64, is averaged as torch averages it: in
// float32, then truncated toward zero.
package swa

import (
	"fmt"
	"math"

	"github.com/descent-ml/descent/internal/parallel"
)

// AvgFn updates avg, the average of n models (n ≥ 1), with the tensor p of the next model,
// elementwise, in place: torch's avg_fn(averaged_param, model_param, num_averaged). avg
// and p have the same length. It must treat each element on its own: Update calls it on
// parts of a big tensor at the same time, on several cores.
type AvgFn func(avg, p []float32, n int64)

// Mean is the equal average of SWA, torch's default avg_fn:
//
//	avg ← avg + (p − avg)/(n + 1)
//
// so that after the models w_1 … w_k, avg = (w_1 + … + w_k)/k.
func Mean(avg, p []float32, n int64) {
	d := float32(n + 1)
	for i, v := range p {
		avg[i] += (v - avg[i]) / d
	}
}

// EMA returns the exponential moving average of decay β, the avg_fn
// "lambda a, p, n: β*a + (1 − β)*p" of torch's documentation:
//
//	avg ← β·avg + (1 − β)·p
//
// with β and 1 − β (computed in float64) rounded to float32, as torch multiplies a float32
// tensor by a Python float. After the models w_1 … w_k (the first copied), avg =
// β^(k−1)·w_1 + Σ_{j≥2} (1 − β)·β^(k−j)·w_j. decay must be in (0, 1).
func EMA(decay float64) AvgFn {
	if !(decay > 0 && decay < 1) {
		panic(fmt.Sprintf("swa: EMA decay %v outside (0, 1)", decay))
	}
	b, c := float32(decay), float32(1-decay)
	return func(avg, p []float32, _ int64) {
		for i, v := range p {
			avg[i] = float32(b*avg[i]) + float32(c*v) // the conversions forbid a fused multiply-add
		}
	}
}

// A Tensor is one tensor of an averaged model: its values, and whether it holds integers
// (BatchNorm's num_batches_tracked, kept as float32).
type Tensor struct {
	Data []float32
	Int  bool
}

// AveragedModel is the running average of a model's tensors (torch's AveragedModel): the
// first [AveragedModel.Update] copies the model, every later one applies the averaging
// function with the number of models averaged so far (torch's n_averaged).
type AveragedModel struct {
	avg  []Tensor
	fn   AvgFn
	n    int64
	body chunk // the work of a tensor split over the cores, reused
}

// grain is the number of elements below which a tensor is averaged on one core.
const grain = 1 << 15

// chunk applies the average to parts of one tensor: a parallel.Body, kept in the
// AveragedModel so that Update allocates nothing.
type chunk struct {
	fn     AvgFn
	avg, p []float32
	n      int64
	isInt  bool
}

func (c *chunk) Range(_, lo, hi int) {
	a := c.avg[lo:hi]
	c.fn(a, c.p[lo:hi], c.n)
	if c.isInt {
		for j, v := range a {
			a[j] = float32(math.Trunc(float64(v))) // torch's copy_ of a float result into int64
		}
	}
}

// New returns the average held in avg, the tensors of the model's copy to be averaged (its
// parameters, or its parameters and buffers), with the averaging function fn: [Mean] if
// fn is nil. The AveragedModel writes into avg's slices, and no model is averaged yet.
func New(avg []Tensor, fn AvgFn) *AveragedModel {
	if fn == nil {
		fn = Mean
	}
	return &AveragedModel{avg: avg, fn: fn, body: chunk{fn: fn}}
}

// Update averages the model's tensors, in the order and of the lengths of the average's,
// into the average, and counts one model more (torch's update_parameters). It splits big
// tensors over the cores (GOMAXPROCS), which changes no value, and allocates nothing.
func (m *AveragedModel) Update(model [][]float32) {
	if len(model) != len(m.avg) {
		panic(fmt.Sprintf("swa: Update with %d tensors, the average has %d", len(model), len(m.avg)))
	}
	for i, p := range model {
		a := m.avg[i]
		if len(p) != len(a.Data) {
			panic(fmt.Sprintf("swa: Update: tensor %d has %d values, the average's %d", i, len(p), len(a.Data)))
		}
		if m.n == 0 {
			copy(a.Data, p)
			continue
		}
		b := &m.body
		b.avg, b.p, b.n, b.isInt = a.Data, p, m.n, a.Int
		parallel.SplitBody(len(p), parallel.Chunks(len(p), grain), b)
	}
	m.body.avg, m.body.p = nil, nil
	m.n++
}

// N returns the number of models averaged (torch's n_averaged).
func (m *AveragedModel) N() int64 { return m.n }

// SetN sets the number of models averaged, to restore an average saved with its tensors.
// n must not be negative.
func (m *AveragedModel) SetN(n int64) {
	if n < 0 {
		panic(fmt.Sprintf("swa: SetN(%d)", n))
	}
	m.n = n
}

// Tensors returns the tensors of the average, those given to New.
func (m *AveragedModel) Tensors() []Tensor { return m.avg }
