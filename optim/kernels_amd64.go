//go:build !noasm

package optim

import "golang.org/x/sys/cpu"

// useAVX512 selects the assembly kernels of kernels_amd64.s; without AVX-512 the pure-Go
// loops run. Both compute the same bits (fma32 is a correctly rounded float32 FMA).
var useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

// allFiniteAVX512 reports whether none of x[0:n] is NaN or infinite; n is a multiple of 16.
// It replaces: for _, v := range x { if v is NaN or ±Inf { return false } }; return true.
//
//go:noescape
func allFiniteAVX512(x *float32, n int) bool

// sgdMomentumAVX512 is, for j in [0, n), n a multiple of 16:
//
//	b := fma32(g[j], damp1, buf[j]*mom); buf[j] = b; p[j] = fma32(b, negLR, p[j])
//
//go:noescape
func sgdMomentumAVX512(p, grad, buf *float32, n int, mom, damp1, negLR float32)

// adamAVX512 is, for j in [0, n), n a multiple of 16 (plain Adam or AdamW, no AMSGrad, no
// L2 term, not maximising; k.decay is 1 for Adam):
//
//	mj := fma32(g[j], k.omb1, m[j]*k.b1); vj := fma32(k.omb2*g[j], g[j], v[j]*k.b2)
//	p[j] = p[j]*k.decay + (k.negStep*mj)/(sqrt32(vj)/k.bc2s + k.eps)
//
//go:noescape
func adamAVX512(p, grad, m, v *float32, n int, k *adamCoef)

// sgdAVX512 is sgdStepGo's loop for j in [0, n), n a multiple of 16, every flag of k; buf
// is only touched when k has momentum (it may be nil otherwise).
//
//go:noescape
func sgdAVX512(p, grad, buf *float32, n int, k *sgdCoef)

// adamFlagsAVX512 is adamStepGo's loop for j in [0, n), n a multiple of 16, every flag of k
// (k.decay must be 1 unless AdamW's decoupled decay is set); vmax is only touched with
// AMSGrad (it may be nil otherwise).
//
//go:noescape
func adamFlagsAVX512(p, grad, m, v, vmax *float32, n int, k *adamCoef)

func allFinite(x []float32) bool {
	if n := len(x) &^ 15; useAVX512 && n > 0 {
		if !allFiniteAVX512(&x[0], n) {
			return false
		}
		x = x[n:]
	}
	return allFiniteGo(x)
}

// sgdStep runs the common case, plain momentum, on its own kernel, and every other
// combination of options on the general one.
func sgdStep(p, g, buf []float32, k *sgdCoef) {
	n := len(p) &^ 15
	if !useAVX512 || n == 0 {
		sgdStepGo(p, g, buf, k)
		return
	}
	g = g[:len(p)]
	switch {
	case k.flags == sgdMomentum:
		buf = buf[:len(p)]
		sgdMomentumAVX512(&p[0], &g[0], &buf[0], n, k.mom, k.damp1, k.negLR)
		buf = buf[n:]
	case k.flags&sgdMomentum != 0:
		buf = buf[:len(p)]
		sgdAVX512(&p[0], &g[0], &buf[0], n, k)
		buf = buf[n:]
	default:
		sgdAVX512(&p[0], &g[0], nil, n, k)
	}
	sgdStepGo(p[n:], g[n:], buf, k)
}

// adamStep runs plain Adam and AdamW on their own kernel, and every other combination of
// options (maximize, L2 decay, both AMSGrads) on the general one.
func adamStep(p, g, m, v, vmax []float32, k *adamCoef) {
	n := len(p) &^ 15
	if !useAVX512 || n == 0 {
		adamStepGo(p, g, m, v, vmax, k)
		return
	}
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	kk := *k
	if k.flags&adamDecoupled == 0 {
		kk.decay = 1
	}
	switch {
	case k.flags&^adamDecoupled == 0:
		adamAVX512(&p[0], &g[0], &m[0], &v[0], n, &kk)
	case k.flags&(adamAMSTorch|adamAMSLecture) != 0:
		vmax = vmax[:len(p)]
		adamFlagsAVX512(&p[0], &g[0], &m[0], &v[0], &vmax[0], n, &kk)
		vmax = vmax[n:]
	default:
		adamFlagsAVX512(&p[0], &g[0], &m[0], &v[0], nil, n, &kk)
	}
	adamStepGo(p[n:], g[n:], m[n:], v[n:], vmax, k)
}

