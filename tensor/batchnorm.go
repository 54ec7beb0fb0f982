package tensor

import (
	"fmt"
	"math"
	"sync"
)

// BatchNormConfig holds the options of [BatchNorm], PyTorch's batch_norm.
type BatchNormConfig struct {
	// Training selects batch statistics (and updates the running ones, if given); false
	// normalises by the running statistics.
	Training bool
	// Momentum is the weight of the batch in the running statistics: running =
	// (1 − Momentum)·running + Momentum·batch. PyTorch's default is 0.1; 0 freezes them.
	Momentum float64
	// Eps is added to the variance; PyTorch's default is 1e-5.
	Eps float64
}

// batchNormDims returns x seen as n×c×s (batch, channels, the rest), checking the other
// operands.
func batchNormDims(op string, x, w, b *Tensor, stats []float32) (int, int, int) {
	if x.rank < 2 {
		panic(fmt.Sprintf("tensor: %s of shape %v", op, dimsOf(x)))
	}
	n, c := x.shape[0], x.shape[1]
	s := 1
	for _, d := range x.shape[2:x.rank] {
		s *= d
	}
	if (w != nil && w.Len() != c) || (b != nil && b.Len() != c) || len(stats) < 2*c {
		panic(fmt.Sprintf("tensor: %s of %v with weight %d, bias %d and statistics %d", op, dimsOf(x), lenOf(w), lenOf(b), len(stats)))
	}
	return n, c, s
}

// float64s holds scratch sums per channel.
var float64s = sync.Pool{New: func() any { return new([]float64) }}

// BatchNorm normalises x (batch×channels×…, as PyTorch's BatchNorm1d and BatchNorm2d see
// it) per channel, as PyTorch's batch_norm. In training, with μ and σ² the mean and the
// biased variance of the channel over the batch and the other dimensions (m elements),
//
//	y = x·α + β,  α = w/√(σ² + eps),  β = b − μ·α
//
// and, when runMean and runVar are not nil, runMean ← (1 − momentum)·runMean + momentum·μ
// and runVar ← (1 − momentum)·runVar + momentum·σ²·m/(m − 1), the unbiased variance. In
// evaluation μ and σ² are runMean and runVar. w and b have one element per channel, or
// are nil for w = 1, b = 0. The moments are summed in float64. BatchNorm writes μ and
// 1/√(σ² + eps) of channel c to stats[c] and stats[channels+c], for [BatchNormBackward].
// y has x's shape and may be x. It panics if training on a batch of one value per channel,
// as PyTorch does.
func BatchNorm(y, x, w, b, runMean, runVar *Tensor, cfg BatchNormConfig, stats []float32) {
	mustSameShape("BatchNorm", y, x)
	n, c, s := batchNormDims("BatchNorm", x, w, b, stats)
	mean, rstd := stats[:c], stats[c:2*c]
	if cfg.Training {
		m := n * s
		if m < 2 {
			panic(fmt.Sprintf("tensor: BatchNorm in training of %v: one value per channel", dimsOf(x)))
		}
		sp := float64s.Get().(*[]float64)
		if cap(*sp) < 2*c {
			*sp = make([]float64, 2*c)
		}
		sum, sq := (*sp)[:c], (*sp)[c:2*c]
		clear(sum)
		clear(sq)
		channelSums(sum, x.data, n, c, s)
		for k := range c {
			mean[k] = float32(sum[k] / float64(m))
		}
		for i := range n {
			for k := range c {
				mk := mean[k]
				row := x.data[(i*c+k)*s : (i*c+k+1)*s]
				var t float64
				for _, v := range row {
					d := float64(v - mk)
					t += d * d
				}
				sq[k] += t
			}
		}
		for k := range c {
			v := sq[k] / float64(m)
			rstd[k] = float32(1 / math.Sqrt(v+cfg.Eps))
			if runMean != nil {
				runMean.data[k] = float32((1-cfg.Momentum)*float64(runMean.data[k]) + cfg.Momentum*sum[k]/float64(m))
			}
			if runVar != nil {
				runVar.data[k] = float32((1-cfg.Momentum)*float64(runVar.data[k]) + cfg.Momentum*sq[k]/float64(m-1))
			}
		}
		float64s.Put(sp)
	} else {
		if runMean == nil || runVar == nil || runMean.Len() != c || runVar.Len() != c {
			panic(fmt.Sprintf("tensor: BatchNorm in evaluation of %v without running statistics of %d channels", dimsOf(x), c))
		}
		copy(mean, runMean.data)
		for k, v := range runVar.data {
			rstd[k] = float32(1 / math.Sqrt(float64(v)+cfg.Eps))
		}
	}
	for i := range n {
		for k := range c {
			alpha := rstd[k]
			if w != nil {
				alpha *= w.data[k]
			}
			beta := -mean[k] * alpha
			if b != nil {
				beta += b.data[k]
			}
			off := (i*c + k) * s
			xr, yr := x.data[off:off+s], y.data[off:off+s]
			for j, v := range xr {
				yr[j] = v*alpha + beta
			}
		}
	}
}

