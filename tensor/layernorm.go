package tensor

import (
	"fmt"
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
)

// LayerNormStatsLen returns the length of the statistics buffer that [LayerNorm] fills
// and [LayerNormBackward] reads for x normalised over groups of n elements: a mean and a
// reciprocal standard deviation per group.
func LayerNormStatsLen(x *Tensor, n int) int {
	return 2 * x.Len() / n
}

// checkLayerNorm panics unless x splits into rows of n elements and w and b (either may be
// nil) have n elements; it returns the number of rows.
func checkLayerNorm(op string, x *Tensor, n int, w, b *Tensor, stats []float32) int {
	if n < 1 || x.Len()%n != 0 || (w != nil && w.Len() != n) || (b != nil && b.Len() != n) {
		panic(fmt.Sprintf("tensor: %s of %v over groups of %d with weight %v and bias %v", op, dimsOf(x), n, lenOf(w), lenOf(b)))
	}
	rows := x.Len() / n
	if len(stats) < 2*rows {
		panic(fmt.Sprintf("tensor: %s: statistics of %d values for %d groups", op, len(stats), rows))
	}
	return rows
}

func lenOf(t *Tensor) int {
	if t == nil {
		return 0
	}
	return t.Len()
}

// LayerNorm normalises x over each group of its last n elements (the trailing dimensions
// of PyTorch's normalized_shape), as PyTorch's layer_norm:
//
//	μ = Σ x_j / n,  σ² = Σ (x_j − μ)² / n,  r = 1/√(σ² + eps)
//	y_j = (x_j·r − μ·r)·w_j + b_j
//
// w and b have n elements, or are nil for w = 1 and b = 0. The moments are summed in
// float32 over 4 interleaved partial sums per block of 1024 and in float64 across blocks.
// LayerNorm writes μ of group i to stats[i] and r to stats[groups+i], for
// [LayerNormBackward]; stats has [LayerNormStatsLen] elements. y has x's shape and may be x.
// Groups are split over the cores when x is large.
func LayerNorm(y, x *Tensor, n int, w, b *Tensor, eps float64, stats []float32) {
	mustSameShape("LayerNorm", y, x)
	rows := checkLayerNorm("LayerNorm", x, n, w, b, stats)
	j := layerNormJob{y: y.data, x: x.data, n: n, rows: rows, eps: eps, stats: stats}
	if w != nil {
		j.w = w.data
	}
	if b != nil {
		j.b = b.data
	}
	chunks := 1
	if x.Len() >= 2*grain {
		chunks = parallel.Parts(rows, max(1, grain/n))
	}
	if chunks == 1 {
		j.Range(0, 0, rows)
		return
	}
	splitPooled(&layerNormJobs, j, rows, chunks)
}

type layerNormJob struct {
	y, x, w, b []float32
	n, rows    int
	eps        float64
	stats      []float32
}

var layerNormJobs = sync.Pool{New: func() any { return new(layerNormJob) }}

func (j *layerNormJob) Range(_, lo, hi int) {
	n := j.n
	for r := lo; r < hi; r++ {
		x, y := j.x[r*n:(r+1)*n], j.y[r*n:(r+1)*n]
		mean := sum32(x) / float64(n)
		m := float32(mean)
		v := sumSqDev(x, m) / float64(n)
		rs := float32(1 / math.Sqrt(v+j.eps))
		j.stats[r], j.stats[j.rows+r] = m, rs
		bias := -rs * m
		switch {
		case j.w != nil && j.b != nil:
			w, b := j.w[:n], j.b[:n]
			for i, xv := range x {
				y[i] = (xv*rs+bias)*w[i] + b[i]
			}
		case j.w != nil:
			w := j.w[:n]
			for i, xv := range x {
				y[i] = (xv*rs + bias) * w[i]
			}
		case j.b != nil:
			b := j.b[:n]
			for i, xv := range x {
				y[i] = (xv*rs + bias) + b[i]
			}
		default:
			for i, xv := range x {
				y[i] = xv*rs + bias
			}
		}
	}
}

