package optimk

import (
	"math"

	"github.com/descent-ml/descent/internal/fma"
)

// The Go twins: the element loops that the assembly of kernels_amd64.s replaces, computing
// the same bits. They run without AVX-512, on other architectures and with -tags noasm, and
// on the elements past the last whole vector.

// allFiniteGo reports whether no element of x is NaN or infinite.
func allFiniteGo(x []float32) bool {
	var acc float32
	for _, v := range x {
		acc += v * 0 // NaN for NaN and ±Inf, 0 otherwise
	}
	return acc == 0
}

// sqrt32 is the correctly rounded float32 square root (float64's is exact enough to round
// from: 53 ≥ 2·24 + 2 bits).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// sgdGo is one SGD step over a slice, torch's operations in torch's order:
// d = ±g; d = fma(θ, λ, d); b = fma(d, 1-τ, b·μ) (or d at first); d = fma(b, μ, d) or b;
// θ = fma(d, -γ, θ).
func sgdGo(p, g, buf []float32, k *SGDCoef) {
	g = g[:len(p)]
	if k.Flags&SGDMomentum != 0 {
		buf = buf[:len(p)]
	}
	for j, d := range g {
		if k.Flags&SGDMaximize != 0 {
			d = -d
		}
		if k.Flags&SGDDecay != 0 {
			d = fma.Float32(p[j], k.WD, d)
		}
		if k.Flags&SGDMomentum != 0 {
			b := d
			if k.Flags&SGDFirst == 0 {
				b = fma.Float32(d, k.Damp1, buf[j]*k.Mom)
			}
			buf[j] = b
			if k.Flags&SGDNesterov != 0 {
				d = fma.Float32(b, k.Mom, d)
			} else {
				d = b
			}
		}
		p[j] = fma.Float32(d, k.NegLR, p[j])
	}
}

// adamGo is one Adam or AdamW step over a slice, torch's operations in torch's order:
//
//	g = ±g; g = fma(θ, λ, g) (Adam) | θ = θ·(1-γλ) (AdamW)
//	m = fma(g, 1-β₁, m·β₁); v = fma((1-β₂)·g, g, v·β₂)
//	d = √v/√bc₂ + ε | v̂ = max(v̂, v), d = √v̂/√bc₂ + ε | v̂ = max(v̂, v/bc₂), d = √v̂ + ε
//	θ = θ + (-γ/bc₁·m)/d
func adamGo(p, g, m, v, vmax []float32, k *AdamCoef) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	if k.Flags&(AdamAMSTorch|AdamAMSLecture) != 0 {
		vmax = vmax[:len(p)]
	}
	for j, gj := range g {
		if k.Flags&AdamMaximize != 0 {
			gj = -gj
		}
		pj := p[j]
		if k.Flags&AdamDecay != 0 {
			gj = fma.Float32(pj, k.WD, gj)
		}
		if k.Flags&AdamDecoupled != 0 {
			pj *= k.Decay
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		vj := fma.Float32(k.Omb2*gj, gj, v[j]*k.B2)
		m[j], v[j] = mj, vj
		var d float32
		switch {
		case k.Flags&AdamAMSTorch != 0:
			x := max(vmax[j], vj)
			vmax[j] = x
			d = sqrt32(x)/k.Bc2s + k.Eps
		case k.Flags&AdamAMSLecture != 0:
			x := max(vmax[j], vj/k.Bc2)
			vmax[j] = x
			d = sqrt32(x) + k.Eps
		default:
			d = sqrt32(vj)/k.Bc2s + k.Eps
		}
		p[j] = pj + (k.NegStep*mj)/d
	}
}

// rmspropGo is one RMSprop step over a slice, torch's operations in torch's order:
// g = ±g; g = fma(θ, λ, g); v = fma((1-α)·g, g, v·α); a = fma(g, 1-α, a·α);
// d = √(fma(-a, a, v)) + ε; b = b·μ + g/d, θ = fma(b, -γ, θ) | θ = θ + (-γ·g)/d.
// buf and ga are only used with momentum and centering.
func rmspropGo(v, g, sq, buf, ga []float32, k *RMSpropCoef) {
	g, sq = g[:len(v)], sq[:len(v)]
	for j, gj := range g {
		if k.Flags&RMSpropMaximize != 0 {
			gj = -gj
		}
		if k.Flags&RMSpropDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		s := fma.Float32(k.Oma*gj, gj, sq[j]*k.Alpha)
		sq[j] = s
		if k.Flags&RMSpropCentered != 0 {
			a := fma.Float32(gj, k.Oma, ga[j]*k.Alpha)
			ga[j] = a
			s = fma.Float32(-a, a, s)
		}
		d := sqrt32(s) + k.Eps
		if k.Flags&RMSpropMomentum != 0 {
			b := float32(buf[j]*k.Mom) + gj/d
			buf[j] = b
			v[j] = fma.Float32(b, k.NegLR, v[j])
		} else {
			v[j] += (k.NegLR * gj) / d
		}
	}
}

