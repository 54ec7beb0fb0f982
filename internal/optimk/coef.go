package optimk

// The coefficients of one step of one parameter, in float32 as torch's kernels see them,
// computed by package optim from its configuration and step count. The assembly reads them
// by offset: the order and types of the fields are part of each kernel's contract (see
// TestCoefLayout).

// SGDCoef are the coefficients of [SGD].
type SGDCoef struct {
	NegLR, WD, Mom, Damp1 float32 // -γ, λ, μ, 1-τ
	Flags                 uint32  // SGDMaximize …
}

// The flags of [SGDCoef].
const (
	SGDMaximize = 1 << iota // ascend: g ← -g
	SGDDecay                // g ← g + λθ
	SGDMomentum             // keep a momentum buffer
	SGDFirst                // the momentum buffer is set from this step's gradient
	SGDNesterov             // Nesterov momentum
)

// AdamCoef are the coefficients of [Adam] (Adam and AdamW).
type AdamCoef struct {
	B1, Omb1, B2, Omb2 float32 // β₁, 1-β₁, β₂, 1-β₂
	Bc2s, Bc2, Eps     float32 // √(1-β₂ᵗ), 1-β₂ᵗ, ε
	NegStep            float32 // -γ/(1-β₁ᵗ)
	WD, Decay          float32 // λ (Adam), 1-γλ (AdamW)
	Flags              uint32  // AdamMaximize …
}

// The flags of [AdamCoef], [AdamaxCoef] (AdamMaximize, AdamDecay) and [NAdamCoef]
// (AdamDecay).
const (
	AdamMaximize   = 1 << iota // ascend: g ← -g
	AdamDecay                  // Adam's L2 term: g ← g + λθ
	AdamDecoupled              // AdamW's θ ← θ·(1-γλ) first
	AdamAMSTorch               // AMSGrad, torch's: the maximum of v
	AdamAMSLecture             // AMSGrad, the lecture's: the maximum of v/(1-β₂ᵗ)
)

// RMSpropCoef are the coefficients of [RMSprop].
type RMSpropCoef struct {
	Alpha, Oma, Eps, WD, Mom, NegLR float32 // α, 1-α, ε, λ, μ, -γ
	Flags                           uint32  // RMSpropMaximize …
}

// The flags of [RMSpropCoef].
const (
	RMSpropMaximize = 1 << iota // ascend: g ← -g
	RMSpropDecay                // g ← g + λθ
	RMSpropCentered             // divide by the estimated standard deviation
	RMSpropMomentum             // keep a momentum buffer
)

// AdagradCoef are the coefficients of [Adagrad].
type AdagradCoef struct {
	NegCLR, WD, Eps float32 // -γ/(1 + (t-1)η), λ, ε
	Flags           uint32  // AdagradMaximize, AdagradDecay
}

// The flags of [AdagradCoef].
const (
	AdagradMaximize = 1 << iota // ascend: g ← -g
	AdagradDecay                // g ← g + λθ
)

// AdadeltaCoef are the coefficients of [Adadelta].
type AdadeltaCoef struct {
	Rho, Omr, Eps, WD, NegLR float32 // ρ, 1-ρ, ε, λ, -γ
	Flags                    uint32  // AdadeltaMaximize, AdadeltaDecay
}

// The flags of [AdadeltaCoef].
const (
	AdadeltaMaximize = 1 << iota // ascend: g ← -g
	AdadeltaDecay                // g ← g + λθ
)

// AdamaxCoef are the coefficients of [Adamax].
type AdamaxCoef struct {
	B1, Omb1, B2, Eps, WD, NegCLR float32 // β₁, 1-β₁, β₂, ε, λ, -γ/(1-β₁ᵗ)
	Flags                         uint32  // AdamMaximize, AdamDecay
}

// NAdamCoef are the coefficients of [NAdam].
type NAdamCoef struct {
	B1, Omb1, B2, Omb2, Bc2, Eps, WD float32 // β₁, 1-β₁, β₂, 1-β₂, 1-β₂ᵗ, ε, λ
	Cg, Cm                           float32 // the factors of g and m (see nadamGo)
	Flags                            uint32  // AdamDecay, AdamDecoupled
	Decay                            float32 // 1-γλ (AdamDecoupled)
}

// RAdamCoef are the coefficients of [RAdam].
type RAdamCoef struct {
	B1, Omb1, B2, Omb2, Bc1, LR, Eps, WD float32 // β₁, 1-β₁, β₂, 1-β₂, 1-β₁ᵗ, γ, ε, λ
	Bc2s, Rect                           float32 // √(1-β₂ᵗ) and the rectification r (when rectified)
	Flags                                uint32  // RAdamDecay, RAdamRectified, RAdamDecoupled
	Decay                                float32 // 1-γλ (RAdamDecoupled)
}