// sumBlock is the number of elements the float32 sums of the normalisation kernels
// accumulate before adding to a float64 total.
const sumBlock = 1024

// sum32 returns Σ x: in float32 over 4 interleaved partial sums per block of sumBlock,
// the blocks' sums in float64.
func sum32(x []float32) float64 {
	var t float64
	for len(x) > 0 {
		k := min(len(x), sumBlock)
		b := x[:k]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= len(b); i += 4 {
			s0 += b[i]
			s1 += b[i+1]
			s2 += b[i+2]
			s3 += b[i+3]
		}
		for ; i < len(b); i++ {
			s0 += b[i]
		}
		t += float64((s0 + s1) + (s2 + s3))
		x = x[k:]
	}
	return t
}

// sumSqDev returns Σ (x − m)², summed as [sum32].
func sumSqDev(x []float32, m float32) float64 {
	var t float64
	for len(x) > 0 {
		k := min(len(x), sumBlock)
		b := x[:k]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= len(b); i += 4 {
			d0, d1, d2, d3 := b[i]-m, b[i+1]-m, b[i+2]-m, b[i+3]-m
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
		}
		for ; i < len(b); i++ {
			d := b[i] - m
			s0 += d * d
		}
		t += float64((s0 + s1) + (s2 + s3))
		x = x[k:]
	}
	return t
}

// dot2 returns Σ g_j·w_j·x_j and Σ g_j·w_j (w nil meaning 1), summed as [sum32].
func dot2(g, w, x []float32) (float64, float64) {
	var ts, tb float64
	for len(g) > 0 {
		k := min(len(g), sumBlock)
		gb, xb := g[:k], x[:k]
		var s0, s1, b0, b1 float32
		i := 0
		if w != nil {
			wb := w[:k]
			for ; i+2 <= k; i += 2 {
				u0, u1 := gb[i]*wb[i], gb[i+1]*wb[i+1]
				s0 += u0 * xb[i]
				s1 += u1 * xb[i+1]
				b0 += u0
				b1 += u1
			}
			for ; i < k; i++ {
				u := gb[i] * wb[i]
				s0 += u * xb[i]
				b0 += u
			}
			w = w[k:]
		} else {
			for ; i+2 <= k; i += 2 {
				s0 += gb[i] * xb[i]
				s1 += gb[i+1] * xb[i+1]
				b0 += gb[i]
				b1 += gb[i+1]
			}
			for ; i < k; i++ {
				s0 += gb[i] * xb[i]
				b0 += gb[i]
			}
		}
		ts += float64(s0 + s1)
		tb += float64(b0 + b1)
		g, x = g[k:], x[k:]
	}
	return ts, tb
}

