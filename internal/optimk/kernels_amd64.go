//go:build !noasm

package optimk

import "github.com/descent-ml/descent/internal/cpu"

// useAVX512 selects the assembly kernels of kernels_amd64.s. Without AVX-512, useAVX2
// selects the AVX2 ones (kernels_avx2gen_amd64.s and kernels_avx2_amd64.s) for SGD, Adam
// and AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam, Lion, the schedule-free
// methods, LARS, Prodigy, LAMB and Adafactor, the check of the gradients (AllFinite) and
// the sums of squares (SumSq, SumSq2). All compute the same bits as the Go twins.
//
// On an AMD EPYC (Zen 4) with AVX-512 masked off (DESCENT_CPU=avx2), the Adam step of the
// mlp preset (1.8M parameters, 2 threads) took 10.7 ms on the Go twins, against 0.8 ms on
// the AVX-512 kernel: more than the rest of the training step (9 ms).
var (
	useAVX512 = cpu.Enabled().AVX512F && cpu.Enabled().AVX512DQ
	useAVX2   = !useAVX512 && cpu.Enabled().AVX2 && cpu.Enabled().FMA
)

// impl names the kernels that run: "avx512" (the assembly), "avx2" (the AVX2 assembly
// where it exists, see useAVX2, the Go twins for the rest) or "go" (the twins).
func impl() string {
	switch {
	case useAVX512:
		return "avx512"
	case useAVX2:
		return "avx2"
	}
	return "go"
}

// vectorLanes returns the elements of a vector of the kernels that have both an AVX-512 and an
// AVX2 version (16 or 8), or 0 if the Go twins run.
func vectorLanes() int {
	switch {
	case useAVX512:
		return 16
	case useAVX2:
		return 8
	}
	return 0
}

// allFiniteAVX512 reports whether none of x[0:n] is NaN or infinite; n is a multiple of 16.
// It replaces: for _, v := range x { if v is NaN or ±Inf { return false } }; return true.
//
//go:noescape
func allFiniteAVX512(x *float32, n int) bool

// sgdMomentumAVX512 is, for j in [0, n), n a multiple of 16:
//
//	b := fma.Float32(g[j], damp1, buf[j]*mom); buf[j] = b; p[j] = fma.Float32(b, negLR, p[j])
//
//go:noescape
func sgdMomentumAVX512(p, grad, buf *float32, n int, mom, damp1, negLR float32)

// adamAVX512 is, for j in [0, n), n a multiple of 16 (plain Adam or AdamW, no AMSGrad, no
// L2 term, not maximising; k.Decay is 1 for Adam):
//
//	mj := fma.Float32(g[j], k.Omb1, m[j]*k.B1); vj := fma.Float32(k.Omb2*g[j], g[j], v[j]*k.B2)
//	p[j] = p[j]*k.Decay + (k.NegStep*mj)/(sqrt32(vj)/k.Bc2s + k.Eps)
//
//go:noescape
func adamAVX512(p, grad, m, v *float32, n int, k *AdamCoef)

// sgdAVX512 is sgdGo's loop for j in [0, n), n a multiple of 16, every flag of k; buf
// is only touched when k has momentum (it may be nil otherwise).
//
//go:noescape
func sgdAVX512(p, grad, buf *float32, n int, k *SGDCoef)

// adamFlagsAVX512 is adamGo's loop for j in [0, n), n a multiple of 16, every flag of k
// (k.Decay must be 1 unless AdamW's decoupled decay is set); vmax is only touched with
// AMSGrad (it may be nil otherwise).
//
//go:noescape
func adamFlagsAVX512(p, grad, m, v, vmax *float32, n int, k *AdamCoef)

func allFinite(x []float32) bool {
	if n := len(x) &^ 7; useAVX2 && n > 0 {
		if !allFiniteAVX2(&x[0], n) {
			return false
		}
		x = x[n:]
	}
	if n := len(x) &^ 15; useAVX512 && n > 0 {
		if !allFiniteAVX512(&x[0], n) {
			return false
		}
		x = x[n:]
	}
	return allFiniteGo(x)
}