// adagradGo is one Adagrad step over a slice, torch's operations in torch's order:
// g = ±g; g = fma(θ, λ, g); s = fma(g, g, s); θ = θ + (-γ_t·g)/(√s + ε).
func adagradGo(v, g, s []float32, k *AdagradCoef) {
	g, s = g[:len(v)], s[:len(v)]
	for j, gj := range g {
		if k.Flags&AdagradMaximize != 0 {
			gj = -gj
		}
		if k.Flags&AdagradDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		sj := fma.Float32(gj, gj, s[j])
		s[j] = sj
		v[j] += (k.NegCLR * gj) / (sqrt32(sj) + k.Eps)
	}
}

// adadeltaGo is one Adadelta step over a slice, torch's operations in torch's order:
// g = ±g; g = fma(θ, λ, g); v = fma((1-ρ)·g, g, v·ρ); Δ = (√(u+ε) / √(v+ε))·g;
// u = fma((1-ρ)·Δ, Δ, u·ρ); θ = fma(Δ, -γ, θ).
func adadeltaGo(v, g, sq, acc []float32, k *AdadeltaCoef) {
	g, sq, acc = g[:len(v)], sq[:len(v)], acc[:len(v)]
	for j, gj := range g {
		if k.Flags&AdadeltaMaximize != 0 {
			gj = -gj
		}
		if k.Flags&AdadeltaDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		s := fma.Float32(k.Omr*gj, gj, sq[j]*k.Rho)
		sq[j] = s
		d := (sqrt32(acc[j]+k.Eps) / sqrt32(s+k.Eps)) * gj
		acc[j] = fma.Float32(k.Omr*d, d, acc[j]*k.Rho)
		v[j] = fma.Float32(d, k.NegLR, v[j])
	}
}

// adamaxGo is one Adamax step over a slice, torch's operations in torch's order:
// g = ±g; g = fma(θ, λ, g); m = fma(g, 1-β₁, m·β₁); u = max(u·β₂, |g| + ε);
// θ = θ + (-γ/bc·m)/u.
func adamaxGo(v, g, m, u []float32, k *AdamaxCoef) {
	g, m, u = g[:len(v)], m[:len(v)], u[:len(v)]
	for j, gj := range g {
		if k.Flags&AdamMaximize != 0 {
			gj = -gj
		}
		if k.Flags&AdamDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		m[j] = mj
		uj := max(u[j]*k.B2, float32(math.Abs(float64(gj)))+k.Eps)
		u[j] = uj
		v[j] += (k.NegCLR * mj) / uj
	}
}

// nadamGo is one NAdam step over a slice, torch's operations in torch's order:
// g = fma(θ, λ, g); m = fma(g, 1-β₁, m·β₁); v = fma((1-β₂)·g, g, v·β₂);
// d = √(v/bc₂) + ε; θ = θ + (c_g·g)/d; θ = θ + (c_m·m)/d.
func nadamGo(v, g, m, s []float32, k *NAdamCoef) {
	g, m, s = g[:len(v)], m[:len(v)], s[:len(v)]
	for j, gj := range g {
		if k.Flags&AdamDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		sj := fma.Float32(k.Omb2*gj, gj, s[j]*k.B2)
		m[j], s[j] = mj, sj
		d := sqrt32(sj/k.Bc2) + k.Eps
		x := v[j] + (k.Cg*gj)/d
		v[j] = x + (k.Cm*mj)/d
	}
}

// radamGo is one RAdam step over a slice, torch's operations in torch's order:
// g = fma(θ, λ, g); m = fma(g, 1-β₁, m·β₁); v = fma((1-β₂)·g, g, v·β₂); m̂ = m/bc₁;
// rectified: θ = θ - ((m̂·γ)·(√bc₂·(1/(√v+ε))))·r, else θ = θ - m̂·γ.
func radamGo(v, g, m, s []float32, k *RAdamCoef) {
	g, m, s = g[:len(v)], m[:len(v)], s[:len(v)]
	for j, gj := range g {
		if k.Flags&RAdamDecay != 0 {
			gj = fma.Float32(v[j], k.WD, gj)
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		sj := fma.Float32(k.Omb2*gj, gj, s[j]*k.B2)
		m[j], s[j] = mj, sj
		x := float32(mj/k.Bc1) * k.LR
		if k.Flags&RAdamRectified != 0 {
			alr := float32(1/(sqrt32(sj)+k.Eps)) * k.Bc2s
			x = float32(x*alr) * k.Rect
		}
		v[j] -= x
	}
}
