package gemm

// kernelGo is the reference micro-kernel, the loop every assembly kernel replaces: for
// r < mr and j < nr it sets c[r*ldc+j] to alpha·Σₚ a[r*rs+p*ps]·b[p*bs+j] + beta·c[r*ldc+j],
// where b is a panel with rows bs apart (packed: its width) and C is not read when beta is 0.
func kernelGo(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc, mr, nr int, alpha, beta float32) {
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			var s float32
			for p := 0; p < kc; p++ {
				s += a[r*rs+p*ps] * b[p*bs+j]
			}
			if beta == 0 {
				c[r*ldc+j] = alpha * s
			} else {
				c[r*ldc+j] = alpha*s + beta*c[r*ldc+j]
			}
		}
	}
}

// kernelRowsGo is kernelGo for a panel of B whose row p is b[offs[p] : offs[p]+nr], read
// in place.
func kernelRowsGo(kc int, a []float32, rs, ps int, b []float32, offs []int, c []float32, ldc, mr, nr int, alpha, beta float32) {
	for r := 0; r < mr; r++ {
		for j := 0; j < nr; j++ {
			var s float32
			for p := 0; p < kc; p++ {
				s += a[r*rs+p*ps] * b[offs[p]+j]
			}
			if beta == 0 {
				c[r*ldc+j] = alpha * s
			} else {
				c[r*ldc+j] = alpha*s + beta*c[r*ldc+j]
			}
		}
	}
}

// kernelGo4x4 is kernelGo for a full 4×4 tile, its sixteen sums in registers.
func kernelGo4x4(kc int, a []float32, rs, ps int, b []float32, bs int, c []float32, ldc int, alpha, beta float32) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	b = b[:(kc-1)*bs+4]
	for p := 0; p < kc; p++ {
		o := p * ps
		a0, a1, a2, a3 := a[o], a[o+rs], a[o+2*rs], a[o+3*rs]
		bp := b[bs*p : bs*p+4 : bs*p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	store4(c[0*ldc:0*ldc+4], c00, c01, c02, c03, alpha, beta)
	store4(c[1*ldc:1*ldc+4], c10, c11, c12, c13, alpha, beta)
	store4(c[2*ldc:2*ldc+4], c20, c21, c22, c23, alpha, beta)
	store4(c[3*ldc:3*ldc+4], c30, c31, c32, c33, alpha, beta)
}

func store4(c []float32, s0, s1, s2, s3, alpha, beta float32) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}

// packCopyGo packs the nc columns of a row-major B (kc rows, stride ldb) into dst as
// panels of w columns, panel after panel, each k-major, the last one zero-padded.
func packCopyGo(w, kc, nc int, b []float32, ldb int, dst []float32) {
	np, rem := nc/w, nc%w
	for p := 0; p < kc; p++ {
		row := b[p*ldb : p*ldb+nc]
		for q := 0; q < np; q++ {
			copy(dst[q*kc*w+p*w:][:w], row[q*w:])
		}
		if rem > 0 {
			d := dst[np*kc*w+p*w:][:w]
			copy(d, row[np*w:])
			clear(d[rem:])
		}
	}
}

// packTransGo packs one panel of w columns of B = bᵀ, where b is row-major with stride ldb
// and has rows ≤ w rows of kc elements, into dst, k-major and zero-padded.
func packTransGo(w, kc, rows int, b []float32, ldb int, dst []float32) {
	dst = dst[:kc*w]
	if rows < w {
		clear(dst)
	}
	for j := 0; j < rows; j++ {
		for p, v := range b[j*ldb : j*ldb+kc] {
			dst[p*w+j] = v
		}
	}
}

// packAGo copies a sliver of A = aᵀ, where a is row-major with stride lda, for the kernel:
// rows ≤ mr columns of A and kc of its rows, to dst with rows mr apart. The kernel then reads
// A(i, p) at dst[p*mr+i], contiguous along the sliver's rows, where a column of a transposed
// A would be lda apart (4 KiB for lda = 1024: every row of the sliver in one set of the L1
// and a few of the L2).
func packAGo(mr, kc, rows int, a []float32, lda int, dst []float32) {
	for p := 0; p < kc; p++ {
		copy(dst[p*mr:p*mr+rows], a[p*lda:p*lda+rows])
	}
}

// packCopyRowsGo is packCopyGo for a B whose row p starts at b[offs[p]] instead of
// b[p*ldb]: rows gathered from anywhere, as the rows of an unfolded convolution input are.
func packCopyRowsGo(w, kc, nc int, b []float32, offs []int, dst []float32) {
	np, rem := nc/w, nc%w
	for p := 0; p < kc; p++ {
		row := b[offs[p] : offs[p]+nc]
		for q := 0; q < np; q++ {
			copy(dst[q*kc*w+p*w:][:w], row[q*w:])
		}
		if rem > 0 {
			d := dst[np*kc*w+p*w:][:w]
			copy(d, row[np*w:])
			clear(d[rem:])
		}
	}
}

// packTransRowsGo is packTransGo for a b whose row j starts at b[offs[j]] instead of
// b[j*ldb].
func packTransRowsGo(w, kc, rows int, b []float32, offs []int, dst []float32) {
	dst = dst[:kc*w]
	if rows < w {
		clear(dst)
	}
	for j := 0; j < rows; j++ {
		for p, v := range b[offs[j] : offs[j]+kc] {
			dst[p*w+j] = v
		}
	}
}