// sgd runs the common case, plain momentum, on its own kernel, and every other
// combination of options on the general one.
func sgd(p, g, buf []float32, k *SGDCoef) {
	w := vectorLanes()
	if w == 0 || len(p) < w {
		sgdGo(p, g, buf, k)
		return
	}
	n := len(p) &^ (w - 1)
	g = g[:len(p)]
	var pb *float32 // buf is only touched with momentum
	if k.Flags&SGDMomentum != 0 {
		buf = buf[:len(p)]
		pb, buf = &buf[0], buf[n:]
	}
	switch plain := k.Flags == SGDMomentum; {
	case useAVX2 && plain:
		sgdMomentumAVX2(&p[0], &g[0], pb, n, k.Mom, k.Damp1, k.NegLR)
	case useAVX2:
		sgdAVX2(&p[0], &g[0], pb, n, k)
	case plain:
		sgdMomentumAVX512(&p[0], &g[0], pb, n, k.Mom, k.Damp1, k.NegLR)
	default:
		sgdAVX512(&p[0], &g[0], pb, n, k)
	}
	sgdGo(p[n:], g[n:], buf, k)
}

// adam runs plain Adam and AdamW on their own kernel, and every other combination of
// options (maximize, L2 decay, both AMSGrads) on the general one.
func adam(p, g, m, v, vmax []float32, k *AdamCoef) {
	w := vectorLanes()
	if w == 0 || len(p) < w {
		adamGo(p, g, m, v, vmax, k)
		return
	}
	n := len(p) &^ (w - 1)
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	kk := adamKernelCoef(k)
	var pv *float32 // vmax is only touched with AMSGrad
	if k.Flags&(AdamAMSTorch|AdamAMSLecture) != 0 {
		vmax = vmax[:len(p)]
		pv, vmax = &vmax[0], vmax[n:]
	}
	switch plain := k.Flags&^AdamDecoupled == 0; {
	case useAVX2 && plain:
		adamAVX2(&p[0], &g[0], &m[0], &v[0], n, &kk)
	case useAVX2:
		adamFlagsAVX2(&p[0], &g[0], &m[0], &v[0], pv, n, &kk)
	case plain:
		adamAVX512(&p[0], &g[0], &m[0], &v[0], n, &kk)
	default:
		adamFlagsAVX512(&p[0], &g[0], &m[0], &v[0], pv, n, &kk)
	}
	adamGo(p[n:], g[n:], m[n:], v[n:], vmax, k)
}

// adamKernelCoef returns k as the assembly kernels take it: with Decay 1 unless AdamW's
// decoupled decay is set.
func adamKernelCoef(k *AdamCoef) AdamCoef {
	kk := *k
	if k.Flags&AdamDecoupled == 0 {
		kk.Decay = 1
	}
	return kk
}

// rmspropAVX512 is rmspropGo's loop for j in [0, n), n a multiple of 16, every flag of
// k; buf and ga are only touched with momentum and centering (they may be nil otherwise).
//
//go:noescape
func rmspropAVX512(v, grad, sq, buf, ga *float32, n int, k *RMSpropCoef)

// adagradAVX512 is adagradGo's loop for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adagradAVX512(v, grad, s *float32, n int, k *AdagradCoef)

func rmsprop(v, g, sq, buf, ga []float32, k *RMSpropCoef) {
	w := vectorLanes()
	if w == 0 || len(v) < w {
		rmspropGo(v, g, sq, buf, ga, k)
		return
	}
	n := len(v) &^ (w - 1)
	g, sq = g[:len(v)], sq[:len(v)]
	var pb, pa *float32
	if k.Flags&RMSpropMomentum != 0 {
		buf = buf[:len(v)]
		pb, buf = &buf[0], buf[n:]
	}
	if k.Flags&RMSpropCentered != 0 {
		ga = ga[:len(v)]
		pa, ga = &ga[0], ga[n:]
	}
	if useAVX2 {
		rmspropAVX2(&v[0], &g[0], &sq[0], pb, pa, n, k)
	} else {
		rmspropAVX512(&v[0], &g[0], &sq[0], pb, pa, n, k)
	}
	rmspropGo(v[n:], g[n:], sq[n:], buf, ga, k)
}

