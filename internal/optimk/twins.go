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
// g = fma(θ, λ, g) | θ = θ·(1-γλ) (decoupled); m = fma(g, 1-β₁, m·β₁);
// v = fma((1-β₂)·g, g, v·β₂); d = √(v/bc₂) + ε; θ = θ + (c_g·g)/d; θ = θ + (c_m·m)/d.
func nadamGo(v, g, m, s []float32, k *NAdamCoef) {
	g, m, s = g[:len(v)], m[:len(v)], s[:len(v)]
	for j, gj := range g {
		pj := v[j]
		if k.Flags&AdamDecay != 0 {
			gj = fma.Float32(pj, k.WD, gj)
		}
		if k.Flags&AdamDecoupled != 0 {
			pj *= k.Decay
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		sj := fma.Float32(k.Omb2*gj, gj, s[j]*k.B2)
		m[j], s[j] = mj, sj
		d := sqrt32(sj/k.Bc2) + k.Eps
		x := pj + (k.Cg*gj)/d
		v[j] = x + (k.Cm*mj)/d
	}
}

// radamGo is one RAdam step over a slice, torch's operations in torch's order:
// g = fma(θ, λ, g) | θ = θ·(1-γλ) (decoupled); m = fma(g, 1-β₁, m·β₁);
// v = fma((1-β₂)·g, g, v·β₂); m̂ = m/bc₁;
// rectified: θ = θ - ((m̂·γ)·(√bc₂·(1/(√v+ε))))·r, else θ = θ - m̂·γ.
func radamGo(v, g, m, s []float32, k *RAdamCoef) {
	g, m, s = g[:len(v)], m[:len(v)], s[:len(v)]
	for j, gj := range g {
		pj := v[j]
		if k.Flags&RAdamDecay != 0 {
			gj = fma.Float32(pj, k.WD, gj)
		}
		if k.Flags&RAdamDecoupled != 0 {
			pj *= k.Decay
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		sj := fma.Float32(k.Omb2*gj, gj, s[j]*k.B2)
		m[j], s[j] = mj, sj
		x := float32(mj/k.Bc1) * k.LR
		if k.Flags&RAdamRectified != 0 {
			alr := float32(1/(sqrt32(sj)+k.Eps)) * k.Bc2s
			x = float32(x*alr) * k.Rect
		}
		v[j] = pj - x
	}
}

// lanes are the 16 float64 partial sums of a reduction: element j of the slice given to a
// reducing kernel adds into lane j mod 16, in order of j (the lanes of two AVX-512
// registers of float64); [laneSum] then adds the lanes in a fixed tree.
type lanes = [16]float64

// laneSum returns the sum of the lanes: lane l += lane l+w for w = 8, 4, 2, 1, then lane 0.
func laneSum(a *lanes) float64 {
	s := *a
	for w := 8; w > 0; w /= 2 {
		for l := range w {
			s[l] += s[l+w]
		}
	}
	return s[0]
}

// sq returns x² in float64, exact (a float32 has 24 bits, its square at most 48 < 53).
func sq(x float32) float64 { return float64(x) * float64(x) }

// sumSqGo adds x[j]² into lane j mod 16 of acc.
func sumSqGo(x []float32, acc *lanes) {
	for j, v := range x {
		acc[j&15] += sq(v)
	}
}

// sumSq2Go adds x[j]² into lane j mod 16 of acc[0] and y[j]² into that of acc[1].
func sumSq2Go(x, y []float32, acc *[2]lanes) {
	y = y[:len(x)]
	for j, v := range x {
		acc[0][j&15] += sq(v)
		acc[1][j&15] += sq(y[j])
	}
}

// lionGo is one Lion step over a slice:
// c = fma(g, 1-β₁, m·β₁); θ = θ·(1-γλ) + (-γ·sign c); m = fma(g, 1-β₂, m·β₂).
// sign 0 (and NaN) moves nothing; -γ·sign c is exact, so the step rounds once.
func lionGo(p, g, m []float32, k *LionCoef) {
	g, m = g[:len(p)], m[:len(p)]
	for j, gj := range g {
		mj := m[j]
		c := fma.Float32(gj, k.Omb1, mj*k.B1)
		var step float32
		switch {
		case c > 0:
			step = k.NegLR
		case c < 0:
			step = -k.NegLR
		}
		p[j] = float32(p[j]*k.Decay) + step
		m[j] = fma.Float32(gj, k.Omb2, mj*k.B2)
	}
}

// sfAdamWGo is one Schedule-Free AdamW step over a slice; p holds y:
//
//	z = fma(y or z, -γλ, z); v = fma((1-β₂)·g, g, v·β₂); z = fma(g/(√v + ε), -γ, z)
//	x = fma(z, c, x·(1-c)); y = fma(z, 1-β₁, x·β₁)
func sfAdamWGo(p, g, z, x, v []float32, k *ScheduleFreeCoef) {
	g, z, x, v = g[:len(p)], z[:len(p)], x[:len(p)], v[:len(p)]
	for j, gj := range g {
		zj := z[j]
		if k.Flags&ScheduleFreeDecayAtZ != 0 {
			zj = fma.Float32(zj, k.NegLRWD, zj)
		} else {
			zj = fma.Float32(p[j], k.NegLRWD, zj)
		}
		vj := fma.Float32(k.Omb2*gj, gj, v[j]*k.B2)
		v[j] = vj
		zj = fma.Float32(gj/(sqrt32(vj)+k.Eps), k.NegLR, zj)
		z[j] = zj
		xj := fma.Float32(zj, k.C, x[j]*k.Omc)
		x[j] = xj
		p[j] = fma.Float32(zj, k.Omb1, xj*k.B1)
	}
}

// sfSGDGo is one Schedule-Free SGD step over a slice; p holds y:
//
//	g = fma(y, λ, g); z = fma(g, -γ, z); x = fma(z, c, x·(1-c)); y = fma(z, 1-β, x·β)
func sfSGDGo(p, g, z, x []float32, k *ScheduleFreeCoef) {
	g, z, x = g[:len(p)], z[:len(p)], x[:len(p)]
	for j, gj := range g {
		gj = fma.Float32(p[j], k.WD, gj)
		zj := fma.Float32(gj, k.NegLR, z[j])
		z[j] = zj
		xj := fma.Float32(zj, k.C, x[j]*k.Omc)
		x[j] = xj
		p[j] = fma.Float32(zj, k.Omb1, xj*k.B1)
	}
}

// interpGo sets y = fma(z, 1-β, x·β), the training point of the schedule-free methods, as
// their steps compute it.
func interpGo(y, x, z []float32, b, omb float32) {
	x, z = x[:len(y)], z[:len(y)]
	for j := range y {
		y[j] = fma.Float32(z[j], omb, x[j]*b)
	}
}

// prodigyGatherGo is Prodigy's first pass over a slice (the moments with the old d), adding
// g·(θ₀-θ) into acc[0] and |s| into acc[1], lane j mod 16, in float64 (the products exact):
//
//	g = fma(θ, λ, g) (coupled); acc₀ += g·(θ₀ - θ)
//	m = fma(g, d(1-β₁), m·β₁); v = fma(d²(1-β₂)·g, g, v·β₂); s = fma(g, c₃, s·β₃); acc₁ += |s|
func prodigyGatherGo(p, g, p0, m, v, s []float32, k *ProdigyCoef, acc *[2]lanes) {
	g, p0, m, v, s = g[:len(p)], p0[:len(p)], m[:len(p)], v[:len(p)], s[:len(p)]
	for j, gj := range g {
		pj := p[j]
		if k.Flags&ProdigyCoupled != 0 {
			gj = fma.Float32(pj, k.WD, gj)
		}
		acc[0][j&15] += float64(gj) * float64(p0[j]-pj)
		m[j] = fma.Float32(gj, k.C1, m[j]*k.B1)
		v[j] = fma.Float32(k.C2*gj, gj, v[j]*k.B2)
		sj := fma.Float32(gj, k.C3, s[j]*k.B3)
		s[j] = sj
		acc[1][j&15] += math.Abs(float64(sj))
	}
}

// prodigyUpdateGo is Prodigy's step over a slice, with the new d':
// θ = fma(θ, -λ·dlr, θ) (decoupled); θ = fma(m/(√v + d'ε), -dlr, θ).
func prodigyUpdateGo(p, m, v []float32, k *ProdigyCoef) {
	m, v = m[:len(p)], v[:len(p)]
	for j, mj := range m {
		pj := p[j]
		if k.Flags&ProdigyDecoupled != 0 {
			pj = fma.Float32(pj, k.NegDLRWD, pj)
		}
		p[j] = fma.Float32(mj/(sqrt32(v[j])+k.DEps), k.NegDLR, pj)
	}
}

// lambDir is LAMB's direction u at one element, from the updated moments:
// u = (m·Scale)/(√v + Eps), (m/bc₁)/(√v/√bc₂ + ε) with one division, then u = fma(θ, λ, u)
// with decay.
func lambDir(pj, mj, vj float32, k *LAMBCoef) float32 {
	u := (mj * k.Scale) / (sqrt32(vj) + k.Eps)
	if k.Flags&LAMBDecay != 0 {
		u = fma.Float32(pj, k.WD, u)
	}
	return u
}

// lambGatherGo is LAMB's first pass over a slice: the moments, and u² into acc[0] and θ²
// into acc[1], lane j mod 16:
//
//	g = g·(1/c) (clip); m = fma(g, β₃, m·β₁); v = fma((1-β₂)·g, g, v·β₂); u as lambDir
func lambGatherGo(p, g, m, v []float32, k *LAMBCoef, acc *[2]lanes) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j, gj := range g {
		if k.Flags&LAMBClip != 0 {
			gj *= k.InvClip
		}
		mj := fma.Float32(gj, k.Omb1, m[j]*k.B1)
		vj := fma.Float32(k.Omb2*gj, gj, v[j]*k.B2)
		m[j], v[j] = mj, vj
		pj := p[j]
		acc[0][j&15] += sq(lambDir(pj, mj, vj, k))
		acc[1][j&15] += sq(pj)
	}
}

// lambUpdateGo is LAMB's step over a slice: θ = fma(u·tr, -γ, θ), u recomputed as lambDir.
func lambUpdateGo(p, m, v []float32, k *LAMBCoef) {
	m, v = m[:len(p)], v[:len(p)]
	for j, pj := range p {
		u := lambDir(pj, m[j], v[j], k)
		p[j] = fma.Float32(u*k.TR, k.NegLR, pj)
	}
}

// larsGo is one LARS step over a slice (timm's order):
//
//	d = fma(θ, λ, g)·tr (adapt); b = d at first, else fma(d, 1-τ, b·μ)
//	d = fma(b, μ, d) (nesterov) or b; θ = fma(d, -γ, θ)
func larsGo(p, g, buf []float32, k *LARSCoef) {
	g = g[:len(p)]
	if k.Flags&LARSMomentum != 0 {
		buf = buf[:len(p)]
	}
	for j, d := range g {
		if k.Flags&LARSAdapt != 0 {
			d = fma.Float32(p[j], k.WD, d) * k.TR
		}
		if k.Flags&LARSMomentum != 0 {
			b := d
			if k.Flags&LARSFirst == 0 {
				b = fma.Float32(d, k.Damp1, buf[j]*k.Mom)
			}
			buf[j] = b
			if k.Flags&LARSNesterov != 0 {
				d = fma.Float32(b, k.Mom, d)
			} else {
				d = b
			}
		}
		p[j] = fma.Float32(d, k.NegLR, p[j])
	}
}

// adafactorLerp is torch's lerp(a, b, w) in float32 with w = k.W: fma(w, b-a, a) for
// w < 0.5, else fma(-(b-a), 1-w, b).
func adafactorLerp(a, b float32, k *AdafactorCoef) float32 {
	if k.Flags&AdafactorHigh == 0 {
		return fma.Float32(k.W, b-a, a)
	}
	return fma.Float32(-(b - a), k.OmW, b)
}

// adafactorDir is Adafactor's direction g·(1/√max(v, ε₁²)), the root and the division
// rounded to float32.
func adafactorDir(g, v float32, k *AdafactorCoef) float32 {
	return g * (1 / sqrt32(max(v, k.Floor)))
}

// adafactorGatherGo is Adafactor's first pass over a vector: v = lerp(v, g·g, w), and U²
// into acc, lane j mod 16, U as adafactorDir.
func adafactorGatherGo(g, v []float32, k *AdafactorCoef, acc *lanes) {
	v = v[:len(g)]
	for j, gj := range g {
		vj := adafactorLerp(v[j], gj*gj, k)
		v[j] = vj
		acc[j&15] += sq(adafactorDir(gj, vj, k))
	}
}

// adafactorUpdateGo is Adafactor's step over a vector: θ = fma(U, A, θ·(1-γλ)), U
// recomputed as adafactorDir.
func adafactorUpdateGo(p, g, v []float32, k *AdafactorCoef) {
	g, v = g[:len(p)], v[:len(p)]
	for j, pj := range p {
		p[j] = fma.Float32(adafactorDir(g[j], v[j], k), k.A, pj*k.Decay)
	}
}
