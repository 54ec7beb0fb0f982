package convk

import (
	"fmt"
	"math"
)

// SparseAxpys adds Σₜ vals[t]·x[offs[t] + r·stride : offs[t] + r·stride + l] to row r of
// acc, acc[r·l : (r+1)·l], for each of its rows r < rows (l = len(acc)/rows), the terms in
// order, each as a fused multiply-add. These are the rows of a convolution's weight
// gradient (the kernel's rows, l = its width times the input's channels, channels last)
// from the few nonzero values of its output gradient (those a max-pooling lets through, a
// quarter at most), each multiplying the runs of inputs under the kernel at its position,
// offs[t], the rows of the input stride apart (see package tensor's pooled convolution).
//
// The kernels hold acc in registers while the values go by: up to 3 rows of up to 12
// vectors, 24 vectors of 16 elements with AVX-512, 12 of 8 with AVX2, more in several
// passes. Where neither
// runs, and for the last elements of a row that do not fill a vector, a loop computes the
// same terms rounded once each (the fused multiply-add of float64 rounded to float32,
// which differs from the kernels' only where that rounds twice). It panics if rows < 1,
// len(acc) is not a multiple of rows, len(offs) ≠ len(vals), or an offset puts a run
// outside x.
func SparseAxpys(acc []float32, rows, stride int, x []float32, offs []int32, vals []float32) {
	if rows < 1 || len(acc)%rows != 0 || stride < 0 {
		panic(fmt.Sprintf("convk: SparseAxpys: %d elements in %d rows, stride %d", len(acc), rows, stride))
	}
	if len(offs) != len(vals) {
		panic(fmt.Sprintf("convk: SparseAxpys: %d offsets for %d values", len(offs), len(vals)))
	}
	l := len(acc) / rows
	span := (rows-1)*stride + l // the elements of x from an offset that the rows cover
	for _, o := range offs {
		if o < 0 || int(o)+span > len(x) {
			panic(fmt.Sprintf("convk: SparseAxpys: offset %d of %d rows of %d, %d apart, in %d elements", o, rows, l, stride, len(x)))
		}
	}
	if l == 0 || len(offs) == 0 {
		return
	}
	done := sparseVectors(sparseAxpysAVX512, sparseAxpysAVX2, acc, l, x, stride, l, rows, stride, offs, vals)
	if done < l {
		for r := range rows {
			sparseAxpysGo(acc[r*l+done:(r+1)*l], x[r*stride+done:], offs, vals)
		}
	}
}

// sparseAxpysGo is SparseAxpys's loop on one row, without the checks.
func sparseAxpysGo(acc, x []float32, offs []int32, vals []float32) {
	for i := range acc {
		s := acc[i]
		for t, o := range offs {
			s = float32(math.FMA(float64(vals[t]), float64(x[int(o)+i]), float64(s)))
		}
		acc[i] = s
	}
}

// SparseScatter adds vals[t]·w[r·l : (r+1)·l] to dst[offs[t] + r·stride : offs[t] +
// r·stride + l] for each value t and each row r < rows of w (l = len(w)/rows), each term
// a fused multiply-add: a convolution's input gradient (channels last) from the few
// nonzero values of its output gradient, each spreading the kernel's rows (l = its width
// times the input's channels) over the inputs under it at its position, offs[t], the rows
// of the input stride apart (at least l: the runs of one value do not overlap).
//
// The kernels hold w in registers while the values go by, as SparseAxpys holds acc, and
// read and write dst for each: where the runs of several values overlap (the kernel's
// windows at neighbouring positions), an element's terms are added in the order of the
// values, except where a row or part of one takes another pass (AVX2's rows of 96
// elements, one a pass; rows longer than 12 vectors): then pass after pass.
// Where neither kernel runs, and for the last elements of a row that do not fill a
// vector, a loop computes the same terms rounded once each (see SparseAxpys). It panics if
// rows < 1, len(w) is not a multiple of rows, stride < l with more than one row,
// len(offs) ≠ len(vals), or an offset puts a run outside dst.
func SparseScatter(dst []float32, rows, stride int, w []float32, offs []int32, vals []float32) {
	if rows < 1 || len(w)%rows != 0 || rows > 1 && stride < len(w)/rows {
		panic(fmt.Sprintf("convk: SparseScatter: %d elements in %d rows, stride %d", len(w), rows, stride))
	}
	if len(offs) != len(vals) {
		panic(fmt.Sprintf("convk: SparseScatter: %d offsets for %d values", len(offs), len(vals)))
	}
	l := len(w) / rows
	span := (rows-1)*stride + l
	for _, o := range offs {
		if o < 0 || int(o)+span > len(dst) {
			panic(fmt.Sprintf("convk: SparseScatter: offset %d of %d rows of %d, %d apart, in %d elements", o, rows, l, stride, len(dst)))
		}
	}
	if l == 0 || len(offs) == 0 {
		return
	}
	done := sparseVectors(sparseScatterAVX512, sparseScatterAVX2, dst, stride, w, l, l, rows, stride, offs, vals)
	if done < l {
		for t, o := range offs {
			for r := range rows {
				d := dst[int(o)+r*stride+done:][:l-done]
				for i, v := range w[r*l+done : (r+1)*l] {
					d[i] = float32(math.FMA(float64(vals[t]), float64(v), float64(d[i])))
				}
			}
		}
	}
}

// A sparseKernel is an assembly kernel of SparseAxpys or SparseScatter: nv vectors of each of
// rows rows, a's rows and b's (ld apart for the one held in registers, stride for the other:
// see the callers) at each offset of offs times its value.
type sparseKernel func(a *float32, ld, nv, rows, stride int, b *float32, offs *int32, vals *float32, n int)

// sparseVectors runs the AVX-512 kernel k512, or the AVX2 one k2, over the whole vectors of
// rows rows of l elements, a's rows as apart and b's bs apart, at most 12 vectors of a row
// and 3 rows (24 vectors with AVX-512, 12 with AVX2) a call, and returns the elements of each
// row it did: 0 where neither runs.
func sparseVectors(k512, k2 sparseKernel, a []float32, as int, b []float32, bs int, l, rows, stride int, offs []int32, vals []float32) int {
	lanes, most, kernel := 0, 0, k512
	switch {
	case useAVX512:
		lanes, most = 16, 24
	case directAVX2:
		lanes, most, kernel = 8, 12, k2
	default:
		return 0
	}
	vecs := l / lanes       // the whole vectors of a row
	for e := 0; e < vecs; { // columns e·lanes on, all rows
		nv := min(vecs-e, 12)        // the kernels' most vectors of a row
		per := min(rows, 3, most/nv) // the rows of one call
		for r := 0; r < rows; r += per {
			kernel(&a[r*as+e*lanes], l, nv, min(per, rows-r), stride, &b[r*bs+e*lanes], &offs[0], &vals[0], len(offs))
		}
		e += nv
	}
	return vecs * lanes
}