func adagrad(v, g, s []float32, k *AdagradCoef) {
	if w := vectorLanes(); w > 0 && len(v) >= w {
		n := len(v) &^ (w - 1)
		g, s = g[:len(v)], s[:len(v)]
		if useAVX2 {
			adagradAVX2(&v[0], &g[0], &s[0], n, k)
		} else {
			adagradAVX512(&v[0], &g[0], &s[0], n, k)
		}
		v, g, s = v[n:], g[n:], s[n:]
	}
	adagradGo(v, g, s, k)
}

// adadeltaAVX512 is adadeltaGo's loop for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adadeltaAVX512(v, grad, sq, acc *float32, n int, k *AdadeltaCoef)

func adadelta(v, g, sq, acc []float32, k *AdadeltaCoef) {
	twoBuffers(v, g, sq, acc, k, adadeltaAVX512, adadeltaAVX2, adadeltaGo)
}

// adamaxAVX512, nadamAVX512 and radamAVX512 are the loops of adamaxGo, nadamGo and
// radamGo for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adamaxAVX512(v, grad, m, u *float32, n int, k *AdamaxCoef)

//go:noescape
func nadamAVX512(v, grad, m, s *float32, n int, k *NAdamCoef)

//go:noescape
func radamAVX512(v, grad, m, s *float32, n int, k *RAdamCoef)

func adamax(v, g, m, u []float32, k *AdamaxCoef) {
	twoBuffers(v, g, m, u, k, adamaxAVX512, adamaxAVX2, adamaxGo)
}

func nadam(v, g, m, s []float32, k *NAdamCoef) {
	twoBuffers(v, g, m, s, k, nadamAVX512, nadamAVX2, nadamGo)
}

func radam(v, g, m, s []float32, k *RAdamCoef) {
	twoBuffers(v, g, m, s, k, radamAVX512, radamAVX2, radamGo)
}

// twoBuffers runs an optimiser's kernel over the whole vectors of a slice and its Go twin
// over the rest, for the optimisers with two state buffers: avx512, or avx2 where AVX-512
// is missing (nil if there is none).
func twoBuffers[K any](v, g, a, b []float32, k *K, avx512, avx2 func(v, g, a, b *float32, n int, k *K), twin func(v, g, a, b []float32, k *K)) {
	kernel := avx512
	if useAVX2 {
		kernel = avx2
	}
	if w := vectorLanes(); kernel != nil && w > 0 && len(v) >= w {
		n := len(v) &^ (w - 1)
		g, a, b = g[:len(v)], a[:len(v)], b[:len(v)]
		kernel(&v[0], &g[0], &a[0], &b[0], n, k)
		v, g, a, b = v[n:], g[n:], a[n:], b[n:]
	}
	twin(v, g, a, b, k)
}

// sumSqAVX512 adds x[j]² into lane j mod 16 of acc for j in [0, n), n a multiple of 16
// (sumSqGo's loop).
//
//go:noescape
func sumSqAVX512(x *float32, n int, acc *lanes)

// sumSq2AVX512 is sumSq2Go's loop for j in [0, n), n a multiple of 16.
//
//go:noescape
func sumSq2AVX512(x, y *float32, n int, acc *[2]lanes)

// lionAVX512, sfAdamWAVX512, sfSGDAVX512, prodigyGatherAVX512, prodigyUpdateAVX512,
// lambGatherAVX512, lambUpdateAVX512 and larsAVX512 are the loops of lionGo, sfAdamWGo,
// sfSGDGo, prodigyGatherGo, prodigyUpdateGo, lambGatherGo, lambUpdateGo and larsGo for j
// in [0, n), n a multiple of 16, every flag of k; the reducing ones add into acc's lanes.
//
//go:noescape
func lionAVX512(p, grad, m *float32, n int, k *LionCoef)

