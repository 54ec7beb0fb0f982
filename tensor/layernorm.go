package tensor

import (
	"fmt"
	"math"
	"sync"

	"github.com/descent-ml/descent/internal/parallel"
	"github.com/descent-ml/descent/internal/vec"
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
//	y_j = x̂_j·w_j + b_j,  x̂_j = (x_j − μ)·r
//
// w and b have n elements, or are nil for w = 1 and b = 0. The moments are summed in
// float32 per block of 1024 (the mean by [vec.Sum], the squares over 8 interleaved
// partial sums) and in float64 across blocks; x − μ and the scaling by r run on the
// vector kernels of internal/vec, the affine transform is a Go loop. LayerNorm writes μ of
// group i to stats[i] and r to stats[groups+i], for [LayerNormBackward]; stats has
// [LayerNormStatsLen] elements. y has x's shape and may be x. Groups are split over the
// cores when x is large.
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
	if x.Len() >= 2*normGrain {
		chunks = parallel.Parts(rows, max(1, normGrain/n))
	}
	if chunks == 1 {
		j.Range(0, 0, rows)
		return
	}
	splitPooled(&layerNormJobs, j, rows, chunks)
}

// normGrain is the smallest number of elements a normalisation kernel hands to one core:
// a quarter of the elementwise kernels' grain, as each element costs several of their
// operations.
const normGrain = grain / 4

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
		m := float32(sum32(x) / float64(n))
		copy(y, x)
		vec.AddConst(y, -m)
		rs := float32(1 / math.Sqrt(sumSq(y)/float64(n)+j.eps))
		j.stats[r], j.stats[j.rows+r] = m, rs
		vec.Scale(y, rs)
		switch {
		case j.w != nil && j.b != nil:
			w, b := j.w[:len(y)], j.b[:len(y)]
			for i, v := range y {
				y[i] = v*w[i] + b[i]
			}
		case j.w != nil:
			w := j.w[:len(y)]
			for i, v := range y {
				y[i] = v * w[i]
			}
		case j.b != nil:
			vec.Add(y, j.b)
		}
	}
}

// sumBlock is the number of elements the float32 sums of the normalisation kernels
// accumulate before adding to a float64 total.
const sumBlock = 1024

// sum32 returns Σ x: in float32 by [vec.Sum] per block of sumBlock, the blocks' sums in
// float64.
func sum32(x []float32) float64 {
	var t float64
	for len(x) > 0 {
		k := min(len(x), sumBlock)
		t += float64(vec.Sum(x[:k]))
		x = x[k:]
	}
	return t
}

// sumSq returns Σ x²: in float32 over 8 interleaved partial sums per block of sumBlock,
// the blocks' sums in float64.
func sumSq(x []float32) float64 {
	var t float64
	for len(x) > 0 {
		k := min(len(x), sumBlock)
		b := x[:k]
		var s0, s1, s2, s3, s4, s5, s6, s7 float32
		for ; len(b) >= 8; b = b[8:] {
			s0 += b[0] * b[0]
			s1 += b[1] * b[1]
			s2 += b[2] * b[2]
			s3 += b[3] * b[3]
			s4 += b[4] * b[4]
			s5 += b[5] * b[5]
			s6 += b[6] * b[6]
			s7 += b[7] * b[7]
		}
		for _, v := range b {
			s0 += v * v
		}
		t += float64(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)))
		x = x[k:]
	}
	return t
}

// LayerNormBackward computes the gradients of [LayerNorm] from the gradient dy of its
// output, its input x, its weight w (nil for none) and the statistics it wrote: per group,
// with x̂ = (x − μ)·r and u = dy ⊙ w,
//
//	dx = r·(u − mean(u) − x̂·mean(u ⊙ x̂))
//	dw = Σ_groups dy ⊙ x̂,  db = Σ_groups dy
//
// (PyTorch's formula, arranged for the vector kernels: x̂, db and dx are computed by the
// loops of internal/vec, u, the two means and dw by one Go loop). Each of dx, dw and db may
// be nil (not wanted) and is set (its mode Assign) or added to (Accumulate). When x is
// large the groups are split over the cores in a number of blocks that depends only on
// x's size, each block summing its own dw and db, added in block order: the same bits on
// any number of cores.
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
	if x.Len() >= 2*normGrain {
		blocks = min(parallel.MaxChunks, x.Len()/normGrain, rows)
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
	bp := scratch.Get().(*[]float32)
	if cap(*bp) < 2*n {
		*bp = make([]float32, 2*n)
	}
	xh, u := (*bp)[:n], (*bp)[n:2*n]
	for r := lo; r < hi; r++ {
		g, x := j.dy[r*n:(r+1)*n], j.x[r*n:(r+1)*n]
		mean, rs := j.stats[r], j.stats[j.rows+r]
		copy(xh, x)
		vec.AddConst(xh, -mean)
		vec.Scale(xh, rs)
		if db != nil {
			vec.Add(db, g)
		}
		su, sux := j.gradRow(u, g, xh, dw)
		if j.dx == nil {
			continue
		}
		c1 := float32(-float64(rs) * su / float64(n))
		c2 := -rs * float32(sux/float64(n))
		dx := j.dx[r*n : (r+1)*n]
		if j.modeX == Assign {
			copy(dx, u)
			vec.Scale(dx, rs)
		} else {
			vec.Axpy(dx, rs, u)
		}
		vec.AddConst(dx, c1)
		vec.Axpy(dx, c2, xh)
	}
	scratch.Put(bp)
}

// gradRow sets u = g ⊙ w (g without a weight), adds g ⊙ x̂ to dw (if not nil) and returns
// Σ u and Σ u ⊙ x̂, summed in float32 per block of sumBlock and in float64 across blocks.
func (j *layerNormBackJob) gradRow(u, g, xh, dw []float32) (float64, float64) {
	var su, sux float64
	w := j.w
	for len(g) > 0 {
		k := min(len(g), sumBlock)
		gb, xb, ub := g[:k], xh[:k], u[:k]
		var s0, s1, t0, t1 float32
		switch {
		case w != nil && dw != nil:
			wb, dwb := w[:k], dw[:k]
			for i, gv := range gb {
				xv := xb[i]
				uv := gv * wb[i]
				ub[i] = uv
				dwb[i] += gv * xv
				s0 += uv
				t0 += uv * xv
			}
		case w != nil:
			wb := w[:k]
			for i, gv := range gb {
				uv := gv * wb[i]
				ub[i] = uv
				s0 += uv
				t0 += uv * xb[i]
			}
		default:
			copy(ub, gb)
			for i, gv := range gb {
				s0 += gv
				t0 += gv * xb[i]
				if dw != nil {
					dw[i] += gv * xb[i]
				}
			}
		}
		su += float64(s0 + s1)
		sux += float64(t0 + t1)
		g, xh, u = g[k:], xh[k:], u[k:]
		if w != nil {
			w = w[k:]
		}
		if dw != nil {
			dw = dw[k:]
		}
	}
	return su, sux
}