// rmspropAVX512 is rmspropStepGo's loop for j in [0, n), n a multiple of 16, every flag of
// k; buf and ga are only touched with momentum and centering (they may be nil otherwise).
//
//go:noescape
func rmspropAVX512(v, grad, sq, buf, ga *float32, n int, k *rmspropCoef)

// adagradAVX512 is adagradStepGo's loop for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adagradAVX512(v, grad, s *float32, n int, k *adagradCoef)

func rmspropStep(v, g, sq, buf, ga []float32, k *rmspropCoef) {
	n := len(v) &^ 15
	if !useAVX512 || n == 0 {
		rmspropStepGo(v, g, sq, buf, ga, k)
		return
	}
	g, sq = g[:len(v)], sq[:len(v)]
	var pb, pa *float32
	if k.flags&rmspropMomentum != 0 {
		buf = buf[:len(v)]
		pb, buf = &buf[0], buf[n:]
	}
	if k.flags&rmspropCentered != 0 {
		ga = ga[:len(v)]
		pa, ga = &ga[0], ga[n:]
	}
	rmspropAVX512(&v[0], &g[0], &sq[0], pb, pa, n, k)
	rmspropStepGo(v[n:], g[n:], sq[n:], buf, ga, k)
}

func adagradStep(v, g, s []float32, k *adagradCoef) {
	if n := len(v) &^ 15; useAVX512 && n > 0 {
		g, s = g[:len(v)], s[:len(v)]
		adagradAVX512(&v[0], &g[0], &s[0], n, k)
		v, g, s = v[n:], g[n:], s[n:]
	}
	adagradStepGo(v, g, s, k)
}

// adadeltaAVX512 is adadeltaStepGo's loop for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adadeltaAVX512(v, grad, sq, acc *float32, n int, k *adadeltaCoef)

func adadeltaStep(v, g, sq, acc []float32, k *adadeltaCoef) {
	twoBuffers(v, g, sq, acc, k, adadeltaAVX512, adadeltaStepGo)
}

// adamaxAVX512, nadamAVX512 and radamAVX512 are the loops of adamaxStepGo, nadamStepGo and
// radamStepGo for j in [0, n), n a multiple of 16, every flag of k.
//
//go:noescape
func adamaxAVX512(v, grad, m, u *float32, n int, k *adamaxCoef)

//go:noescape
func nadamAVX512(v, grad, m, s *float32, n int, k *nadamCoef)

//go:noescape
func radamAVX512(v, grad, m, s *float32, n int, k *radamCoef)

func adamaxStep(v, g, m, u []float32, k *adamaxCoef) {
	twoBuffers(v, g, m, u, k, adamaxAVX512, adamaxStepGo)
}

func nadamStep(v, g, m, s []float32, k *nadamCoef) {
	twoBuffers(v, g, m, s, k, nadamAVX512, nadamStepGo)
}

func radamStep(v, g, m, s []float32, k *radamCoef) {
	twoBuffers(v, g, m, s, k, radamAVX512, radamStepGo)
}

// twoBuffers runs an optimiser's kernel over the whole vectors of a slice and its Go twin
// over the rest, for the optimisers with two state buffers.
func twoBuffers[K any](v, g, a, b []float32, k *K, kernel func(v, g, a, b *float32, n int, k *K), twin func(v, g, a, b []float32, k *K)) {
	if n := len(v) &^ 15; useAVX512 && n > 0 {
		g, a, b = g[:len(v)], a[:len(v)], b[:len(v)]
		kernel(&v[0], &g[0], &a[0], &b[0], n, k)
		v, g, a, b = v[n:], g[n:], a[n:], b[n:]
	}
	twin(v, g, a, b, k)
}