//go:noescape
func sfAdamWAVX512(p, grad, z, x, v *float32, n int, k *ScheduleFreeCoef)

//go:noescape
func sfSGDAVX512(p, grad, z, x *float32, n int, k *ScheduleFreeCoef)

//go:noescape
func prodigyGatherAVX512(p, grad, p0, m, v, s *float32, n int, k *ProdigyCoef, acc *[2]lanes)

//go:noescape
func prodigyUpdateAVX512(p, m, v *float32, n int, k *ProdigyCoef)

//go:noescape
func lambGatherAVX512(p, grad, m, v *float32, n int, k *LAMBCoef, acc *[2]lanes)

//go:noescape
func lambUpdateAVX512(p, m, v *float32, n int, k *LAMBCoef)

//go:noescape
func larsAVX512(p, grad, buf *float32, n int, k *LARSCoef)

func sumSq(x []float32, acc *lanes) {
	if n := len(x) &^ 15; (useAVX512 || useAVX2) && n > 0 {
		if useAVX2 {
			sumSqAVX2(&x[0], n, acc)
		} else {
			sumSqAVX512(&x[0], n, acc)
		}
		x = x[n:]
	}
	sumSqGo(x, acc)
}

func sumSq2(x, y []float32, acc *[2]lanes) {
	if n := len(x) &^ 15; (useAVX512 || useAVX2) && n > 0 {
		y = y[:len(x)]
		if useAVX2 {
			sumSq2AVX2(&x[0], &y[0], n, acc)
		} else {
			sumSq2AVX512(&x[0], &y[0], n, acc)
		}
		x, y = x[n:], y[n:]
	}
	sumSq2Go(x, y, acc)
}

func lion(p, g, m []float32, k *LionCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		g, m = g[:len(p)], m[:len(p)]
		if useAVX2 {
			lionAVX2(&p[0], &g[0], &m[0], n, k)
		} else {
			lionAVX512(&p[0], &g[0], &m[0], n, k)
		}
		p, g, m = p[n:], g[n:], m[n:]
	}
	lionGo(p, g, m, k)
}

func sfAdamW(p, g, z, x, v []float32, k *ScheduleFreeCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		g, z, x, v = g[:len(p)], z[:len(p)], x[:len(p)], v[:len(p)]
		if useAVX2 {
			sfAdamWAVX2(&p[0], &g[0], &z[0], &x[0], &v[0], n, k)
		} else {
			sfAdamWAVX512(&p[0], &g[0], &z[0], &x[0], &v[0], n, k)
		}
		p, g, z, x, v = p[n:], g[n:], z[n:], x[n:], v[n:]
	}
	sfAdamWGo(p, g, z, x, v, k)
}

func sfSGD(p, g, z, x []float32, k *ScheduleFreeCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		g, z, x = g[:len(p)], z[:len(p)], x[:len(p)]
		if useAVX2 {
			sfSGDAVX2(&p[0], &g[0], &z[0], &x[0], n, k)
		} else {
			sfSGDAVX512(&p[0], &g[0], &z[0], &x[0], n, k)
		}
		p, g, z, x = p[n:], g[n:], z[n:], x[n:]
	}
	sfSGDGo(p, g, z, x, k)
}

func prodigyGather(p, g, p0, m, v, s []float32, k *ProdigyCoef, acc *[2]lanes) {
	if n := len(p) &^ 15; (useAVX512 || useAVX2) && n > 0 {
		g, p0, m, v, s = g[:len(p)], p0[:len(p)], m[:len(p)], v[:len(p)], s[:len(p)]
		if useAVX2 {
			prodigyGatherAVX2(&p[0], &g[0], &p0[0], &m[0], &v[0], &s[0], n, k, acc)
		} else {
			prodigyGatherAVX512(&p[0], &g[0], &p0[0], &m[0], &v[0], &s[0], n, k, acc)
		}
		p, g, p0, m, v, s = p[n:], g[n:], p0[n:], m[n:], v[n:], s[n:]
	}
	prodigyGatherGo(p, g, p0, m, v, s, k, acc)
}