// LayerNormBackward computes the gradients of [LayerNorm] from the gradient dy of its
// output, its input x, its weight w (nil for none) and the statistics it wrote, as
// PyTorch: per group, with u_j = dy_j·w_j, s = Σ u_j·x_j and t = Σ u_j,
//
//	dx_j = r·u_j + β·x_j + γ,  β = (t·μ − s)·r³/n,  γ = −β·μ − t·r/n
//	dw_j = Σ_groups dy_j·(x_j − μ)·r,  db_j = Σ_groups dy_j
//
// Each of dx, dw and db may be nil (not wanted) and is set (its mode Assign) or added to
// (Accumulate). When x is large the groups are split over the cores in a number of blocks
// that depends only on x's size, each block summing its own dw and db, added in block
// order: the same bits on any number of cores.
func LayerNormBackward(dx, dw, db, dy, x, w *Tensor, n int, stats []float32, modeX, modeW, modeB Mode) {
	mustSameShape("LayerNormBackward", dy, x)
	if dx != nil {
		mustSameShape("LayerNormBackward", dx, x)
	}
	rows := checkLayerNorm("LayerNormBackward", x, n, dw, db, stats)
	if w != nil && w.Len() != n {
		panic(fmt.Sprintf("tensor: LayerNormBackward with weight of %d elements over groups of %d", w.Len(), n))
	}
	j := layerNormBackJob{dy: dy.data, x: x.data, n: n, rows: rows, stats: stats, modeX: modeX}
	if dx != nil {
		j.dx = dx.data
	}
	if w != nil {
		j.w = w.data
	}
	blocks := 1
	if x.Len() >= 2*grain {
		blocks = min(parallel.MaxChunks, x.Len()/grain, rows)
	}
	var bp *[]float32
	if dw != nil || db != nil {
		if blocks == 1 {
			j.dw, j.db = sliceOf(dw), sliceOf(db)
			if dw != nil && modeW == Assign {
				clear(j.dw)
			}
			if db != nil && modeB == Assign {
				clear(j.db)
			}
		} else {
			bp = scratch.Get().(*[]float32)
			if cap(*bp) < 2*n*blocks {
				*bp = make([]float32, 2*n*blocks)
			}
			j.part = (*bp)[:2*n*blocks]
			clear(j.part)
			j.wantW, j.wantB = dw != nil, db != nil
		}
	}
	if blocks == 1 {
		j.Range(0, 0, rows)
		return
	}
	splitPooled(&layerNormBackJobs, j, rows, blocks)
	if bp != nil {
		for k, d := range [2]*Tensor{dw, db} {
			mode := modeW
			if k == 1 {
				mode = modeB
			}
			if d == nil {
				continue
			}
			if mode == Assign {
				clear(d.data)
			}
			for b := range blocks {
				addSlices(d.data, j.part[(2*b+k)*n:(2*b+k+1)*n])
			}
		}
		scratch.Put(bp)
	}
}

func sliceOf(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.data
}

type layerNormBackJob struct {
	dx, dw, db, dy, x, w []float32
	part                 []float32 // with several blocks: dw and db of block b at [2b·n, 2b·n+n) and after
	wantW, wantB         bool
	n, rows              int
	stats                []float32
	modeX                Mode
}

var layerNormBackJobs = sync.Pool{New: func() any { return new(layerNormBackJob) }}

func (j *layerNormBackJob) Range(block, lo, hi int) {
	n := j.n
	dw, db := j.dw, j.db
	if j.part != nil {
		if j.wantW {
			dw = j.part[2*block*n : (2*block+1)*n]
		}
		if j.wantB {
			db = j.part[(2*block+1)*n : (2*block+2)*n]
		}
	}
	for r := lo; r < hi; r++ {
		g, x := j.dy[r*n:(r+1)*n], j.x[r*n:(r+1)*n]
		mean, rs := j.stats[r], j.stats[j.rows+r]
		if dw != nil {
			dw := dw[:n]
			for i, xv := range x {
				dw[i] += g[i] * ((xv - mean) * rs)
			}
		}
		if db != nil {
			db := db[:n]
			for i, gv := range g {
				db[i] += gv
			}
		}
		if j.dx == nil {
			continue
		}
		ds, dbs := dot2(g, j.w, x)
		r64, m64 := float64(rs), float64(mean)
		beta := (dbs*m64 - ds) * r64 * r64 * r64 / float64(n)
		gamma := -beta*m64 - dbs*r64/float64(n)
		a, bf, cf := rs, float32(beta), float32(gamma)
		dx := j.dx[r*n : (r+1)*n]
		acc := j.modeX == Accumulate
		if j.w != nil {
			w := j.w[:n]
			for i, xv := range x {
				v := a*g[i]*w[i] + bf*xv + cf
				if acc {
					v += dx[i]
				}
				dx[i] = v
			}
		} else {
			for i, xv := range x {
				v := a*g[i] + bf*xv + cf
				if acc {
					v += dx[i]
				}
				dx[i] = v
			}
		}
	}
}