// channelSums adds to sum[k] the sum of channel k of x (n×c×s).
func channelSums(sum []float64, x []float32, n, c, s int) {
	for i := range n {
		for k := range c {
			row := x[(i*c+k)*s : (i*c+k+1)*s]
			var t float64
			for _, v := range row {
				t += float64(v)
			}
			sum[k] += t
		}
	}
}

// BatchNormBackward computes the gradients of [BatchNorm] from the gradient dy of its
// output, its input x, its weight w (nil for none), the statistics it wrote and its mode,
// as PyTorch: per channel, with the sums over the channel's m elements g = Σ dy and
// p = Σ (x − μ)·dy, and r = 1/√(σ² + eps),
//
//	in training:   dx = (dy − g/m − (x − μ)·p·r²/m)·r·w
//	in evaluation: dx = dy·r·w
//	dw = p·r,  db = g
//
// Each of dx, dw and db may be nil (not wanted) and is set (its mode Assign) or added to
// (Accumulate). The sums are in float64.
func BatchNormBackward(dx, dw, db, dy, x, w *Tensor, stats []float32, training bool, modeX, modeW, modeB Mode) {
	mustSameShape("BatchNormBackward", dy, x)
	if dx != nil {
		mustSameShape("BatchNormBackward", dx, x)
	}
	n, c, s := batchNormDims("BatchNormBackward", x, dw, db, stats)
	if w != nil && w.Len() != c {
		panic(fmt.Sprintf("tensor: BatchNormBackward with weight of %d elements for %d channels", w.Len(), c))
	}
	mean, rstd := stats[:c], stats[c:2*c]
	sp := float64s.Get().(*[]float64)
	if cap(*sp) < 2*c {
		*sp = make([]float64, 2*c)
	}
	gs, ps := (*sp)[:c], (*sp)[c:2*c]
	clear(gs)
	clear(ps)
	for i := range n {
		for k := range c {
			off := (i*c + k) * s
			xr, gr := x.data[off:off+s], dy.data[off:off+s]
			mk := mean[k]
			var tg, tp float64
			for j, g := range gr {
				tg += float64(g)
				tp += float64(xr[j]-mk) * float64(g)
			}
			gs[k] += tg
			ps[k] += tp
		}
	}
	m := float64(n * s)
	if dx != nil {
		for i := range n {
			for k := range c {
				r := float64(rstd[k])
				wr := r
				if w != nil {
					wr *= float64(w.data[k])
				}
				off := (i*c + k) * s
				xr, gr, dr := x.data[off:off+s], dy.data[off:off+s], dx.data[off:off+s]
				mk := mean[k]
				if training {
					gm := float32(gs[k] / m)
					kk := float32(ps[k] * r * r / m)
					wf := float32(wr)
					for j, g := range gr {
						v := (g - gm - (xr[j]-mk)*kk) * wf
						if modeX == Accumulate {
							v += dr[j]
						}
						dr[j] = v
					}
				} else {
					wf := float32(wr)
					for j, g := range gr {
						v := g * wf
						if modeX == Accumulate {
							v += dr[j]
						}
						dr[j] = v
					}
				}
			}
		}
	}
	for k := range c {
		if dw != nil {
			v := float32(ps[k] * float64(rstd[k]))
			if modeW == Accumulate {
				v += dw.data[k]
			}
			dw.data[k] = v
		}
		if db != nil {
			v := float32(gs[k])
			if modeB == Accumulate {
				v += db.data[k]
			}
			db.data[k] = v
		}
	}
	float64s.Put(sp)
}