func prodigyUpdate(p, m, v []float32, k *ProdigyCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		m, v = m[:len(p)], v[:len(p)]
		if useAVX2 {
			prodigyUpdateAVX2(&p[0], &m[0], &v[0], n, k)
		} else {
			prodigyUpdateAVX512(&p[0], &m[0], &v[0], n, k)
		}
		p, m, v = p[n:], m[n:], v[n:]
	}
	prodigyUpdateGo(p, m, v, k)
}

func lambGather(p, g, m, v []float32, k *LAMBCoef, acc *[2]lanes) {
	if n := len(p) &^ 15; (useAVX512 || useAVX2) && n > 0 {
		g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
		if useAVX2 {
			lambGatherAVX2(&p[0], &g[0], &m[0], &v[0], n, k, acc)
		} else {
			lambGatherAVX512(&p[0], &g[0], &m[0], &v[0], n, k, acc)
		}
		p, g, m, v = p[n:], g[n:], m[n:], v[n:]
	}
	lambGatherGo(p, g, m, v, k, acc)
}

func lambUpdate(p, m, v []float32, k *LAMBCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		m, v = m[:len(p)], v[:len(p)]
		if useAVX2 {
			lambUpdateAVX2(&p[0], &m[0], &v[0], n, k)
		} else {
			lambUpdateAVX512(&p[0], &m[0], &v[0], n, k)
		}
		p, m, v = p[n:], m[n:], v[n:]
	}
	lambUpdateGo(p, m, v, k)
}

func lars(p, g, buf []float32, k *LARSCoef) {
	w := vectorLanes()
	if w == 0 || len(p) < w {
		larsGo(p, g, buf, k)
		return
	}
	n := len(p) &^ (w - 1)
	g = g[:len(p)]
	var pb *float32
	if k.Flags&LARSMomentum != 0 {
		buf = buf[:len(p)]
		pb, buf = &buf[0], buf[n:]
	}
	if useAVX2 {
		larsAVX2(&p[0], &g[0], pb, n, k)
	} else {
		larsAVX512(&p[0], &g[0], pb, n, k)
	}
	larsGo(p[n:], g[n:], buf, k)
}

// adafactorGatherAVX512 is adafactorGatherGo's loop for j in [0, n), n a multiple of 16.
//
//go:noescape
func adafactorGatherAVX512(grad, v *float32, n int, k *AdafactorCoef, acc *lanes)

// adafactorUpdateAVX512 is adafactorUpdateGo's loop for j in [0, n), n a multiple of 16.
//
//go:noescape
func adafactorUpdateAVX512(p, grad, v *float32, n int, k *AdafactorCoef)

func adafactorGather(g, v []float32, k *AdafactorCoef, acc *lanes) {
	if n := len(g) &^ 15; (useAVX512 || useAVX2) && n > 0 {
		v = v[:len(g)]
		if useAVX2 {
			adafactorGatherAVX2(&g[0], &v[0], n, k, acc)
		} else {
			adafactorGatherAVX512(&g[0], &v[0], n, k, acc)
		}
		g, v = g[n:], v[n:]
	}
	adafactorGatherGo(g, v, k, acc)
}

func adafactorUpdate(p, g, v []float32, k *AdafactorCoef) {
	if w := vectorLanes(); w > 0 && len(p) >= w {
		n := len(p) &^ (w - 1)
		g, v = g[:len(p)], v[:len(p)]
		if useAVX2 {
			adafactorUpdateAVX2(&p[0], &g[0], &v[0], n, k)
		} else {
			adafactorUpdateAVX512(&p[0], &g[0], &v[0], n, k)
		}
		p, g, v = p[n:], g[n:], v[n:]
	}
	adafactorUpdateGo(p, g, v, k)
}