// The flags of [RAdamCoef].
const (
	RAdamDecay     = 1 << iota // g ← g + λθ
	RAdamRectified             // the variance is tractable: rectify (ρ_t > 5)
	RAdamDecoupled             // torch 2's decoupled_weight_decay: θ ← θ·(1-γλ) first
)

// LionCoef are the coefficients of [Lion].
type LionCoef struct {
	Decay, B1, Omb1, B2, Omb2, NegLR float32 // 1-γλ, β₁, 1-β₁, β₂, 1-β₂, -γ
}

// ScheduleFreeCoef are the coefficients of [ScheduleFreeAdamW] and [ScheduleFreeSGD].
type ScheduleFreeCoef struct {
	NegLR, NegLRWD, WD float32 // -γ_t, -γ_t·λ (AdamW: z ← z - γ_t λ·point), λ (SGD: g ← g + λy)
	C, Omc             float32 // c_{t+1}, 1-c_{t+1}: x ← (1-c)x + c·z
	B1, Omb1           float32 // β₁ (SGD: the momentum), 1-β₁: y ← β₁x + (1-β₁)z
	B2, Omb2, Eps      float32 // β₂, 1-β₂, ε (AdamW)
	Flags              uint32  // ScheduleFreeDecayAtZ
}

// The flags of [ScheduleFreeCoef].
const (
	ScheduleFreeDecayAtZ = 1 << iota // AdamW's weight decay at z instead of y
)

// ProdigyCoef are the coefficients of [ProdigyGather] and [ProdigyUpdate].
type ProdigyCoef struct {
	B1, C1, B2, C2, B3, C3 float32 // β₁, d(1-β₁), β₂, d²(1-β₂), β₃, (d/d₀)·dlr (or (d/d₀)·d)
	WD                     float32 // λ, coupled (ProdigyCoupled): g ← g + λθ
	DEps, NegDLRWD, NegDLR float32 // d'·ε (the new d'), -λ·dlr (ProdigyDecoupled), -dlr
	Flags                  uint32  // ProdigyCoupled, ProdigyDecoupled
}

// The flags of [ProdigyCoef].
const (
	ProdigyCoupled   = 1 << iota // g ← g + λθ before the moments
	ProdigyDecoupled             // θ ← θ - λ·dlr·θ before the step
)

// LAMBCoef are the coefficients of [LAMBGather] and [LAMBUpdate].
//
// The direction (m/(1-β₁ᵗ)) / (√v/√(1-β₂ᵗ) + ε) is computed as m·Scale / (√v + Eps), the
// same quantity with one division instead of three (Scale = √(1-β₂ᵗ)/(1-β₁ᵗ), Eps =
// ε·√(1-β₂ᵗ)), and the clipped gradient g/c as g·(1/c).
type LAMBCoef struct {
	InvClip            float32 // 1/c for c ≥ 1: g ← g·(1/c) (LAMBClip)
	B1, Omb1, B2, Omb2 float32 // β₁, β₃ (1-β₁, or 1 without grad_averaging), β₂, 1-β₂
	Scale, Eps, WD     float32 // √(1-β₂ᵗ)/(1-β₁ᵗ) (1 without bias correction), ε·√(1-β₂ᵗ), λ
	TR, NegLR          float32 // the trust ratio (1 when not adapted), -γ
	Flags              uint32  // LAMBClip, LAMBDecay
}

// The flags of [LAMBCoef].
const (
	LAMBClip  = 1 << iota // scale the gradient by InvClip (global norm clipping)
	LAMBDecay             // u ← u + λθ
)

// LARSCoef are the coefficients of [LARS].
type LARSCoef struct {
	WD, TR, Mom, Damp1, NegLR float32 // λ, the trust ratio, μ, 1-τ, -γ
	Flags                     uint32  // LARSAdapt …
}

// The flags of [LARSCoef].
const (
	LARSAdapt    = 1 << iota // g ← (g + λθ)·tr
	LARSMomentum             // keep a momentum buffer
	LARSFirst                // the momentum buffer is set from this step's gradient
	LARSNesterov             // Nesterov momentum
)

// AdafactorCoef are the coefficients of [AdafactorGather] and [AdafactorUpdate], Adafactor's
// step on a vector (its second moment V kept whole). The direction is
// U = g·(1/√max(V, ε₁²)); with maximize the sign is carried by A (-(g·r)·a = (g·r)·(-a)
// exactly).
type AdafactorCoef struct {
	W, OmW float32 // t^τ and 1-t^τ, the moving average's weight: torch's lerp(V, g², t^τ)
	Floor  float32 // ε₁², the floor of V under the root
	Decay  float32 // 1-γλ (1 without weight decay)
	A      float32 // the step's multiplier: -α_t/max(1, RMS(U)/d), negated with maximize
	Flags  uint32  // AdafactorHigh
}

// The flags of [AdafactorCoef].
const (
	// AdafactorHigh: W ≥ 0.5, so torch's lerp is b - (b-a)(1-w) (else a + w(b-a)).
	AdafactorHigh = 1 << iota
)
